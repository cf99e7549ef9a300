"""Finance deliveries: the payout journals as files finance imports or opens, under
`$INTEGRATION_DATA_DIR/exports/`:

    xero/manual_journals_<payout date>.csv      Xero's manual-journal import layout
    ledger/ledger_<payout date>.csv             date, journal id, account, debit, credit, tax rate, ...
    month_end/finance_<YYYY-MM>.xlsx            sheets payouts, journals, unmatched, liabilities

Only journals of paid (final) and failed payouts are exported; a scheduled payout's journal is
provisional and stays in DuckDB. The asset runs after the blocking `journal_balanced` check, and
refuses again itself: an unbalanced journal never reaches a file. A date with nothing to export has
its old files removed, so a re-export always replaces.
"""

from pathlib import Path
from typing import Any

import dagster as dg

from integration_assets.assets import finance_exports as exports
from integration_assets.assets.sql_models import POOL
from integration_assets.partitions import daily_partitions, dates_of
from integration_assets.resources import WarehouseResource
from integration_assets.warehouse import Warehouse

EXPORTED_STATUSES = ("final", "failed")
LINES_SQL = """
select
    lines.journal_id, lines.journal_date, lines.payout_id, lines.journal_status, lines.currency_code,
    lines.line_number, lines.line_type, lines.account_code, lines.account_name, lines.description,
    lines.tax_rate, lines.amount, lines.debit, lines.credit, lines.reference, journals.narration,
    journals.is_balanced
from finance.journal_lines as lines
inner join finance.journals as journals on journals.journal_id = lines.journal_id
where lines.date = cast(? as date) and lines.journal_status in ('final', 'failed')
order by lines.journal_date, lines.journal_id, lines.line_number
"""


class UnbalancedJournalError(RuntimeError):
    """A journal whose debits and credits differ reached the exporter."""


def export_date(wh: Warehouse, root: Path, date: str) -> dict[str, Any]:
    """Write (or remove) the two CSVs of one payout date; returns what was written."""
    lines = wh.query(LINES_SQL, [date])
    unbalanced = sorted({line["journal_id"] for line in lines if not line["is_balanced"]})
    if unbalanced:
        raise UnbalancedJournalError(f"payout date {date}: journals {', '.join(unbalanced)} do not balance")
    xero = root / "xero" / f"manual_journals_{date}.csv"
    ledger = root / "ledger" / f"ledger_{date}.csv"
    if not lines:
        xero.unlink(missing_ok=True)
        ledger.unlink(missing_ok=True)
        return {"journals": 0, "lines": 0, "months": set()}
    exports.write_xero_csv(xero, lines)
    exports.write_ledger_csv(ledger, lines)
    return {
        "journals": len({line["journal_id"] for line in lines}),
        "lines": len(lines),
        "months": {line["journal_date"].strftime("%Y-%m") for line in lines},
    }


def month_sheets(wh: Warehouse, month: str) -> dict[str, list[dict[str, Any]]]:
    """The month-end views of one month (YYYY-MM): payouts issued in it, journal lines dated in it,
    unmatched money of its payouts, and the balance-sheet movements."""
    in_month = "strftime({column}, '%Y-%m') = ?"
    return {
        "payouts": wh.query(
            f"select * exclude (issued_at) from finance.payout_reconciliation where {in_month.format(column='date')} "
            "order by date, payout_id",
            [month],
        ),
        "journals": wh.query(
            "select journal_id, journal_date, payout_id, journal_status, line_number, account_code, account_name, "
            "description, tax_rate, debit, credit, currency_code, reference from finance.journal_lines "
            f"where {in_month.format(column='journal_date')} and journal_status in ('final', 'failed') "
            "order by journal_date, journal_id, line_number",
            [month],
        ),
        "unmatched": wh.query(
            "select payout_id, payout_date, payout_status, balance_transaction_id, type, reason, exception_type, "
            "amount, fee, net, currency_code, transaction_date, associated_order_id, associated_order_name "
            f"from finance.unmatched where {in_month.format(column='payout_date')} "
            "order by payout_date, payout_id, balance_transaction_id",
            [month],
        ),
        "liabilities": wh.query("select * from finance.liabilities where month = ? order by line_type", [month]),
    }


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
def finance_exports(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The payout journals as files for finance: a Xero manual-journal CSV and a generic ledger CSV per
    payout date, and a month-end workbook (payouts, journals, unmatched, liabilities) per month touched,
    under $INTEGRATION_DATA_DIR/exports. Paid and failed payouts only; re-export replaces."""
    dates = dates_of(context)
    root = Path(warehouse.data_dir) / "exports"
    written: dict[str, Any] = {}
    with warehouse.open(read_only=True) as wh:
        for date in dates:
            written[date] = export_date(wh, root, date)
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
            "workbooks": dg.MetadataValue.json([f"finance_{m}.xlsx" for m in months]),
        }
    )


assets = [finance_exports]
