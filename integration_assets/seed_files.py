"""The operator's master data (dbt_like_sql/seeds/*.csv, or INTEGRATION_SEEDS_DIR): declared columns,
types and keys, validated before anything reads them.

A bad seeds file stops the build with its file, line and column named: a wrong location map or
buffer would otherwise turn into hundreds of false exceptions, which is worse than no answer.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from integration_assets.location_map import SeedError


@dataclass(frozen=True)
class SeedSpec:
    name: str
    columns: tuple[str, ...]
    types: dict[str, str]  # column -> DuckDB type (others VARCHAR)
    key: tuple[str, ...]
    required: tuple[str, ...]  # columns that may not be empty
    # Further columns unique on their own: a Shopify location mapped to two keys would count its
    # sales and stock twice.
    unique: tuple[str, ...] = ()

    def duckdb_type(self, column: str) -> str:
        return self.types.get(column, "VARCHAR")


SEEDS: tuple[SeedSpec, ...] = (
    SeedSpec(
        "locations",
        (
            "location_key",
            "name",
            "kind",
            "shopify_location_id",
            "mintsoft_warehouse_id",
            "inventory_planner_warehouse_id",
        ),
        {"shopify_location_id": "BIGINT", "mintsoft_warehouse_id": "BIGINT"},
        ("location_key",),
        ("location_key", "name", "kind", "shopify_location_id"),
        unique=("shopify_location_id",),
    ),
    SeedSpec(
        "bundles",
        ("bundle_sku", "component_sku", "quantity"),
        {"quantity": "INTEGER"},
        ("bundle_sku", "component_sku"),
        ("bundle_sku", "component_sku", "quantity"),
    ),
    SeedSpec("sku_aliases", ("alias", "sku"), {}, ("alias",), ("alias", "sku")),
    SeedSpec(
        "safety_stock",
        ("location_key", "sku", "buffer_units"),
        {"buffer_units": "INTEGER"},
        ("location_key", "sku"),
        ("location_key", "sku", "buffer_units"),
    ),
    SeedSpec(
        "exception_owners",
        ("exception_type", "owner", "sla_hours", "runbook"),
        {"sla_hours": "INTEGER"},
        ("exception_type",),
        ("exception_type", "owner", "sla_hours"),
    ),
    SeedSpec(
        "gl_accounts", ("line_type", "account_code", "account_name"), {}, ("line_type",), ("line_type", "account_code")
    ),
)


@dataclass(frozen=True)
class SeedTable:
    spec: SeedSpec
    path: Path
    rows: list[dict[str, object]]


def read_seeds(folder: Path) -> dict[str, SeedTable]:
    """Read and validate every seeds file; raises SeedError naming file, line and column."""
    tables = {spec.name: _read(folder / f"{spec.name}.csv", spec) for spec in SEEDS}
    known_locations = {row["location_key"] for row in tables["locations"].rows}
    for line, row in enumerate(tables["safety_stock"].rows, start=2):
        if row["location_key"] not in known_locations:
            raise SeedError(
                f"{tables['safety_stock'].path}: line {line}: column location_key: "
                f"unknown location {row['location_key']!r} (not in locations.csv)"
            )
    return tables


def _read(path: Path, spec: SeedSpec) -> SeedTable:
    if not path.exists():
        raise SeedError(f"{path}: not found")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        missing = [c for c in spec.columns if c not in header]
        if missing:
            raise SeedError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
        rows = [_typed(path, spec, line, raw) for line, raw in enumerate(reader, start=2)]
    for columns in (spec.key, *((c,) for c in spec.unique)):
        _check_unique(path, rows, columns)
    return SeedTable(spec, path, rows)


def _check_unique(path: Path, rows: list[dict[str, object]], columns: tuple[str, ...]) -> None:
    seen: dict[tuple, int] = {}
    for line, row in enumerate(rows, start=2):
        key = tuple(str(row[c]).strip().casefold() for c in columns)
        if key in seen:
            raise SeedError(
                f"{path}: line {line}: column {', '.join(columns)}: duplicate key "
                f"{', '.join(str(row[c]) for c in columns)} (first on line {seen[key]})"
            )
        seen[key] = line


def _typed(path: Path, spec: SeedSpec, line: int, raw: dict[str, str | None]) -> dict[str, object]:
    row: dict[str, object] = {}
    for column in spec.columns:
        value = (raw.get(column) or "").strip()
        if not value:
            if column in spec.required:
                raise SeedError(f"{path}: line {line}: column {column}: empty")
            row[column] = None
            continue
        if spec.duckdb_type(column) in ("BIGINT", "INTEGER"):
            try:
                number = int(value)
            except ValueError:
                raise SeedError(f"{path}: line {line}: column {column}: not a whole number ({value!r})") from None
            if column in ("quantity", "buffer_units", "sla_hours") and number < 0:
                raise SeedError(f"{path}: line {line}: column {column}: negative ({value!r})")
            row[column] = number
        else:
            row[column] = value
    return row
