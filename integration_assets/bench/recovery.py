"""Recovery at scale (issue 12): a backfill killed with SIGKILL and resumed ends with the same lake
and warehouse as one that ran straight through.

One simulated world is served on loopback. The backfill, `integration-assets run --start-date D1
--end-date Dn` over the world's dates, runs as a subprocess exactly as a user runs it:

1. once uninterrupted into data folder `uninterrupted/`, timed; its Dagster event log gives the
   sequence of steps every run of the command executes (stock_sync per location, daily_sync,
   sales_history_export per location) and how long each took;
2. into data folder `resumed/`, `kills` times: started, then killed with SIGKILL (its whole process
   group, as the OOM killer or a lost machine would) at a kill point, and started again; the last
   start runs to the end. Resuming is running the same command again: partitions and models
   replace their slices, so nothing but a re-run is needed;
3. the two folders are compared as row sets (`row_sets.compare_data_dirs`).

Kill points are random points in the sequence of steps, weighted by time: the uninterrupted run's
summed step durations are cut into `kills` equal stretches and one point is drawn uniformly in each
(so the kills spread from start to end), which names a step and a fraction of its duration. The
resumed attempt is watched through its own Dagster event log; when it starts that step, the bench
waits that fraction of the step's uninterrupted duration and kills. So kills land
mid-step, where a step spends its time: in an API page loop, a Parquet swap, a DuckDB transaction
that replaces 30 dates one by one. Each kill records the step actually running when it landed (a
step can run faster or slower the second time), whether the process was still alive and the Dagster
run it was executing still unfinished, so a kill that hit nothing is visible.

The world's window ends before today unless a start date is given: the models' as-of time is the
end of the last date or the clock if that is earlier (DESIGN.md "As-of time"), and a window reaching
past today would make "past the despatch window" depend on when each run happened to run.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import dagster as dg

from integration_assets.bench.row_sets import compare_data_dirs
from integration_assets.main_run import DAGSTER_YAML
from integration_assets.simulator.context import SimContext
from integration_assets.simulator.manifest import simulator_env
from integration_assets.simulator.merchant import DEFAULT_START_DATE, build_world
from integration_assets.simulator.seeds import write_seeds
from integration_assets.simulator.server import RunningSimulator, serve_in_thread
from integration_assets.simulator.webhook_drops import emit_webhooks
from integration_assets.simulator.world import World, WorldSize
from integration_assets.webhooks.landing import landing_dir

# The backfill runs this checkout's code, whatever the installed package or a relative PYTHONPATH
# would resolve to from the data folder it runs in.
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
POLL_SECONDS = 0.05
STALLED_AFTER_SECONDS = 1800.0  # an uninterrupted backfill this long is stuck, not slow
# The warehouse APIs' assumed limits (4 and 2 requests a second) would make the backfill a test of
# pacing; the client tests cover pacing, so both sides are lifted here, as the extraction tests do.
UNPACED_ENV = {"MINTSOFT_REQUESTS_PER_SECOND": "200", "INVENTORY_PLANNER_REQUESTS_PER_SECOND": "200"}
STEP_ENDS = {dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE}


@dataclass(frozen=True)
class StepSpan:
    """One step of the uninterrupted backfill: its run's job, its key and how long it ran."""

    job: str
    step_key: str
    seconds: float


@dataclass(frozen=True)
class KillPoint:
    step_index: int  # position in the backfill's sequence of steps, across its runs
    fraction: float  # of that step's uninterrupted duration, waited after the step starts


@dataclass(frozen=True)
class Kill:
    """What one SIGKILL hit."""

    attempt: int
    planned_step: str  # the step the kill point named
    step_key: str  # the step running (last started) when the kill landed
    job: str
    run_id: str
    step_finished: bool  # that step had ended before the kill (the kill fell between steps)
    seconds_into_attempt: float
    process_alive: bool  # the backfill process was running when killed
    run_status: str  # the Dagster run's status just before the kill (STARTED: it had not finished)
    exit_code: int | None  # -9 when the kill is what ended it


@dataclass(frozen=True)
class Backfill:
    """The command, its environment and where it writes."""

    command: list[str]
    env: dict[str, str]
    data_dir: Path

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"


def measure_recovery(
    seed: int = 7,
    days: int = 30,
    orders_per_day: int = 10,
    skus: int = 40,
    locations: int = 4,
    kills: int = 3,
    rng_seed: int = 12,
    start_date: dt.date | None = None,
    workdir: Path | None = None,
) -> dict[str, Any]:
    """Kill the backfill `kills` times, resume it, and compare it with an uninterrupted run.

    The defaults are the smallest world the generator makes (10 orders a day, 40 SKUs) over the
    issue's 30 days. `workdir` keeps the data folders and each attempt's output for inspection
    (default: a temp folder, removed).

    Returns: the world (`seed`, `size`, `dates`); `steps` in one backfill; `kills`, one per kill
    (`Kill`: the step planned and the step hit, its job and run, seconds into the attempt, whether
    the process was alive and the run unfinished, the exit code); `seconds_uninterrupted` and
    `seconds_resumed_total` (every attempt, kills included); `tables_compared`, `rows_compared`
    (the uninterrupted side's rows) and `rows_by_table`; `differing_tables` (each with its row
    counts and the rows only one side has); `excluded_columns`; `runs_left_unfinished` in the
    resumed instance; `identical`.
    """
    world = build_world(seed, WorldSize(start_date or default_start_date(days), days, orders_per_day, skus, locations))
    with _workdir(workdir) as root:
        simulator = _serve(world, root / "seeds")
        try:
            uninterrupted = _backfill(world, simulator, root / "uninterrupted")
            seconds_uninterrupted = _run_to_end(uninterrupted, timeout=STALLED_AFTER_SECONDS)
            steps = step_timeline(uninterrupted.dagster_home)
            points = choose_kill_points(steps, kills, random.Random(rng_seed))
            resumed = _backfill(world, simulator, root / "resumed")
            started = time.monotonic()
            done = [_kill_at(resumed, steps, point, attempt) for attempt, point in enumerate(points, 1)]
            _run_to_end(resumed, timeout=max(STALLED_AFTER_SECONDS, 5 * seconds_uninterrupted))
            seconds_resumed = time.monotonic() - started
        finally:
            simulator.stop()
        comparison = compare_data_dirs(uninterrupted.data_dir, resumed.data_dir, root / "snapshots")
        left_started = _unfinished_runs(resumed.dagster_home)
    return {
        "seed": seed,
        "size": {"days": days, "orders_per_day": orders_per_day, "skus": skus, "locations": locations},
        "dates": [world.size.dates[0].isoformat(), world.size.dates[-1].isoformat()],
        "steps": len(steps),
        "kills": [asdict(kill) for kill in done],
        "seconds_uninterrupted": round(seconds_uninterrupted, 1),
        "seconds_resumed_total": round(seconds_resumed, 1),
        "tables_compared": len(comparison.tables),
        "rows_compared": comparison.rows_compared,
        "rows_by_table": {table.table: table.expected_rows for table in comparison.tables},
        "differing_tables": [table.as_dict() for table in comparison.differing],
        "excluded_columns": excluded_by_column(comparison.excluded_columns),
        "runs_left_unfinished": left_started,
        "identical": not comparison.differing,
    }


def excluded_by_column(excluded: dict[str, list[str]]) -> dict[str, list[str] | str]:
    """Column -> the tables it was left out of (or reduced in); a count where it is most of them."""
    tables: dict[str, list[str]] = {}
    for table, columns in excluded.items():
        for column in columns:
            tables.setdefault(column, []).append(table)
    return {column: names if len(names) <= 3 else f"{len(names)} tables" for column, names in sorted(tables.items())}


def default_start_date(days: int, today: dt.date | None = None) -> dt.date:
    """The simulator's default start, moved back if needed so the window ends before today."""
    latest = (today or dt.date.today()) - dt.timedelta(days=days + 1)
    return min(DEFAULT_START_DATE, latest)


def step_timeline(dagster_home: Path) -> list[StepSpan]:
    """Every step the backfill's runs executed, in order, with its duration."""
    instance = dg.DagsterInstance.from_config(str(dagster_home))
    spans = []
    for record in sorted(instance.get_run_records(), key=lambda r: r.create_timestamp):
        run = record.dagster_run
        started: dict[str, float] = {}
        for entry in instance.all_logs(run.run_id, of_type={dg.DagsterEventType.STEP_START, *STEP_ENDS}):
            if entry.dagster_event_type == dg.DagsterEventType.STEP_START:
                started[entry.step_key] = entry.timestamp
            elif entry.step_key in started:
                spans.append(StepSpan(run.job_name, entry.step_key, entry.timestamp - started[entry.step_key]))
    return spans


def choose_kill_points(steps: list[StepSpan], kills: int, rng: random.Random) -> list[KillPoint]:
    """`kills` points drawn over the steps' summed time, one uniformly in each of `kills` equal
    stretches of it: random, weighted towards long steps, yet spread from start to end instead of
    landing twice in the longest step."""
    total = sum(step.seconds for step in steps)
    stretch = total / kills
    return [_point_at(steps, rng.uniform(n * stretch, (n + 1) * stretch)) for n in range(kills)]


def _point_at(steps: list[StepSpan], at: float) -> KillPoint:
    """The step running `at` seconds into the summed step time, and how far into it."""
    for index, step in enumerate(steps):
        if at < step.seconds or index == len(steps) - 1:
            return KillPoint(index, min(at / step.seconds, 1.0) if step.seconds else 0.0)
        at -= step.seconds
    raise ValueError("no steps to kill")


def _kill_at(backfill: Backfill, steps: list[StepSpan], point: KillPoint, attempt: int) -> Kill:
    """Start the backfill, wait for the kill point, SIGKILL its process group, reap it."""
    instance = dg.DagsterInstance.from_config(str(backfill.dagster_home))
    known_runs = set(instance.get_run_ids())
    started = time.monotonic()
    process = _start(backfill, attempt)
    watcher = StepWatcher(instance, known_runs)
    deadline = started + max(120.0, 5 * sum(s.seconds for s in steps[: point.step_index + 1]))
    while len(watcher.poll()) <= point.step_index and process.poll() is None:
        if time.monotonic() > deadline:
            break  # stalled: kill it anyway; the kill's record shows where it stood
        time.sleep(POLL_SECONDS)
    time.sleep(point.fraction * steps[point.step_index].seconds)
    running = watcher.running()
    alive = process.poll() is None
    if alive:
        os.killpg(process.pid, signal.SIGKILL)
    exit_code = process.wait()
    return Kill(
        attempt=attempt,
        planned_step=steps[point.step_index].step_key,
        step_key=running.step_key if running else "(none started)",
        job=running.job if running else "",
        run_id=running.run_id if running else "",
        step_finished=running.finished if running else False,
        seconds_into_attempt=round(time.monotonic() - started, 2),
        process_alive=alive,
        run_status=running.run_status if running else "",
        exit_code=exit_code,
    )


@dataclass(frozen=True)
class RunningStep:
    run_id: str
    job: str
    step_key: str
    finished: bool
    run_status: str


class StepWatcher:
    """Follows the step starts of the runs a backfill attempt creates, through its event log."""

    def __init__(self, instance: dg.DagsterInstance, ignore_runs: set[str]) -> None:
        self.instance = instance
        self.ignore_runs = ignore_runs
        self.cursors: dict[str, str | None] = {}
        self.starts: list[tuple[str, str]] = []  # (run id, step key) in the order they started

    def poll(self) -> list[tuple[str, str]]:
        runs = [r for r in self.instance.get_run_records() if r.dagster_run.run_id not in self.ignore_runs]
        for record in sorted(runs, key=lambda r: r.create_timestamp):
            run_id = record.dagster_run.run_id
            found = self.instance.get_records_for_run(
                run_id, cursor=self.cursors.get(run_id), of_type=dg.DagsterEventType.STEP_START
            )
            self.cursors[run_id] = found.cursor
            self.starts += [(run_id, entry.event_log_entry.step_key or "") for entry in found.records]
        return self.starts

    def running(self) -> RunningStep | None:
        """The last step started, whether it has ended, and its run's status."""
        self.poll()
        if not self.starts:
            return None
        run_id, step_key = self.starts[-1]
        ends = self.instance.all_logs(run_id, of_type=STEP_ENDS)
        run = self.instance.get_run_by_id(run_id)
        return RunningStep(
            run_id,
            run.job_name if run else "",
            step_key,
            any(entry.step_key == step_key for entry in ends),
            run.status.value if run else "",
        )


def _backfill(world: World, simulator: RunningSimulator, data_dir: Path) -> Backfill:
    """The command over the world's dates, pointed at the simulator and at `data_dir`, with the
    world's signed webhook deliveries waiting in its landing folder (as `make demo` has them)."""
    data_dir.mkdir(parents=True)
    emit_webhooks(world, landing_dir(data_dir), simulator.ctx.credentials.webhook_secret)
    home = data_dir / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(DAGSTER_YAML)
    dg.DagsterInstance.from_config(str(home)).dispose()  # storage created before anyone watches it
    env = {
        **os.environ,
        **simulator_env(simulator.ctx),
        **UNPACED_ENV,
        "INTEGRATION_DATA_DIR": str(data_dir),
        "DAGSTER_HOME": str(home),
        "PYTHONPATH": os.pathsep.join([str(PACKAGE_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    dates = world.size.dates
    command = [
        sys.executable,
        "-m",
        "integration_assets.cli",
        "run",
        "--start-date",
        dates[0].isoformat(),
        "--end-date",
        dates[-1].isoformat(),
    ]
    return Backfill(command, env, data_dir)


def _start(backfill: Backfill, attempt: int) -> subprocess.Popen[bytes]:
    """The backfill in a process group of its own, so one signal reaches everything it started."""
    log = (backfill.data_dir.parent / f"{backfill.data_dir.name}-attempt-{attempt}.log").open("wb")
    return subprocess.Popen(
        backfill.command,
        env=backfill.env,
        cwd=backfill.data_dir.parent,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _run_to_end(backfill: Backfill, timeout: float) -> float:
    """Run the backfill to its end; seconds taken. A failed or stalled run (one waiting forever
    on a concurrency slot a killed run still holds, say) is an error quoting its log."""
    started = time.monotonic()
    attempt = len(list(backfill.data_dir.parent.glob(f"{backfill.data_dir.name}-attempt-*.log"))) + 1
    process = _start(backfill, attempt)
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        code = process.wait()
        problem = f"did not finish in {timeout:.0f}s"
    else:
        problem = f"exited {code}"
    if code != 0:
        log = backfill.data_dir.parent / f"{backfill.data_dir.name}-attempt-{attempt}.log"
        raise RuntimeError(f"the backfill into {backfill.data_dir} {problem}:\n{log.read_text()[-3000:]}")
    return time.monotonic() - started


def _unfinished_runs(dagster_home: Path) -> int:
    """Runs the instance still shows as not finished (what a kill leaves behind in the UI)."""
    instance = dg.DagsterInstance.from_config(str(dagster_home))
    return sum(1 for r in instance.get_run_records() if not r.dagster_run.is_finished)


def _serve(world: World, seeds_dir: Path) -> RunningSimulator:
    """The world on a free loopback port, with its operator's seeds, unthrottled (plus plan)."""
    ctx = SimContext.build(world, plan="plus")
    ctx.seeds_dir = write_seeds(world.seeds, seeds_dir)
    ctx.mintsoft_bucket.size = ctx.inventory_planner_bucket.size = 10_000
    return serve_in_thread(ctx)


@contextmanager
def _workdir(workdir: Path | None) -> Iterator[Path]:
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        yield workdir
        return
    with tempfile.TemporaryDirectory(prefix="recovery-bench-") as tmp:
        yield Path(tmp)
