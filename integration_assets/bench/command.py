"""`integration-assets bench`: run the model bench or the ingest bench and print the report."""

from __future__ import annotations

import argparse
import json
from typing import Any

from integration_assets.bench.run import BenchParams, clean, run_bench


def bench_command(args: argparse.Namespace) -> int:
    if args.orders_per_day < 10 or args.days < 1 or args.skus < 1 or args.locations < 1:
        raise ValueError("bench needs --orders-per-day >= 10 and --days, --skus, --locations >= 1")
    if args.ingest:
        from integration_assets.bench.ingest import measure_ingest

        report: dict[str, Any] = {"ingest": measure_ingest(seed=args.seed)}
    elif args.recovery:
        from integration_assets.bench.recovery import measure_recovery

        recovery = measure_recovery(seed=args.seed, workdir=args.work_dir)
        report = {"recovery": recovery, "success": bool(recovery["identical"])}
    else:
        params = BenchParams(args.orders_per_day, args.locations, args.skus, args.days, args.seed)
        report = run_bench(params, work_dir=args.work_dir)
        if args.work_dir is None:
            clean(report)
    print(json.dumps(report, indent=2, sort_keys=True) if args.json else render(report))
    return 0 if report.get("success", True) else 1


def render(report: dict[str, Any]) -> str:
    """A short human reading of the report; --json prints all of it."""
    if "recovery" in report:
        return json.dumps(report, indent=2, sort_keys=True, default=str)
    if "ingest" in report:
        ingest = report["ingest"]
        return (
            f"Ingest: {ingest['points_per_second']:.0f} points/s of {ingest['restore_rate']:.0f} restored "
            f"({ingest['points_per_second'] / ingest['restore_rate']:.0%}), THROTTLED share "
            f"{ingest['throttled_share']:.2%}\n{json.dumps(ingest, indent=2, sort_keys=True)}"
        )
    params = report["params"]
    lines = [
        f"Bench: {params['orders_per_day']:,} orders/day x {params['days']} day(s), {params['skus_generated']:,} SKUs, "
        f"{params['locations']} locations ({params['first_date']}..{params['last_date']})",
        f"  warehouse_rebuild end to end: {report['total_seconds']:.1f} s; SQL {report['sql_seconds']:.1f} s = "
        f"{report['sql_ratio_to_floor']}x the floor ({report['floor_seconds']:.2f} s to scan the raw lake once)",
        f"  peak RSS of the process tree: {report['peak_rss_mb']:.0f} MB; checks {report['checks']}",
        "  stages (s): " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in report["stages"].items()),
    ]
    return "\n".join(lines)
