"""How our asset checks report: one evaluation per partition of the run, in one metadata shape.

A single-run backfill hands a check the whole range (DESIGN.md "Partitions"), and Dagster 1.13 records
an `AssetCheckResult` from a range with no partition at all, leaving every partition of the range
"planned" forever. So a check here works out an `Outcome` per partition and yields one
`AssetCheckEvaluation` per partition key (which updates exactly that partition's planned row in the
event log), then the step's output. A check run on one partition takes the same path.

Partitioned asset checks are Preview in 1.13 (they warn when defined); `partitioned_check` silences
that one warning for our own definitions, so users see it nowhere else changed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

# Not exported from `dagster` in 1.13; it is what links an evaluation to the materialization it judged.
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData,
)

from integration_assets.assets.landing import markdown_preview

WORST_ROWS = 20
WARN = dg.AssetCheckSeverity.WARN
ERROR = dg.AssetCheckSeverity.ERROR


@dataclass(frozen=True)
class Outcome:
    """What a check found for one partition."""

    passed: bool
    description: str
    severity: dg.AssetCheckSeverity = WARN  # used only when the check failed
    metadata: Mapping[str, Any] = field(default_factory=dict)


def as_of_date(context: dg.AssetCheckExecutionContext) -> str:
    """The run's last date: what a check of current state (a backlog, an SLA) is evaluated as of."""
    return max(context.partition_keys)


def partitioned_check(**kwargs: Any) -> Callable[[Callable[..., Any]], dg.AssetChecksDefinition]:
    """`dg.asset_check(...)` with `partitions_def`, minus the PreviewWarning it emits in 1.13: the
    project accepts the Preview (DESIGN.md "Dagster specifics") and pins the behaviour in tests."""

    def decorate(fn: Callable[..., Any]) -> dg.AssetChecksDefinition:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=dg.PreviewWarning, message=".*partitions_def.*AssetCheckSpec")
            return dg.asset_check(**kwargs)(fn)

    return decorate


def evaluations(
    context: dg.AssetCheckExecutionContext, outcomes: Mapping[str, Outcome], sql_seconds: float | None = None
) -> Iterator[dg.AssetCheckEvaluation | dg.Output]:
    """One evaluation per partition key (in the run's order), then the check step's output, which
    carries the seconds the check spent inside DuckDB (the benchmark sums them)."""
    (spec,) = context.check_specs
    for partition, outcome in outcomes.items():
        yield dg.AssetCheckEvaluation(
            asset_key=spec.asset_key,
            check_name=spec.name,
            passed=outcome.passed,
            severity=outcome.severity,
            description=outcome.description,
            metadata={"partition": partition, **outcome.metadata},
            blocking=spec.blocking,
            partition=partition,
            target_materialization_data=_target_materialization(context, spec.asset_key, partition),
        )
    yield dg.Output(None, metadata={} if sql_seconds is None else {"sql_seconds": round(sql_seconds, 4)})


def _target_materialization(
    context: dg.AssetCheckExecutionContext, asset_key: dg.AssetKey, partition: str
) -> AssetCheckEvaluationTargetMaterializationData | None:
    """The materialization this evaluation judged, as Dagster links it for a one-partition check."""
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=asset_key, asset_partitions=[partition]), limit=1
    ).records
    if not records:
        return None
    latest = records[0]
    return AssetCheckEvaluationTargetMaterializationData(
        storage_id=latest.storage_id, run_id=latest.event_log_entry.run_id, timestamp=latest.timestamp
    )


def worst_rows(rows: Sequence[Mapping[str, Any]]) -> dg.MetadataValue:
    """The first WORST_ROWS rows (callers select the columns and sort worst first) as a Markdown table."""
    if not rows:
        return dg.MetadataValue.md("_none_")
    return dg.MetadataValue.md(markdown_preview(rows, limit=WORST_ROWS, max_columns=len(rows[0])))


def counts_metadata(counts: Mapping[str, int]) -> dict[str, Any]:
    """Counts by type: one JSON entry for readers, and one number per type for the UI's plots."""
    return {
        "counts_by_type": dg.MetadataValue.json(dict(sorted(counts.items()))),
        **{f"count_{kind}": int(n) for kind, n in sorted(counts.items())},
    }
