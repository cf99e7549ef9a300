"""Finance deliveries: the journals (payouts, and sales outside Shopify Payments) as files finance
imports or opens, under `$INTEGRATION_DATA_DIR/exports/`:

    xero/manual_journals_<date>.csv             Xero's manual-journal import layout (`_part2.csv` and on
                                                when a date has more than Xero's 300 lines a file)
    quickbooks/journal_entries_<date>.csv       QuickBooks Online's journal-entry import layout
    ledger/ledger_<date>.csv                    date, journal id, account, debit, credit, tax rate, ...
    month_end/finance_<YYYY-MM>.xlsx            sheets payouts, journals, unmatched, liabilities

Only final journals (paid payouts, every sales journal) and failed payouts' are exported; a
scheduled payout's journal is provisional and stays in DuckDB. The asset runs after the blocking
`journal_balanced` check, and refuses again itself: an unbalanced journal never reaches a file. A
date with nothing to export has its old files removed, so a re-export always replaces.
"""

from pathlib import Path
from typing import Any

import dagster as dg

from integration_assets.assets import finance_exports as exports
from integration_assets.assets.sql_models import POOL
from integration_assets.partitions import daily_partitions, dates_of
from integration_assets.resources import FinanceFilesResource, WarehouseResource
from integration_assets.warehouse import Warehouse


class UnbalancedJournalError(RuntimeError):
    """A journal whose debits and credits differ reached the exporter."""


def export_date(wh: Warehouse, root: Path, date: str, quickbooks_date_format: str) -> dict[str, Any]:
    """Write (or remove) the files of one date (its payouts' and its sales journal); returns what was written."""
    lines = wh.query_named("exports/journal_lines_of_date", date=date)
    unbalanced = sorted({line["journal_id"] for line in lines if not line["is_balanced"]})
    if unbalanced:
        raise UnbalancedJournalError(f"payout date {date}: journals {', '.join(unbalanced)} do not balance")
    quickbooks = root / "quickbooks" / f"journal_entries_{date}.csv"
    ledger = root / "ledger" / f"ledger_{date}.csv"
    xero = exports.write_xero_csvs(root / "xero", date, lines)
    if not lines:
        quickbooks.unlink(missing_ok=True)
        ledger.unlink(missing_ok=True)
        return {"journals": 0, "lines": 0, "xero_files": 0, "months": set()}
    exports.write_quickbooks_csv(quickbooks, lines, quickbooks_date_format)
    exports.write_ledger_csv(ledger, lines)
    return {
        "journals": len({line["journal_id"] for line in lines}),
        "lines": len(lines),
        "xero_files": len(xero),
        "months": {line["journal_date"].strftime("%Y-%m") for line in lines},
    }


def month_sheets(wh: Warehouse, month: str) -> dict[str, list[dict[str, Any]]]:
    """The month-end views of one month (YYYY-MM): payouts issued in it, journal lines dated in it,
    unmatched money of its payouts, and the balance-sheet movements."""
    return {sheet: wh.query_named(f"exports/month_{sheet}", month=month) for sheet in exports.WORKBOOK_SHEETS}


@dg.asset(
    key=["finance", "exports"],
    deps=[
        dg.AssetKey(["finance", "journals"]),
        dg.AssetKey(["finance", "journal_lines"]),
        dg.AssetKey(["finance", "payout_reconciliation"]),
        dg.AssetKey(["finance", "unmatched"]),
        dg.AssetKey(["finance", "liabilities"]),
    ],
    group_name="finance",
    owners=["team:finance"],
    kinds={"python", "csv", "xlsx"},
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=POOL,
)
def finance_exports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, finance_files: FinanceFilesResource
) -> dg.MaterializeResult:
    """The journals as files for finance (each payout's, and each day's sales outside Shopify
    Payments): Xero manual-journal CSVs, a QuickBooks Online journal-entry CSV and a generic ledger
    CSV per date, and a month-end workbook (payouts, journals, unmatched, liabilities) per month
    touched, under $INTEGRATION_DATA_DIR/exports. Final and failed journals only; re-export replaces."""
    dates = dates_of(context)
    root = Path(warehouse.data_dir) / "exports"
    written: dict[str, Any] = {}
    with warehouse.open(read_only=True) as wh:
        for date in dates:
            written[date] = export_date(wh, root, date, finance_files.quickbooks_date_format)
        # A payout crossing a month end has a journal in the earlier month: its workbook is rewritten too.
        months = sorted({date[:7] for date in dates}.union(*(w["months"] for w in written.values())))
        for month in months:
            exports.write_workbook(root / "month_end" / f"finance_{month}.xlsx", month_sheets(wh, month))
    return dg.MaterializeResult(
        metadata={
            "exports_dir": dg.MetadataValue.path(str(root)),
            "journals_exported": sum(w["journals"] for w in written.values()),
            "lines_exported": sum(w["lines"] for w in written.values()),
            "dates_with_journals": sum(1 for w in written.values() if w["journals"]),
            "xero_files": sum(w["xero_files"] for w in written.values()),
            "workbooks": dg.MetadataValue.json([f"finance_{m}.xlsx" for m in months]),
        }
    )


assets = [finance_exports]
