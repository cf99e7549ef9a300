"""Inventory Planner's records as typed models (api-notes/mintsoft-ip-api.md section 2).

Field names are IP's own snake_case. Unknown fields are ignored (IP has "over 200 metrics"), and
every field but `id` is optional because `fields=` selects a subset (a bare `warehouse` gives only
the warehouse-id stubs). Units and day counts are strict ints; money and rates are `Decimal` from
JSON numbers only; flags are strict bools. A wrong type is rejected with the variant's id and the
field's path (e.g. `warehouse.0.in_stock`).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from integration_assets.sources.decimals import JsonDecimal


class InventoryPlannerModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Warehouse(InventoryPlannerModel):
    """`GET api/v1/warehouses` (ASSUMED endpoint and shape, notes 2.3). Ids look like `c955_330498075`."""

    id: StrictStr
    name: StrictStr | None = None
    display_name: StrictStr | None = None
    disabled: StrictBool | None = None
    connection: StrictStr | None = None
    currency: StrictStr | None = None
    type: StrictStr | None = None


class Vendor(InventoryPlannerModel):
    vendor: StrictStr | None = None
    cost_price: JsonDecimal | None = None
    cost_price_currency: StrictStr | None = None
    landing_cost_price: JsonDecimal | None = None


class Connection(InventoryPlannerModel):
    """A platform listing of the variant; `connections[0].sku` is the canonical SKU by IP convention."""

    sku: StrictStr | None = None
    removed: StrictBool | None = None
    vendors: list[Vendor] = Field(default_factory=list)


class Merged(InventoryPlannerModel):
    """A "combine sales/stock" link to another variant."""

    id: StrictStr | None = None
    sku: StrictStr | None = None
    percent: JsonDecimal | None = None
    source: StrictStr | None = None
    title: StrictStr | None = None
    barcode: StrictStr | None = None


class ForecastDescription(InventoryPlannerModel):
    method: StrictStr | None = None
    sales_velocity1: JsonDecimal | None = None
    sales_velocity30: JsonDecimal | None = None
    total_days_oos: StrictInt | None = None


class WarehouseMetrics(InventoryPlannerModel):
    """One entry of a variant's `warehouse[]`: IP's metrics are per warehouse.

    `in_stock` (on hand) and `in_transit` are ASSUMED names (notes 2.2).
    """

    warehouse: StrictStr
    in_stock: StrictInt | None = None
    in_transit: StrictInt | None = None
    lead_time: StrictInt | None = None
    avg_lead_time: StrictInt | None = None
    review_period: StrictInt | None = None
    minimum_stock: StrictInt | None = None
    last_7_days_sales: StrictInt | None = None
    last_30_days_sales: StrictInt | None = None
    last_90_days_sales: StrictInt | None = None
    cur_sales: JsonDecimal | None = None
    forecast_description: ForecastDescription | None = None
    oos: StrictInt | None = None  # forecasted days to sell out; None without sales
    replenishment: StrictInt | None = None
    replenish_date: dt.date | None = None
    to_order: StrictInt | None = None
    to_order_cost: JsonDecimal | None = None
    regular_price: JsonDecimal | None = None
    cost_price: JsonDecimal | None = None
    landing_cost_price: JsonDecimal | None = None


class Variant(InventoryPlannerModel):
    """`GET api/v1/variants`: id, SKU, listings, and per-warehouse metrics in `warehouse[]`."""

    id: StrictStr
    sku: StrictStr | None = None
    title: StrictStr | None = None
    barcode: StrictStr | None = None
    tags: list[StrictStr] | None = None
    connections: list[Connection] | None = None
    merged: list[Merged] | None = None
    regular_price: JsonDecimal | None = None
    cost_price: JsonDecimal | None = None
    # Variant-level figures: IP's totals over the warehouses.
    in_stock: StrictInt | None = None
    last_7_days_sales: StrictInt | None = None
    last_30_days_sales: StrictInt | None = None
    replenishment: StrictInt | None = None
    to_order: StrictInt | None = None
    warehouse: list[WarehouseMetrics] | None = None

    def metrics_for(self, warehouse_id: str) -> WarehouseMetrics | None:
        return next((w for w in self.warehouse or [] if w.warehouse == warehouse_id), None)


__all__ = [
    "Connection",
    "ForecastDescription",
    "Merged",
    "Variant",
    "Vendor",
    "Warehouse",
    "WarehouseMetrics",
]
