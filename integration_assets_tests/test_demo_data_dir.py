"""The demo's data folder holds one simulated world: a second world into the same folder would meet
the first one's picking copies and stock and report disagreements no system has."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from integration_assets.demo_data_dir import MARKER, claim_for_world, world_key
from integration_assets.simulator.launch import SimOptions
from integration_assets.simulator.merchant import small_size

SEVEN = SimOptions(seed=7, size=small_size())


def _synced(data_dir: Path) -> None:
    (data_dir / "lake" / "shopify").mkdir(parents=True)
    (data_dir / "lake" / "shopify" / "part-0.parquet").write_bytes(b"world seven")
    (data_dir / "warehouse.duckdb").write_bytes(b"seven's warehouse")


def test_the_world_key_is_what_decides_the_records() -> None:
    key = world_key(SEVEN)
    assert key["seed"] == 7 and key["size"]["days"] == 2 and key["size"]["start_date"] == "2026-11-20"
    assert len(key["simulator"]) == 12
    assert world_key(replace(SEVEN, faults="429=0.1")) == key  # faults delay records, never change them
    assert world_key(replace(SEVEN, seed=11)) != key
    assert world_key(replace(SEVEN, size=small_size(days=3))) != key
    assert world_key(replace(SEVEN, corrupt=("orders",))) != key


def test_the_same_world_keeps_its_folder(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert claim_for_world(data_dir, world_key(SEVEN)) is None  # a new folder
    assert json.loads((data_dir / MARKER).read_text()) == world_key(SEVEN)
    _synced(data_dir)
    assert claim_for_world(data_dir, world_key(SEVEN)) is None
    assert (data_dir / "warehouse.duckdb").read_bytes() == b"seven's warehouse"
    assert [p.name for p in tmp_path.iterdir()] == ["data"]


def test_another_world_moves_the_earlier_data_aside_whole(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    claim_for_world(data_dir, world_key(SEVEN))
    _synced(data_dir)
    eleven = world_key(replace(SEVEN, seed=11))
    moved = claim_for_world(data_dir, eleven)
    assert moved is not None and moved.parent == tmp_path and moved.name.startswith("data.world-")
    assert (moved / "lake" / "shopify" / "part-0.parquet").read_bytes() == b"world seven"
    assert json.loads((moved / MARKER).read_text())["seed"] == 7
    assert sorted(p.name for p in data_dir.iterdir()) == [MARKER]
    assert json.loads((data_dir / MARKER).read_text()) == eleven


def test_a_folder_from_before_worlds_were_recorded_is_moved_aside(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    _synced(data_dir)
    moved = claim_for_world(data_dir, world_key(SEVEN))
    assert moved is not None and (moved / "warehouse.duckdb").exists()
    assert sorted(p.name for p in data_dir.iterdir()) == [MARKER]
