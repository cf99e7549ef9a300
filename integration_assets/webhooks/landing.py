"""The landing folder: where deliveries wait, and where each one ends.

```
$INTEGRATION_DATA_DIR/landing/shopify/               envelopes waiting (receiver, simulator, bucket sync)
                       processed/date=YYYY-MM-DD/    ingested events and the duplicates of them
                       quarantine/date=YYYY-MM-DD/   bad files, each beside <name>.reason.json
```
Nothing is deleted: every file ends in exactly one of processed/ or quarantine/. A file is filed
under the shop day it was received: the timestamp the receiver and the simulator put at the start
of its name, or its modification time when the name has none (a file another route delivered).

The sensor and the ingest asset both list waiting files here, so they agree on which files exist,
which are still being written (too recently modified, or a writer's temp file) and which day each
belongs to, without opening a single body.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from integration_assets.atomic_files import write_bytes

PROCESSED = "processed"
QUARANTINE = "quarantine"
STAMPED_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{12})Z-")
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}\.json$")
TEMP_SUFFIXES = (".tmp", ".part", ".partial")


def landing_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "landing" / "shopify"


@dataclass(frozen=True)
class LandedFile:
    """A waiting file as the folder listing shows it (no body read)."""

    path: Path
    size: int
    mtime_ns: int

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def version(self) -> str:
        """Changes when the file is rewritten under the same name."""
        return f"{self.size}:{self.mtime_ns}"

    @property
    def is_temp(self) -> bool:
        return self.name.endswith(TEMP_SUFFIXES)

    @property
    def has_safe_name(self) -> bool:
        return bool(SAFE_NAME.match(self.name)) and ".." not in self.name

    def received_at(self) -> dt.datetime:
        match = STAMPED_NAME.match(self.name)
        if match:
            try:
                return dt.datetime.strptime(match["stamp"], "%Y%m%dT%H%M%S%f").replace(tzinfo=dt.UTC)
            except ValueError:
                pass
        return dt.datetime.fromtimestamp(self.mtime_ns / 1e9, dt.UTC)

    def shop_date(self, zone: ZoneInfo) -> dt.date:
        return self.received_at().astimezone(zone).date()

    def content_hash(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def settled(self, now: dt.datetime, settle_seconds: float, stale_temp_seconds: float) -> bool:
        """Whole, as far as the folder can tell: untouched for `settle_seconds` (a writer that
        writes in place is still going otherwise). A writer's temp file counts only once it is
        abandoned (untouched for `stale_temp_seconds`)."""
        age = now.timestamp() - self.mtime_ns / 1e9
        return age >= (stale_temp_seconds if self.is_temp else settle_seconds)


def waiting_files(folder: Path) -> list[LandedFile]:
    """Regular files directly in the landing folder, oldest name first (never the sub-folders)."""
    if not folder.is_dir():
        return []
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if not entry.is_file(follow_symlinks=False):
                continue
            try:
                stat = entry.stat(follow_symlinks=False)
            except FileNotFoundError:  # moved away between the listing and the stat
                continue
            found.append(LandedFile(Path(entry.path), stat.st_size, stat.st_mtime_ns))
    return sorted(found, key=lambda f: f.name)


def processed_files(folder: Path, date: str) -> list[Path]:
    target = folder / PROCESSED / f"date={date}"
    return sorted(p for p in target.glob("*") if p.is_file()) if target.is_dir() else []


def move_to_processed(folder: Path, file: Path, date: str) -> Path:
    target = folder / PROCESSED / f"date={date}"
    target.mkdir(parents=True, exist_ok=True)
    return _move(file, target / file.name)


def move_to_quarantine(folder: Path, file: LandedFile, date: str, reason: str, detail: str, at: dt.datetime) -> Path:
    """Move the file aside with a reason file beside it. A name that is unsafe to keep (path
    tricks, odd characters) is replaced by one derived from the content; the reason keeps it."""
    target = folder / QUARANTINE / f"date={date}"
    target.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(file.path.read_bytes()).hexdigest()[:16]
    name = file.name if file.has_safe_name else f"unsafe-name-{digest}.json"
    record = {
        "reason": reason,
        "detail": detail,
        "original_name": file.name,
        "size": file.size,
        "quarantined_at": at.isoformat(),
    }
    write_bytes(target, f"{name}.reason.json", json.dumps(record, indent=2).encode() + b"\n")
    return _move(file.path, target / name)


def _move(source: Path, target: Path) -> Path:
    """Rename on one filesystem; a name taken already (the same file landed twice) gets a suffix."""
    candidate, counter = target, 1
    while candidate.exists():
        candidate = target.with_name(f"{target.stem}.{counter}{target.suffix}")
        counter += 1
    os.rename(source, candidate)
    return candidate
