"""Alerts for failed asset-check evaluations: the message people read, and its delivery.

OSS Dagster does not alert on a failed check (a WARN result does not even fail the run), so the
`check_failure_alerts` sensor reads evaluations from the event log and hands each failure here. The
body is Slack-compatible (`text`) and carries the fields a pager or a ticket needs. Delivery retries
with backoff, because a receiver that is briefly down must still get each alert; `alert_id` lets a
receiver drop the rare repeat when a reply is lost after it was handled.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

ATTEMPTS = 4
BACKOFF_SECONDS = 0.5


@dataclass(frozen=True)
class CheckAlert:
    alert_id: str
    check: str
    asset: str
    partition: str | None
    severity: str
    description: str | None
    counts: Mapping[str, int]
    observed: Mapping[str, Any]
    run_id: str
    run_url: str

    def payload(self) -> dict[str, Any]:
        where = f"{self.asset} [{self.partition}]" if self.partition else self.asset
        counts = ", ".join(f"{kind} {n}" for kind, n in sorted(self.counts.items()))
        text = f"{self.severity}: check {self.check} failed on {where}: {self.description or 'no description'}"
        if counts:
            text += f" ({counts})"
        return {
            "text": f"{text} <{self.run_url}|run>",
            "alert_id": self.alert_id,
            "check": self.check,
            "asset": self.asset,
            "partition": self.partition,
            "severity": self.severity,
            "description": self.description,
            "counts": dict(self.counts),
            "observed": dict(self.observed),
            "run_id": self.run_id,
            "run_url": self.run_url,
        }


class AlertDeliveryError(RuntimeError):
    pass


def deliver(url: str, alert: CheckAlert, attempts: int = ATTEMPTS, backoff: float = BACKOFF_SECONDS) -> int:
    """POST the alert until a 2xx, backing off between tries; returns the tries used.

    The URL is a secret of sorts (a Slack webhook URL grants posting), so errors name the alert,
    never the URL.
    """
    last = "no attempt"
    with httpx.Client(timeout=10) as client:
        for attempt in range(1, attempts + 1):
            try:
                response = client.post(url, json=alert.payload(), headers={"Idempotency-Key": alert.alert_id})
                if response.is_success:
                    return attempt
                last = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                last = type(exc).__name__
            if attempt < attempts:
                time.sleep(backoff * 2 ** (attempt - 1))
    raise AlertDeliveryError(f"alert {alert.alert_id} ({alert.check} on {alert.asset}) not delivered: {last}")
