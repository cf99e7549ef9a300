"""A short hash of some of the package's own source: what a cached or persisted artefact was made by.

The bench's template and the demo's data folder are both made by code that changes between versions
(the simulator's generator above all). Keyed by this fingerprint, an upgrade makes a new one instead
of measuring, or adding to, a world the code no longer makes.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def code_fingerprint(package: Path, names: tuple[str, ...]) -> str:
    """A short hash of the files and folders `names` under `package`, by path and content (compiled
    caches left out: they differ by interpreter, not by code)."""
    digest = hashlib.sha256()
    for name in names:
        target = package / name
        files = [target] if target.is_file() else sorted(target.rglob("*"))
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(package)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


@functools.cache
def package_fingerprint(names: tuple[str, ...]) -> str:
    """`code_fingerprint` of this package's own files, once per process."""
    return code_fingerprint(PACKAGE, names)
