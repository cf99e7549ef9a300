"""Turning raw API records into typed models without losing the bad ones.

A record that fails validation is not dropped and does not stop the sync: it comes back as a
`Rejected` with the record's id and every failing field named, for the caller to quarantine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Rejected:
    entity: str
    record_id: str
    reason: str
    raw: Any


@dataclass
class Parsed(Generic[M]):
    records: list[M] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def extend(self, other: Parsed[M]) -> None:
        self.records.extend(other.records)
        self.rejected.extend(other.rejected)


def describe(error: ValidationError) -> str:
    """`field a.b.0: message; field c: message`, naming each failing field."""
    parts = []
    for issue in error.errors():
        where = ".".join(str(p) for p in issue["loc"]) or "(record)"
        parts.append(f"field {where}: {issue['msg']} (got {issue.get('input')!r:.60})")
    return "; ".join(parts)


def parse_records(
    model: type[M],
    entity: str,
    raws: Iterable[Any],
    record_id: Callable[[Any], Any],
    *,
    context: Any = None,
) -> Parsed[M]:
    """`context` reaches the models' validators (e.g. the time zone Mintsoft's local times are in)."""
    parsed: Parsed[M] = Parsed()
    for raw in raws:
        try:
            parsed.records.append(model.model_validate(raw, context=context))
        except ValidationError as error:
            rid = _safe_id(raw, record_id)
            parsed.rejected.append(Rejected(entity, rid, f"{entity} {rid}: {describe(error)}", raw))
    return parsed


def _safe_id(raw: Any, record_id: Callable[[Any], Any]) -> str:
    try:
        return str(record_id(raw))
    except Exception:
        return "(unknown id)"
