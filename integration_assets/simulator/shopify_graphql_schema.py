"""The executable Admin GraphQL schema: Shopify's 2026-01 SDL subset plus our resolvers.

The schema is built with `graphql.build_schema` from `shopify_admin_2026_01.graphql` unchanged
(graphql-core 3.2 parses it as is). Custom scalars get Shopify's serializations
(shopify_graphql_values), each object type's fields get the resolvers of the domain modules, and
abstract types (Node, DiscountApplication, PricingValue...) resolve by the Python class of the
source (or a dict's `__typename`). Fields without a resolver read dict keys, which is how small
value objects (MoneyV2, PageInfo, connections) are served.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
)

from integration_assets.simulator import (
    shopify_bulk,
    shopify_graphql_catalog,
    shopify_graphql_orders,
    shopify_graphql_payments,
)
from integration_assets.simulator.shopify_graphql_values import (
    parse_gid,
    serialize_date,
    serialize_datetime,
    serialize_decimal,
    serialize_int_string,
)

SDL_PATH = Path(__file__).with_name("shopify_admin_2026_01.graphql")

Resolver = Callable[..., Any]

SCALAR_SERIALIZERS: dict[str, Callable[[Any], Any]] = {
    "DateTime": serialize_datetime,
    "Date": serialize_date,
    "Decimal": serialize_decimal,
    "Money": serialize_decimal,
    "UnsignedInt64": serialize_int_string,
    "BigInt": serialize_int_string,
    "URL": str,
}

DOMAINS = (shopify_graphql_orders, shopify_graphql_catalog, shopify_graphql_payments, shopify_bulk)


def resolve_abstract_type(value: Any, info: GraphQLResolveInfo, abstract_type: Any) -> str | None:
    """The concrete GraphQL type of a source object."""
    if isinstance(value, dict):
        return value.get("__typename")
    for domain in (shopify_graphql_orders, shopify_graphql_catalog, shopify_graphql_payments):
        name = domain.type_name(value)
        if name is not None:
            return name
    return shopify_bulk.TYPE_NAMES.get(type(value))


def _node_source(info: GraphQLResolveInfo, global_id: str) -> Any:
    kind, id_, query = parse_gid(global_id)
    return (
        shopify_graphql_orders.node_for(info, kind, id_)
        or shopify_graphql_catalog.node_for(info, kind, id_, query)
        or shopify_graphql_payments.node_for(info, kind, id_)
        or shopify_bulk.node_for(info, kind, id_)
    )


def _resolve_node(_root: Any, info: GraphQLResolveInfo, id: str) -> Any:
    return _node_source(info, id)


def _resolve_nodes(_root: Any, info: GraphQLResolveInfo, ids: list[str]) -> list[Any]:
    return [_node_source(info, i) for i in ids]


def all_resolvers() -> dict[str, dict[str, Resolver]]:
    merged: dict[str, dict[str, Resolver]] = {"QueryRoot": {"node": _resolve_node, "nodes": _resolve_nodes}}
    for domain in DOMAINS:
        for type_name, fields in domain.RESOLVERS.items():
            merged.setdefault(type_name, {}).update(fields)
    return merged


def _wire(schema: GraphQLSchema) -> None:
    for name, serializer in SCALAR_SERIALIZERS.items():
        scalar = schema.get_type(name)
        assert isinstance(scalar, GraphQLScalarType), name
        scalar.serialize = serializer  # type: ignore[method-assign]
    for graphql_type in schema.type_map.values():
        if isinstance(graphql_type, GraphQLInterfaceType | GraphQLUnionType):
            graphql_type.resolve_type = resolve_abstract_type
    unknown: list[str] = []
    for type_name, fields in all_resolvers().items():
        graphql_type = schema.get_type(type_name)
        if not isinstance(graphql_type, GraphQLObjectType):
            raise TypeError(f"resolvers registered for unknown object type {type_name}")
        for field_name, resolver in fields.items():
            field = graphql_type.fields.get(field_name)
            if field is not None:
                field.resolve = resolver
    for domain in DOMAINS:
        for type_name, fields in domain.RESOLVERS.items():
            # A table shared by sibling types (the DiscountApplication implementations) may
            # carry fields one of them lacks; a name no sharing type has is a typo.
            siblings = [n for n, f in domain.RESOLVERS.items() if f is fields]
            for field_name in fields:
                if not any(field_name in _fields_of(schema, n) for n in siblings):
                    unknown.append(f"{type_name}.{field_name}")
    if unknown:
        raise TypeError(f"resolvers for fields the schema does not have: {', '.join(unknown)}")


def _fields_of(schema: GraphQLSchema, type_name: str) -> dict[str, Any]:
    graphql_type = schema.get_type(type_name)
    return graphql_type.fields if isinstance(graphql_type, GraphQLObjectType) else {}


@cache
def admin_schema() -> GraphQLSchema:
    """The executable schema (built once per process; resolvers are stateless)."""
    schema = build_schema(SDL_PATH.read_text(encoding="utf-8"))
    _wire(schema)
    return schema


def unresolved_fields(schema: GraphQLSchema) -> dict[str, list[str]]:
    """Fields of resolver-backed types that have no resolver (a test keeps this empty)."""
    missing: dict[str, list[str]] = {}
    for type_name in all_resolvers():
        graphql_type = schema.get_type(type_name)
        assert isinstance(graphql_type, GraphQLObjectType)
        names = [n for n, f in graphql_type.fields.items() if f.resolve is None]
        if names:
            missing[type_name] = names
    return missing
