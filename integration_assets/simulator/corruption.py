"""Bad-data injection: make one record's field the wrong type in every API response that holds it.

Real APIs occasionally send a record a client cannot parse; the product must quarantine that one
record with its id and field and land the rest. `--corrupt ID:FIELD=VALUE` (repeatable) rewrites
FIELD of any JSON object whose `id` (or `ID`) is ID, or a GID ending in /ID, e.g.
`--corrupt 6123456700042:number=lots`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from integration_assets.simulator.faults import FAULTED_PREFIXES, buffered_response, respond


@dataclass(frozen=True)
class Corruption:
    record_id: str
    field: str
    value: Any

    @classmethod
    def parse(cls, spec: str) -> Corruption:
        record, sep, assignment = spec.partition(":")
        field, eq, value = assignment.partition("=")
        if not (sep and eq and record and field):
            raise ValueError(f"--corrupt: expected ID:FIELD=VALUE, got {spec!r}")
        return cls(record.strip(), field.strip(), value)

    def matches(self, node: dict[str, Any]) -> bool:
        for key in ("id", "ID"):
            value = node.get(key)
            if value is not None and (str(value) == self.record_id or str(value).endswith(f"/{self.record_id}")):
                return True
        return False


def corrupt(document: Any, corruptions: list[Corruption]) -> tuple[Any, int]:
    """Apply every corruption in place; returns the document and how many fields were rewritten."""
    hits = 0
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for rule in corruptions:
                if rule.field in node and rule.matches(node):
                    node[rule.field] = rule.value
                    hits += 1
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return document, hits


class CorruptRecords:
    """ASGI middleware rewriting JSON API responses; /_sim endpoints stay truthful."""

    def __init__(self, app: ASGIApp, corruptions: list[Corruption]) -> None:
        self.app = app
        self.corruptions = corruptions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(FAULTED_PREFIXES):
            await self.app(scope, receive, send)
            return
        status, headers, body = await buffered_response(self.app, scope, receive)
        if b"json" in dict(headers).get(b"content-type", b""):
            try:
                document, hits = corrupt(json.loads(body), self.corruptions)
                if hits:
                    body = json.dumps(document, separators=(",", ":")).encode()
            except (json.JSONDecodeError, UnicodeDecodeError):
                pass
        await respond(send, status, headers, body)
