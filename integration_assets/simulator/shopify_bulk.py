"""Bulk operations (api-notes section 4): validation, the operation store, and the JSONL result.

A bulk query runs in a background thread over the same schema with unbounded connections. The
operation moves CREATED -> RUNNING -> COMPLETED; the first poll that reads it always sees
RUNNING (so a client's polling loop is exercised), and a later poll sees COMPLETED once the file
is ready. The result is JSONL: every node of a connection is its own line, a nested connection's
nodes carry `__parentId` and come after their parent; lists and objects stay inline. The file is
served by the simulator itself at a signed URL (`/_sim/bulk/{id}.jsonl?...`), as Shopify hands out
a signed Google Cloud Storage URL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    parse,
    validate,
)

from integration_assets.simulator.shopify_graphql_cost import (
    CollectedField,
    collect_fields,
    is_connection_type,
    is_list_field,
)
from integration_assets.simulator.shopify_graphql_paging import paginate
from integration_assets.simulator.shopify_graphql_values import gid, parse_gid
from integration_assets.simulator.shopify_search import SearchCatalog, SearchField

MAX_CONNECTIONS = 5
MAX_CONNECTION_DEPTH = 2
MAX_CONCURRENT_QUERIES = 5  # 2026-01 and later (api-notes section 4)
URL_LIFETIME_SECONDS = 7 * 24 * 3600

TERMINAL = frozenset({"COMPLETED", "FAILED", "CANCELED", "EXPIRED"})


def _user_error(message: str, code: str = "INVALID") -> dict[str, Any]:
    return {"field": ["query"], "message": message, "code": code}


# --- validation ---------------------------------------------------------------------------------


@dataclass
class _Analysis:
    connections: int = 0
    max_depth: int = 0
    top_level_node: bool = False
    within_list: bool = False
    without_parent_id: list[str] = field(default_factory=list)
    via_nodes: list[str] = field(default_factory=list)


def _selects_plain_id(fields: list[CollectedField]) -> bool:
    return any(f.name == "id" and f.key == "id" for f in fields)


def _analyze(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    fields: list[CollectedField],
    analysis: _Analysis,
    depth: int,
    in_list: bool,
    parent_has_id: bool,
) -> None:
    for collected in fields:
        definition = collected.definition
        if definition is None:
            continue
        named = get_named_type(definition.type)
        if not isinstance(named, GraphQLObjectType) and not hasattr(named, "fields"):
            continue
        children = collect_fields(schema, fragments, named, collected.sub_selections())
        if is_connection_type(named):
            analysis.connections += 1
            analysis.max_depth = max(analysis.max_depth, depth + 1)
            if in_list:
                analysis.within_list = True
            if depth >= 1 and not parent_has_id:
                analysis.without_parent_id.append(collected.name)
            for part in children:
                if part.name == "nodes":
                    analysis.via_nodes.append(collected.name)
                elif part.name == "edges":
                    edge_type = get_named_type(named.fields["edges"].type)
                    edge_parts = collect_fields(schema, fragments, edge_type, part.sub_selections())
                    for node_part in edge_parts:
                        if node_part.name != "node":
                            continue
                        node_type = get_named_type(edge_type.fields["node"].type)
                        node_fields = collect_fields(schema, fragments, node_type, node_part.sub_selections())
                        _analyze(
                            schema,
                            fragments,
                            node_fields,
                            analysis,
                            depth + 1,
                            False,
                            _selects_plain_id(node_fields),
                        )
            continue
        _analyze(
            schema,
            fragments,
            children,
            analysis,
            depth,
            in_list or is_list_field(definition),
            parent_has_id,
        )


def validate_bulk_query(schema: GraphQLSchema, query: str) -> list[dict[str, Any]]:
    """userErrors for a bulk query, with Shopify's messages; empty when it may run."""
    if not query.strip():
        return [_user_error("Invalid bulk query: syntax error, unexpected end of file")]
    try:
        document = parse(query)
    except GraphQLError as exc:
        return [_user_error(f"Invalid bulk query: {exc.message}")]
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        return [_user_error("Invalid bulk query: exactly one operation is required")]
    if operations[0].operation != OperationType.QUERY:
        return [_user_error("Invalid operation type. Only `query` operations are supported.")]
    errors = validate(schema, document)
    if errors:
        return [_user_error(f"Invalid bulk query: {e.message}") for e in errors]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    assert schema.query_type is not None
    roots = collect_fields(schema, fragments, schema.query_type, operations[0].selection_set)
    analysis = _Analysis(top_level_node=any(f.name in ("node", "nodes") for f in roots))
    _analyze(schema, fragments, roots, analysis, 0, False, False)

    messages: list[str] = []
    # Messages are Shopify's wording as seen in the wild. ASSUMED: the `nodes` shorthand is
    # refused inside bulk queries (observed by third parties; not in shopify.dev's reference).
    if analysis.via_nodes:
        names = "', '".join(analysis.via_nodes)
        messages.append(
            "All connection fields in a bulk query must select their contents using 'edges' > "
            f"'node', e.g: '{analysis.via_nodes[0]} {{ edges {{ node {{'. Selecting via 'nodes' "
            f"is not supported. Invalid connection fields: '{names}'."
        )
    if analysis.top_level_node:
        messages.append("Bulk queries cannot contain a top level `node` field.")
    if analysis.max_depth > MAX_CONNECTION_DEPTH:
        messages.append("Bulk queries cannot contain connections with a nesting depth greater than 2.")
    if analysis.connections > MAX_CONNECTIONS:
        messages.append("Bulk queries cannot contain more than 5 connections.")
    if analysis.without_parent_id:
        messages.append(
            "The parent 'node' field for a nested connection must select the 'id' field without "
            "an alias and must be of 'ID' return type. Connection fields without 'id': "
            f"{', '.join(analysis.without_parent_id)}."
        )
    if analysis.within_list:
        messages.append("Queries that contain a connection field within a list field are not currently supported.")
    if analysis.connections == 0 and not messages:
        messages.append("Bulk queries must contain at least one connection.")
    return [_user_error(m) for m in messages]


# --- JSONL --------------------------------------------------------------------------------------


def result_lines(schema: GraphQLSchema, document_query: str, data: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The JSONL objects of a bulk result and how many are root objects (no __parentId)."""
    document = parse(document_query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    lines: list[dict[str, Any]] = []
    assert schema.query_type is not None
    roots = collect_fields(schema, fragments, schema.query_type, operation.selection_set)
    _flatten_object(schema, fragments, roots, data, None, lines)
    return lines, sum(1 for line in lines if "__parentId" not in line)


def _flatten_object(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    fields: list[CollectedField],
    value: dict[str, Any],
    node_id: str | None,
    lines: list[dict[str, Any]],
) -> dict[str, Any]:
    """`value` without its connections; the connections' nodes are appended to `lines`."""
    by_key = {f.key: f for f in fields if f.definition is not None}
    inline: dict[str, Any] = {}
    for key, item in value.items():
        collected = by_key.get(key)
        if collected is None or item is None:
            inline[key] = item
            continue
        definition = collected.definition
        assert definition is not None
        named = get_named_type(definition.type)
        if not hasattr(named, "fields"):
            inline[key] = item
            continue
        children = collect_fields(schema, fragments, named, collected.sub_selections())
        if is_connection_type(named):
            _flatten_connection(schema, fragments, named, children, item, node_id, lines)
        elif isinstance(item, list):
            inline[key] = [
                _flatten_object(schema, fragments, children, x, node_id, lines) if isinstance(x, dict) else x
                for x in item
            ]
        else:
            inline[key] = _flatten_object(schema, fragments, children, item, node_id, lines)
    return inline


def _flatten_connection(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    connection_type: GraphQLObjectType,
    parts: list[CollectedField],
    value: dict[str, Any],
    parent_id: str | None,
    lines: list[dict[str, Any]],
) -> None:
    edges = next((p for p in parts if p.name == "edges"), None)
    if edges is None:
        return
    edge_type = get_named_type(connection_type.fields["edges"].type)
    edge_parts = collect_fields(schema, fragments, edge_type, edges.sub_selections())
    node_part = next((p for p in edge_parts if p.name == "node"), None)
    if node_part is None:
        return
    node_type = get_named_type(edge_type.fields["node"].type)
    node_fields = collect_fields(schema, fragments, node_type, node_part.sub_selections())
    for edge in value.get(edges.key) or []:
        node = edge.get(node_part.key) if isinstance(edge, dict) else None
        if not isinstance(node, dict):
            continue
        position = len(lines)
        lines.append({})  # the parent's line goes before its children's
        line = _flatten_object(schema, fragments, node_fields, node, node.get("id"), lines)
        if parent_id is not None:
            line["__parentId"] = parent_id
        lines[position] = line


# --- operations ---------------------------------------------------------------------------------


@dataclass
class BulkOperation:
    """One bulk query; `status` is what clients have been shown so far."""

    id: int
    query: str
    created_at: dt.datetime
    type: str = "QUERY"
    status: str = "CREATED"
    error_code: str | None = None
    completed_at: dt.datetime | None = None
    object_count: int = 0
    root_object_count: int = 0
    body: bytes | None = None
    partial: bool = False
    finished: bool = False  # the worker is done (result ready or failed)
    cancel_requested: bool = False

    @property
    def gid(self) -> str:
        return gid("BulkOperation", self.id)

    @property
    def active(self) -> bool:
        """Counts against the concurrency limit: not finished and not cancelled."""
        return not self.finished and self.status not in TERMINAL and not self.cancel_requested


class BulkOperationStore:
    """All bulk operations of the shop, and the background runs that produce their files."""

    def __init__(
        self,
        now: Callable[[], dt.datetime],
        base_url: Callable[[], str],
        secret: str,
        run_query: Callable[[str], ExecutionResult],
        schema: GraphQLSchema,
        *,
        query_slots: int = MAX_CONCURRENT_QUERIES,
        min_run_seconds: float = 0.0,
    ) -> None:
        self._now = now
        self._base_url = base_url
        self._secret = secret.encode()
        self._run_query = run_query
        self._schema = schema
        self._query_slots = query_slots
        self._min_run_seconds = min_run_seconds
        self._lock = threading.Lock()
        self._operations: dict[int, BulkOperation] = {}
        self._next_id = 4_412_345_670_000
        self._threads: list[threading.Thread] = []

    # --- mutations ---------------------------------------------------------------------------

    def start(self, query: str) -> tuple[BulkOperation | None, list[dict[str, Any]]]:
        errors = validate_bulk_query(self._schema, query)
        if errors:
            return None, errors
        with self._lock:
            running = sum(1 for op in self._operations.values() if op.type == "QUERY" and op.active)
            if running >= self._query_slots:
                return None, [
                    {
                        "field": None,
                        "message": "A bulk query operation for this app and shop is already in "
                        f"progress: {self._query_slots} bulk queries may run at a time.",
                        "code": "LIMIT_REACHED",
                    }
                ]
            self._next_id += 1
            operation = BulkOperation(id=self._next_id, query=query, created_at=self._now())
            self._operations[operation.id] = operation
        thread = threading.Thread(target=self._work, args=(operation,), name=f"bulk-{operation.id}", daemon=True)
        self._threads.append(thread)
        thread.start()
        return operation, []

    def cancel(self, operation_id: int) -> tuple[BulkOperation | None, list[dict[str, Any]]]:
        with self._lock:
            operation = self._operations.get(operation_id)
            if operation is None:
                return None, [{"field": ["id"], "message": "Bulk operation does not exist"}]
            if operation.status in TERMINAL:
                status = operation.status.lower()
                return operation, [
                    {
                        "field": None,
                        "message": f"A bulk operation cannot be canceled when it is {status}",
                    }
                ]
            operation.cancel_requested = True
            operation.status = "CANCELING"
            return operation, []

    # --- reads -------------------------------------------------------------------------------

    def observe(self, operation: BulkOperation) -> BulkOperation:
        """A client read the operation: advance what it is shown by one step."""
        with self._lock:
            if operation.status == "CANCELING":
                operation.status = "CANCELED"
                operation.completed_at = self._now()
            elif operation.status == "CREATED":
                operation.status = "RUNNING"
            elif operation.status == "RUNNING" and operation.finished:
                operation.status = "FAILED" if operation.error_code else "COMPLETED"
                operation.completed_at = self._now()
        return operation

    def get(self, operation_id: int) -> BulkOperation | None:
        with self._lock:
            return self._operations.get(operation_id)

    def all(self) -> list[BulkOperation]:
        with self._lock:
            return list(self._operations.values())

    def current(self, operation_type: str) -> BulkOperation | None:
        with self._lock:
            ops = [op for op in self._operations.values() if op.type == operation_type]
        return max(ops, key=lambda op: op.id) if ops else None

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Join finished workers (tests and shutdown)."""
        for thread in list(self._threads):
            thread.join(timeout)

    # --- the result file ---------------------------------------------------------------------

    def signature(self, operation_id: int) -> str:
        return hmac.new(self._secret, str(operation_id).encode(), hashlib.sha256).hexdigest()

    def url(self, operation: BulkOperation) -> str | None:
        if operation.status not in ("COMPLETED", "FAILED") or operation.body is None:
            return None
        if operation.status == "FAILED" and not operation.partial:
            return None
        return (
            f"{self._base_url()}/_sim/bulk/{operation.id}.jsonl"
            f"?X-Goog-Algorithm=GOOG4-HMAC-SHA256&X-Goog-Expires={URL_LIFETIME_SECONDS}"
            f"&X-Goog-Signature={self.signature(operation.id)}"
        )

    def result(self, operation_id: int, signature: str) -> bytes | None:
        operation = self.get(operation_id)
        if operation is None or operation.body is None:
            return None
        if not hmac.compare_digest(signature, self.signature(operation_id)):
            return None
        return operation.body

    def _work(self, operation: BulkOperation) -> None:
        started = time.monotonic()
        try:
            result = self._run_query(operation.query)
            lines: list[dict[str, Any]] = []
            roots = 0
            if result.data is not None:
                lines, roots = result_lines(self._schema, operation.query, result.data)
            body = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
            with self._lock:
                operation.body = body.encode()
                operation.object_count = len(lines)
                operation.root_object_count = roots
                if result.errors:
                    operation.error_code = "INTERNAL_SERVER_ERROR"
                    operation.partial = bool(lines)
        except Exception:
            with self._lock:
                operation.error_code = "INTERNAL_SERVER_ERROR"
        finally:
            # Real operations take a while; a shop can be told to hold each one at least this long.
            time.sleep(max(0.0, self._min_run_seconds - (time.monotonic() - started)))
            with self._lock:
                operation.finished = True


# --- GraphQL resolvers --------------------------------------------------------------------------

Info = GraphQLResolveInfo


def _store(info: Info) -> BulkOperationStore:
    return info.context.bulk_store


def _observed(info: Info, operation: BulkOperation | None) -> BulkOperation | None:
    """Advance an operation once per request that reads it."""
    if operation is None:
        return None
    seen: set[int] = info.context.observed_bulk
    if operation.id not in seen:
        seen.add(operation.id)
        _store(info).observe(operation)
    return operation


BULK_SEARCH = SearchCatalog(
    fields={
        "status": SearchField("string", lambda op: op.status),
        "created_at": SearchField("datetime", lambda op: op.created_at),
        "operation_type": SearchField("string", lambda op: op.type),
        "type": SearchField("string", lambda op: op.type),
        "id": SearchField("int", lambda op: op.id),
    }
)


def _bulk_operations(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    operations = [_observed(info, op) for op in _store(info).all()]
    search = BULK_SEARCH.compile(args.get("query"))
    kept = [op for op in operations if op is not None and search.matches(op)]
    if (args.get("sortKey") or "CREATED_AT") == "COMPLETED_AT":
        keys = [(op.completed_at.isoformat() if op.completed_at else "", op.id) for op in kept]
    else:
        keys = [(op.created_at.isoformat(), op.id) for op in kept]
    pairs = sorted(zip(keys, kept, strict=True), key=lambda p: p[0])
    return paginate(info, [p[1] for p in pairs], [p[0] for p in pairs], args)


def _bulk_operation(_root: Any, info: Info, id: str) -> BulkOperation | None:
    _, operation_id, _ = parse_gid(id, "BulkOperation")
    return _observed(info, _store(info).get(operation_id))


def _run_query(_root: Any, info: Info, query: str, groupObjects: bool = False) -> dict[str, Any]:
    operation, errors = _store(info).start(query)
    return {"bulkOperation": operation, "userErrors": errors}


def _cancel(_root: Any, info: Info, id: str) -> dict[str, Any]:
    _, operation_id, _ = parse_gid(id, "BulkOperation")
    operation, errors = _store(info).cancel(operation_id)
    return {"bulkOperation": operation, "userErrors": errors}


def _done(op: BulkOperation) -> bool:
    return op.status in TERMINAL


BULK_OPERATION: dict[str, Callable[..., Any]] = {
    "id": lambda op, i: op.gid,
    "status": lambda op, i: op.status,
    "errorCode": lambda op, i: op.error_code if op.status == "FAILED" else None,
    "type": lambda op, i: op.type,
    "query": lambda op, i: op.query,
    "createdAt": lambda op, i: op.created_at,
    "completedAt": lambda op, i: op.completed_at,
    "objectCount": lambda op, i: op.object_count if _done(op) else 0,
    "rootObjectCount": lambda op, i: op.root_object_count if _done(op) else 0,
    "fileSize": lambda op, i: len(op.body) if op.status == "COMPLETED" and op.body is not None else None,
    "url": lambda op, i: _store(i).url(op) if op.status == "COMPLETED" else None,
    "partialDataUrl": lambda op, i: _store(i).url(op) if op.status == "FAILED" else None,
}


RESOLVERS: dict[str, dict[str, Callable[..., Any]]] = {
    "QueryRoot": {
        "bulkOperation": _bulk_operation,
        "bulkOperations": _bulk_operations,
        "currentBulkOperation": lambda _root, info, type="QUERY": _observed(info, _store(info).current(type)),
    },
    "Mutation": {"bulkOperationRunQuery": _run_query, "bulkOperationCancel": _cancel},
    "BulkOperation": BULK_OPERATION,
}


def node_for(info: Info, kind: str, id_: int) -> Any:
    if kind == "BulkOperation":
        return _observed(info, _store(info).get(id_))
    return None


TYPE_NAMES: dict[type, str] = {BulkOperation: "BulkOperation"}
