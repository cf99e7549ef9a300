"""The dbt_like_sql models and the operator's seeds as Dagster assets.

One asset per `.sql` file (key `[schema, table]`, group = schema) and one per seeds file
(`[seeds, name]`); dependencies come from what each file reads. Every asset here opens the DuckDB
file, so all run in the pool `duckdb` (limit 1 in every dagster.yaml): parallel runs queue instead
of failing on DuckDB's single-writer lock. They are daily-partitioned like their sources: views and
full tables are rebuilt whole whatever the range, date-partitioned tables replace exactly their dates.
"""

from collections.abc import Mapping
from pathlib import Path

import dagster as dg

from integration_assets.assets.lake_catalog import lake_schemas, producer_of
from integration_assets.assets.landing import markdown_preview
from integration_assets.partitions import daily_partitions, dates_of
from integration_assets.resources import WarehouseResource
from integration_assets.seed_files import SEEDS
from integration_assets.warehouse import SqlModel, Warehouse, discover_models, ensure_lake_tables

POOL = "duckdb"
OWNERS = {
    "staging": ["team:data-engineering"],
    "reconciliation": ["team:data-engineering"],
    "finance": ["team:finance"],
}


def _table_metadata(warehouse: Warehouse, relation: str, rows: int, described: Mapping[str, str] | None = None) -> dict:
    columns = warehouse.column_types(relation)
    preview = warehouse.query(f"select * from {relation} limit 5")
    described = described or {}
    schema = dg.TableSchema(
        columns=[dg.TableColumn(name, kind, description=described.get(name)) for name, kind in columns]
    )
    return {
        "rows": rows,
        "dagster/row_count": rows,
        "dagster/column_schema": schema,
        **({"preview": dg.MetadataValue.md(markdown_preview(preview))} if preview else {}),
    }


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["seeds", spec.name],
            group_name="seeds",
            owners=["team:operations"],
            kinds={"csv", "duckdb"},
            description=(
                f"The operator's {spec.name}.csv (INTEGRATION_SEEDS_DIR), validated and loaded as seeds.{spec.name}."
            ),
            partitions_def=daily_partitions,
        )
        for spec in SEEDS
    ],
    pool=POOL,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    name="seeds",
)
def seeds(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Load every seeds file; a bad row stops here with file, line and column."""
    with warehouse.open() as wh:
        counts = wh.load_seeds(Path(warehouse.seeds_dir))
        for spec in SEEDS:
            yield dg.MaterializeResult(
                asset_key=["seeds", spec.name], metadata=_table_metadata(wh, f"seeds.{spec.name}", counts[spec.name])
            )


def model_asset(model: SqlModel) -> dg.AssetsDefinition:
    deps = sorted(
        {dg.AssetKey(relation.split(".")) for relation in model.tables_read}
        | {producer_of(source, entity) for source, entity in model.lake_read},
        key=lambda k: k.to_user_string(),
    )

    @dg.asset(
        key=[model.schema, model.name],
        deps=deps,
        group_name=model.schema,
        owners=OWNERS.get(model.schema, ["team:data-engineering"]),
        kinds={"duckdb", "sql"},
        description=model.description,
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=POOL,
    )
    def build(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        dates = dates_of(context)
        ensure_lake_tables(warehouse.lake_root, lake_schemas(), model.lake_read)
        with warehouse.open() as wh:
            rows = wh.run_model(model, warehouse.variables(dates[-1]), dates)
            metadata = _table_metadata(wh, model.relation, rows, model.columns)
        return dg.MaterializeResult(
            metadata={
                **metadata,
                "materialized": model.materialized,
                "file": str(model.path.name),
                "sql_seconds": dg.MetadataValue.float(round(wh.sql_seconds, 4)),
            }
        )

    return build


MODELS = discover_models()
assets = [seeds, *(model_asset(m) for m in MODELS)]


def build_warehouse(
    warehouse: WarehouseResource, dates: list[str], models: list[SqlModel] | None = None
) -> dict[str, int]:
    """Seeds, then every model in dependency order, outside Dagster (tests, notebooks): rows per relation."""
    models = models if models is not None else discover_models()
    variables = warehouse.variables(dates[-1])
    ensure_lake_tables(warehouse.lake_root, lake_schemas(), {ref for m in models for ref in m.lake_read})
    with warehouse.open() as wh:
        counts = {f"seeds.{name}": n for name, n in wh.load_seeds(Path(warehouse.seeds_dir)).items()}
        for model in models:
            counts[model.relation] = wh.run_model(model, variables, dates)
    return counts
