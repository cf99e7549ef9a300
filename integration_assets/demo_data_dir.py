"""The data folder of `make demo` and `make dev` holds one simulated world.

The lake, the warehouse, the exceptions' history and the Dagster instance under the data folder all
describe the world they were synced from. Run a second world into the same folder (another seed or
size, or the same seed after an upgrade changed what the simulator makes) and its orders meet the
first world's picking copies and stock, and the exceptions report disagreements no system has. So the
folder records its world in `world.json`; a different world finds the earlier data moved aside,
whole, to a sibling folder, and starts clean.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from integration_assets.code_fingerprint import package_fingerprint
from integration_assets.simulator.launch import SimOptions

MARKER = "world.json"
WORLD_CODE = ("simulator",)  # what the world's records are generated and served by


def world_key(options: SimOptions) -> dict[str, Any]:
    """What decides the records a simulated world serves: seed, size, plan, the corruptions injected
    and the simulator's code (faults only delay them, so they are left out)."""
    size = dataclasses.asdict(options.size)
    return {
        "seed": options.seed,
        "size": {name: value.isoformat() if isinstance(value, dt.date) else value for name, value in size.items()},
        "plan": options.plan,
        "corrupt": sorted(options.corrupt),
        "simulator": package_fingerprint(WORLD_CODE),
    }


def claim_for_world(data_dir: Path, key: dict[str, Any]) -> Path | None:
    """Make `data_dir` the folder of the world `key`. Data of another world, or of none recorded, is
    renamed to a sibling (`<name>.world-<UTC time>`), never deleted; returns where it went."""
    marker = data_dir / MARKER
    moved = None
    if _recorded(marker) != key and data_dir.exists() and any(data_dir.iterdir()):
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        moved = data_dir.with_name(f"{data_dir.name}.world-{stamp}")
        data_dir.rename(moved)
    data_dir.mkdir(parents=True, exist_ok=True)
    if not marker.exists():
        staging = marker.with_name(f".{MARKER}.{os.getpid()}")
        staging.write_text(json.dumps(key, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        staging.replace(marker)
    return moved


def _recorded(marker: Path) -> dict[str, Any] | None:
    try:
        return json.loads(marker.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def announce_claim(data_dir: Path, options: SimOptions) -> None:
    """`claim_for_world` for the commands that run a simulated world into a data folder, saying where
    an earlier world's data went."""
    moved = claim_for_world(data_dir, world_key(options))
    if moved is not None:
        print(f"{data_dir} held another simulated world (or one from an earlier version): moved to {moved}")
