"""Peak resident memory of a process tree, sampled while the bench runs.

`ru_maxrss` gives one process's peak, and for children only the largest one's; the bench's target is
for the whole tree (this process, the Dagster run in its child, DuckDB's threads inside it), so a
thread sums VmRSS over the tree from /proc a few times a second.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

SAMPLE_SECONDS = 0.1


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(root: int) -> float:
    tree = _children()
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        total += _rss_kb(pid)
        pending += tree.get(pid, [])
    return total / 1024


class TreeMemory:
    """Samples this process's tree until closed; `stage(name)` also keeps that stage's own peak."""

    def __init__(self, root: int | None = None) -> None:
        self.root = root or os.getpid()
        self.peak_mb = 0.0
        self.stage_peaks_mb: dict[str, float] = {}
        self._stage: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="tree-rss", daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self._stage = name
        self.stage_peaks_mb.setdefault(name, 0.0)
        try:
            yield
        finally:
            self._stage = None

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            mb = tree_rss_mb(self.root)
            self.peak_mb = max(self.peak_mb, mb)
            if self._stage is not None:
                self.stage_peaks_mb[self._stage] = max(self.stage_peaks_mb[self._stage], mb)
