"""The bench's stages that load the Dagster code location, each in a process of its own.

The code location reads locations.csv when it is imported (the location partitions), so a stage that
runs Dagster must start in a process whose INTEGRATION_SEEDS_DIR already names the merchant's seeds;
a child process also makes the process tree's memory the bench reports the product's own.

    python -m integration_assets.bench.stages template SPEC_JSON CACHE_DIR OUT_JSON
    python -m integration_assets.bench.stages models FIRST_DATE LAST_DATE OUT_JSON
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any

import dagster as dg

SLOWEST_STEPS = 15  # steps listed in the report, slowest first


def template_stage(spec_json: str, cache: Path) -> dict[str, Any]:
    from integration_assets.bench.template import TemplateSpec, land_template

    template = land_template(TemplateSpec(**json.loads(spec_json)), cache)
    return {
        "root": str(template.root),
        "dates": template.dates,
        "locations": template.locations,
        "counts": template.counts,
        "spec": asdict(template.spec),
    }


def models_stage(first: str, last: str) -> dict[str, Any]:
    """Run the warehouse_rebuild job over the range as one run, as the product runs it."""
    from integration_assets.definitions import defs
    from integration_assets.resources import build_resources

    job = defs.resolve_job_def("warehouse_rebuild")
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            resources=build_resources(),
            tags={"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last},
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
            raise_on_error=False,
        )
        report = run_report(instance.all_logs(result.run_id), groups(defs))
    report["success"] = result.success
    report["checks"] = {"passed": 0, "failed": 0}
    for evaluation in result.get_asset_check_evaluations():
        report["checks"]["passed" if evaluation.passed else "failed"] += 1
    report["run_seconds"] = time.perf_counter() - started
    return report


def groups(defs: dg.Definitions) -> dict[str, str]:
    """Step key -> the asset group the step belongs to (checks are their own stage)."""
    graph = defs.resolve_asset_graph()
    by_step = {"seeds": "seeds"}  # the seeds multi-asset is one step
    for key in graph.get_all_asset_keys():
        by_step["__".join(key.path)] = graph.get(key).group_name or "default"
    return by_step


def run_report(entries: list[Any], group_of_step: dict[str, str]) -> dict[str, Any]:
    """Seconds per stage from the steps' own start and end in the event log, SQL seconds from the
    metadata each model and check reports, rows per table."""
    started: dict[str, float] = {}
    step_seconds: dict[str, float] = {}
    stage_seconds: dict[str, float] = defaultdict(float)
    sql: dict[str, float] = defaultdict(float)
    rows: dict[str, int] = {}
    step_sql: dict[str, tuple[str, float]] = {}
    for entry in entries:
        event, step = entry.dagster_event, entry.step_key
        if event is None or not step:
            continue
        stage = _stage(step, group_of_step)
        if event.event_type_value == "STEP_START":
            started[step] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and step in started:
            step_seconds[step] = entry.timestamp - started[step]
            stage_seconds[stage] += step_seconds[step]
        elif event.is_step_materialization:
            materialization = event.event_specific_data.materialization
            metadata = materialization.metadata
            if "rows" in metadata:
                rows[".".join(materialization.asset_key.path)] = int(metadata["rows"].value)
            if "sql_seconds" in metadata:  # one result per step, repeated for each partition of the range
                step_sql[step] = (stage, float(metadata["sql_seconds"].value))
        elif event.event_type_value == "STEP_OUTPUT" and stage == "checks":
            metadata = event.event_specific_data.metadata or {}
            if "sql_seconds" in metadata:
                step_sql[f"{step}.{event.step_output_data.output_name}"] = (stage, float(metadata["sql_seconds"].value))
    for stage, seconds in step_sql.values():
        sql[stage] += seconds
    return {
        "stage_seconds": dict(stage_seconds),
        "sql_seconds": dict(sql),
        "rows": rows,
        "slowest_steps": slowest_steps(step_seconds, step_sql),
    }


def slowest_steps(step_seconds: dict[str, float], step_sql: dict[str, tuple[str, float]]) -> list[dict[str, Any]]:
    """The steps that cost most, with the SQL inside each: where a profile should start."""
    sql_of_step: dict[str, float] = defaultdict(float)
    for name, (_, seconds) in step_sql.items():
        sql_of_step[name.split(".")[0]] += seconds
    ranked = sorted(step_seconds.items(), key=lambda item: item[1], reverse=True)[:SLOWEST_STEPS]
    return [
        {"step": step, "seconds": round(seconds, 3), "sql_seconds": round(sql_of_step[step], 3)}
        for step, seconds in ranked
    ]


def _stage(step: str, group_of_step: dict[str, str]) -> str:
    """A model's stage is its group (seeds, staging, reconciliation, finance); any other step of the
    warehouse_rebuild run is a check."""
    return group_of_step.get(step, "checks")


def main(argv: list[str]) -> int:
    command, *args = argv
    if command == "template":
        spec_json, cache, out = args
        report = template_stage(spec_json, Path(cache))
    elif command == "models":
        first, last, out = args
        report = models_stage(first, last)
    else:
        raise SystemExit(f"unknown stage {command!r}")
    Path(out).write_text(json.dumps(report, indent=2, sort_keys=True, default=str))
    return 0 if report.get("success", True) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
