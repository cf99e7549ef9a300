"""The operator's location map (seeds/locations.csv): the one place Shopify locations, Mintsoft
warehouses and Inventory Planner warehouses are tied together.

A Shopify location or Mintsoft warehouse missing from it is an exception to report, never a silent
default to the primary location; so lookups return None rather than guessing.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SEEDS_DIR = Path(__file__).resolve().parent.parent / "dbt_like_sql" / "seeds"
LOCATION_COLUMNS = (
    "location_key",
    "name",
    "kind",
    "shopify_location_id",
    "mintsoft_warehouse_id",
    "inventory_planner_warehouse_id",
)


class SeedError(ValueError):
    """A seeds file the project cannot use; the message names file, line and column."""


@dataclass(frozen=True)
class MappedLocation:
    key: str
    name: str
    kind: str
    shopify_location_id: int
    mintsoft_warehouse_id: int | None
    inventory_planner_warehouse_id: str | None


@dataclass(frozen=True)
class LocationMap:
    locations: tuple[MappedLocation, ...]

    @property
    def keys(self) -> list[str]:
        return [loc.key for loc in self.locations]

    def by_key(self, key: str) -> MappedLocation:
        for loc in self.locations:
            if loc.key == key:
                return loc
        raise KeyError(f"location {key!r} is not in locations.csv")

    def key_for_shopify(self, shopify_location_id: int) -> str | None:
        return next((loc.key for loc in self.locations if loc.shopify_location_id == shopify_location_id), None)

    def key_for_mintsoft(self, warehouse_id: int) -> str | None:
        return next((loc.key for loc in self.locations if loc.mintsoft_warehouse_id == warehouse_id), None)


def seeds_dir() -> Path:
    return Path(os.environ.get("INTEGRATION_SEEDS_DIR") or DEFAULT_SEEDS_DIR)


def load_location_map(folder: Path | None = None) -> LocationMap:
    path = (folder or seeds_dir()) / "locations.csv"
    if not path.exists():
        raise SeedError(f"{path}: not found (set INTEGRATION_SEEDS_DIR to the folder holding your seeds)")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in LOCATION_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SeedError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
        locations = [_row(path, line, row) for line, row in enumerate(reader, start=2)]
    for column, values in (
        ("location_key", [loc.key for loc in locations]),
        ("shopify_location_id", [loc.shopify_location_id for loc in locations]),
    ):
        for line, value in enumerate(values, start=2):
            if values.count(value) > 1:
                raise SeedError(f"{path}: line {line}: column {column}: duplicate key {value!r}")
    return LocationMap(tuple(locations))


def _row(path: Path, line: int, row: dict[str, str]) -> MappedLocation:
    def fail(column: str, why: str) -> SeedError:
        return SeedError(f"{path}: line {line}: column {column}: {why} (got {row.get(column)!r})")

    key = (row["location_key"] or "").strip()
    if not key or any(ch in key for ch in "|,[]"):
        raise fail("location_key", "must be non-empty without | , [ ]")
    if row["kind"] not in ("warehouse", "store"):
        raise fail("kind", "must be warehouse or store")
    try:
        shopify_id = int(row["shopify_location_id"])
    except ValueError:
        raise fail("shopify_location_id", "must be the numeric (legacy) Shopify location id") from None
    mintsoft = (row["mintsoft_warehouse_id"] or "").strip()
    if mintsoft and not mintsoft.isdigit():
        raise fail("mintsoft_warehouse_id", "must be a number or empty")
    return MappedLocation(
        key=key,
        name=row["name"],
        kind=row["kind"],
        shopify_location_id=shopify_id,
        mintsoft_warehouse_id=int(mintsoft) if mintsoft else None,
        inventory_planner_warehouse_id=(row["inventory_planner_warehouse_id"] or "").strip() or None,
    )
