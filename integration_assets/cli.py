"""The `integration-assets` command: simulate, demo (and, as issues land, run, webhooks, bench)."""

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
    demo = commands.add_parser("demo", help="simulate in-process and tour every entity over HTTP")
    _add_world_arguments(demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "simulate":
            from integration_assets.simulator.launch import simulate

            simulate(
                args.seed,
                _size(args),
                args.plan,
                args.host,
                args.port,
                args.seeds_dir or _default_seeds(args),
            )
            return 0
        if args.command == "demo":
            from integration_assets.demo import run_demo

            return run_demo(args.seed, _size(args), args.plan, args.seeds_dir or _default_seeds(args))
    except ValueError as exc:
        print(f"integration-assets: {exc}", file=sys.stderr)
        return 2
    return 1


def _default_seeds(args: argparse.Namespace) -> Path:
    return _data_dir() / "sim-seeds" / f"seed-{args.seed}"


if __name__ == "__main__":
    sys.exit(main())
