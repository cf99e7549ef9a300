"""The exports finance imports, materialized through Dagster on a temporary instance from the
hand-built books: the Xero CSV, the ledger CSV and the month-end workbook read back to exactly the
journal lines in DuckDB; a re-export replaces; and an unbalanced journal stops at the blocking check,
so nothing is exported."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from integration_assets.assets.finance import finance_exports
from integration_assets.assets.sql_models import assets as model_assets
from integration_assets.checks.finance import journal_balanced
from integration_assets.resources import WarehouseResource

DATES = ("2026-12-02", "2026-12-04")  # first and last payout date of the books
JOURNALS = dg.AssetKey(["finance", "journals"])


def _export(warehouse: WarehouseResource) -> dg.ExecuteInProcessResult:
    journals = next(a for a in model_assets if JOURNALS in a.keys)
    with dg.instance_for_test() as instance:
        return dg.materialize(
            [journals, journal_balanced, finance_exports],
            instance=instance,
            resources={"warehouse": warehouse},
            tags={"dagster/asset_partition_range_start": DATES[0], "dagster/asset_partition_range_end": DATES[1]},
            raise_on_error=False,
        )


def _lines(warehouse: WarehouseResource) -> list[tuple]:
    """(journal id, date, account, debit, credit, currency) of every exportable line, in file order."""
    with duckdb.connect(str(warehouse.path), read_only=True) as con:
        return con.execute(
            "select journal_id, journal_date, account_code, debit, credit, currency_code from finance.journal_lines "
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
