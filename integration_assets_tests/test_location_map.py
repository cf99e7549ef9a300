"""The location map the partitions are built from refuses a map that would count a location twice."""

import shutil
from pathlib import Path

import pytest

from integration_assets.location_map import DEFAULT_SEEDS_DIR, SeedError, load_location_map


def test_the_demo_map_loads_with_its_shopify_ids() -> None:
    locations = load_location_map(DEFAULT_SEEDS_DIR).locations
    assert [loc.key for loc in locations][:2] == ["northampton", "leeds"]
    assert locations[0].shopify_location_id == 71234560001 and locations[0].mintsoft_warehouse_id == 1


@pytest.mark.parametrize(
    ("extra_row", "message"),
    [
        ("leeds,Leeds again,warehouse,71234560099,9,", r"line 3: column location_key: duplicate key 'leeds'"),
        ("popup2,Second pop-up,store,71234560001,,", r"line 2: column shopify_location_id: duplicate key 71234560001"),
    ],
)
def test_a_key_or_shopify_location_mapped_twice_is_refused(tmp_path: Path, extra_row: str, message: str) -> None:
    shutil.copytree(DEFAULT_SEEDS_DIR, tmp_path / "seeds")
    path = tmp_path / "seeds" / "locations.csv"
    path.write_text(path.read_text() + extra_row + "\n")
    with pytest.raises(SeedError, match=message):
        load_location_map(tmp_path / "seeds")
