"""The hand-built books, landed into a raw lake and built into a warehouse once per session."""

from __future__ import annotations

import pytest

from integration_assets.resources import WarehouseResource
from integration_assets_tests.finance.books import BOOK_DATES, acceptance_books


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> WarehouseResource:
    return acceptance_books().build_warehouse(tmp_path_factory.mktemp("books") / "data", BOOK_DATES)
