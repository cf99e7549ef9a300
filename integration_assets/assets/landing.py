"""Landing one sync into the raw lake: partition writes, quarantine, and the metadata users read.

Every extraction asset ends the same way: typed rows per lake table, the rejected records, and the
request statistics; this module turns them into atomic partition writes and a MaterializeResult
whose metadata a data engineer can compare across runs (rows, pages, requests, cost, waits,
retries, quarantined records, a preview). Metadata never carries credentials: only counts and rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
import pyarrow as pa

from integration_assets.lake import partition_dir, quarantine_dir, with_lineage, write_partition, write_quarantine
from integration_assets.raw_tables import RawTable
from integration_assets.resources import LakeResource
from integration_assets.sources.http import RequestStats
from integration_assets.sources.validation import Rejected

PREVIEW_ROWS = 5


def one_per_id(records: Iterable[Any]) -> list[Any]:
    """Each record once per partition (the last one read wins): an API that pages a changing list
    can return a record twice, and the staging models rely on a partition holding one copy of each
    order, so its lines need no de-duplication of their own."""
    return list({record.id: record for record in records}.values())


@dataclass
class Landing:
    """Collects what one asset run writes, then reports it."""

    lake: LakeResource
    source: str
    synced_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    rows: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    partitions: list[str] = field(default_factory=list)
    previews: dict[str, str] = field(default_factory=dict)

    def write(
        self,
        entity: str,
        date: str,
        location: str | None,
        rows: Sequence[Mapping[str, Any]],
        schema: pa.Schema,
    ) -> None:
        stamped = with_lineage(rows, self.source, self.synced_at)
        write_partition(partition_dir(self.lake.root, self.source, entity, date, location), stamped, schema)
        self.rows[entity] = self.rows.get(entity, 0) + len(rows)
        self.partitions.append(f"{entity}/{date}" + (f"/{location}" if location else ""))
        if rows and entity not in self.previews:
            self.previews[entity] = markdown_preview(rows)

    def land(
        self,
        spec: RawTable,
        date: str,
        location: str | None,
        records: Iterable[Any],
        rejected: Sequence[Rejected] = (),
    ) -> None:
        """Quarantine `rejected`, then write `records` as the partition of `spec`."""
        rows = spec.rows(records)
        self.quarantine(spec.entity, date, location, rejected, len(rows))
        self.write(spec.entity, date, location, rows, spec.schema)

    def quarantine(self, entity: str, date: str, location: str | None, rejected: Sequence[Rejected], kept: int) -> None:
        """Quarantine bad records with their reasons; fail the run only past the allowed share."""
        target = quarantine_dir(self.lake.root, self.source, entity, date, location)
        self.rejected += write_quarantine(target, rejected, self.synced_at)
        total = kept + len(rejected)
        if total and len(rejected) / total > self.lake.max_rejected_share:
            raise dg.Failure(
                description=(
                    f"{len(rejected)} of {total} {entity} records failed validation "
                    f"(allowed share {self.lake.max_rejected_share:.0%}); first: {rejected[0].reason}"
                ),
                metadata={"quarantine": dg.MetadataValue.path(str(target))},
            )

    def result(self, stats: RequestStats | None = None, extra: Mapping[str, Any] | None = None) -> dg.MaterializeResult:
        metadata: dict[str, Any] = {
            "rows": sum(self.rows.values()),
            **{f"rows_{entity}": count for entity, count in sorted(self.rows.items())},
            "quarantined": self.rejected,
            "partitions_written": len(self.partitions),
            "synced_at": self.synced_at.isoformat(),
        }
        if stats is not None:
            metadata.update(stats.as_metadata())
        if extra:
            metadata.update(extra)
        for entity, preview in self.previews.items():
            metadata[f"preview_{entity}"] = dg.MetadataValue.md(preview)
        return dg.MaterializeResult(metadata=metadata)


def markdown_preview(rows: Sequence[Mapping[str, Any]], limit: int = PREVIEW_ROWS, max_columns: int = 8) -> str:
    columns = [c for c in rows[0] if not c.startswith("_")][:max_columns]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows[:limit]:
        lines.append("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")[:40]


def extraction_asset(
    key: list[str], partitions_def: dg.PartitionsDefinition, *, group: str, owners: list[str], kinds: set[str]
) -> Any:
    """The decorator every extraction asset uses: its group, owners and kinds, ranges as single runs."""
    return dg.asset(
        key=key,
        group_name=group,
        owners=owners,
        kinds=kinds,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
    )
