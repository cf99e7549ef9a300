"""`make dev` (integration-assets dev) serves the UI and, on Ctrl-C, leaves no Dagster process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from integration_assets.simulator.server import free_port

REPO = Path(__file__).resolve().parents[1]


def _descendants(pid: int) -> set[int]:
    """Every live process below `pid`, read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_ctrl_c_stops_every_dagster_process(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "INTEGRATION_DATA_DIR": str(tmp_path / "data")}
    env.pop("DAGSTER_HOME", None)
    command = [sys.executable, "-m", "integration_assets.cli", "dev", "--port", str(port)]
    command += ["--days", "1", "--orders-per-day", "10", "--skus", "40"]
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, "dev exited before the UI came up"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/server_info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the UI did not come up"
            time.sleep(1)
        started = _descendants(process.pid)
        assert len(started) >= 3  # dagster dev, its webserver, its daemon (and code servers)
        os.kill(process.pid, signal.SIGINT)
        assert process.wait(timeout=90) == 0
        time.sleep(1)
        assert [pid for pid in started if _alive(pid)] == []
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
