"""The checks' questions to the warehouse: one SQL file each in `dbt_like_sql/checks/`, with named
parameters (`$date`, ...), so the SQL lives beside the models it reads rather than in Python strings."""

from typing import Any

from integration_assets.warehouse import Warehouse


def check_rows(wh: Warehouse, name: str, **parameters: Any) -> list[dict[str, Any]]:
    """The rows of `dbt_like_sql/checks/<name>.sql`, timed into the warehouse's `sql_seconds`."""
    return wh.query_named(f"checks/{name}", **parameters)
