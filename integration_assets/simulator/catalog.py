"""The merchant's locations and catalogue, in Shopify and in Mintsoft, with the SKU-level anomalies.

The catalogue is built once per seed. Every SKU gets a role that later stages respect: regular
stock lines, bundles (virtual, made of components), preorders, untracked services, gift cards, and
the anomaly SKUs (missing in one system, duplicated, tracking switched off).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from integration_assets.simulator.ids import IdSequence
from integration_assets.simulator.world import (
    InventoryItem,
    Location,
    MintsoftProduct,
    Product,
    Variant,
)

WAREHOUSE_SITES = [
    ("northampton", "Northampton DC", "1 Brackmills Way", "Northampton", "NN4 7PB", "GB"),
    ("leeds", "Leeds Fulfilment", "22 Thorpe Park", "Leeds", "LS15 8GB", "GB"),
    ("dublin", "Dublin 3PL", "Unit 4 Baldonnell", "Dublin", "D22 X0Y3", "IE"),
    ("rotterdam", "Rotterdam Hub", "Waalhaven 90", "Rotterdam", "3089 JH", "NL"),
    ("glasgow", "Glasgow Store Room", "8 Hillington Rd", "Glasgow", "G52 4AB", "GB"),
]
STORE_SITE = ("london", "London Carnaby Store", "14 Carnaby St", "London", "W1F 9PB", "GB")
UNMAPPED_SITE = ("Manchester Pop-up", "3 Tib St", "Manchester", "M4 1LG", "GB")

PRODUCT_TYPES = [
    ("TEE", "T-Shirt", ["S", "M", "L", "XL"], Decimal("24.00")),
    ("HOOD", "Hoodie", ["S", "M", "L", "XL"], Decimal("55.00")),
    ("CAP", "Cap", ["OS"], Decimal("18.00")),
    ("MUG", "Mug", ["STD"], Decimal("12.50")),
    ("SOCK", "Socks", ["S", "M", "L"], Decimal("9.00")),
    ("BAG", "Tote Bag", ["STD"], Decimal("15.00")),
    ("JKT", "Jacket", ["S", "M", "L", "XL"], Decimal("120.00")),
]
COLOURS = ["Black", "White", "Navy", "Olive", "Sand", "Rust", "Grey"]


@dataclass
class CatalogItem:
    """One sellable SKU with its role; the ground truth other stages read."""

    sku: str
    role: str  # regular | bundle | preorder | service | gift_card | anomaly roles below
    product: Product
    variant: Variant
    item: InventoryItem
    price: Decimal
    components: list[tuple[str, int]] = field(default_factory=list)
    in_mintsoft: bool = True
    in_inventory_planner: bool = True
    mintsoft_sku: str | None = None  # how Mintsoft spells it (case, alias) when different


@dataclass
class Catalog:
    locations: list[Location]
    warehouses: list[Location]
    store: Location
    unmapped: Location
    items: list[CatalogItem]
    mintsoft_products: list[MintsoftProduct]
    aliases: dict[str, str]  # alias -> canonical sku
    orphan_mintsoft_skus: list[str]  # Mintsoft products with stock and no Shopify variant
    duplicates: list[tuple[str, str]]  # (canonical sku, duplicate spelling)

    def by_role(self, role: str) -> list[CatalogItem]:
        return [i for i in self.items if i.role == role]

    @property
    def sellable_regular(self) -> list[CatalogItem]:
        return self.by_role("regular")


def _ts(base: dt.datetime, rng: random.Random, days_back: int) -> dt.datetime:
    return base - dt.timedelta(days=rng.randint(30, days_back), seconds=rng.randint(0, 86_399))


def build_locations(
    ids: IdSequence, count: int, created: dt.datetime, ip_connection: str
) -> tuple[list[Location], Location]:
    """`count` mapped locations (count-1 warehouses and one POS store) plus one unmapped location."""
    if count < 4 or count - 1 > len(WAREHOUSE_SITES):
        raise ValueError(f"--locations must be between 4 and {len(WAREHOUSE_SITES) + 1}, got {count}")
    locations: list[Location] = []
    for n, (key, name, street, city, zip_code, country) in enumerate(WAREHOUSE_SITES[: count - 1]):
        location_id = ids.next("location")
        locations.append(
            Location(
                id=location_id,
                name=name,
                kind="warehouse",
                location_key=key,
                mintsoft_warehouse_id=n + 1,
                inventory_planner_warehouse_id=f"{ip_connection}_{location_id}",
                address1=street,
                city=city,
                zip=zip_code,
                country_code=country,
                created_at=created,
                updated_at=created,
            )
        )
    key, name, street, city, zip_code, country = STORE_SITE
    store_id = ids.next("location")
    locations.append(
        Location(
            id=store_id,
            name=name,
            kind="store",
            location_key=key,
            mintsoft_warehouse_id=None,
            inventory_planner_warehouse_id=f"{ip_connection}_{store_id}",
            address1=street,
            city=city,
            zip=zip_code,
            country_code=country,
            created_at=created,
            updated_at=created,
            fulfills_online_orders=False,
        )
    )
    name, street, city, zip_code, country = UNMAPPED_SITE
    unmapped = Location(
        id=ids.next("location"),
        name=name,
        kind="store",
        location_key=None,
        mintsoft_warehouse_id=None,
        inventory_planner_warehouse_id=None,
        address1=street,
        city=city,
        zip=zip_code,
        country_code=country,
        created_at=created + dt.timedelta(days=20),
        updated_at=created + dt.timedelta(days=20),
        fulfills_online_orders=False,
    )
    return locations, unmapped


class _ProductFactory:
    def __init__(self, ids: IdSequence, rng: random.Random, now: dt.datetime) -> None:
        self.ids = ids
        self.rng = rng
        self.now = now

    def product(self, title: str, product_type: str, **flags: bool) -> Product:
        created = _ts(self.now, self.rng, 400)
        handle = title.lower().replace(" ", "-")
        return Product(
            id=self.ids.next("product"),
            title=title,
            vendor="Northwind Apparel",
            product_type=product_type,
            handle=handle,
            created_at=created,
            updated_at=created + dt.timedelta(days=self.rng.randint(0, 25)),
            **flags,
        )

    def single(
        self,
        title: str,
        product_type: str,
        sku: str,
        price: str,
        role: str,
        tracked: bool = True,
        requires_shipping: bool = True,
        preorder: bool = False,
    ) -> CatalogItem:
        """A one-variant product with its role; services, gift cards and the missing-in-Mintsoft SKU
        have no Mintsoft product, the missing-in-IP SKU no Inventory Planner variant."""
        product = self.product(title, product_type, preorder=preorder)
        amount = Decimal(price)
        variant, item = self.variant(product, sku, "Default Title", amount, 1, tracked, requires_shipping)
        return CatalogItem(
            sku,
            role,
            product,
            variant,
            item,
            amount,
            in_mintsoft=role not in ("service", "gift_card", "missing_in_mintsoft"),
            in_inventory_planner=role != "missing_in_ip",
        )

    def variant(
        self,
        product: Product,
        sku: str,
        title: str,
        price: Decimal,
        position: int,
        tracked: bool,
        requires_shipping: bool = True,
    ) -> tuple[Variant, InventoryItem]:
        variant_id = self.ids.next("variant")
        item_id = self.ids.next("inventory_item")
        variant = Variant(
            id=variant_id,
            product_id=product.id,
            inventory_item_id=item_id,
            sku=sku,
            title=title,
            price=price,
            barcode=f"50{self.rng.randint(10**10, 10**11 - 1)}",
            position=position,
            created_at=product.created_at,
            updated_at=product.updated_at,
        )
        item = InventoryItem(
            id=item_id,
            variant_id=variant_id,
            sku=sku,
            tracked=tracked,
            requires_shipping=requires_shipping,
            cost=(price * Decimal("0.38")).quantize(Decimal("0.01")),
            country_code_of_origin=self.rng.choice(["GB", "PT", "TR", "CN"]),
            harmonized_system_code="610910",
            created_at=product.created_at,
            updated_at=product.updated_at,
        )
        return variant, item


def build_catalog(
    rng: random.Random,
    ids: IdSequence,
    sku_target: int,
    location_count: int,
    now: dt.datetime,
    ip_connection: str,
) -> Catalog:
    """Locations, Shopify products/variants/items and Mintsoft products for `sku_target` SKUs."""
    if sku_target < 40:
        raise ValueError(f"--skus must be at least 40 (the anomalies and bundles need room), got {sku_target}")
    created = now - dt.timedelta(days=900)
    mapped, unmapped = build_locations(ids, location_count, created, ip_connection)
    factory = _ProductFactory(ids, rng, now)
    items: list[CatalogItem] = []

    n_bundles = 2 + sku_target // 150
    # bundles, 2 preorders, 2 services, 2 gift cards, 3 anomaly SKUs and 1 duplicate listing
    n_special = n_bundles + 2 + 2 + 2 + 3 + 1
    product_no = 0
    while len(items) < sku_target - n_special:
        prefix, kind, sizes, base_price = PRODUCT_TYPES[product_no % len(PRODUCT_TYPES)]
        product_no += 1
        colour = COLOURS[product_no % len(COLOURS)]
        product = factory.product(f"{colour} {kind} {product_no:03d}", kind)
        for position, size in enumerate(sizes, start=1):
            if len(items) >= sku_target - n_special:
                break
            sku = f"{prefix}-{product_no:03d}-{size}"
            variant, item = factory.variant(product, sku, size, base_price, position, tracked=True)
            items.append(CatalogItem(sku, "regular", product, variant, item, base_price))

    regular = list(items)
    # Bundles: virtual SKUs made of regular components; Shopify does not track them (ASSUMED: the
    # bundle app manages availability), Mintsoft holds them as Bundle products.
    for n in range(1, n_bundles + 1):
        components = [(c.sku, rng.randint(1, 2)) for c in rng.sample(regular[:60], 2 if n % 2 else 3)]
        price = sum((next(i.price for i in regular if i.sku == s) * q for s, q in components), Decimal(0))
        price = (price * Decimal("0.85")).quantize(Decimal("1.00"))
        product = factory.product(f"Gift Set {n:02d}", "Bundle", is_bundle=True)
        sku = f"BUNDLE-{n:02d}"
        variant, item = factory.variant(product, sku, "Default Title", price, 1, tracked=False)
        items.append(CatalogItem(sku, "bundle", product, variant, item, price, components=components))
    for n in range(1, 3):
        items.append(
            factory.single(
                f"Limited Drop Jacket {n:02d}", "Jacket", f"PRE-JKT-{n:02d}", "150.00", "preorder", preorder=True
            )
        )
    for title, price in [("Gift Wrap", "4.00"), ("Embroidery", "8.00")]:
        sku = f"SVC-{title.upper().replace(' ', '')}"
        items.append(factory.single(title, "Service", sku, price, "service", tracked=False, requires_shipping=False))
    gift = factory.product("Gift Card", "Gift Card", is_gift_card=True)
    for position, value in enumerate([Decimal("25.00"), Decimal("50.00")], start=1):
        sku = f"GC-{int(value)}"
        variant, item = factory.variant(
            gift, sku, f"£{int(value)}", value, position, tracked=False, requires_shipping=False
        )
        items.append(CatalogItem(sku, "gift_card", gift, variant, item, value, in_mintsoft=False))

    # Anomaly SKUs, each placed once.
    items.append(factory.single("Travel Mug Slate", "Mug", "MUG-NEW-SLATE", "16.00", "missing_in_mintsoft"))
    items.append(factory.single("Weekender Bag Clay", "Tote Bag", "BAG-NEW-CLAY", "45.00", "missing_in_ip"))
    items.append(factory.single("Merino Beanie Ash", "Cap", "CAP-MER-ASH", "22.00", "tracking_disabled", tracked=False))
    # A duplicate: the same SKU re-listed on a second product, differing only by case and a space.
    third = len(regular) // 3
    original = regular[rng.randrange(5, third)]
    duplicate_spelling = original.sku.lower() + " "
    product = factory.product(original.product.title + " (copy)", original.product.product_type)
    variant, item = factory.variant(product, duplicate_spelling, "Default Title", original.price, 1, tracked=True)
    original.role = "duplicate"
    items.append(
        CatalogItem(
            original.sku,
            "duplicate_copy",
            product,
            variant,
            item,
            original.price,
            in_mintsoft=False,
        )
    )
    # Traps that must NOT become exceptions: Mintsoft spells one SKU in lower case, another by alias.
    mis_cased = regular[rng.randrange(third, 2 * third)]
    mis_cased.mintsoft_sku = mis_cased.sku.lower()
    aliased = regular[rng.randrange(2 * third, len(regular))]
    alias = aliased.sku.replace("-", "")
    aliased.mintsoft_sku = alias

    mintsoft_products: list[MintsoftProduct] = []
    for ci in items:
        if not ci.in_mintsoft or ci.role in ("service", "gift_card"):
            continue
        mintsoft_products.append(
            MintsoftProduct(
                id=ids.next("mintsoft_product"),
                sku=ci.mintsoft_sku or ci.sku,
                name=ci.product.title + ("" if ci.variant.title == "Default Title" else f" - {ci.variant.title}"),
                is_bundle=ci.role == "bundle",
                components=list(ci.components),
                price=ci.price,
                created_at=ci.product.created_at,
            )
        )
    orphan = "TEE-OLD-999"
    mintsoft_products.append(
        MintsoftProduct(
            id=ids.next("mintsoft_product"),
            sku=orphan,
            name="Discontinued Tee 999",
            is_bundle=False,
            components=[],
            price=Decimal("20.00"),
            created_at=created,
        )
    )
    return Catalog(
        locations=[*mapped, unmapped],
        warehouses=[loc for loc in mapped if loc.kind == "warehouse"],
        store=next(loc for loc in mapped if loc.kind == "store"),
        unmapped=unmapped,
        items=items,
        mintsoft_products=mintsoft_products,
        aliases={alias: aliased.sku},
        orphan_mintsoft_skus=[orphan],
        duplicates=[(original.sku, duplicate_spelling)],
    )
