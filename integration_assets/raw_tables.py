"""Explicit Arrow schemas for the raw lake: each table lists its columns, types and where each value
comes from in the API's model, so a type drift in an API is caught at the write, not downstream."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

MONEY = pa.decimal128(18, 2)  # DESIGN.md: money is DECIMAL(18,2), never float
DECIMAL = pa.decimal128(18, 6)  # weights, rates, velocities
TIMESTAMP = pa.timestamp("us", tz="UTC")
LINEAGE = (pa.field("_source", pa.string()), pa.field("_synced_at", TIMESTAMP))


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    get: Callable[[Any], Any]


def col(name: str, type_: pa.DataType, get: Callable[[Any], Any] | str | None = None) -> Column:
    """A column read from the attribute of the same name, another attribute, or a function."""
    if get is None:
        get = name
    if isinstance(get, str):
        attribute = get
        return Column(name, type_, lambda record: getattr(record, attribute))
    return Column(name, type_, get)


@dataclass(frozen=True)
class RawTable:
    source: str
    entity: str
    columns: tuple[Column, ...]

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([*(pa.field(c.name, c.type) for c in self.columns), *LINEAGE])

    def rows(self, records: Iterable[Any]) -> list[dict[str, Any]]:
        return [{c.name: c.get(record) for c in self.columns} for record in records]


def table(source: str, entity: str, *columns: Column) -> RawTable:
    return RawTable(source, entity, columns)
