"""Shopify Admin GraphQL over HTTP: `POST /admin/api/{version}/graphql.json`.

What a client meets, in order (api-notes/shopify-api.md sections 1 and 3):
1. a version it asks for that is not supported falls forward to the oldest supported one; the
   `X-Shopify-API-Version` response header says which version answered;
2. a missing or wrong `X-Shopify-Access-Token` is a 401 JSON error; a body that is not JSON is a
   400 `{"errors": ...}`;
3. syntax and validation errors come back as HTTP 200 with `errors` (graphql-core's messages,
   which name the field), never a 500;
4. the requested cost is computed from the document; above 1000 points the query is refused
   with MAX_COST_EXCEEDED; otherwise it must find that many points in the shop's bucket, or it is
   refused with THROTTLED (HTTP 200, no data);
5. after execution the difference to the actual cost goes back into the bucket; every GraphQL
   response carries `extensions.cost` with the bucket's throttleStatus.
Bulk operation results are served at `GET /_sim/bulk/{id}.jsonl` behind a signature, like the
signed storage URLs Shopify hands out.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    execute,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from integration_assets.simulator.context import SimContext, derived_secret
from integration_assets.simulator.shopify_auth import unauthorized
from integration_assets.simulator.shopify_bulk import BulkOperationStore
from integration_assets.simulator.shopify_graphql_cost import MAX_QUERY_COST, CostCalculator
from integration_assets.simulator.shopify_graphql_schema import admin_schema
from integration_assets.simulator.shopify_graphql_state import RequestState, WorldIndex
from integration_assets.simulator.shopify_search import SearchSyntaxError

log = logging.getLogger(__name__)

RATE_LIMITS_DOC = "https://shopify.dev/api/usage/rate-limits"
VERSION_HEADER = "X-Shopify-API-Version"
# Distinct query texts kept parsed and validated; clients send a handful, page after page.
DOCUMENT_CACHE_SIZE = 512

MAX_COST_MESSAGE = (
    "Query cost is {cost}, which exceeds the single query max cost limit ({limit}).\n\n"
    "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
    "cost of a query is calculated.\n\n"
    "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
    "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n"
)


class ShopifyGraphQL:
    """The GraphQL endpoint of one simulated shop."""

    def __init__(self, ctx: SimContext) -> None:
        self.ctx = ctx
        self.schema = admin_schema()
        self.index = WorldIndex(ctx.world)
        self._clock_origin = ctx.clock()
        self._documents: dict[str, tuple[DocumentNode | None, list[GraphQLError]]] = {}
        self.bulk = BulkOperationStore(
            now=self.sim_now,
            base_url=lambda: ctx.base_url,
            secret=derived_secret(ctx.world.seed, "bulk-url"),
            run_query=self._run_bulk_query,
            schema=self.schema,
            query_slots=ctx.bulk_query_slots,
            min_run_seconds=ctx.bulk_min_run_seconds,
        )

    def sim_now(self) -> dt.datetime:
        """The simulator's clock: the world's "now" plus the time the server has been up."""
        elapsed = self.ctx.clock() - self._clock_origin
        return (self.ctx.world.now + dt.timedelta(seconds=elapsed)).replace(microsecond=0)

    def resolve_version(self, requested: str) -> str:
        if requested in self.ctx.api_versions or requested == "unstable":
            return requested
        return self.ctx.api_versions[0]

    # --- HTTP ----------------------------------------------------------------------------------

    async def endpoint(self, request: Request) -> Response:
        headers = {VERSION_HEADER: self.resolve_version(request.path_params["version"])}
        denied = unauthorized(self.ctx, request)
        if denied is not None:
            denied.headers[VERSION_HEADER] = headers[VERSION_HEADER]
            return denied
        body = await request.body()
        try:
            query, variables, operation_name = _read_request(body, request.headers.get("content-type", ""))
        except ValueError as exc:
            return JSONResponse({"errors": str(exc)}, status_code=400, headers=headers)
        payload = await run_in_threadpool(self.run, query, variables, operation_name)
        return JSONResponse(payload, headers=headers)

    async def bulk_result(self, request: Request) -> Response:
        operation_id = request.path_params["operation_id"]
        signature = request.query_params.get("X-Goog-Signature", "")
        body = self.bulk.result(operation_id, signature)
        if body is None:
            return Response("<Error><Code>AccessDenied</Code></Error>", status_code=403, media_type="application/xml")
        return Response(body, media_type="application/jsonl")

    # --- execution -----------------------------------------------------------------------------

    def throttle_status(self) -> dict[str, Any]:
        bucket = self.ctx.graphql_bucket
        return {
            "maximumAvailable": float(bucket.maximum),
            "currentlyAvailable": bucket.currently_available(),
            "restoreRate": float(bucket.restore_rate),
        }

    def _cost(self, requested: int, actual: int | None) -> dict[str, Any]:
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": self.throttle_status(),
            }
        }

    def _errors_only(self, errors: list[GraphQLError]) -> dict[str, Any]:
        return {"errors": [e.formatted for e in errors], "extensions": self._cost(0, 0)}

    def checked(self, query: str) -> tuple[DocumentNode | None, list[GraphQLError]]:
        """The parsed document (None if it does not parse) and its validation errors, by query text.

        Cached: a client sends the same few documents page after page, and parsing and validating
        them again was a third of the simulator's CPU per request, CPU the client under test (the
        ingest benchmark's) shares on the same machine. A document is never mutated by execution.
        """
        cached = self._documents.get(query)
        if cached is None:
            try:
                document = parse(query)
            except GraphQLError as exc:
                cached = (None, [exc])
            else:
                cached = (document, validate(self.schema, document))
            if len(self._documents) >= DOCUMENT_CACHE_SIZE:
                self._documents.clear()
            self._documents[query] = cached
        return cached

    def run(self, query: str, variables: dict[str, Any] | None, operation_name: str | None) -> dict[str, Any]:
        """Parse, validate, price, throttle and execute one request; the JSON body to send."""
        document, errors = self.checked(query)
        if document is None or errors:
            return self._errors_only(errors)
        operation = get_operation_ast(document, operation_name)
        if not isinstance(operation, OperationDefinitionNode):
            # Let graphql-core word the error (unknown or ambiguous operation name).
            result = execute(self.schema, document, operation_name=operation_name)
            return self._errors_only(result.errors or [])
        coerced = get_variable_values(self.schema, operation.variable_definitions or (), variables or {})
        if isinstance(coerced, list):
            return self._errors_only(coerced)

        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        cost = CostCalculator(self.schema, operation, fragments, coerced)
        requested = cost.requested()
        if requested > MAX_QUERY_COST:
            return {
                "errors": [
                    {
                        "message": MAX_COST_MESSAGE.format(cost=requested, limit=MAX_QUERY_COST),
                        "extensions": {
                            "code": "MAX_COST_EXCEEDED",
                            "cost": requested,
                            "maxCost": MAX_QUERY_COST,
                            "documentation": RATE_LIMITS_DOC,
                        },
                    }
                ],
                "extensions": self._cost(requested, None),
            }
        if not self.ctx.graphql_bucket.try_take(requested):
            return {
                "errors": [
                    {
                        "message": "Throttled",
                        "extensions": {"code": "THROTTLED", "documentation": RATE_LIMITS_DOC},
                    }
                ],
                "extensions": self._cost(requested, None),
            }

        state = RequestState(self.index, self.bulk)
        result = execute(
            self.schema,
            document,
            context_value=state,
            variable_values=variables or {},
            operation_name=operation_name,
        )
        actual = cost.actual(result.data)
        self.ctx.graphql_bucket.refund(requested - actual)
        return self._payload(result, requested, actual, state)

    def _payload(self, result: ExecutionResult, requested: int, actual: int, state: RequestState) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        if result.errors:
            for error in result.errors:
                original = error.original_error
                if original is not None and not isinstance(original, GraphQLError | SearchSyntaxError):
                    log.warning("resolver failed at %s", error.path, exc_info=original)
            payload["errors"] = [e.formatted for e in result.errors]
        payload["data"] = result.data
        extensions = self._cost(requested, actual)
        if state.search_notes:
            extensions["search"] = state.search_notes
        payload["extensions"] = extensions
        return payload

    def _run_bulk_query(self, query: str) -> ExecutionResult:
        """Execute a validated bulk query with unbounded connections (no cost, no throttle)."""
        state = RequestState(self.index, self.bulk, bulk=True)
        result = execute(self.schema, parse(query), context_value=state)
        if not isinstance(result, ExecutionResult):  # pragma: no cover - resolvers are sync
            raise TypeError("bulk query resolvers must be synchronous")
        return result


def _read_request(body: bytes, content_type: str) -> tuple[str, dict[str, Any] | None, str | None]:
    """(query, variables, operationName) from a JSON or application/graphql body."""
    if "application/graphql" in content_type:
        return body.decode("utf-8", errors="replace"), None, None
    try:
        parsed = json.loads(body or b"")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"Invalid JSON in request body: {exc}") from exc
    if not isinstance(parsed, dict) or not isinstance(parsed.get("query"), str):
        raise ValueError("Parameter Missing or Invalid: query")
    variables = parsed.get("variables")
    if isinstance(variables, str) and variables.strip():
        try:
            variables = json.loads(variables)
        except json.JSONDecodeError as exc:
            raise ValueError(f"Invalid JSON in variables: {exc}") from exc
    if variables is not None and not isinstance(variables, dict):
        variables = None
    operation_name = parsed.get("operationName")
    return parsed["query"], variables, operation_name if isinstance(operation_name, str) else None


def graphql_routes(ctx: SimContext) -> list[BaseRoute]:
    """The GraphQL endpoint and the bulk-result download for one simulated shop."""
    service = ShopifyGraphQL(ctx)
    return [
        Route("/admin/api/{version}/graphql.json", service.endpoint, methods=["POST"]),
        Route("/_sim/bulk/{operation_id:int}.jsonl", service.bulk_result, methods=["GET"]),
    ]
