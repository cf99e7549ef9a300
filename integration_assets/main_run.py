"""The main job: materialize every asset and asset check for a range of dates and locations through
Dagster's named jobs.

Ranges run as single runs (`stock_sync` once per location for the date x location assets, then
`daily_sync` for everything daily, then `sales_history_export` once per location), recorded in the
instance at DAGSTER_HOME under those job names, so the UI shows them as the jobs users know. The
summary (rows landed per extraction asset, rows per warehouse table, quarantined records, checks
passed and failed with their severity, open exceptions by type, the finance figures of the range's
payouts, runs) is printed and written to summary.json. A failed check is reported, not raised: only a
failed run makes the job fail.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg
import duckdb

if TYPE_CHECKING:
    from integration_assets.resources import WarehouseResource

DAGSTER_YAML = """\
# Written by integration-assets for a local instance (SQLite). See dagster_home/ in the repo.
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


WEBHOOK_EVENTS = "shopify_webhooks/events"
WEBHOOK_FIGURES = ("files_in", "events_new", "duplicates", "quarantined_files", "pending_files")
FAILURES_SHOWN = 5  # failed partitions printed per check; summary.json holds every one


@dataclass
class RunSummary:
    start_date: str
    end_date: str
    locations: list[str]
    success: bool = True
    runs: list[dict[str, Any]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # extraction asset key -> rows landed
    tables: dict[str, int] = field(default_factory=dict)  # warehouse relation (seeds, models) -> rows it holds
    quarantined: dict[str, int] = field(default_factory=dict)
    # "asset/key:check_name" -> {passed, failed, severity (worst failure), evaluations [{partition, ...}]}
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    exceptions: dict[str, int] = field(default_factory=dict)  # open (unresolved) exceptions by type
    exceptions_note: str | None = None  # why exceptions could not be read, when they could not
    # webhook files accounted for by the ingest (files in = events + duplicates + quarantined)
    webhooks: dict[str, int] = field(default_factory=dict)
    # payouts dated in the range: counts, and money as exact decimal text (FINANCE_FIGURES)
    finance: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    orphaned_runs: list[str] = field(default_factory=list)  # left unfinished by a killed run; marked failed

    @property
    def checks_failed(self) -> int:
        return sum(c["failed"] for c in self.checks.values())

    @property
    def checks_passed(self) -> int:
        return sum(c["passed"] for c in self.checks.values())

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    def render(self) -> str:
        lines = [
            f"Main job {self.start_date}..{self.end_date} at {', '.join(self.locations)}: "
            f"{'succeeded' if self.success else 'FAILED'} ({len(self.runs)} runs)"
        ]
        lines.append("\nRows landed per asset:")
        lines += [f"  {key:<44} {count:>8}" for key, count in sorted(self.rows.items())]
        quarantined = {k: v for k, v in self.quarantined.items() if v}
        if self.webhooks:
            w = self.webhooks
            lines.append(
                f"\nWebhook files: {w['files_in']} in = {w['events_new']} events + {w['duplicates']} duplicates + "
                f"{w['quarantined_files']} quarantined ({w['pending_files']} still being written)"
            )
        lines.append(f"\nQuarantined records: {sum(quarantined.values())}")
        lines += [f"  {key:<44} {count:>8}" for key, count in sorted(quarantined.items())]
        if self.tables:
            lines.append("\nRows per warehouse table:")
            lines += [f"  {key:<44} {count:>8}" for key, count in sorted(self.tables.items())]
        lines.append(f"\nChecks: {self.checks_passed} passed, {self.checks_failed} failed")
        for name, check in sorted(self.checks.items(), key=lambda item: (not item[1]["failed"], item[0])):
            status = f"FAILED {check['severity']:<5}" if check["failed"] else "passed      "
            lines.append(f"  {status} {name:<58} {check['passed']:>3} passed {check['failed']:>3} failed")
            failed = [e for e in check["evaluations"] if not e["passed"]]
            lines += [f"      {e['partition']}: {e['description']}" for e in failed[:FAILURES_SHOWN]]
            if len(failed) > FAILURES_SHOWN:
                lines.append(
                    f"      ... and {len(failed) - FAILURES_SHOWN} more partitions (summary.json has them all)"
                )
        lines.append(f"\nOpen exceptions by type: {sum(self.exceptions.values())}")
        lines += [f"  {kind:<44} {count:>8}" for kind, count in sorted(self.exceptions.items())]
        if self.exceptions_note:
            lines.append(f"  ({self.exceptions_note})")
        if self.finance:
            lines.append("\nFinance (payouts and sales journals dated in the range):")
            lines += [f"  {name:<44} {value:>12}" for name, value in self.finance.items()]
        if self.orphaned_runs:
            lines.append(
                f"\nRuns a killed earlier run left unfinished, marked failed and their pool slots freed: "
                f"{', '.join(self.orphaned_runs)}"
            )
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
    from integration_assets.jobs import MAIN_RUN_TRIGGER, TRIGGER_TAG
    from integration_assets.orphaned_runs import fail_orphaned_runs, process_tags
    from integration_assets.partitions import location_partitions
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
    summary.orphaned_runs = fail_orphaned_runs(instance)  # or their pool slots block this run's steps
    resources = build_resources()  # from the environment as it is now, not as it was at import
    for job_name, first, last in main_job_steps(start, end, chosen):
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance,
            resources=resources,
            tags={
                "dagster/asset_partition_range_start": first,
                "dagster/asset_partition_range_end": last,
                TRIGGER_TAG: MAIN_RUN_TRIGGER,
                **process_tags(),
            },
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
            raise_on_error=False,
        )
        _collect(summary, result, first, last)
    _collect_exceptions(summary, resources["warehouse"])
    _collect_finance(summary, resources["warehouse"])
    return summary


def main_job_steps(start: dt.date, end: dt.date, locations: list[str]) -> list[tuple[str, str, str]]:
    """(job, first partition, last partition) in the order they run: each location's stock first
    (one range run per location), then the daily batch, whose models read every location's stock,
    then each location's Inventory Planner export, which reads those models."""
    from integration_assets.jobs import daily_sync, sales_history_export, stock_sync

    def per_location(job: str) -> list[tuple[str, str, str]]:
        return [
            (
                job,
                str(dg.MultiPartitionKey({"date": start.isoformat(), "location": location})),
                str(dg.MultiPartitionKey({"date": end.isoformat(), "location": location})),
            )
            for location in locations
        ]

    return [
        *per_location(stock_sync.name),
        (daily_sync.name, start.isoformat(), end.isoformat()),
        *per_location(sales_history_export.name),
    ]


def _collect(summary: RunSummary, result: dg.ExecuteInProcessResult, first: str, last: str) -> None:
    from integration_assets.warehouse import MODEL_SCHEMAS

    summary.runs.append(
        {"job": result.job_def.name, "run_id": result.run_id, "range": f"{first}..{last}", "success": result.success}
    )
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
        if materialization.asset_key.path[0] in ("seeds", *MODEL_SCHEMAS):
            if "rows" in metadata:  # rows the table holds after the run, not rows added
                summary.tables[".".join(materialization.asset_key.path)] = int(metadata["rows"].value)
            continue
        if "rows" in metadata:
            summary.rows[key] = summary.rows.get(key, 0) + int(metadata["rows"].value)
        if "quarantined" in metadata:
            summary.quarantined[key] = summary.quarantined.get(key, 0) + int(metadata["quarantined"].value)
        for figure in WEBHOOK_FIGURES if key == WEBHOOK_EVENTS else ():
            if figure in metadata:
                summary.webhooks[figure] = summary.webhooks.get(figure, 0) + int(metadata[figure].value)
    for evaluation in result.get_asset_check_evaluations():
        name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        check = summary.checks.setdefault(name, {"passed": 0, "failed": 0, "severity": None, "evaluations": []})
        severity = None if evaluation.passed else evaluation.severity.value
        check["passed" if evaluation.passed else "failed"] += 1
        if severity == "ERROR" or (severity and check["severity"] is None):
            check["severity"] = severity
        check["evaluations"].append(
            {
                "partition": evaluation.partition,
                "passed": evaluation.passed,
                "severity": severity,
                "description": evaluation.description,
                "run_id": result.run_id,
            }
        )


def _read_warehouse(
    warehouse: WarehouseResource, name: str, **parameters: Any
) -> tuple[list[dict[str, Any]], str | None]:
    """Rows of one read-only query (`dbt_like_sql/summary/<name>.sql`) once every run has ended, or
    why they could not be read."""
    if not warehouse.path.exists():
        return [], "no warehouse file: the models did not run"
    try:
        with warehouse.open(read_only=True) as wh:
            return wh.query_named(f"summary/{name}", **parameters), None
    except duckdb.CatalogException as exc:
        return [], f"not built yet: {exc}"
    except duckdb.IOException as exc:  # a writer outside Dagster holds the file
        return [], f"the warehouse could not be read: {exc}"


def _collect_exceptions(summary: RunSummary, warehouse: WarehouseResource) -> None:
    """Open exceptions by type from reconciliation.exceptions."""
    rows, summary.exceptions_note = _read_warehouse(warehouse, "open_exceptions")
    summary.exceptions = {row["type"]: int(row["n"]) for row in rows}


def _collect_finance(summary: RunSummary, warehouse: WarehouseResource) -> None:
    """Payouts reconciled and unmatched, journals balanced, sales, fees and liabilities of the range
    (money as exact text; several currencies add up only when the shop pays out in one)."""
    rows, note = _read_warehouse(warehouse, "finance_figures", start_date=summary.start_date, end_date=summary.end_date)
    summary.finance = rows[0] if rows else {"note": note}


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
