"""The exports finance imports, materialized through Dagster on a temporary instance from the
hand-built books: the Xero, QuickBooks Online and ledger CSVs and the month-end workbook read back to
exactly the journal lines in DuckDB; a re-export replaces; an unbalanced journal stops at the
blocking check, so nothing is exported; and a date with more lines than Xero takes in one file is
split into files of whole journals."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from integration_assets.assets.finance import finance_exports
from integration_assets.assets.finance_exports import XERO_MAX_LINES, check_date_format, write_xero_csvs
from integration_assets.assets.sql_models import assets as model_assets
from integration_assets.checks.finance import journal_balanced
from integration_assets.resources import FinanceFilesResource, WarehouseResource

DATES = ("2026-12-02", "2026-12-04")  # first and last payout date of the books
JOURNALS = dg.AssetKey(["finance", "journals"])
UK_DATES = FinanceFilesResource(quickbooks_date_format="%d/%m/%Y")  # a UK QuickBooks company
QUICKBOOKS_HEADER = ["Journal No", "Journal Date", "Account Name", "Description", "Debits", "Credits", "Currency"]


def _export(warehouse: WarehouseResource) -> dg.ExecuteInProcessResult:
    journals = next(a for a in model_assets if JOURNALS in a.keys)
    with dg.instance_for_test() as instance:
        return dg.materialize(
            [journals, journal_balanced, finance_exports],
            instance=instance,
            resources={
                "warehouse": warehouse,
                "finance_files": FinanceFilesResource(quickbooks_date_format="%d/%m/%Y"),
            },
            tags={"dagster/asset_partition_range_start": DATES[0], "dagster/asset_partition_range_end": DATES[1]},
            raise_on_error=False,
        )


def _lines(warehouse: WarehouseResource, account: str = "account_code") -> list[tuple]:
    """(journal id, date, account, debit, credit, currency) of every exportable line, in file order;
    the account by code or, with account="account_name", by name."""
    with duckdb.connect(str(warehouse.path), read_only=True) as con:
        return con.execute(
            f"select journal_id, journal_date, {account}, debit, credit, currency_code from finance.journal_lines "
            "where journal_status in ('final', 'failed') order by date, journal_date, journal_id, line_number"
        ).fetchall()


def _read_csvs(folder: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows += list(csv.DictReader(handle))
    return rows


@pytest.fixture(scope="module")
def exported(warehouse: WarehouseResource) -> Path:
    result = _export(warehouse)
    assert result.success
    return Path(warehouse.data_dir) / "exports"


def test_the_ledger_csv_reads_back_to_the_journal_lines(exported: Path, warehouse: WarehouseResource) -> None:
    rows = _read_csvs(exported / "ledger")
    assert sorted(p.name for p in (exported / "ledger").iterdir()) == [
        "ledger_2026-12-02.csv",
        "ledger_2026-12-03.csv",
        "ledger_2026-12-04.csv",
    ]
    back = [
        (
            r["journal_id"],
            r["date"],
            r["account_code"],
            Decimal(r["debit"] or 0),
            Decimal(r["credit"] or 0),
            r["currency"],
        )
        for r in rows
    ]
    expected = [(j, d.isoformat(), a, debit, credit, c) for j, d, a, debit, credit, c in _lines(warehouse)]
    assert back == expected and len(back) == 34  # 7 + 2 (payout 501), 8, 9, 4, 4
    yen = [r for r in rows if r["currency"] == "JPY"]
    assert [(r["account_code"], r["debit"], r["credit"]) for r in yen] == [
        ("6100", "109", ""),
        ("4000", "", "3000"),
        ("2200", "", "300"),
        ("1200", "3191", ""),
    ]


def test_the_xero_csv_is_the_manual_journal_layout_and_balances(exported: Path, warehouse: WarehouseResource) -> None:
    rows = _read_csvs(exported / "xero")
    assert list(rows[0]) == [
        "Narration",
        "Date",
        "Description",
        "AccountCode",
        "TaxRate",
        "Amount",
        "TrackingName1",
        "TrackingOption1",
    ]
    expected = [(d.strftime("%d/%m/%Y"), a, debit - credit) for _, d, a, debit, credit, _ in _lines(warehouse)]
    assert [(r["Date"], r["AccountCode"], Decimal(r["Amount"])) for r in rows] == expected
    by_journal: dict[tuple[str, str], Decimal] = {}
    for r in rows:
        key = (r["Narration"], r["Date"])
        by_journal[key] = by_journal.get(key, Decimal(0)) + Decimal(r["Amount"])
    assert len(by_journal) == 6 and set(by_journal.values()) == {Decimal(0)}
    assert ("Shopify Payments payout 501 2026-12-02 (part to 2026-11-30)", "30/11/2026") in by_journal


def test_the_quickbooks_csv_is_the_journal_entry_layout_and_balances(
    exported: Path, warehouse: WarehouseResource
) -> None:
    folder = exported / "quickbooks"
    assert sorted(p.name for p in folder.iterdir()) == [
        "journal_entries_2026-12-02.csv",
        "journal_entries_2026-12-03.csv",
        "journal_entries_2026-12-04.csv",
    ]
    rows = _read_csvs(folder)
    assert list(rows[0]) == [
        "Journal No",
        "Journal Date",
        "Account Name",
        "Description",
        "Debits",
        "Credits",
        "Currency",
    ]
    back = [
        (r["Journal No"], r["Journal Date"], r["Account Name"], Decimal(r["Debits"] or 0), Decimal(r["Credits"] or 0))
        for r in rows
    ]
    expected = [
        (j, d.strftime("%d/%m/%Y"), name, debit, credit)
        for j, d, name, debit, credit, _ in _lines(warehouse, "account_name")
    ]
    assert back == expected and len(back) == 34
    assert all(bool(r["Debits"]) != bool(r["Credits"]) for r in rows)  # one side a line, never both or neither
    totals: dict[str, Decimal] = {}
    for journal, _, _, debit, credit in back:
        totals[journal] = totals.get(journal, Decimal(0)) + debit - credit
    assert len(totals) == 6 and set(totals.values()) == {Decimal(0)}
    assert {r["Currency"] for r in rows} == {"GBP", "JPY"}
    fees = [r for r in rows if r["Journal No"] == "502-2026-12" and r["Account Name"] == "Shopify Payments Fees"]
    assert len(fees) == 1 and fees[0]["Journal Date"] == "03/12/2026"


def test_a_date_format_quickbooks_could_not_read_is_refused() -> None:
    check_date_format("%d/%m/%Y")
    check_date_format("%m/%d/%Y")
    for wrong in ("dd/mm/yyyy", "%d/%m", "%Y"):
        with pytest.raises(ValueError, match="QUICKBOOKS_DATE_FORMAT"):
            check_date_format(wrong)


def test_the_month_end_workbooks_read_back(exported: Path, warehouse: WarehouseResource) -> None:
    books = sorted(p.name for p in (exported / "month_end").iterdir())
    assert books == ["finance_2026-11.xlsx", "finance_2026-12.xlsx"]
    sheets = {
        month: pd.read_excel(exported / "month_end" / f"finance_{month}.xlsx", sheet_name=None, dtype=str)
        for month in ("2026-11", "2026-12")
    }
    assert all(list(s) == ["payouts", "journals", "unmatched", "liabilities"] for s in sheets.values())
    back = [
        (
            r["journal_id"],
            r["journal_date"][:10],
            r["account_code"],
            Decimal(r["debit"]).quantize(Decimal("0.01")),
            Decimal(r["credit"]).quantize(Decimal("0.01")),
            r["currency_code"],
        )
        for month in ("2026-11", "2026-12")
        for r in sheets[month]["journals"].to_dict("records")
    ]
    expected = [(j, d.isoformat(), a, debit, credit, c) for j, d, a, debit, credit, c in _lines(warehouse)]
    assert sorted(back) == sorted(expected)
    december = sheets["2026-12"]
    assert sorted(december["payouts"]["payout_id"]) == ["501", "502", "503", "504", "505"]
    assert sorted(december["unmatched"]["type"]) == ["CHARGE", "MYSTERY_CREDIT"]


def test_a_re_export_replaces_the_files(exported: Path, warehouse: WarehouseResource) -> None:
    stale = exported / "ledger" / "ledger_2026-12-03.csv"
    stale.write_text("stale\n", encoding="utf-8")
    assert _export(warehouse).success
    assert stale.read_text(encoding="utf-8").startswith("date,journal_id,account_code")
    assert not list(exported.rglob(".*"))  # no temporary file left behind


def test_an_unbalanced_journal_is_never_exported(warehouse: WarehouseResource, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(Path(warehouse.data_dir), data, ignore=shutil.ignore_patterns("exports"))
    broken = WarehouseResource(data_dir=str(data), seeds_dir=warehouse.seeds_dir, shop_timezone="Europe/London")
    with duckdb.connect(str(broken.path)) as con:
        con.execute(
            "update finance.journal_lines set amount = amount + 0.01, debit = debit + 0.01 "
            "where journal_id = '502-2026-12' and line_type = 'payment_fees'"
        )
    result = _export(broken)
    assert not result.success
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.partition == "2026-12-03"]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.description == "1 unbalanced journals on 2026-12-03: 502-2026-12"
    assert not (data / "exports").exists()


def _journal(journal_id: str, lines: int) -> list[dict]:
    """A balanced journal of `lines` lines (one debit of the whole, the rest credits of 1.00)."""
    date = dt.date(2026, 12, 2)
    credits = [Decimal("1.00")] * (lines - 1)
    amounts = [sum(credits, Decimal(0)), *(-c for c in credits)]
    return [
        {
            "journal_id": journal_id,
            "narration": f"Shopify Payments payout {journal_id}",
            "journal_date": date,
            "description": f"line {n}",
            "account_code": "4000",
            "amount": amount,
            "currency_code": "GBP",
            "payout_id": journal_id,
        }
        for n, amount in enumerate(amounts, start=1)
    ]


def test_a_date_past_xeros_line_limit_is_split_into_files_of_whole_journals(tmp_path: Path) -> None:
    sizes = {"601": 120, "602": 100, "603": 90, "604": 250}
    lines = [line for journal, size in sizes.items() for line in _journal(journal, size)]
    written = write_xero_csvs(tmp_path, "2026-12-02", lines)
    assert [p.name for p in written] == [
        "manual_journals_2026-12-02.csv",
        "manual_journals_2026-12-02_part2.csv",
        "manual_journals_2026-12-02_part3.csv",
    ]
    files = [_read_csvs_of(p) for p in written]
    assert [len(rows) for rows in files] == [220, 90, 250]
    assert all(len(rows) <= XERO_MAX_LINES for rows in files)
    journals = [sorted({r["Narration"].split()[-1] for r in rows}) for rows in files]
    assert journals == [["601", "602"], ["603"], ["604"]]  # each journal whole in one file
    for rows in files:
        assert sum(Decimal(r["Amount"]) for r in rows) == 0
    assert [r["Amount"] for rows in files for r in rows] == [str(line["amount"]) for line in lines]

    # A smaller re-export of the date leaves no stale part behind.
    assert [p.name for p in write_xero_csvs(tmp_path, "2026-12-02", _journal("601", 5))] == [
        "manual_journals_2026-12-02.csv"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manual_journals_2026-12-02.csv"]


def test_a_journal_longer_than_a_xero_file_is_refused_by_name(tmp_path: Path) -> None:
    lines = _journal("601", 3) + _journal("602", XERO_MAX_LINES + 1)
    with pytest.raises(ValueError, match=r"journal 602: 301 lines, more than the 300 Xero imports"):
        write_xero_csvs(tmp_path, "2026-12-02", lines)
    assert not list(tmp_path.iterdir())


def _read_csvs_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
