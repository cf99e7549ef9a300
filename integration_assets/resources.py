"""Resources: every setting comes from the environment, here and nowhere else.

Secrets travel as `dg.EnvVar`, so Dagster resolves them at run time and shows only the variable's
name in the UI, never its value. Which Shopify and Mintsoft credentials are used (a static token or
key, or a grant/login) follows from which variables are set.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from integration_assets.location_map import DEFAULT_SEEDS_DIR, LocationMap, load_location_map
from integration_assets.sources.inventory_planner import InventoryPlannerClient
from integration_assets.sources.mintsoft import MintsoftClient
from integration_assets.sources.sftp import SftpTarget
from integration_assets.sources.shopify import ShopifyClient
from integration_assets.warehouse import Warehouse


class ShopifyResource(dg.ConfigurableResource):
    """Shopify Admin GraphQL: a static access token, or the client-credentials grant."""

    shop_url: str
    api_version: str = "2026-01"
    access_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    bulk_after_days: int = 7
    bulk_after_orders: int = 1000

    def client(self) -> ShopifyClient:
        return ShopifyClient(
            self.shop_url,
            self.api_version,
            access_token=self.access_token,
            client_id=self.client_id,
            client_secret=self.client_secret,
            bulk_after_days=self.bulk_after_days,
            bulk_after_orders=self.bulk_after_orders,
        )


class MintsoftResource(dg.ConfigurableResource):
    """Mintsoft REST: username and password (the key is renewed every 24 hours) or a fixed key."""

    base_url: str
    username: str | None = None
    password: str | None = None
    api_key: str | None = None
    timezone: str = "Europe/London"
    # Orders and returns read from the first date not yet landed complete (assets/incremental.py);
    # false re-reads whole ranges (a repair after Mintsoft data was fixed in place).
    incremental: bool = True

    def client(self) -> MintsoftClient:
        return MintsoftClient(self.base_url, self.username, self.password, self.api_key, timezone=self.timezone)


class InventoryPlannerResource(dg.ConfigurableResource):
    """Inventory Planner REST (warehouses and variants; sales history goes as files)."""

    base_url: str
    api_key: str
    account: str
    requests_per_second: float = 2.0  # unpublished limit; clients pace about this

    def client(self) -> InventoryPlannerClient:
        return InventoryPlannerClient(
            self.base_url,
            self.api_key,
            self.account,
            rate_per_second=self.requests_per_second,
            burst=max(1, int(self.requests_per_second * 2)),
        )


class InventoryPlannerFilesResource(dg.ConfigurableResource):
    """Where the sales-history files go: every batch is written under data_dir/exports/inventory_planner/,
    then delivered over SFTP when the INVENTORY_PLANNER_SFTP_* settings are given (the Advanced CSV
    connector's server), else copied into a drop folder (the simulator's IP intake), else kept locally."""

    data_dir: str = "data"
    shop_timezone: str = "Europe/London"
    drop_dir: str | None = None
    sftp_host: str | None = None
    sftp_port: int = 22
    sftp_user: str | None = None
    sftp_password: str | None = None
    sftp_path: str = "."
    sftp_known_hosts: str | None = None  # a known_hosts file holding the server's key; default ~/.ssh/known_hosts

    @property
    def exports_dir(self) -> Path:
        return Path(self.data_dir).resolve() / "exports" / "inventory_planner"

    def sftp_target(self) -> SftpTarget | None:
        """The SFTP server, when configured; a half-configured one is an error naming what is missing."""
        settings = {
            "INVENTORY_PLANNER_SFTP_HOST": self.sftp_host,
            "INVENTORY_PLANNER_SFTP_USER": self.sftp_user,
            "INVENTORY_PLANNER_SFTP_PASSWORD": self.sftp_password,
        }
        if not any(settings.values()):
            return None
        missing = [name for name, value in settings.items() if not value]
        if missing:
            raise ValueError(f"SFTP delivery to Inventory Planner is half configured: set {', '.join(missing)}")
        return SftpTarget(
            host=str(self.sftp_host),
            port=self.sftp_port,
            username=str(self.sftp_user),
            password=str(self.sftp_password),
            path=self.sftp_path,
            known_hosts=self.sftp_known_hosts,
        )


class LakeResource(dg.ConfigurableResource):
    """Where raw data lands, the operator's seeds, and how much bad input a sync tolerates."""

    data_dir: str = "data"
    seeds_dir: str = str(DEFAULT_SEEDS_DIR)
    max_rejected_share: float = 0.05  # a sync fails when more than this share of records is quarantined
    sync_max_age_hours: float = 26.0  # the sync_freshness checks warn past this age (a daily sync plus slack)

    @property
    def root(self) -> Path:
        return Path(self.data_dir).resolve()

    def location_map(self) -> LocationMap:
        return load_location_map(Path(self.seeds_dir))


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file and what the models need to know about the shop and the lake."""

    data_dir: str = "data"
    seeds_dir: str = str(DEFAULT_SEEDS_DIR)
    shop_timezone: str = "Europe/London"
    despatch_window_hours: int = 4  # despatched but unfulfilled longer than this is an exception
    # The stock_parity check warns on any drift and turns ERROR when drift passes either bound.
    parity_max_drift_rows: int = 25
    parity_max_drift_units: int = 250
    # DuckDB takes 80% of the machine's memory by default; a bound makes big joins spill to disk instead.
    memory_limit: str | None = None
    threads: int | None = None

    @property
    def path(self) -> Path:
        return Path(self.data_dir).resolve() / "warehouse.duckdb"

    @property
    def lake_root(self) -> Path:
        return Path(self.data_dir).resolve() / "lake"

    def open(self, read_only: bool = False) -> Warehouse:
        return Warehouse(self.path, read_only=read_only, memory_limit=self.memory_limit, threads=self.threads)

    def variables(self, as_of_date: str) -> dict[str, str]:
        """Placeholder values for the models: the as-of time is the end of the last date in shop
        time, or now if that is earlier (DESIGN.md "As-of time")."""
        zone = ZoneInfo(self.shop_timezone)
        day_end = dt.datetime.combine(dt.date.fromisoformat(as_of_date) + dt.timedelta(days=1), dt.time(0), zone)
        now = dt.datetime.now(dt.UTC)
        as_of = min(day_end.astimezone(dt.UTC), now)
        return {
            "lake": str(self.lake_root),
            "as_of_date": as_of_date,
            "as_of": as_of.isoformat(),
            "run_started_at": now.isoformat(),
            "shop_timezone": self.shop_timezone,
            "despatch_window_hours": str(self.despatch_window_hours),
        }


class FinanceFilesResource(dg.ConfigurableResource):
    """How the finance files are laid out where the ledger's own import decides: QuickBooks Online
    reads the Journal Date in the company's regional format (US: 03/31/2026; UK and AU: 31/03/2026)."""

    quickbooks_date_format: str = "%m/%d/%Y"


class WebhooksResource(dg.ConfigurableResource):
    """The webhook landing folder and how deliveries in it are judged.

    Both secrets verify during a rotation (Shopify signs with the old one for up to an hour). A file
    is ingested once untouched for `settle_seconds`; a writer's temp file once abandoned for
    `stale_temp_seconds`; anything over `max_bytes` is quarantined unread.
    """

    data_dir: str = "data"
    secret: str | None = None
    previous_secret: str | None = None
    max_bytes: int = 2 * 1024 * 1024
    settle_seconds: float = 5.0
    stale_temp_seconds: float = 3600.0

    @property
    def landing(self) -> Path:
        from integration_assets.webhooks.landing import landing_dir

        return landing_dir(Path(self.data_dir).resolve())

    @property
    def secrets(self) -> list[str]:
        return [s for s in (self.secret, self.previous_secret) if s]


def _env(name: str) -> dg.EnvVar | None:
    """An EnvVar when the variable is set, so optional credentials stay unset otherwise."""
    return dg.EnvVar(name) if os.environ.get(name) else None


def build_resources() -> dict[str, dg.ConfigurableResource]:
    return {
        "shopify": ShopifyResource(
            shop_url=dg.EnvVar("SHOPIFY_SHOP_URL"),
            api_version=os.environ.get("SHOPIFY_API_VERSION", "2026-01"),
            access_token=_env("SHOPIFY_ACCESS_TOKEN"),
            client_id=_env("SHOPIFY_CLIENT_ID"),
            client_secret=_env("SHOPIFY_CLIENT_SECRET"),
            bulk_after_days=int(os.environ.get("SHOPIFY_BULK_AFTER_DAYS", "7")),
            bulk_after_orders=int(os.environ.get("SHOPIFY_BULK_AFTER_ORDERS", "1000")),
        ),
        "mintsoft": MintsoftResource(
            base_url=dg.EnvVar("MINTSOFT_BASE_URL"),
            username=_env("MINTSOFT_USERNAME"),
            password=_env("MINTSOFT_PASSWORD"),
            api_key=_env("MINTSOFT_API_KEY"),
            timezone=os.environ.get("SHOP_TIMEZONE", "Europe/London"),
            requests_per_second=float(os.environ.get("MINTSOFT_REQUESTS_PER_SECOND", "4")),
            incremental=os.environ.get("MINTSOFT_INCREMENTAL", "true").strip().lower() not in ("false", "0", "no"),
        ),
        "inventory_planner": InventoryPlannerResource(
            base_url=dg.EnvVar("INVENTORY_PLANNER_BASE_URL"),
            api_key=dg.EnvVar("INVENTORY_PLANNER_API_KEY"),
            account=dg.EnvVar("INVENTORY_PLANNER_ACCOUNT"),
            requests_per_second=float(os.environ.get("INVENTORY_PLANNER_REQUESTS_PER_SECOND", "2")),
        ),
        "warehouse": WarehouseResource(
            data_dir=os.environ.get("INTEGRATION_DATA_DIR", "data"),
            seeds_dir=os.environ.get("INTEGRATION_SEEDS_DIR") or str(DEFAULT_SEEDS_DIR),
            shop_timezone=os.environ.get("SHOP_TIMEZONE", "Europe/London"),
            despatch_window_hours=int(os.environ.get("DESPATCH_WINDOW_HOURS", "4")),
            parity_max_drift_rows=int(os.environ.get("PARITY_MAX_DRIFT_ROWS", "25")),
            memory_limit=os.environ.get("DUCKDB_MEMORY_LIMIT") or None,
            threads=int(os.environ["DUCKDB_THREADS"]) if os.environ.get("DUCKDB_THREADS") else None,
            parity_max_drift_units=int(os.environ.get("PARITY_MAX_DRIFT_UNITS", "250")),
        ),
        "finance_files": FinanceFilesResource(
            quickbooks_date_format=os.environ.get("QUICKBOOKS_DATE_FORMAT") or "%m/%d/%Y",
        ),
        "webhooks": WebhooksResource(
            data_dir=os.environ.get("INTEGRATION_DATA_DIR", "data"),
            secret=_env("SHOPIFY_WEBHOOK_SECRET"),
            previous_secret=_env("SHOPIFY_WEBHOOK_SECRET_PREVIOUS"),
            max_bytes=int(os.environ.get("WEBHOOK_MAX_BYTES", str(2 * 1024 * 1024))),
            settle_seconds=float(os.environ.get("WEBHOOK_SETTLE_SECONDS", "5")),
        ),
        "inventory_planner_files": InventoryPlannerFilesResource(
            data_dir=os.environ.get("INTEGRATION_DATA_DIR", "data"),
            shop_timezone=os.environ.get("SHOP_TIMEZONE", "Europe/London"),
            drop_dir=os.environ.get("INVENTORY_PLANNER_DROP_DIR") or None,
            sftp_host=os.environ.get("INVENTORY_PLANNER_SFTP_HOST") or None,
            sftp_port=int(os.environ.get("INVENTORY_PLANNER_SFTP_PORT") or "22"),
            sftp_user=os.environ.get("INVENTORY_PLANNER_SFTP_USER") or None,
            sftp_password=_env("INVENTORY_PLANNER_SFTP_PASSWORD"),
            sftp_path=os.environ.get("INVENTORY_PLANNER_SFTP_PATH") or ".",
            sftp_known_hosts=os.environ.get("INVENTORY_PLANNER_SFTP_KNOWN_HOSTS") or None,
        ),
        "lake": LakeResource(
            data_dir=os.environ.get("INTEGRATION_DATA_DIR", "data"),
            seeds_dir=os.environ.get("INTEGRATION_SEEDS_DIR") or str(DEFAULT_SEEDS_DIR),
            sync_max_age_hours=float(os.environ.get("SYNC_MAX_AGE_HOURS", "26")),
        ),
    }
