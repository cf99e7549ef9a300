"""`make dev`: the Dagster UI on the simulated merchant, with the environment pointing at it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from integration_assets.demo_data_dir import announce_claim
from integration_assets.main_run import ensure_dagster_home
from integration_assets.simulator.launch import SimOptions, prepare
from integration_assets.simulator.manifest import simulator_env
from integration_assets.simulator.server import serve_in_thread

REPO = Path(__file__).resolve().parent.parent


def run_dev(options: SimOptions, data_dir: Path, port: int) -> int:
    announce_claim(data_dir, options)
    ctx = prepare(options)
    running = serve_in_thread(ctx)
    try:
        env = {**os.environ, **simulator_env(ctx), "INTEGRATION_DATA_DIR": str(data_dir)}
        os.environ["INTEGRATION_DATA_DIR"] = str(data_dir)
        env["DAGSTER_HOME"] = str(ensure_dagster_home(data_dir))
        print(f"simulator at {running.url}; Dagster UI at http://127.0.0.1:{port} (Ctrl-C stops both)")
        command = [sys.executable, "-m", "dagster", "dev", "-w", str(REPO / "workspace.yaml"), "-p", str(port)]
        # Its own session, so stopping it reaches every process it started (webserver, daemon, code servers).
        process = subprocess.Popen(command, env=env, cwd=REPO, start_new_session=True)
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            code = process.wait()
        except KeyboardInterrupt:
            code = 0
        stop_session(process)
        return code
    finally:
        running.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stop_session(process: subprocess.Popen, grace_seconds: float = 30.0) -> None:
    """Ctrl-C for `dagster dev` (it shuts its children down in order), then TERM, then KILL for
    whatever is left in its session, so nothing outlives `make dev`."""
    for sig, wait in ((signal.SIGINT, grace_seconds), (signal.SIGTERM, 10.0)):
        if process.poll() is not None:
            break
        _signal_group(process.pid, sig)
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    _signal_group(process.pid, signal.SIGKILL)  # stragglers the leader left behind
    process.wait()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)
