"""The files finance imports or opens: Xero manual-journal CSVs, a QuickBooks Online journal-entry
CSV and a generic ledger CSV per date (its payouts' journals and its sales journal), and a month-end
workbook per month. No Dagster here: the asset in `finance.py` calls these.

Files are written whole or not at all (`atomic_files`), so a reader never sees half a file and a
re-export replaces the old one. Amounts are written as exact decimal text with the currency's own
exponent (JPY 0, GBP 2), never through a float.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from integration_assets.atomic_files import replace_with

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
XERO_MAX_LINES = 300  # Xero refuses larger files: a payout date with more is split, whole journals a file
# QuickBooks Online's journal-entry import: rows with one Journal No make one entry, which must
# balance; accounts are matched by exact name (account numbers turned off in QBO); the date is read
# in the company's regional format, so that format is a setting (QUICKBOOKS_DATE_FORMAT).
QUICKBOOKS_COLUMNS = ("Journal No", "Journal Date", "Account Name", "Description", "Debits", "Credits", "Currency")
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


def _write_csv(target: Path, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return replace_with(target, lambda path: path.write_text(buffer.getvalue(), encoding="utf-8"))


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
            *_xero_tracking(line),
        ]
        for line in lines
    ]


def _xero_tracking(line: Mapping[str, Any]) -> tuple[str, str]:
    """A payout journal's lines are tracked by payout; a sales journal's (no payout) are not."""
    return ("Payout", str(line["payout_id"])) if line["payout_id"] is not None else ("", "")


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


def quickbooks_rows(lines: Sequence[Mapping[str, Any]], date_format: str) -> list[list[str]]:
    """One row per journal line in QuickBooks Online's journal-entry layout: the journal id as the
    Journal No, the account by name, debit and credit as separate non-negative columns."""
    return [
        [
            line["journal_id"],
            line["journal_date"].strftime(date_format),
            line["account_name"],
            line["description"],
            money_text(line["debit"], line["currency_code"]) if line["debit"] else "",
            money_text(line["credit"], line["currency_code"]) if line["credit"] else "",
            line["currency_code"],
        ]
        for line in lines
    ]


def xero_files(lines: Sequence[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """The lines of one payout date in files Xero will import: at most XERO_MAX_LINES lines a file,
    a journal never split across two (Xero balances each journal within its file). Lines arrive
    grouped by journal, in file order."""
    files: list[list[Mapping[str, Any]]] = []
    for journal_id, grouped in itertools.groupby(lines, key=lambda line: line["journal_id"]):
        journal = list(grouped)
        if len(journal) > XERO_MAX_LINES:
            raise ValueError(
                f"journal {journal_id}: {len(journal)} lines, more than the {XERO_MAX_LINES} Xero imports "
                "in one file, and a journal cannot be split across files"
            )
        if not files or len(files[-1]) + len(journal) > XERO_MAX_LINES:
            files.append([])
        files[-1].extend(journal)
    return files


def xero_file_name(date: str, number: int) -> str:
    """`manual_journals_<date>.csv`, then `..._part2.csv` and on for a date that needs more files."""
    return f"manual_journals_{date}.csv" if number == 1 else f"manual_journals_{date}_part{number}.csv"


def write_xero_csvs(folder: Path, date: str, lines: Sequence[Mapping[str, Any]]) -> list[Path]:
    """The date's Xero files; parts left from an earlier, larger export of the date are removed."""
    written = [
        _write_csv(folder / xero_file_name(date, number), XERO_COLUMNS, xero_rows(part))
        for number, part in enumerate(xero_files(lines), start=1)
    ]
    for stale in {folder / xero_file_name(date, 1), *folder.glob(f"manual_journals_{date}_part*.csv")} - set(written):
        stale.unlink(missing_ok=True)
    return written


def check_date_format(date_format: str) -> None:
    """Refuse a date format that does not write a date QuickBooks could read back (a literal
    "dd/mm/yyyy" would write those letters on every line): 31 March must round-trip."""
    sample = dt.date(2026, 3, 31)
    try:
        readable = dt.datetime.strptime(sample.strftime(date_format), date_format).date() == sample
    except ValueError:
        readable = False
    if not readable:
        raise ValueError(
            f"QUICKBOOKS_DATE_FORMAT {date_format!r} does not write a whole date: use strftime codes, "
            "such as %m/%d/%Y (US) or %d/%m/%Y (UK, AU)"
        )


def write_quickbooks_csv(target: Path, lines: Sequence[Mapping[str, Any]], date_format: str) -> Path:
    check_date_format(date_format)
    return _write_csv(target, QUICKBOOKS_COLUMNS, quickbooks_rows(lines, date_format))


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

    return replace_with(target, write)
