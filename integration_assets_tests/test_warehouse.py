"""The model runner: headers, dependencies parsed from the SQL, each materialization, transactions,
and seeds validation that names file, line and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from integration_assets.location_map import SeedError
from integration_assets.warehouse import ModelError, Warehouse, discover_models

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "dbt_like_sql" / "seeds"


def _models(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "models" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "models"


FILES = {
    "staging/numbers.sql": "-- materialized: view\n-- Numbers one to five.\nselect range as n from range(1, 6)",
    "reconciliation/evens.sql": "-- materialized: table\nselect n from staging.numbers where n % 2 = 0",
    "reconciliation/daily.sql": (
        "-- materialized: table\n-- partitioned_by: date\n"
        "select date '{{ date }}' as date, n, '{{ shop_timezone }}' as tz from reconciliation.evens"
    ),
    "reconciliation/log.sql": (
        "-- materialized: script\n"
        "create table if not exists reconciliation.log (n integer primary key, seen integer);\n"
        "insert into reconciliation.log select n, 1 from reconciliation.evens "
        "on conflict (n) do update set seen = seen + 1"
    ),
}


def test_models_are_ordered_by_what_they_read(tmp_path: Path) -> None:
    models = discover_models(_models(tmp_path, FILES))
    order = [m.relation for m in models]
    assert order.index("staging.numbers") < order.index("reconciliation.evens") < order.index("reconciliation.daily")
    evens = next(m for m in models if m.name == "evens")
    assert evens.tables_read == {"staging.numbers"} and evens.materialized == "table"
    assert next(m for m in models if m.name == "numbers").description == "Numbers one to five."


def test_each_materialization_and_partition_replacement(tmp_path: Path) -> None:
    models = discover_models(_models(tmp_path, FILES))
    variables = {"shop_timezone": "Europe/London", "as_of_date": "2026-11-22"}
    with Warehouse(tmp_path / "w.duckdb") as wh:
        counts = {m.relation: wh.run_model(m, variables, ["2026-11-21", "2026-11-22"]) for m in models}
        assert counts == {
            "staging.numbers": 5,
            "reconciliation.evens": 2,
            "reconciliation.daily": 4,
            "reconciliation.log": 2,
        }
        again = {m.relation: wh.run_model(m, variables, ["2026-11-22"]) for m in models}
        assert again["reconciliation.daily"] == 4  # 2026-11-22 replaced, 2026-11-21 kept
        assert wh.query("select sum(seen) as s from reconciliation.log") == [{"s": 4}]
        assert wh.query("select distinct tz from reconciliation.daily") == [{"tz": "Europe/London"}]


def test_a_failing_model_leaves_the_previous_table(tmp_path: Path) -> None:
    root = _models(tmp_path, FILES)
    models = discover_models(root)
    with Warehouse(tmp_path / "w.duckdb") as wh:
        for m in models:
            wh.run_model(m, {"shop_timezone": "UTC", "as_of_date": "2026-11-22"}, ["2026-11-22"])
        (root / "reconciliation" / "evens.sql").write_text(
            "-- materialized: table\nselect n, no_such_column from staging.numbers"
        )
        broken = next(m for m in discover_models(root) if m.name == "evens")
        with pytest.raises(ModelError, match=r"evens\.sql"):
            wh.run_model(broken, {"as_of_date": "2026-11-22"})
        assert wh.query("select count(*) as c from reconciliation.evens") == [{"c": 2}]


def test_bad_headers_placeholders_and_references_are_named(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="materialized"):
        discover_models(_models(tmp_path / "a", {"staging/x.sql": "select 1"}))
    with pytest.raises(ModelError, match=r"staging\.missing"):
        discover_models(
            _models(tmp_path / "b", {"staging/x.sql": "-- materialized: view\nselect * from staging.missing"})
        )
    (model,) = discover_models(_models(tmp_path / "c", {"staging/x.sql": "-- materialized: view\nselect '{{ nope }}'"}))
    with Warehouse(tmp_path / "w.duckdb") as wh, pytest.raises(ModelError, match="unknown placeholder"):
        wh.run_model(model, {"as_of_date": "2026-11-22"})


def test_seeds_load_typed(tmp_path: Path) -> None:
    with Warehouse(tmp_path / "w.duckdb") as wh:
        counts = wh.load_seeds(SEEDS)
        assert counts["locations"] == 4 and counts["exception_owners"] == 15  # 14 types + payout_unmapped_transaction
        types = dict(wh.column_types("seeds.locations"))
        assert types["shopify_location_id"] == "BIGINT" and types["location_key"] == "VARCHAR"


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        (
            "safety_stock.csv",
            lambda t: t + "leeds,TEE-001-S,many\n",
            r"safety_stock.csv: line \d+: column buffer_units: not a whole number",
        ),
        (
            "safety_stock.csv",
            lambda t: t + "atlantis,TEE-001-S,2\n",
            r"safety_stock.csv: line \d+: column location_key: unknown location 'atlantis'",
        ),
        (
            "locations.csv",
            lambda t: t + t.splitlines()[1] + "\n",
            r"locations.csv: line 6: column location_key: duplicate key",
        ),
        (
            "locations.csv",
            lambda t: t + "popup2," + ",".join(t.splitlines()[1].split(",")[1:]) + "\n",
            r"locations.csv: line 6: column shopify_location_id: duplicate key",
        ),
        ("bundles.csv", lambda t: t.replace("quantity", "qty"), r"bundles.csv: line 1: missing column\(s\) quantity"),
    ],
)
def test_a_bad_seeds_row_names_file_line_and_column(tmp_path: Path, file: str, edit, message: str) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    path = folder / file
    path.write_text(edit(path.read_text()))
    with Warehouse(tmp_path / "w.duckdb") as wh, pytest.raises(SeedError, match=message):
        wh.load_seeds(folder)
