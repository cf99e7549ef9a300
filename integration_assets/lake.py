"""The raw lake: one Parquet folder per partition, replaced whole or not at all.

Layout (DESIGN.md "Data flow"):
`<root>/lake/<source>/<entity>/date=YYYY-MM-DD/[location=KEY/]part-00000.parquet`

A partition is written into a hidden temp folder beside its target and swapped in with renames, so
a re-run replaces it whole and a crash leaves the previous version: if the process dies between
the two renames, the next reader or writer finds the old folder parked under `.old-*` and puts it
back. Hidden folders never match the `date=*` globs DuckDB reads with.

Records that fail validation go to `<root>/lake/_quarantine/<source>/<entity>/<partition>/` as
JSON lines holding the record id, the reason (naming the field) and the raw record.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from integration_assets.sources.validation import Rejected

PART_FILE = "part-00000.parquet"
QUARANTINE_FILE = "rejected.jsonl"


@dataclass(frozen=True)
class PartitionWrite:
    path: Path
    rows: int
    bytes: int


def partition_dir(root: Path, source: str, entity: str, date: str, location: str | None = None) -> Path:
    path = Path(root) / "lake" / source / entity / f"date={date}"
    return path / f"location={location}" if location else path


def quarantine_dir(root: Path, source: str, entity: str, date: str, location: str | None = None) -> Path:
    path = Path(root) / "lake" / "_quarantine" / source / entity / f"date={date}"
    return path / f"location={location}" if location else path


def with_lineage(rows: Sequence[Mapping[str, Any]], source: str, synced_at: dt.datetime) -> list[dict[str, Any]]:
    """Every raw row carries where and when it came from."""
    return [{**row, "_source": source, "_synced_at": synced_at} for row in rows]


def write_partition(target: Path, rows: Sequence[Mapping[str, Any]], schema: pa.Schema) -> PartitionWrite:
    """Replace the partition at `target` with `rows` (an empty partition is written too: it says
    "synced, nothing there", which differs from "never synced")."""
    table = pa.Table.from_pylist(list(rows), schema=schema)
    return _swap_in(target, lambda folder: pq.write_table(table, folder / PART_FILE, compression="zstd"), len(rows))


def write_quarantine(target: Path, rejected: Iterable[Rejected], at: dt.datetime) -> int:
    """Replace the partition's quarantine file; no rejects removes it (the partition is clean now)."""
    lines = [
        json.dumps(
            {
                "entity": r.entity,
                "record_id": r.record_id,
                "reason": r.reason,
                "quarantined_at": at.isoformat(),
                "raw": r.raw,
            },
            default=str,
            sort_keys=True,
        )
        for r in rejected
    ]
    if not lines:
        _recover(target)
        if target.exists():
            shutil.rmtree(target)
        return 0
    payload = ("\n".join(lines) + "\n").encode()
    _swap_in(target, lambda folder: (folder / QUARANTINE_FILE).write_bytes(payload), len(lines))
    return len(lines)


def read_partition(target: Path) -> pa.Table | None:
    _recover(target)
    file = target / PART_FILE
    return pq.read_table(file) if file.exists() else None


def _swap_in(target: Path, fill: Any, rows: int) -> PartitionWrite:
    target.parent.mkdir(parents=True, exist_ok=True)
    _recover(target)
    token = uuid.uuid4().hex[:12]
    staging = target.parent / f".tmp-{target.name}-{token}"
    parked = target.parent / f".old-{target.name}-{token}"
    staging.mkdir()
    try:
        fill(staging)
        _fsync_folder(staging)
        if target.exists():
            os.rename(target, parked)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(parked, ignore_errors=True)
    size = sum(f.stat().st_size for f in target.iterdir())
    return PartitionWrite(target, rows, size)


def _recover(target: Path) -> None:
    """Undo a swap that died half-way, and sweep staging folders of writers that died."""
    parent = target.parent
    if not parent.exists():
        return
    parked = sorted(parent.glob(f".old-{target.name}-*"))
    if parked and not target.exists():
        os.rename(parked[-1], target)
        parked = parked[:-1]
    for leftover in [*parked, *parent.glob(f".tmp-{target.name}-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def _fsync_folder(folder: Path) -> None:
    for file in folder.iterdir():
        with file.open("rb") as handle:
            os.fsync(handle.fileno())
