"""The raw lake replaces a partition whole or not at all, even when the writer is killed."""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow as pa

from integration_assets.lake import (
    partition_dir,
    quarantine_dir,
    read_partition,
    with_lineage,
    write_partition,
    write_quarantine,
)
from integration_assets.sources.validation import Rejected

SCHEMA = pa.schema(
    [("id", pa.int64()), ("sku", pa.string()), ("_source", pa.string()), ("_synced_at", pa.timestamp("us", tz="UTC"))]
)
SYNCED = dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC)


def _rows(n: int, sku: str = "TEE-001-M") -> list[dict]:
    return with_lineage([{"id": i, "sku": sku} for i in range(n)], "test", SYNCED)


def test_partition_paths_follow_the_hive_layout(tmp_path: Path) -> None:
    assert partition_dir(tmp_path, "mintsoft", "inventory", "2026-11-20", "leeds") == (
        tmp_path / "lake" / "mintsoft" / "inventory" / "date=2026-11-20" / "location=leeds"
    )
    assert (
        partition_dir(tmp_path, "shopify", "orders", "2026-11-20")
        == tmp_path / "lake" / "shopify" / "orders" / "date=2026-11-20"
    )


def test_rewrite_replaces_the_partition_whole(tmp_path: Path) -> None:
    target = partition_dir(tmp_path, "shopify", "orders", "2026-11-20")
    first = write_partition(target, _rows(5), SCHEMA)
    assert first.rows == 5 and read_partition(target).num_rows == 5
    write_partition(target, _rows(3, sku="MUG-001-STD"), SCHEMA)
    table = read_partition(target)
    assert table.num_rows == 3 and set(table.column("sku").to_pylist()) == {"MUG-001-STD"}
    assert [p.name for p in target.parent.iterdir()] == ["date=2026-11-20"]  # no temp or parked folders
    write_partition(target, [], SCHEMA)
    assert read_partition(target).num_rows == 0 and read_partition(target).schema == SCHEMA


def test_quarantine_holds_id_and_reason_and_clears_when_clean(tmp_path: Path) -> None:
    target = quarantine_dir(tmp_path, "shopify", "orders", "2026-11-20")
    rejected = [Rejected("order", "6123456700042", "order 6123456700042: field lineItems.0.quantity: bad", {"id": 1})]
    assert write_quarantine(target, rejected, SYNCED) == 1
    (line,) = (target / "rejected.jsonl").read_text().splitlines()
    record = json.loads(line)
    assert record["record_id"] == "6123456700042" and "lineItems.0.quantity" in record["reason"]
    assert write_quarantine(target, [], SYNCED) == 0 and not target.exists()


WRITER = textwrap.dedent(
    """
    import datetime as dt, os, signal, sys
    import pyarrow as pa
    from integration_assets import lake
    schema = pa.schema([("id", pa.int64()), ("sku", pa.string())])
    target = lake.partition_dir(sys.argv[1], "shopify", "orders", "2026-11-20")
    mode = sys.argv[2]
    if mode == "between-renames":
        real_rename = os.rename
        def rename_then_die(src, dst):
            real_rename(src, dst)
            if ".old-" in str(dst):
                os.kill(os.getpid(), signal.SIGKILL)  # dies with the old version parked, the new not in place
        lake.os.rename = rename_then_die
    rows = [{"id": i, "sku": "NEW-" + str(i % 97)} for i in range(int(sys.argv[3]))]
    print("writing", flush=True)
    lake.write_partition(target, rows, schema)
    print("done", flush=True)
    """
)


def _old_version(tmp_path: Path) -> Path:
    target = partition_dir(tmp_path, "shopify", "orders", "2026-11-20")
    schema = pa.schema([("id", pa.int64()), ("sku", pa.string())])
    write_partition(target, [{"id": i, "sku": "OLD"} for i in range(100)], schema)
    return target


def test_a_writer_killed_mid_write_leaves_the_previous_partition(tmp_path: Path) -> None:
    target = _old_version(tmp_path)
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path), "slow", "4000000"], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "writing"
    time.sleep(0.5)  # building and writing four million rows takes seconds; kill it inside
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    table = read_partition(target)
    assert table.num_rows == 100 and set(table.column("sku").to_pylist()) == {"OLD"}
    assert [p.name for p in target.parent.iterdir()] == ["date=2026-11-20"]  # staging swept


def test_a_writer_killed_between_the_renames_leaves_the_previous_partition(tmp_path: Path) -> None:
    target = _old_version(tmp_path)
    result = subprocess.run([sys.executable, "-c", WRITER, str(tmp_path), "between-renames", "1000"], timeout=60)
    assert result.returncode == -signal.SIGKILL
    assert not target.exists()  # the crash left only the parked old version and the staged new one
    table = read_partition(target)  # the reader puts the old version back
    assert table.num_rows == 100 and set(table.column("sku").to_pylist()) == {"OLD"}
    assert [p.name for p in target.parent.iterdir()] == ["date=2026-11-20"]
