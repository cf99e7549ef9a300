"""Files that appear whole or not at all: every file the product hands to someone else (webhook
envelopes, quarantine reasons, Inventory Planner deliveries, finance exports) is written here.

The content goes to a hidden temporary file in the target's own folder (`.<name>.<random>.part`),
which is then renamed over the target: a rename within one filesystem is atomic, so a reader (the
landing sensor, Inventory Planner's intake, a finance user) sees the old file or the new one, never
a half-written one, and a re-run replaces the file whole. Readers skip dot-files and `.part`
names, and a failed write removes its temporary file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def replace_with(target: Path, write: Callable[[Path], None]) -> Path:
    """Write through `write(temporary_path)`, then rename over `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def write_bytes(directory: Path, name: str, data: bytes) -> Path:
    """`data` as `directory/name`, replaced whole."""
    return replace_with(directory / name, lambda path: path.write_bytes(data))
