"""The main job: materialize every asset for a range of dates and locations through Dagster.

Ranges run as single runs (one for the daily assets, one per location for the date x location
assets), recorded in the instance at DAGSTER_HOME like any other run, so the UI shows them. The
summary (rows per asset, quarantined records, runs) is printed and written to summary.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

DAGSTER_YAML = """\
# Written by integration-assets for a local instance (SQLite). See dagster_home/ in the repo.
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


@dataclass
class RunSummary:
    start_date: str
    end_date: str
    locations: list[str]
    success: bool = True
    runs: list[dict[str, Any]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # asset key -> rows landed
    quarantined: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    def render(self) -> str:
        lines = [
            f"Main job {self.start_date}..{self.end_date} at {', '.join(self.locations)}: "
            f"{'succeeded' if self.success else 'FAILED'} ({len(self.runs)} runs)"
        ]
        lines.append("\nRows landed per asset:")
        lines += [f"  {key:<36} {count:>8}" for key, count in sorted(self.rows.items())]
        quarantined = {k: v for k, v in self.quarantined.items() if v}
        lines.append(f"\nQuarantined records: {sum(quarantined.values())}")
        lines += [f"  {key:<36} {count:>8}" for key, count in sorted(quarantined.items())]
        lines += [f"\nFailure: {failure}" for failure in self.failures]
        return "\n".join(lines)


def ensure_dagster_home(data_dir: Path) -> Path:
    """DAGSTER_HOME if set, else a local instance folder under the data dir (absolute, existing)."""
    configured = os.environ.get("DAGSTER_HOME")
    home = Path(configured) if configured else data_dir / "dagster_home"
    home = home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        (home / "dagster.yaml").write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def run_main(
    start: dt.date, end: dt.date, locations: list[str] | None = None, instance: dg.DagsterInstance | None = None
) -> RunSummary:
    from integration_assets.definitions import defs
    from integration_assets.partitions import daily_location_partitions, daily_partitions, location_partitions
    from integration_assets.resources import build_resources

    if end < start:
        raise ValueError(f"--end-date {end} is before --start-date {start}")
    known = location_partitions.get_partition_keys()
    chosen = locations or known
    unknown = [loc for loc in chosen if loc not in known]
    if unknown:
        raise ValueError(f"unknown location(s) {', '.join(unknown)}; locations.csv has {', '.join(known)}")
    instance = instance or dg.DagsterInstance.get()
    summary = RunSummary(start.isoformat(), end.isoformat(), list(chosen))
    assets = list(defs.assets or [])
    resources = build_resources()  # from the environment as it is now, not as it was at import
    daily = [a for a in assets if a.partitions_def == daily_partitions]
    by_location = [a for a in assets if a.partitions_def == daily_location_partitions]
    # Locations first: the daily batch holds the models, which read every location's stock.
    batches: list[tuple[list, str, str]] = [
        (
            by_location,
            str(dg.MultiPartitionKey({"date": start.isoformat(), "location": location})),
            str(dg.MultiPartitionKey({"date": end.isoformat(), "location": location})),
        )
        for location in chosen
    ]
    batches.append((daily, start.isoformat(), end.isoformat()))
    for batch, first, last in batches:
        if not batch:
            continue
        result = dg.materialize(
            batch,
            instance=instance,
            resources=resources,
            tags={"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last},
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
            raise_on_error=False,
        )
        _collect(summary, result, first, last)
    return summary


def _collect(summary: RunSummary, result: dg.ExecuteInProcessResult, first: str, last: str) -> None:
    summary.runs.append({"run_id": result.run_id, "range": f"{first}..{last}", "success": result.success})
    if not result.success:
        summary.success = False
        for event in result.all_events:
            if event.is_step_failure and event.step_failure_data is not None:
                error = event.step_failure_data.error
                summary.failures.append(f"{event.step_key}: {error.message.strip() if error else 'failed'}")
    seen: set[tuple[str, str]] = set()
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        key = materialization.asset_key.to_user_string()
        if (key, first) in seen:
            continue  # one result per run, repeated for each partition of the range
        seen.add((key, first))
        metadata = materialization.metadata
        if "rows" in metadata:
            summary.rows[key] = summary.rows.get(key, 0) + int(metadata["rows"].value)
        if "quarantined" in metadata:
            summary.quarantined[key] = summary.quarantined.get(key, 0) + int(metadata["quarantined"].value)


def write_summary(summary: RunSummary, data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "summary.json"
    path.write_text(summary.to_json())
    return path


def main_job_command(start: dt.date, end: dt.date, locations: list[str] | None, data_dir: Path) -> int:
    """`integration-assets run`: exit 0 unless the run itself failed (failed checks are reported)."""
    ensure_dagster_home(data_dir)
    os.environ.setdefault("INTEGRATION_DATA_DIR", str(data_dir))
    summary = run_main(start, end, locations)
    path = write_summary(summary, data_dir)
    print(summary.render())
    print(f"\nSummary written to {path}")
    return 0 if summary.success else 1
