"""Shopify's search syntax (the `query:` argument), parsed into a tree and evaluated over records.

Grammar as shopify.dev/docs/api/usage/search-syntax describes it: `field:value` terms with the
comparators `:`, `:>`, `:>=`, `:<`, `:<=`; connectives `AND`, `OR`, `NOT` (and a leading `-`);
juxtaposition means AND; parentheses group; values may be quoted with ' or " (dates must be,
since they contain colons, but unquoted ones are tolerated). A value ending in `*` is a prefix
match. Each resource declares its searchable fields as `SearchField`s; terms naming an unknown
field match everything and are reported in `Search.warnings`, as Shopify ignores them with a
warning. Timestamps compare at whole seconds, the precision the API shows them in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

FieldKind = Literal["datetime", "date", "string", "int", "bool"]
COMPARATORS = (">=", "<=", ">", "<")


class SearchSyntaxError(ValueError):
    """A query string that cannot be parsed, or a value that does not fit its field."""


@dataclass(frozen=True)
class Term:
    field: str | None  # None for free text
    comparator: str  # ":", ">", ">=", "<", "<="
    value: str


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class And:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]


Expr = Term | Not | And | Or


@dataclass(frozen=True)
class SearchField:
    """How one searchable field reads a record: a value, or a list of values (any may match)."""

    kind: FieldKind
    get: Callable[[Any], Any]


# --- tokenizer ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "(" | ")" | "AND" | "OR" | "NOT" | "TERM"
    term: Term | None = None


_FIELD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    quote = text[start]
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == quote:
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise SearchSyntaxError(f"unterminated quoted value starting at position {start}")


def _read_bare(text: str, start: int) -> tuple[str, int]:
    i = start
    while i < len(text) and not text[i].isspace() and text[i] not in "()":
        i += 1
    return text[start:i], i


def _read_value(text: str, start: int) -> tuple[str, int]:
    if start < len(text) and text[start] in "'\"":
        return _read_quoted(text, start)
    return _read_bare(text, start)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            tokens.append(_Token(ch))
            i += 1
            continue
        if ch == "-" and i + 1 < len(text) and not text[i + 1].isspace():
            tokens.append(_Token("NOT"))
            i += 1
            continue
        if ch in "'\"":
            value, i = _read_quoted(text, i)
            tokens.append(_Token("TERM", Term(None, ":", value)))
            continue
        j = i
        while j < len(text) and text[j] in _FIELD_CHARS:
            j += 1
        if j > i and j < len(text) and text[j] == ":":
            name = text[i:j].lower()
            j += 1
            comparator = ":"
            for candidate in COMPARATORS:
                if text.startswith(candidate, j):
                    comparator = candidate
                    j += len(candidate)
                    break
            value, i = _read_value(text, j)
            tokens.append(_Token("TERM", Term(name, comparator, value)))
            continue
        word, i = _read_bare(text, i)
        if word in ("AND", "OR", "NOT"):
            tokens.append(_Token(word))
        else:
            tokens.append(_Token("TERM", Term(None, ":", word)))
    return tokens


# --- parser -------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos].kind if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Expr | None:
        if not self.tokens:
            return None
        expr = self.or_expr()
        if self.pos != len(self.tokens):
            raise SearchSyntaxError("unexpected ')' in search query")
        return expr

    def or_expr(self) -> Expr:
        operands = [self.and_expr()]
        while self.peek() == "OR":
            self.take()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> Expr:
        operands = [self.unary()]
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "AND":
                self.take()
            operands.append(self.unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def unary(self) -> Expr:
        kind = self.peek()
        if kind == "NOT":
            self.take()
            return Not(self.unary())
        if kind == "(":
            self.take()
            expr = self.or_expr()
            if self.peek() != ")":
                raise SearchSyntaxError("missing ')' in search query")
            self.take()
            return expr
        if kind == "TERM":
            term = self.take().term
            assert term is not None
            return term
        raise SearchSyntaxError(f"unexpected {kind or 'end of query'} in search query")


def parse_search(text: str | None) -> Expr | None:
    """Parse a search string; None or blank means no filter."""
    if text is None or not text.strip():
        return None
    return _Parser(_tokenize(text)).parse()


# --- evaluation ---------------------------------------------------------------------------------


def _parse_datetime(raw: str, tz: dt.tzinfo) -> tuple[dt.datetime, bool]:
    """An ISO timestamp or date; returns (moment, date_only). Naive values are in the shop zone."""
    text = raw.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time(), tzinfo=tz), True
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise SearchSyntaxError(f"invalid timestamp {raw!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.replace(microsecond=0), False


def _parse_date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip()[:10])
    except ValueError as exc:
        raise SearchSyntaxError(f"invalid date {raw!r}") from exc


def _compare(left: Any, comparator: str, right: Any) -> bool:
    if comparator == ">":
        return left > right
    if comparator == ">=":
        return left >= right
    if comparator == "<":
        return left < right
    if comparator == "<=":
        return left <= right
    return left == right


def _values(raw: Any) -> Iterable[Any]:
    if isinstance(raw, list | tuple | set | frozenset):
        return raw
    return (raw,)


@dataclass
class _CompiledTerm:
    """One term with its query value already converted to the field's type."""

    term: Term
    spec: SearchField | None
    tz: dt.tzinfo
    operand: Any = None
    day_end: dt.datetime | None = None
    prefix: bool = False

    def __post_init__(self) -> None:
        if self.spec is None:
            return
        kind, value = self.spec.kind, self.term.value
        if kind == "datetime":
            moment, date_only = _parse_datetime(value, self.tz)
            self.operand = moment
            if date_only:
                # A bare date compares as the whole day in the shop's zone.
                self.day_end = moment + dt.timedelta(days=1)
        elif kind == "date":
            self.operand = _parse_date(value)
        elif kind == "int":
            try:
                self.operand = int(value.rsplit("/", 1)[-1])
            except ValueError as exc:
                raise SearchSyntaxError(f"invalid number {value!r} for {self.term.field}") from exc
        elif kind == "bool":
            lowered = value.lower()
            if lowered not in ("true", "false"):
                raise SearchSyntaxError(f"invalid boolean {value!r} for {self.term.field}")
            self.operand = lowered == "true"
        else:
            self.prefix = value.endswith("*") and self.term.comparator == ":"
            self.operand = (value[:-1] if self.prefix else value).casefold()

    def matches_value(self, value: Any) -> bool:
        if value is None or self.spec is None:
            return False
        comparator, kind = self.term.comparator, self.spec.kind
        if kind == "datetime":
            moment = value.replace(microsecond=0)
            if self.day_end is not None:
                if comparator == ":":
                    return self.operand <= moment < self.day_end
                if comparator == ">":
                    return moment >= self.day_end
                if comparator == "<=":
                    return moment < self.day_end
            return _compare(moment, comparator, self.operand)
        if kind == "date":
            day = value.date() if isinstance(value, dt.datetime) else value
            return _compare(day, comparator, self.operand)
        if kind == "string":
            text = str(value).casefold()
            if self.prefix:
                return text.startswith(self.operand)
            return _compare(text, comparator, self.operand)
        return _compare(value, comparator, self.operand)


class Search:
    """A compiled search: call `matches(record)`; unknown fields are listed in `warnings`."""

    def __init__(
        self,
        text: str | None,
        fields: Mapping[str, SearchField],
        tz: dt.tzinfo = dt.UTC,
        default_fields: tuple[str, ...] = (),
    ) -> None:
        self.text = text
        self.fields = fields
        self.tz = tz
        self.default_fields = default_fields
        self.warnings: list[dict[str, str]] = []
        self._compiled: dict[int, list[_CompiledTerm]] = {}
        self.expr = parse_search(text)
        if self.expr is not None:
            self._compile(self.expr)

    def _compile(self, expr: Expr) -> None:
        if isinstance(expr, Term):
            if expr.field is None:
                names = self.default_fields
            elif expr.field in self.fields:
                names = (expr.field,)
            else:
                self.warnings.append({"field": expr.field, "message": "Invalid search field for this query."})
                names = ()
            self._compiled[id(expr)] = [
                _CompiledTerm(
                    Term(name, expr.comparator, expr.value),
                    self.fields.get(name),
                    self.tz,
                )
                for name in names
            ]
        elif isinstance(expr, Not):
            self._compile(expr.operand)
        else:
            for operand in expr.operands:
                self._compile(operand)

    @property
    def is_empty(self) -> bool:
        return self.expr is None

    def matches(self, record: Any) -> bool:
        return self.expr is None or self._eval(self.expr, record)

    def _eval(self, expr: Expr, record: Any) -> bool:
        if isinstance(expr, Term):
            compiled = self._compiled[id(expr)]
            if expr.field is not None and not compiled:
                return True  # unknown field: ignored, as Shopify does (with a warning)
            return any(c.matches_value(v) for c in compiled for v in _values(c.spec.get(record) if c.spec else None))
        if isinstance(expr, Not):
            return not self._eval(expr.operand, record)
        if isinstance(expr, And):
            return all(self._eval(op, record) for op in expr.operands)
        return any(self._eval(op, record) for op in expr.operands)


@dataclass
class SearchCatalog:
    """The searchable fields of one resource, plus the fields free text is matched against."""

    fields: dict[str, SearchField]
    default_fields: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)

    def compile(self, text: str | None, tz: dt.tzinfo = dt.UTC) -> Search:
        fields = dict(self.fields)
        for alias, target in self.aliases.items():
            fields[alias] = self.fields[target]
        return Search(text, fields, tz, self.default_fields)
