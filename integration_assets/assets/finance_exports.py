"""The files finance imports or opens: a Xero manual-journal CSV and a generic ledger CSV per payout
date, and a month-end workbook per month. No Dagster here: the asset in `finance.py` calls these.

Files are written to a temporary name beside the target and renamed over it, so a reader never
sees half a file and a re-export replaces the old one whole. Amounts are written as exact decimal
text with the currency's own exponent (JPY 0, GBP 2), never through a float.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

# Xero's manual-journal import (help.xero.com ManualJournalsImport): Narration + Date group the rows
# of one journal; Amount is positive for a debit and negative for a credit; TaxRate is mandatory.
XERO_COLUMNS = (
    "Narration",
    "Date",
    "Description",
    "AccountCode",
    "TaxRate",
    "Amount",
    "TrackingName1",
    "TrackingOption1",
)
# Output tax is posted as its own lines (from Shopify's calculated totals), so no line may make Xero
# compute tax again: every line carries the zero rate's name.
XERO_TAX_RATE = "No VAT"
XERO_MAX_LINES = 300  # Xero refuses larger files
LEDGER_COLUMNS = (
    "date",
    "journal_id",
    "account_code",
    "description",
    "debit",
    "credit",
    "tax_rate",
    "currency",
    "reference",
)
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "VND", "CLP", "ISK"})
WORKBOOK_SHEETS = ("payouts", "journals", "unmatched", "liabilities")


def money_text(amount: Decimal, currency: str) -> str:
    """The amount in the currency's minor unit, as text: 1234 for JPY, 12.30 for GBP."""
    exponent = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    quantum = Decimal(1).scaleb(-exponent)
    rounded = Decimal(amount).quantize(quantum)
    if rounded != Decimal(amount):
        raise ValueError(f"{amount} {currency} has more precision than the currency's minor unit")
    return f"{rounded:f}"


def write_atomically(target: Path, write: Callable[[Path], None]) -> Path:
    """Write through `write(temporary_path)`, then rename over `target` (replaced whole)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _write_csv(target: Path, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return write_atomically(target, lambda path: path.write_text(buffer.getvalue(), encoding="utf-8"))


def xero_rows(lines: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """One row per journal line in Xero's manual-journal layout (dates dd/mm/yyyy)."""
    return [
        [
            line["narration"],
            line["journal_date"].strftime("%d/%m/%Y"),
            line["description"],
            line["account_code"],
            XERO_TAX_RATE,
            money_text(line["amount"], line["currency_code"]),
            "Payout",
            str(line["payout_id"]),
        ]
        for line in lines
    ]


def ledger_rows(lines: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """One row per journal line: debit and credit as separate non-negative columns."""
    return [
        [
            line["journal_date"].isoformat(),
            line["journal_id"],
            line["account_code"],
            line["description"],
            money_text(line["debit"], line["currency_code"]) if line["debit"] else "",
            money_text(line["credit"], line["currency_code"]) if line["credit"] else "",
            line["tax_rate"],
            line["currency_code"],
            line["reference"] or "",
        ]
        for line in lines
    ]


def write_xero_csv(target: Path, lines: Sequence[Mapping[str, Any]]) -> Path:
    if len(lines) > XERO_MAX_LINES:
        raise ValueError(f"{target.name}: {len(lines)} lines, Xero imports at most {XERO_MAX_LINES} per file")
    return _write_csv(target, XERO_COLUMNS, xero_rows(lines))


def write_ledger_csv(target: Path, lines: Sequence[Mapping[str, Any]]) -> Path:
    return _write_csv(target, LEDGER_COLUMNS, ledger_rows(lines))


def _excel_value(value: Any) -> Any:
    """What an Excel cell can hold. Excel numbers are doubles: an amount in minor units (at most 15
    significant digits) round-trips exactly, anything finer is written as its text. Datetimes are
    written in UTC without a zone (Excel has none)."""
    if isinstance(value, Decimal):
        return float(value) if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def write_workbook(target: Path, sheets: Mapping[str, Sequence[Mapping[str, Any]]]) -> Path:
    """One sheet per view, header row first, in the order of WORKBOOK_SHEETS."""

    import pandas as pd  # here, not at the top: every run worker imports this module, few write workbooks

    def write(path: Path) -> None:
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for name in WORKBOOK_SHEETS:
                rows = sheets.get(name, [])
                frame = pd.DataFrame([{k: _excel_value(v) for k, v in row.items()} for row in rows])
                frame.to_excel(writer, sheet_name=name, index=False)

    return write_atomically(target, write)
