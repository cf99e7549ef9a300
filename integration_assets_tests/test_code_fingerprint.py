"""The fingerprint of the package's own code that keys the bench's template cache and the demo's data
folder: it must follow the code it covers, by path and content, and nothing else."""

from __future__ import annotations

from pathlib import Path

from integration_assets.code_fingerprint import code_fingerprint


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
