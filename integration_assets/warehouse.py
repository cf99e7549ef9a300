"""The DuckDB warehouse and the dbt_like_sql model runner.

Every `.sql` file under `dbt_like_sql/{staging,reconciliation,finance}` is one model: schema from the
folder, table from the file name, dependencies found by parsing the tables and lake folders it reads
(never hand-listed), materialization from its header comment:

    -- materialized: view | table | script
    -- partitioned_by: date            (tables only: replaces exactly that date's rows)
    -- column <name>: <description>    (shown for that column in the Dagster UI)

`view` and `table` files hold one SELECT; `script` files are run as written and must be idempotent.
Placeholders `{{ lake }}`, `{{ date }}` (a partitioned model run once per date), `{{ start_date }}`
and `{{ end_date }}` (a partitioned model that replaces a whole range in one pass), `{{ as_of_date }}`,
`{{ as_of }}`, `{{ run_started_at }}`, `{{ shop_timezone }}` and `{{ despatch_window_hours }}` are
filled in; an unknown one is an error.
Each model runs in one transaction, so a failed model leaves the previous table as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from integration_assets.seed_files import SEEDS, read_seeds

MODELS_DIR = Path(__file__).resolve().parent.parent / "dbt_like_sql"
MODEL_SCHEMAS = ("staging", "reconciliation", "finance")
MATERIALIZATIONS = ("view", "table", "script")
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
TABLE_REFERENCE = re.compile(r"\b(seeds|staging|reconciliation|finance)\.([a-z_][a-z0-9_]*)\b", re.IGNORECASE)
LAKE_REFERENCE = re.compile(r"\{\{\s*lake\s*\}\}/([a-z_]+)/([a-z_]+)/")
HEADER = re.compile(r"^--\s*(materialized|partitioned_by)\s*:\s*(\S+)\s*$")
COLUMN_DOC = re.compile(r"^--\s*column\s+([a-z_][a-z0-9_]*)\s*:\s*(.+?)\s*$", re.IGNORECASE)


RANGE_PLACEHOLDERS = {"start_date", "end_date"}
# Days one range pass replaces at most: long backfills read their inputs a few times, not once per
# day, and a pass's memory stays bounded (a 30-day pass of a peak merchant's journals outgrew 1 GB).
RANGE_PASS_DAYS = 7


def _chunks(days: list[str], size: int) -> list[list[str]]:
    return [days[i : i + size] for i in range(0, len(days), size)]


def _contiguous(dates: list[str]) -> bool:
    """The dates are every day from the first to the last (a range run), so one pass can replace them."""
    days = sorted({dt.date.fromisoformat(d) for d in dates})
    return (days[-1] - days[0]).days == len(days) - 1


class ModelError(RuntimeError):
    """A model that cannot be parsed or run; the message names the file."""


@dataclass(frozen=True)
class SqlModel:
    schema: str
    name: str
    path: Path
    materialized: str
    partitioned_by: str | None
    sql: str
    description: str
    columns: dict[str, str] = field(default_factory=dict)  # column -> description, from `-- column x: ...`
    tables_read: frozenset[str] = field(default_factory=frozenset)  # "schema.table"
    lake_read: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # (source, entity)

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"


def parse_model(path: Path, schema: str) -> SqlModel:
    text = path.read_text(encoding="utf-8")
    options: dict[str, str] = {}
    description: list[str] = []
    columns: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        match = HEADER.match(line)
        column = COLUMN_DOC.match(line)
        if match:
            options[match.group(1)] = match.group(2).lower()
        elif column:
            columns[column.group(1).lower()] = column.group(2)
        else:
            description.append(line.lstrip("- ").rstrip())
    materialized = options.get("materialized")
    if materialized not in MATERIALIZATIONS:
        raise ModelError(f"{path}: header must say '-- materialized: view | table | script' (got {materialized!r})")
    partitioned_by = options.get("partitioned_by")
    if partitioned_by not in (None, "date") or (partitioned_by and materialized != "table"):
        raise ModelError(f"{path}: 'partitioned_by: date' is the only partitioning, and only for tables")
    relation = f"{schema}.{path.stem}".lower()
    tables = {f"{s.lower()}.{t.lower()}" for s, t in TABLE_REFERENCE.findall(text)} - {relation}
    return SqlModel(
        schema=schema,
        name=path.stem,
        path=path,
        materialized=materialized,
        partitioned_by=partitioned_by,
        sql=text,
        description=" ".join(d for d in description if d) or f"{relation} ({materialized})",
        columns=columns,
        tables_read=frozenset(tables),
        lake_read=frozenset(LAKE_REFERENCE.findall(text)),
    )


def discover_models(root: Path = MODELS_DIR) -> list[SqlModel]:
    """Every model under the model folders, in dependency order."""
    models = [parse_model(path, schema) for schema in MODEL_SCHEMAS for path in sorted((root / schema).glob("*.sql"))]
    by_relation = {m.relation: m for m in models}
    seeds = {f"seeds.{spec.name}" for spec in SEEDS}
    for model in models:
        unknown = sorted(model.tables_read - set(by_relation) - seeds)
        if unknown:
            raise ModelError(f"{model.path}: reads {', '.join(unknown)}, which no model or seed makes")
    order = TopologicalSorter({m.relation: {t for t in m.tables_read if t in by_relation} for m in models})
    return [by_relation[relation] for relation in order.static_order()]


def render(model: SqlModel, variables: Mapping[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise ModelError(f"{model.path}: unknown placeholder {{{{ {name} }}}}")
        return variables[name]

    return PLACEHOLDER.sub(fill, model.sql)


Parameters = Iterable[Any] | Mapping[str, Any] | None


def _bound(parameters: Parameters) -> list[Any] | dict[str, Any]:
    return dict(parameters) if isinstance(parameters, Mapping) else list(parameters or [])


class Warehouse:
    """One DuckDB file; a connection per use (DuckDB allows one writing process per file)."""

    def __init__(
        self, path: Path, read_only: bool = False, memory_limit: str | None = None, threads: int | None = None
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # Tables here have no meaningful row order; not preserving it lets big inserts stream and spill.
        config: dict[str, str | int | bool] = {"preserve_insertion_order": False}
        if memory_limit:
            config["memory_limit"] = memory_limit
        if threads:
            config["threads"] = threads
        self.connection = duckdb.connect(str(path), read_only=read_only, config=config)
        # Seconds spent inside DuckDB on this connection: what the benchmark (and a model's metadata)
        # sets apart from the orchestration and Python around it.
        self.sql_seconds = 0.0

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, sql: str, parameters: Parameters = None) -> list[tuple[Any, ...]]:
        """Run one statement and fetch its rows, timed into `sql_seconds`."""
        started = time.perf_counter()
        try:
            return self.connection.execute(sql, _bound(parameters)).fetchall()
        finally:
            self.sql_seconds += time.perf_counter() - started

    def query(self, sql: str, parameters: Parameters = None) -> list[dict[str, Any]]:
        """Rows as dicts; `parameters` are positional (`?`) or named (`$name`, a mapping)."""
        started = time.perf_counter()
        try:
            cursor = self.connection.execute(sql, _bound(parameters))
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall()
        finally:
            self.sql_seconds += time.perf_counter() - started
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def query_named(self, name: str, **parameters: Any) -> list[dict[str, Any]]:
        """The rows of `dbt_like_sql/<name>.sql` (a question asked of the models, not a model), with
        named parameters (`$date`): the SQL lives beside the models it reads, not in Python strings."""
        return self.query((MODELS_DIR / f"{name}.sql").read_text(encoding="utf-8"), parameters)

    def load_seeds(self, folder: Path) -> dict[str, int]:
        """Replace every seeds.<name> table from the validated CSVs, in one transaction."""
        tables = read_seeds(folder)
        counts = {}
        con = self.connection
        con.execute("begin transaction")
        try:
            con.execute("create schema if not exists seeds")
            for name, seed in tables.items():
                columns = ", ".join(f'"{c}" {seed.spec.duckdb_type(c)}' for c in seed.spec.columns)
                con.execute(f"create or replace table seeds.{name} ({columns})")
                if seed.rows:  # one Arrow batch: an insert per row costs seconds for a large catalogue
                    batch = pa.Table.from_pylist([{c: row[c] for c in seed.spec.columns} for row in seed.rows])
                    casts = ", ".join(f'cast("{c}" as {seed.spec.duckdb_type(c)})' for c in seed.spec.columns)
                    con.register("seed_rows", batch)
                    con.execute(f"insert into seeds.{name} select {casts} from seed_rows")
                    con.unregister("seed_rows")
                counts[name] = len(seed.rows)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        return counts

    def run_model(self, model: SqlModel, variables: Mapping[str, str], dates: Iterable[str] = ()) -> int:
        """Build one model; returns the rows it holds afterwards (views: rows visible)."""
        self.execute(f"create schema if not exists {model.schema}")
        self._drop_if_other_kind(model)
        for first, last in self._passes(model, variables, list(dates)):
            sql = render(model, {**variables, "date": first, "start_date": first, "end_date": last}).strip().rstrip(";")
            self.execute("begin transaction")
            try:
                if model.materialized == "view":
                    self.execute(f"create or replace view {model.relation} as {sql}")
                elif model.materialized == "script":
                    self.execute(sql)
                elif model.partitioned_by:
                    self.execute(f"create table if not exists {model.relation} as select * from ({sql}) limit 0")
                    self.execute(
                        f"delete from {model.relation} where date between cast(? as date) and cast(? as date)",
                        [first, last],
                    )
                    self.execute(f"insert into {model.relation} by name {sql}")
                else:
                    self.execute(f"create or replace table {model.relation} as {sql}")
                self.execute("commit")
            except duckdb.Error as exc:
                self.connection.execute("rollback")
                raise ModelError(f"{model.path}: {exc}") from exc
        return int(self.execute(f"select count(*) from {model.relation}")[0][0])

    @staticmethod
    def _passes(model: SqlModel, variables: Mapping[str, str], dates: list[str]) -> list[tuple[str, str]]:
        """(first, last) date of each statement: a model written over `{{ start_date }}`..`{{ end_date }}`
        replaces up to RANGE_PASS_DAYS days a pass (a 90-day backfill reads its inputs 13 times, not 90); one
        written for one `{{ date }}` runs once per date; an unpartitioned one once, as of the last date."""
        if not model.partitioned_by:
            as_of = variables.get("as_of_date", "")
            return [(as_of, as_of)]
        if not dates:
            return []
        if RANGE_PLACEHOLDERS & set(PLACEHOLDER.findall(model.sql)) and _contiguous(dates):
            days = sorted(dates)
            return [(chunk[0], chunk[-1]) for chunk in _chunks(days, RANGE_PASS_DAYS)]
        return [(d, d) for d in dates]

    def _drop_if_other_kind(self, model: SqlModel) -> None:
        """A model whose materialization changed (a view become a table, or back) replaces the old
        relation: DuckDB will not `create or replace` a table over a view."""
        if model.materialized == "script":
            return
        found = self.execute(
            "select table_type from information_schema.tables where table_schema = ? and table_name = ?",
            [model.schema, model.name],
        )
        wanted = "VIEW" if model.materialized == "view" else "BASE TABLE"
        if found and found[0][0] != wanted:
            kind = "view" if found[0][0] == "VIEW" else "table"
            self.execute(f"drop {kind} {model.relation}")

    def column_types(self, relation: str) -> list[tuple[str, str]]:
        schema, table = relation.split(".")
        rows = self.connection.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
        return [(r[0], r[1]) for r in rows]


def ensure_lake_tables(
    lake_root: Path, schemas: Mapping[tuple[str, str], pa.Schema], needed: Iterable[tuple[str, str]]
) -> None:
    """A lake table that has never been synced gets one empty placeholder partition, so models
    reading it see zero rows instead of failing on an empty glob."""
    for source, entity in needed:
        folder = lake_root / source / entity
        if any(folder.glob("**/*.parquet")):
            continue
        schema = schemas.get((source, entity))
        if schema is None:
            raise ModelError(f"a model reads lake table {source}/{entity}, which no extraction asset writes")
        placeholder = folder / "date=1970-01-01"
        if entity in ("inventory", "inventory_levels"):
            placeholder = placeholder / "location=_none"
        placeholder.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a process killed mid-write must not leave a torn file that
        # the glob above would take for a landed table.
        partial = placeholder / f".part-00000.parquet.{os.getpid()}.tmp"
        pq.write_table(pa.Table.from_pylist([], schema=schema), partial)
        os.replace(partial, placeholder / "part-00000.parquet")
