"""Inventory Planner's Advanced-CSV sales-order intake, applied to files dropped in a folder.

IP has no API that takes sales history; the Advanced CSV connector loads sales-order files from
SFTP (api-notes/mintsoft-ip-api.md 2.5, IP's "Sales order data file specification"). The rules
kept here, as documented:
- a missing required column or an unsupported column rejects the whole file, with a reason;
- each row is one order line, keyed by ORDER_ID; ID groups the lines of one sale;
- CANCELLED=true marks a cancelled line; a negative QUANTITY is a return;
- REMOVED=true soft-deletes the line (IP keeps it and stops using it);
- files carry new or updated rows only: a later row for an ORDER_ID replaces the one held.
And the ones the documentation leaves open, ASSUMED here:
- VARIANT_ID may be IP's variant id, the Shopify variant id, or the SKU (exactly as IP holds it,
  else trimmed and case-folded when that names one variant only); WAREHOUSE is an IP warehouse id;
- a row whose WAREHOUSE or VARIANT_ID IP does not know, or whose value does not fit its column's
  type, is rejected with the line and column named while the rest of the file goes on;
- "later" means a greater UPDATED_AT; on a tie, the row read last wins (files in name order,
  rows in file order); an older UPDATED_AT than the one held is ignored and reported;
- values follow the column types IP documents, read as a Snowflake stage would: FLOAT, BOOLEAN
  (true/false, t/f, yes/no, y/n, on/off, 1/0, any case), TIMESTAMP_NTZ (ISO 8601 with a space or
  a "T"; an offset is dropped, the wall-clock time kept), CHAR(3), VARCHAR(256).

Each file is processed once per content (name + SHA-256), in name order, when `scan()` runs
(ASSUMED: IP goes by upload time, oldest first; names are deterministic here). The folder stands for
the connector's sales-orders SFTP subdirectory (ASSUMED): only its top-level `*.csv` files count,
and dot-files are uploads still in progress (write to `.name.part`, then rename).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from integration_assets.simulator.inventory_planner_payloads import InventoryPlannerView

JSON = dict[str, Any]

REQUIRED_COLUMNS = (
    "ORDER_ID",
    "ID",
    "VARIANT_ID",
    "WAREHOUSE",
    "CURRENCY",
    "QUANTITY",
    "PRICE",
    "CREATED_AT",
    "REMOVED",
    "UPDATED_AT",
)
# ASSUMED: the documented optional columns as far as the notes list them; IP's table may name more.
OPTIONAL_COLUMNS = (
    "REFERENCE",
    "REFERENCE2",
    "ORIGINAL_COST_PRICE",
    "CUSTOMER",
    "DISCOUNT",
    "TAX",
    "TAX_INCLUDED",
    "SHIPPING",
    "SHIPPING_TAX",
    "CANCELLED",
)
SUPPORTED_COLUMNS = frozenset(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
OPTIONAL_FLOATS = ("ORIGINAL_COST_PRICE", "DISCOUNT", "TAX", "SHIPPING", "SHIPPING_TAX")
OPTIONAL_TEXT = ("REFERENCE", "REFERENCE2", "CUSTOMER")
VARCHAR_LIMIT = 256

_TRUE = frozenset({"true", "t", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "off", "0"})
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


class RowError(Exception):
    """A value that does not fit its column."""

    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


class RowRejected(Exception):
    """Every fault found in one row, each naming its column."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class SalesRow:
    """One sales-order line as IP holds it."""

    order_id: str
    id: str
    variant_reference: str  # VARIANT_ID as the file gave it
    variant_id: str  # IP's variant id it resolved to
    sku: str
    warehouse: str
    location_key: str
    currency: str
    quantity: float
    price: float
    created_at: dt.datetime
    updated_at: dt.datetime
    removed: bool
    cancelled: bool
    optional: dict[str, Any]
    file: str
    line: int

    def as_json(self) -> JSON:
        return {
            "order_id": self.order_id,
            "id": self.id,
            "variant_id": self.variant_id,
            "variant_reference": self.variant_reference,
            "sku": self.sku,
            "warehouse": self.warehouse,
            "location_key": self.location_key,
            "date": self.created_at.date().isoformat(),
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "quantity": self.quantity,
            "price": self.price,
            "currency": self.currency,
            "cancelled": self.cancelled,
            "removed": self.removed,
            "is_return": self.quantity < 0,
            **{name.lower(): self.optional.get(name) for name in OPTIONAL_COLUMNS if name != "CANCELLED"},
            "file": self.file,
            "line": self.line,
        }


@dataclass
class FileReport:
    name: str
    sha256: str
    status: str  # processed | rejected
    reason: str | None = None
    rows: int = 0  # rows applied
    rows_rejected: list[JSON] = field(default_factory=list)
    rows_ignored: list[JSON] = field(default_factory=list)

    def as_json(self) -> JSON:
        return {
            "name": self.name,
            "sha256": self.sha256,
            "status": self.status,
            "reason": self.reason,
            "rows": self.rows,
            "rows_rejected": self.rows_rejected,
            "rows_ignored": self.rows_ignored,
        }


# --- values ------------------------------------------------------------------------------------


def _text(raw: str, column: str, required: bool) -> str | None:
    value = raw.strip()
    if not value:
        if required:
            raise RowError(column, f"{column} is empty")
        return None
    if len(value) > VARCHAR_LIMIT:
        raise RowError(column, f"{column} is longer than {VARCHAR_LIMIT} characters")
    return value


def _float(raw: str, column: str, required: bool) -> float | None:
    value = raw.strip()
    if not value:
        if required:
            raise RowError(column, f"{column} is empty")
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(column, f"{column} is not a number: {value!r}") from None
    if not number.is_finite():
        raise RowError(column, f"{column} is not a finite number: {value!r}")
    result = float(number)
    if math.isinf(result):
        raise RowError(column, f"{column} is out of range: {value!r}")
    return result


def _bool(raw: str, column: str, required: bool) -> bool | None:
    value = raw.strip().lower()
    if not value:
        if required:
            raise RowError(column, f"{column} is empty")
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise RowError(column, f"{column} is not a boolean: {raw.strip()!r}")


def _timestamp(raw: str, column: str) -> dt.datetime:
    value = raw.strip()
    if not value:
        raise RowError(column, f"{column} is empty")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RowError(column, f"{column} is not a timestamp: {value!r}") from None
    return parsed.replace(tzinfo=None)  # TIMESTAMP_NTZ keeps the wall-clock time


def _currency(raw: str) -> str:
    value = raw.strip()
    if not _CURRENCY.match(value):
        raise RowError("CURRENCY", f"CURRENCY must be a 3-letter code, got {value!r}")
    return value.upper()


# --- files -------------------------------------------------------------------------------------


def read_header(text: str) -> tuple[list[str] | None, str | None]:
    """The header's column names, or None and the reason the file cannot be processed."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return None, f"malformed CSV header: {exc}"
    if not header or not any(name.strip() for name in header):
        return None, "empty file: no header row"
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        return None, f"duplicate column(s): {', '.join(duplicates)}"
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in SUPPORTED_COLUMNS]
    reasons = []
    if missing:
        reasons.append(f"missing required column(s): {', '.join(missing)}")
    if unknown:
        reasons.append(f"unsupported column(s): {', '.join(repr(name) for name in unknown)}")
    if reasons:
        return None, "; ".join(reasons)
    return header, None


def _variant(view: InventoryPlannerView, raw: str) -> tuple[str, str]:
    if not raw.strip():
        raise RowError("VARIANT_ID", "VARIANT_ID is empty")
    if len(raw) > VARCHAR_LIMIT:
        raise RowError("VARIANT_ID", f"VARIANT_ID is longer than {VARCHAR_LIMIT} characters")
    variant, why = view.resolve_variant(raw)
    if variant is None:
        raise RowError("VARIANT_ID", f"VARIANT_ID: {why}")
    return variant.id, variant.sku


def _warehouse(view: InventoryPlannerView, raw: str) -> tuple[str, str]:
    warehouse_id = _text(raw, "WAREHOUSE", True) or ""
    warehouse = view.warehouses_by_id.get(warehouse_id)
    if warehouse is None:
        known = ", ".join(view.warehouses_by_id)
        raise RowError("WAREHOUSE", f"WAREHOUSE: unknown warehouse {warehouse_id!r} (known: {known})")
    return warehouse.id, warehouse.location_key


def parse_row(view: InventoryPlannerView, values: dict[str, str], name: str, line: int) -> SalesRow:
    """One data row, typed and resolved; RowRejected lists every column at fault, in column order."""
    errors: list[RowError] = []

    def take(parse: Callable[[], Any]) -> Any:
        try:
            return parse()
        except RowError as error:
            errors.append(error)
            return None

    order_id = take(lambda: _text(values["ORDER_ID"], "ORDER_ID", True))
    sale_id = take(lambda: _text(values["ID"], "ID", True))
    variant = take(lambda: _variant(view, values["VARIANT_ID"]))
    warehouse = take(lambda: _warehouse(view, values["WAREHOUSE"]))
    currency = take(lambda: _currency(values["CURRENCY"]))
    quantity = take(lambda: _float(values["QUANTITY"], "QUANTITY", True))
    price = take(lambda: _float(values["PRICE"], "PRICE", True))
    created_at = take(lambda: _timestamp(values["CREATED_AT"], "CREATED_AT"))
    removed = take(lambda: _bool(values["REMOVED"], "REMOVED", True))
    updated_at = take(lambda: _timestamp(values["UPDATED_AT"], "UPDATED_AT"))
    optional: dict[str, Any] = {}
    for column in OPTIONAL_COLUMNS:
        raw = values.get(column, "")
        if column in OPTIONAL_FLOATS:
            optional[column] = take(lambda c=column, r=raw: _float(r, c, False))
        elif column in OPTIONAL_TEXT:
            optional[column] = take(lambda c=column, r=raw: _text(r, c, False))
        else:  # TAX_INCLUDED, CANCELLED
            optional[column] = take(lambda c=column, r=raw: _bool(r, c, False))
    if errors:
        raise RowRejected(errors)
    cancelled = bool(optional.pop("CANCELLED"))
    return SalesRow(
        order_id=order_id,
        id=sale_id,
        variant_reference=values["VARIANT_ID"],
        variant_id=variant[0],
        sku=variant[1],
        warehouse=warehouse[0],
        location_key=warehouse[1],
        currency=currency,
        quantity=quantity,
        price=price,
        created_at=created_at,
        updated_at=updated_at,
        removed=bool(removed),
        cancelled=cancelled,
        optional=optional,
        file=name,
        line=line,
    )


class SalesHistoryIntake:
    """The sales-order lines IP holds, fed by the files in a drop folder."""

    def __init__(self, view: InventoryPlannerView, drop_dir: Callable[[], Path | None]) -> None:
        self.view = view
        self._drop_dir = drop_dir
        self._lock = threading.Lock()
        self._seen: set[tuple[str, str]] = set()
        self.files: list[FileReport] = []
        self.rows: dict[str, SalesRow] = {}  # ORDER_ID -> the version held

    def scan(self) -> list[FileReport]:
        """Process the drop folder's new files (by name and content), in name order."""
        folder = self._drop_dir()
        if folder is None or not folder.is_dir():
            return []
        with self._lock:
            reports = []
            for path in sorted(folder.iterdir(), key=lambda p: p.name):
                # Dot-files are uploads in progress (write, then rename into place).
                if path.name.startswith(".") or path.suffix.lower() != ".csv" or not path.is_file():
                    continue
                data = path.read_bytes()
                digest = hashlib.sha256(data).hexdigest()
                if (path.name, digest) in self._seen:
                    continue
                self._seen.add((path.name, digest))
                reports.append(self._process(path.name, digest, data))
            return reports

    def process_bytes(self, name: str, data: bytes) -> FileReport:
        """Process one file's content as if it had been dropped under `name` (each content once)."""
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            self._seen.add((name, digest))
            return self._process(name, digest, data)

    def _process(self, name: str, digest: str, data: bytes) -> FileReport:
        report = FileReport(name, digest, "processed")
        self.files.append(report)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            report.status, report.reason = "rejected", f"not UTF-8 text: {exc}"
            return report
        header, reason = read_header(text)
        if header is None:
            report.status, report.reason = "rejected", reason
            return report
        reader = csv.reader(io.StringIO(text))
        next(reader)
        parsed: list[SalesRow] = []
        try:
            for fields in reader:
                if not fields:
                    continue
                line = reader.line_num
                if len(fields) != len(header):
                    report.rows_rejected.append(
                        {
                            "line": line,
                            "column": None,
                            "columns": [],
                            "reason": f"expected {len(header)} fields, got {len(fields)}",
                        }
                    )
                    continue
                try:
                    parsed.append(parse_row(self.view, dict(zip(header, fields, strict=True)), name, line))
                except RowRejected as rejected:
                    report.rows_rejected.append(
                        {
                            "line": line,
                            "column": rejected.errors[0].column,
                            "columns": [e.column for e in rejected.errors],
                            "reason": str(rejected),
                        }
                    )
        except csv.Error as exc:
            # A broken quote makes everything after it unreadable: the file does not import.
            report.status, report.reason = "rejected", f"malformed CSV at line {reader.line_num}: {exc}"
            report.rows_rejected.clear()
            return report
        for row in parsed:
            held = self.rows.get(row.order_id)
            if held is not None and row.updated_at < held.updated_at:
                report.rows_ignored.append(
                    {
                        "line": row.line,
                        "order_id": row.order_id,
                        "reason": f"UPDATED_AT {row.updated_at.isoformat()} is older than the version held "
                        f"({held.updated_at.isoformat()}, {held.file} line {held.line})",
                    }
                )
                continue
            self.rows[row.order_id] = row
            report.rows += 1
        return report

    def snapshot(self) -> JSON:
        """Ground truth: every line IP holds (latest version per ORDER_ID, soft-deleted ones flagged)
        and every file it has seen, in processing order."""
        with self._lock:
            rows = sorted(self.rows.values(), key=lambda r: (r.created_at, r.id, r.order_id))
            return {
                "rows": [r.as_json() for r in rows],
                "files": [f.as_json() for f in self.files],
            }
