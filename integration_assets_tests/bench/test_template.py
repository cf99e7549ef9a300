"""The template cache's key: a bench after an upgrade of the code that lands the template must land
a new one, never tile a world the code no longer makes."""

from __future__ import annotations

from integration_assets.bench.template import LANDING_CODE, TemplateSpec
from integration_assets.code_fingerprint import package_fingerprint


def test_the_cache_name_carries_the_parameters_and_the_fingerprint() -> None:
    name = TemplateSpec(seed=7, days=30, orders_per_day=500, skus=200, locations=6).name
    assert name.startswith("seed7-d30-o500-s200-l6-2026-11-20-")
    assert name.rsplit("-", 1)[1] == package_fingerprint(LANDING_CODE)
    assert {"simulator", "sources", "assets"} <= set(LANDING_CODE)
