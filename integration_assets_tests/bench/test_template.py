"""The template cache's key: a bench after an upgrade of the code that lands the template must land
a new one, never tile a world the code no longer makes."""

from __future__ import annotations

from pathlib import Path

from integration_assets.bench.template import LANDING_CODE, TemplateSpec, code_fingerprint


def _package(root: Path) -> Path:
    (root / "simulator" / "__pycache__").mkdir(parents=True)
    (root / "simulator" / "orders.py").write_text("RHYTHM = 20\n")
    (root / "lake.py").write_text("WRITE = 'atomic'\n")
    (root / "cli.py").write_text("COMMAND = 'bench'\n")
    return root


def test_the_fingerprint_follows_the_landing_code_and_nothing_else(tmp_path: Path) -> None:
    package = _package(tmp_path)
    names = ("simulator", "lake.py")
    before = code_fingerprint(package, names)
    assert len(before) == 12 and before == code_fingerprint(package, names)
    (package / "simulator" / "__pycache__" / "orders.cpython-311.pyc").write_bytes(b"\x00compiled")
    (package / "cli.py").write_text("COMMAND = 'demo'\n")  # not landing code
    assert code_fingerprint(package, names) == before
    (package / "simulator" / "orders.py").write_text("RHYTHM = 25\n")
    changed = code_fingerprint(package, names)
    assert changed != before
    (package / "simulator" / "orders.py").rename(package / "simulator" / "flow.py")  # same content, new path
    assert code_fingerprint(package, names) not in (before, changed)


def test_the_cache_name_carries_the_parameters_and_the_fingerprint() -> None:
    name = TemplateSpec(seed=7, days=30, orders_per_day=500, skus=200, locations=6).name
    assert name.startswith("seed7-d30-o500-s200-l6-2026-11-20-")
    fingerprint = name.rsplit("-", 1)[1]
    assert len(fingerprint) == 12 and int(fingerprint, 16) >= 0
    assert {"simulator", "sources", "assets"} <= set(LANDING_CODE)
