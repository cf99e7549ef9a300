"""Runs that a killed `integration-assets run` left unfinished, and the pool slots they still hold.

The main job executes its runs inside its own process (`execute_in_process`). When that process is
killed (SIGKILL, the OOM killer, a lost machine) nothing records the runs' end: the instance shows
the run STARTED for ever, and the step it was running keeps its slot in the `duckdb` pool (limit 1).
Dagster gives a slot back only when its run has finished, so every later run's DuckDB steps wait
for it, for ever ("Step blocked by limit for pool duckdb"): a resumed backfill hangs. Dagster's run
monitoring would notice a dead run worker, but it watches runs launched through the daemon, not
in-process ones.

So every run the main job launches carries the host and pid of the process that executes it, and
before it launches anything the main job marks the unfinished runs of a process on this host that
is gone as failed, and frees their slots. Runs without these tags (launched from the UI, a schedule
or a sensor) are left to Dagster. A pid the system has since given to another process looks alive,
and the run is left as it is: the safe mistake. Our own pid cannot be running an earlier run.
"""

from __future__ import annotations

import os
import socket

import dagster as dg

HOST_TAG = "integration_assets/host"
PID_TAG = "integration_assets/pid"
# Every status short of SUCCESS, FAILURE and CANCELED: a kill during planning leaves NOT_STARTED.
UNFINISHED = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def process_tags() -> dict[str, str]:
    """The tags that name the process executing a run in-process."""
    return {HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid())}


def fail_orphaned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark this host's unfinished runs whose process is gone as failed and free their pool slots;
    returns their run ids."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=UNFINISHED, tags={HOST_TAG: socket.gethostname()})
    )
    orphaned = []
    for record in records:
        run = record.dagster_run
        pid = run.tags.get(PID_TAG, "")
        if not pid.isdigit() or _alive(int(pid)):
            continue
        instance.report_run_failed(
            run, f"The process that executed this run (pid {pid}) ended before the run did: it was killed."
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        orphaned.append(run.run_id)
    return orphaned


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
