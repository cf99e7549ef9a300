"""`make dev`: the Dagster UI on the simulated merchant, with the environment pointing at it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from integration_assets.main_run import ensure_dagster_home
from integration_assets.simulator.launch import SimOptions, prepare
from integration_assets.simulator.manifest import simulator_env
from integration_assets.simulator.server import serve_in_thread

REPO = Path(__file__).resolve().parent.parent


def run_dev(options: SimOptions, data_dir: Path, port: int) -> int:
    ctx = prepare(options)
    running = serve_in_thread(ctx)
    try:
        env = {**os.environ, **simulator_env(ctx), "INTEGRATION_DATA_DIR": str(data_dir)}
        os.environ["INTEGRATION_DATA_DIR"] = str(data_dir)
        env["DAGSTER_HOME"] = str(ensure_dagster_home(data_dir))
        print(f"simulator at {running.url}; Dagster UI at http://127.0.0.1:{port} (Ctrl-C stops both)")
        command = [sys.executable, "-m", "dagster", "dev", "-w", str(REPO / "workspace.yaml"), "-p", str(port)]
        try:
            return subprocess.call(command, env=env, cwd=REPO)
        except KeyboardInterrupt:
            return 0
    finally:
        running.stop()
