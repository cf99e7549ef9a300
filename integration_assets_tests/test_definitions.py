"""The Definitions object loads and, for now, holds no assets: pins the graph as issues add to it."""

from __future__ import annotations

from integration_assets.definitions import defs


def test_definitions_load_and_are_empty_until_extraction_lands() -> None:
    repository = defs.get_repository_def()
    assert list(repository.assets_defs_by_key) == []
    assert repository.schedule_defs == [] and repository.sensor_defs == []
