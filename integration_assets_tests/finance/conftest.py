"""The hand-built books, landed into a raw lake and built into a warehouse once per session."""

from __future__ import annotations

import pytest

from integration_assets.assets.sql_models import build_warehouse
from integration_assets.resources import WarehouseResource
from integration_assets.warehouse import MODELS_DIR
from integration_assets_tests.finance.books import BOOK_DATES, acceptance_books


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> WarehouseResource:
    data = tmp_path_factory.mktemp("books") / "data"
    acceptance_books().write(data)
    resource = WarehouseResource(data_dir=str(data), seeds_dir=str(MODELS_DIR / "seeds"), shop_timezone="Europe/London")
    build_warehouse(resource, BOOK_DATES)
    return resource
