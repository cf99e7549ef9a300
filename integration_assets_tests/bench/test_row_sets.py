"""The recovery bench's comparison is not vacuous: sync and run times are ignored, and a duplicated
row, an exception resolved on one side only, or a staging folder left in the lake is a difference."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from integration_assets.bench.row_sets import compare_data_dirs

ORDERS = pa.schema([("order_id", pa.int64()), ("total", pa.decimal128(18, 2)), ("_synced_at", pa.timestamp("us"))])
EXCEPTIONS = """
create schema reconciliation;
create table reconciliation.exceptions (
    type varchar, order_id varchar, first_seen_at timestamptz, last_seen_at timestamptz,
    due_at timestamptz, resolved_at timestamptz, evidence varchar
);
insert into reconciliation.exceptions values (
    'duplicate_despatch', '1', timestamptz '{at}', timestamptz '{at}', timestamptz '{at}' + interval 24 hour,
    {resolved}, '{{"order_name":"#1001","synced_at":"{at}","shopify_snapshot_synced_at":"{at}"}}'
);
"""


def _data_dir(root: Path, synced: dt.datetime, orders: list[int], resolved: bool = False) -> Path:
    partition = root / "lake" / "shopify" / "orders" / "date=2026-11-20"
    partition.mkdir(parents=True)
    rows = [{"order_id": o, "total": 10, "_synced_at": synced} for o in orders]
    pq.write_table(pa.Table.from_pylist(rows, schema=ORDERS), partition / "part-00000.parquet")
    at = synced.isoformat()
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        con.execute(EXCEPTIONS.format(at=at, resolved=f"timestamptz '{at}'" if resolved else "null"))
    return root


def _compare(tmp_path: Path, orders: list[int] | None = None, resolved: bool = False) -> dict[str, tuple[int, int]]:
    """(missing, extra) rows per differing table, the resumed side synced an hour later."""
    expected = _data_dir(tmp_path / "a", dt.datetime(2026, 12, 4, 10), [1, 2])
    resumed = _data_dir(tmp_path / "b", dt.datetime(2026, 12, 4, 11), orders or [1, 2], resolved)
    comparison = compare_data_dirs(expected, resumed, tmp_path / "scratch")
    return {t.table: (t.missing_rows, t.extra_rows) for t in comparison.differing}


def test_sync_and_run_times_alone_are_no_difference(tmp_path: Path) -> None:
    assert _compare(tmp_path) == {}


def test_a_duplicated_row_is_a_difference(tmp_path: Path) -> None:
    assert _compare(tmp_path, orders=[1, 2, 2]) == {"lake/shopify/orders": (0, 1)}


def test_an_exception_resolved_on_one_side_only_is_a_difference(tmp_path: Path) -> None:
    assert _compare(tmp_path, resolved=True) == {"reconciliation.exceptions": (1, 1)}


def test_a_staging_folder_left_in_the_lake_is_a_difference(tmp_path: Path) -> None:
    expected = _data_dir(tmp_path / "a", dt.datetime(2026, 12, 4, 10), [1])
    resumed = _data_dir(tmp_path / "b", dt.datetime(2026, 12, 4, 11), [1])
    leftover = resumed / "lake" / "shopify" / "orders" / ".tmp-date=2026-11-21-0123456789ab"
    leftover.mkdir()
    (leftover / "part-00000.parquet").write_bytes(b"PAR1 half written")
    differing = compare_data_dirs(expected, resumed, tmp_path / "scratch").differing
    assert [(t.table, t.extra_rows) for t in differing] == [("lake/(files)", 1)]
