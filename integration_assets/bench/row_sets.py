"""Two data folders compared as row sets: every raw-lake table and every warehouse relation.

The recovery bench runs the same backfill twice, once straight through and once killed and resumed,
and needs to know whether the two left the same data behind. "The same" means the same multiset of
rows per table (a duplicated row is a difference), not the same bytes: Parquet files and DuckDB
pages differ with every write. What is compared:

- the file listings of `lake/`, `landing/` (webhook deliveries filed as processed or quarantined)
  and `exports/` (deliveries to finance and Inventory Planner): every file's path, hidden staging or
  parked folders included, so a half-written partition, a swap left half-done, a delivery filed twice
  or a temp file left behind shows even where no reader would see it;
- each lake table `lake/<source>/<entity>`: all its visible Parquet files read together by DuckDB
  (hive partitioning, so `date` and `location` are compared too);
- each table and view in the warehouse schemas `seeds`, `staging`, `reconciliation`, `finance`,
  copied out of each DuckDB file to Parquet first (views read their own folder's lake through
  absolute paths, so each copy is taken from its own file).

Columns that hold the time a sync or a run happened differ between any two runs, so they are left
out, or reduced to the part that must agree (`RUN_TIME_COLUMNS`, `SYNC_TIME_COLUMN`,
`EVIDENCE_SYNC_TIMES`); everything else, timestamps from the source systems included, is compared
exactly. The per-relation statement is `dbt_like_sql/bench/row_set_difference.sql`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from integration_assets.warehouse import MODELS_DIR

WAREHOUSE_SCHEMAS = ("seeds", "staging", "reconciliation", "finance")
DIFFERENCE_SQL = MODELS_DIR / "bench" / "row_set_difference.sql"
LISTED_FOLDERS = ("lake", "landing", "exports")

# `_synced_at` is stamped on every raw row when the extraction ran; models carry it on as
# `<system>_synced_at`, `synced_at`, `transaction_synced_at`, ... The wall clock, not the data.
SYNC_TIME_COLUMN = re.compile(r"(^|_)synced_at$")

# The exceptions table remembers when runs saw each exception (DESIGN.md "Exceptions"): the times
# are the runs' clocks (`run_started_at`), so only what they imply about the data is compared.
RUN_TIME_COLUMNS: dict[str, dict[str, str | None]] = {
    "reconciliation.exceptions": {
        "first_seen_at": None,  # the start of the first run that saw it: when, not what
        "last_seen_at": None,  # the start of the last run that saw it
        "due_at": "due_at - first_seen_at",  # first seen + the owner's SLA: the SLA must agree
        "resolved_at": "resolved_at is null",  # when is a run's clock; whether it is still open must agree
    },
}

# Evidence is JSON text that quotes the snapshot sync times beside the records that show the
# exception (`"mintsoft_snapshot_synced_at": "..."`): the times are masked, the rest compared.
EVIDENCE_COLUMNS = frozenset({"evidence"})
EVIDENCE_SYNC_TIMES = r"""("[a-z_]*synced_at"\s*:\s*)"[^"]*\""""


@dataclass(frozen=True)
class TableDifference:
    """One relation's row counts on each side and the rows only one side holds."""

    table: str
    expected_rows: int
    actual_rows: int
    missing_rows: int  # in the uninterrupted run's copy, not in the resumed one's
    extra_rows: int  # in the resumed run's copy, not in the uninterrupted one's
    note: str | None = None

    @property
    def identical(self) -> bool:
        return self.missing_rows == 0 and self.extra_rows == 0 and self.note is None

    def as_dict(self) -> dict[str, object]:
        return {
            "table": self.table,
            "expected_rows": self.expected_rows,
            "actual_rows": self.actual_rows,
            "missing_rows": self.missing_rows,
            "extra_rows": self.extra_rows,
            "note": self.note,
        }


@dataclass
class Comparison:
    tables: list[TableDifference] = field(default_factory=list)
    excluded_columns: dict[str, list[str]] = field(default_factory=dict)  # table -> columns left out or reduced

    @property
    def differing(self) -> list[TableDifference]:
        return [table for table in self.tables if not table.identical]

    @property
    def rows_compared(self) -> int:
        return sum(table.expected_rows for table in self.tables)


def compare_data_dirs(expected: Path, actual: Path, scratch: Path) -> Comparison:
    """The lake listing, every lake table and every warehouse relation of `actual` against `expected`."""
    comparison = Comparison()
    for folder in LISTED_FOLDERS:
        comparison.tables.append(
            _compare_listings(f"{folder}/(files)", listing(expected / folder), listing(actual / folder))
        )
    con = duckdb.connect()
    try:
        for table, (left, right) in _paired(lake_tables(expected), lake_tables(actual)).items():
            _compare_relation(con, comparison, f"lake/{table}", left, right)
        left_copies = snapshot_warehouse(expected / "warehouse.duckdb", scratch / "expected")
        right_copies = snapshot_warehouse(actual / "warehouse.duckdb", scratch / "actual")
        for relation, (left, right) in _paired(left_copies, right_copies).items():
            _compare_relation(con, comparison, relation, left, right)
    finally:
        con.close()
    return comparison


def listing(folder: Path) -> list[str]:
    """Every file under `folder`, relative to it, hidden folders included."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def lake_tables(data_dir: Path) -> dict[str, str]:
    """`source/entity` -> a DuckDB expression reading its visible Parquet files (what models read)."""
    lake = data_dir / "lake"
    tables = {}
    for folder in sorted(p for p in lake.glob("*/*") if p.is_dir() and not _hidden(p.relative_to(lake).parts)):
        files = sorted(str(f) for f in folder.rglob("*.parquet") if not _hidden(f.relative_to(folder).parts))
        if files:
            listed = ", ".join(f"'{f}'" for f in files)
            tables[str(folder.relative_to(lake))] = (
                f"read_parquet([{listed}], hive_partitioning = true, union_by_name = true)"
            )
    return tables


def snapshot_warehouse(database: Path, out: Path) -> dict[str, str]:
    """Copy every relation of the warehouse schemas to Parquet; `schema.table` -> a DuckDB
    expression reading the copy. Opening the file is itself part of the test: a DuckDB file
    left unreadable by a kill raises here."""
    out.mkdir(parents=True, exist_ok=True)
    copies = {}
    with duckdb.connect(str(database), read_only=True) as con:
        schemas = ", ".join(f"'{s}'" for s in WAREHOUSE_SCHEMAS)
        relations = con.execute(
            f"select table_schema, table_name from information_schema.tables where table_schema in ({schemas}) "
            "order by 1, 2"
        ).fetchall()
        for schema, table in relations:
            target = out / f"{schema}.{table}.parquet"
            con.execute(f"copy (select * from {schema}.{table}) to '{target}' (format parquet)")
            copies[f"{schema}.{table}"] = f"read_parquet('{target}')"
    return copies


def compared_columns(table: str, columns: Iterable[str]) -> tuple[list[str], list[str]]:
    """The select list compared for `table`, and the columns left out or reduced."""
    rules = RUN_TIME_COLUMNS.get(table, {})
    selected: list[str] = []
    excluded: list[str] = []
    for column in columns:
        quoted = f'"{column}"'
        if column in rules:
            excluded.append(column)
            if rules[column] is not None:
                selected.append(f"{rules[column]} as {quoted}")
        elif SYNC_TIME_COLUMN.search(column):
            excluded.append(column)
        elif column in EVIDENCE_COLUMNS:
            excluded.append(f"{column} (sync times masked)")
            selected.append(f"regexp_replace({quoted}, '{EVIDENCE_SYNC_TIMES}', '\\1\"?\"', 'g') as {quoted}")
        else:
            selected.append(quoted)
    return selected, excluded


def _compare_relation(
    con: duckdb.DuckDBPyConnection, comparison: Comparison, table: str, left: str | None, right: str | None
) -> None:
    if left is None or right is None:
        present = left or right
        rows = con.execute(f"select count(*) from {present}").fetchone()[0] if present else 0
        side = "uninterrupted" if left else "resumed"
        comparison.tables.append(
            TableDifference(
                table,
                rows if left else 0,
                rows if right else 0,
                rows if left else 0,
                rows if right else 0,
                f"only the {side} run has it",
            )
        )
        return
    left_columns = _columns(con, left)
    right_columns = _columns(con, right)
    if left_columns != right_columns:
        note = f"columns differ: {sorted(set(left_columns) ^ set(right_columns))}"
        comparison.tables.append(TableDifference(table, 0, 0, 0, 0, note))
        return
    selected, excluded = compared_columns(table, left_columns)
    if excluded:
        comparison.excluded_columns[table] = excluded
    sql = _render(DIFFERENCE_SQL.read_text(), columns=", ".join(selected), expected=left, actual=right)
    expected_rows, actual_rows, missing, extra = con.execute(sql).fetchone()
    comparison.tables.append(TableDifference(table, expected_rows, actual_rows, missing, extra))


def _compare_listings(name: str, expected: list[str], actual: list[str]) -> TableDifference:
    left, right = Counter(expected), Counter(actual)
    return TableDifference(name, len(expected), len(actual), sum((left - right).values()), sum((right - left).values()))


def _columns(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    return [row[0] for row in con.execute(f"describe select * from {source}").fetchall()]


def _paired(left: dict[str, str], right: dict[str, str]) -> dict[str, tuple[str | None, str | None]]:
    return {name: (left.get(name), right.get(name)) for name in sorted(set(left) | set(right))}


def _hidden(parts: Iterable[str]) -> bool:
    return any(part.startswith((".", "_")) for part in parts)


def _render(template: str, **values: str) -> str:
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda match: values[match.group(1)], template)
