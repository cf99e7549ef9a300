"""The check_failure_alerts sensor against a local receiver: one alert per failed evaluation with its
fields, none for passes, exactly once across ticks, delivered through a receiver that fails twice."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from integration_assets.sensors import check_failure_alerts
from integration_assets_tests.alert_receiver import AlertReceiver

THING = dg.AssetKey(["reconciliation", "thing"])


@dg.asset(
    key=THING,
    check_specs=[dg.AssetCheckSpec(name, asset=THING) for name in ("drift", "mapping", "fine")],
)
def thing() -> dg.MaterializeResult:
    return dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(
                check_name="drift",
                passed=False,
                severity=dg.AssetCheckSeverity.WARN,
                description="3 of 40 SKU-locations drifted by 12 units",
                metadata={"count_stock_parity_drift": 3, "drift_units": 12, "max_drift_units": 250},
            ),
            dg.AssetCheckResult(
                check_name="mapping",
                passed=False,
                severity=dg.AssetCheckSeverity.ERROR,
                description="1 unmapped location",
                metadata={"count_unmapped_location": 1},
            ),
            dg.AssetCheckResult(check_name="fine", passed=True, metadata={"rows_compared": 40}),
        ]
    )


def _tick(instance: dg.DagsterInstance, cursor: str | None) -> dg.SensorResult:
    return check_failure_alerts(dg.build_sensor_context(instance=instance, cursor=cursor))


START = json.dumps({"after": 0, "seen": {}, "retry": {}})


def test_one_alert_per_failed_evaluation_exactly_once(monkeypatch: pytest.MonkeyPatch) -> None:
    with dg.instance_for_test() as instance, AlertReceiver(refuse_first=2) as receiver:
        monkeypatch.setenv("ALERT_WEBHOOK_URL", receiver.url)
        monkeypatch.setenv("DAGSTER_UI_URL", "http://dagster.example:3000/")
        run = dg.materialize([thing], instance=instance)
        first = _tick(instance, START)
        assert receiver.refused == 2  # the first alert got through on its third try
        by_check = {alert["check"]: alert for alert in receiver.received}
        assert set(by_check) == {"drift", "mapping"}
        drift = by_check["drift"]
        assert drift["severity"] == "WARN" and drift["asset"] == "reconciliation/thing"
        assert drift["counts"] == {"stock_parity_drift": 3}
        assert drift["observed"] == {"drift_units": 12, "max_drift_units": 250}
        assert drift["run_url"] == f"http://dagster.example:3000/runs/{run.run_id}"
        assert drift["text"].startswith("WARN: check drift failed on reconciliation/thing: 3 of 40")
        assert by_check["mapping"]["severity"] == "ERROR" and by_check["mapping"]["partition"] is None
        # The next ticks send nothing more; a new failure is sent once.
        assert _tick(instance, first.cursor).cursor == first.cursor
        dg.materialize([thing], instance=instance)
        third = _tick(instance, first.cursor)
        assert len(receiver.received) == 4
        _tick(instance, third.cursor)
        assert len(receiver.received) == 4
        assert len({alert["alert_id"] for alert in receiver.received}) == 4


def test_a_receiver_that_stays_down_gets_the_alert_on_a_later_tick(monkeypatch: pytest.MonkeyPatch) -> None:
    with dg.instance_for_test() as instance, AlertReceiver(refuse_first=8) as receiver:
        monkeypatch.setenv("ALERT_WEBHOOK_URL", receiver.url)
        dg.materialize([thing], instance=instance)
        first = _tick(instance, START)  # 4 tries each, all refused
        assert receiver.received == [] and len(json.loads(first.cursor)["retry"]) == 2
        second = _tick(instance, first.cursor)
        assert sorted(alert["check"] for alert in receiver.received) == ["drift", "mapping"]
        assert json.loads(second.cursor)["retry"] == {}


def test_alerts_are_off_without_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALERT_WEBHOOK_URL", raising=False)
    with dg.instance_for_test() as instance:
        dg.materialize([thing], instance=instance)
        result = _tick(instance, START)
        assert "ALERT_WEBHOOK_URL is not set" in result.skip_reason.skip_message
        assert len(json.loads(result.cursor)["seen"]) == 1  # turning alerts on later does not replay the past
