"""What every simulated API view shares: the world, the limits, the credentials and the clock."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from integration_assets.simulator.corruption import Corruption
from integration_assets.simulator.faults import FaultPlan
from integration_assets.simulator.rate_limits import PLANS, Clock, LeakyBucket, Plan, PointBucket
from integration_assets.simulator.world import World

# ASSUMED (api-notes/shopify-api.md section 0): client-credentials tokens live 24 hours.
CLIENT_CREDENTIALS_TTL_SECONDS = 24 * 3600
# The access scopes the simulated app was granted: what our clients and the usual connectors read.
# A REST route needing another answers 403 as Shopify does (shopify_rest.py).
DEFAULT_SCOPES = (
    "read_orders",
    "read_all_orders",
    "read_inventory",
    "read_locations",
    "read_products",
    "read_shopify_payments_payouts",
    "read_shopify_payments_disputes",
)
MINTSOFT_BURST, MINTSOFT_RATE = 20, 5.0
INVENTORY_PLANNER_BURST, INVENTORY_PLANNER_RATE = 10, 2.0


def derived_secret(seed: int, purpose: str) -> str:
    """A stable per-seed secret, so the same seed always gives the same environment."""
    return hashlib.sha256(f"integration-assets-sim:{seed}:{purpose}".encode()).hexdigest()[:32]


@dataclass
class Credentials:
    """The simulated shop's app credentials (the values /_sim/env hands to clients)."""

    access_token: str
    client_id: str
    client_secret: str
    webhook_secret: str
    mintsoft_username: str
    mintsoft_password: str
    inventory_planner_api_key: str
    inventory_planner_account: str

    @classmethod
    def for_seed(cls, seed: int) -> Credentials:
        return cls(
            access_token="shpat_" + derived_secret(seed, "access-token"),
            client_id=derived_secret(seed, "client-id"),
            client_secret="shpss_" + derived_secret(seed, "client-secret"),
            webhook_secret=derived_secret(seed, "webhook-secret"),
            mintsoft_username="api@northwind-apparel.example",
            mintsoft_password=derived_secret(seed, "mintsoft-password"),
            inventory_planner_api_key=derived_secret(seed, "inventory-planner-key"),
            inventory_planner_account=f"a{1000 + seed % 9000}",
        )


class TokenStore:
    """Static token plus expiring tokens issued by the client-credentials grant."""

    def __init__(self, credentials: Credentials, clock: Clock) -> None:
        self.credentials = credentials
        self._clock = clock
        self._issued: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self, ttl_seconds: int = CLIENT_CREDENTIALS_TTL_SECONDS) -> str:
        token = "shpca_" + secrets.token_hex(16)
        with self._lock:
            self._issued[token] = self._clock() + ttl_seconds
        return token

    def is_valid(self, token: str | None) -> bool:
        if not token:
            return False
        if secrets.compare_digest(token, self.credentials.access_token):
            return True
        with self._lock:
            expiry = self._issued.get(token)
        return expiry is not None and self._clock() < expiry


@dataclass
class SimContext:
    world: World
    plan: Plan
    credentials: Credentials
    clock: Clock = time.monotonic
    api_versions: tuple[str, ...] = ("2025-04", "2025-07", "2025-10", "2026-01", "2026-04")
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    bulk_query_slots: int = 5  # bulk queries a shop may run at once: 5 from 2026-01, 1 before
    bulk_min_run_seconds: float = 0.0  # hold each bulk operation at least this long
    tokens: TokenStore = field(init=False)
    graphql_bucket: PointBucket = field(init=False)
    rest_bucket: LeakyBucket = field(init=False)
    base_url: str = "http://127.0.0.1:8765"
    seeds_dir: Path | None = None  # where this world's operator seeds were written
    ip_drop_dir: Path | None = None  # Inventory Planner's Advanced-CSV intake folder
    faults: FaultPlan | None = None
    faults_injected: Counter[str] = field(default_factory=Counter)
    corruptions: list[Corruption] = field(default_factory=list)
    mintsoft_bucket: LeakyBucket = field(init=False)
    inventory_planner_bucket: LeakyBucket = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = TokenStore(self.credentials, self.clock)
        self.graphql_bucket = PointBucket(self.plan.maximum_available, self.plan.restore_rate, self.clock)
        self.rest_bucket = LeakyBucket(self.plan.rest_bucket_size, self.plan.rest_leak_rate, self.clock)
        # ASSUMED (api-notes/mintsoft-ip-api.md 1.3, 2.1): neither publishes a limit; Cloudflare in front
        # of Mintsoft 429s bursts, IP clients pace about 1 request a second.
        self.mintsoft_bucket = LeakyBucket(MINTSOFT_BURST, MINTSOFT_RATE, self.clock)
        self.inventory_planner_bucket = LeakyBucket(INVENTORY_PLANNER_BURST, INVENTORY_PLANNER_RATE, self.clock)

    @classmethod
    def build(cls, world: World, plan: str = "standard", clock: Clock = time.monotonic) -> SimContext:
        return cls(world=world, plan=PLANS[plan], credentials=Credentials.for_seed(world.seed), clock=clock)
