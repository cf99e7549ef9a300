"""The `integration-assets` command: simulate, demo, dev, run, webhooks, bench."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from integration_assets.simulator.merchant import DEFAULT_START_DATE, default_size
from integration_assets.simulator.rate_limits import PLANS
from integration_assets.simulator.world import WorldSize


def _data_dir() -> Path:
    return Path(os.environ.get("INTEGRATION_DATA_DIR", "data")).resolve()


def _add_world_arguments(parser: argparse.ArgumentParser) -> None:
    size = default_size()
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--start-date", type=dt.date.fromisoformat, default=DEFAULT_START_DATE)
    parser.add_argument("--days", type=int, default=size.days)
    parser.add_argument("--orders-per-day", type=int, default=size.orders_per_day)
    parser.add_argument("--skus", type=int, default=size.skus)
    parser.add_argument("--locations", type=int, default=size.locations)
    parser.add_argument("--plan", choices=sorted(PLANS), default="standard")
    parser.add_argument(
        "--seeds-dir",
        type=Path,
        default=None,
        help="where to write this world's operator seeds (default: $INTEGRATION_DATA_DIR/sim-seeds/seed-N)",
    )


def _size(args: argparse.Namespace) -> WorldSize:
    return WorldSize(args.start_date, args.days, args.orders_per_day, args.skus, args.locations)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="integration-assets", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    simulate = commands.add_parser("simulate", help="serve the simulated Shopify API for a seeded demo merchant")
    simulate.add_argument("--host", default="127.0.0.1")
    simulate.add_argument("--port", type=int, default=8765)
    _add_world_arguments(simulate)
    simulate.add_argument(
        "--faults",
        default=None,
        help="per-request fault rates, e.g. 429=0.05,500=0.02,timeout=0.01,truncate=0.01; "
        "bulk_start_lost=N loses the replies of the first N Shopify bulk-query starts",
    )
    simulate.add_argument("--fault-timeout-seconds", type=float, default=30.0, help="how long a timeout fault holds")
    simulate.add_argument("--ip-drop", type=Path, default=None, help="Inventory Planner's file intake folder")
    simulate.add_argument(
        "--emit-webhooks", type=Path, default=None, help="write the days' signed webhook deliveries here"
    )
    simulate.add_argument("--webhook-secret", default=None, help="the app secret webhooks are signed with")
    simulate.add_argument(
        "--corrupt", action="append", default=[], help="make a record's field bad in API responses: ID:FIELD=VALUE"
    )
    demo = commands.add_parser("demo", help="simulate in-process, tour every API, then run the main job on it")
    _add_world_arguments(demo)
    dev = commands.add_parser("dev", help="the Dagster UI (dagster dev) on a simulated merchant served in-process")
    _add_world_arguments(dev)
    dev.add_argument("--port", type=int, default=3000, help="the UI's port")
    run = commands.add_parser("run", help="run the main job against whatever the environment points at")
    run.add_argument("--start-date", type=dt.date.fromisoformat, required=True)
    run.add_argument("--end-date", type=dt.date.fromisoformat, required=True)
    run.add_argument("--locations", default=None, help="comma-separated location keys (default: all in locations.csv)")
    webhooks = commands.add_parser("webhooks", help="Shopify webhooks")
    webhook_commands = webhooks.add_subparsers(dest="webhooks_command", required=True)
    serve = webhook_commands.add_parser(
        "serve", help="the signed webhook receiver: verifies each delivery and lands it in landing/shopify/"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8766)
    bench = commands.add_parser(
        "bench", help="models and checks (or, with --ingest, extraction) at a merchant's peak size, against the floor"
    )
    bench.add_argument("--orders-per-day", type=int, default=100_000)
    bench.add_argument("--locations", type=int, default=6)
    bench.add_argument("--skus", type=int, default=20_000)
    bench.add_argument("--days", type=int, default=1)
    bench.add_argument("--seed", type=int, default=7)
    bench.add_argument("--json", action="store_true", help="print only the JSON report")
    bench.add_argument("--ingest", action="store_true", help="measure Shopify extraction against the point bucket")
    bench.add_argument(
        "--recovery", action="store_true", help="SIGKILL a 30-day backfill 3 times, resume it, compare with a clean run"
    )
    bench.add_argument("--work-dir", type=Path, default=None, help="keep the lake and warehouse here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "simulate":
            from integration_assets.simulator.launch import SimOptions, simulate

            options = SimOptions(
                seed=args.seed,
                size=_size(args),
                plan=args.plan,
                seeds_dir=args.seeds_dir or _default_seeds(args),
                ip_drop_dir=args.ip_drop or _data_dir() / "ip-drop",
                faults=args.faults,
                fault_timeout_seconds=args.fault_timeout_seconds,
                emit_webhooks=args.emit_webhooks,
                webhook_secret=args.webhook_secret,
                corrupt=tuple(args.corrupt),
            )
            simulate(options, args.host, args.port)
            return 0
        if args.command == "run":
            from integration_assets.main_run import main_job_command

            locations = [k.strip() for k in args.locations.split(",") if k.strip()] if args.locations else None
            return main_job_command(args.start_date, args.end_date, locations, _data_dir())
        if args.command == "webhooks":
            from integration_assets.webhooks.receiver import serve_receiver, settings_from_env

            serve_receiver(settings_from_env(_data_dir()), args.host, args.port)
            return 0
        if args.command == "dev":
            from integration_assets.dev import run_dev
            from integration_assets.simulator.launch import SimOptions

            options = SimOptions(
                seed=args.seed,
                size=_size(args),
                plan=args.plan,
                seeds_dir=args.seeds_dir or _default_seeds(args),
                ip_drop_dir=_data_dir() / "ip-drop",
            )
            return run_dev(options, _data_dir(), args.port)
        if args.command == "demo":
            from integration_assets.demo import run_demo
            from integration_assets.simulator.launch import SimOptions
            from integration_assets.webhooks.landing import landing_dir

            options = SimOptions(
                seed=args.seed,
                size=_size(args),
                plan=args.plan,
                seeds_dir=args.seeds_dir or _default_seeds(args),
                ip_drop_dir=_data_dir() / "ip-drop",
                emit_webhooks=landing_dir(_data_dir()),  # the main job ingests the days' deliveries
            )
            return run_demo(options, _data_dir())
        if args.command == "bench":
            from integration_assets.bench.command import bench_command

            return bench_command(args)
    except ValueError as exc:
        print(f"integration-assets: {exc}", file=sys.stderr)
        return 2
    return 1


def _default_seeds(args: argparse.Namespace) -> Path:
    return _data_dir() / "sim-seeds" / f"seed-{args.seed}"


if __name__ == "__main__":
    sys.exit(main())
