"""Static and actual query cost, following Shopify's published rules (api-notes section 3).

Rules chosen (one consistent reading of shopify.dev "rate limits" and Shopify's engineering post):
- a scalar or enum field costs 0;
- an object field costs 1 plus its selections;
- a connection costs 2 plus `first` (or `last`) times the cost of one node, where a node costs 1
  plus its selections; so a connection inside a connection is multiplied by the outer page size.
  `edges`, `node`, `cursor` and `pageInfo` are part of the connection and cost nothing extra;
  when both `edges { node }` and `nodes` are selected, the dearer of the two counts;
- a plain list field that takes `first:` (Order.refunds, Order.fulfillments...) counts like a
  connection of that size; a list without `first:` counts like a single object;
- fragments on different types of an abstract field count the dearest branch;
- every mutation root field costs 10.
The actual cost applies the same rules to the objects actually returned (a connection counts 2
plus the cost of each node it returned), and never exceeds the requested cost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)
from graphql.execution.values import get_argument_values

MAX_QUERY_COST = 1000
MUTATION_COST = 10
CONNECTION_FIELDS = frozenset({"edges", "nodes", "pageInfo"})


def is_connection_type(graphql_type: Any) -> bool:
    """Relay connection types are the object types named *Connection with `edges`."""
    return (
        isinstance(graphql_type, GraphQLObjectType)
        and graphql_type.name.endswith("Connection")
        and "edges" in graphql_type.fields
    )


def is_list_field(field: GraphQLField) -> bool:
    field_type: GraphQLOutputType = field.type
    if isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    return isinstance(field_type, GraphQLList)


@dataclass
class CollectedField:
    """All field nodes under one response key, with the type that declares them."""

    parent_type: Any  # GraphQLObjectType | GraphQLInterfaceType
    key: str
    nodes: list[FieldNode]
    branch: str | None  # type condition when it narrows an abstract parent, else None

    @property
    def name(self) -> str:
        return self.nodes[0].name.value

    @property
    def definition(self) -> GraphQLField | None:
        return self.parent_type.fields.get(self.name) if hasattr(self.parent_type, "fields") else None

    def sub_selections(self) -> SelectionSetNode:
        selections = [s for node in self.nodes if node.selection_set for s in node.selection_set.selections]
        return SelectionSetNode(selections=tuple(selections))


def collect_fields(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    parent_type: Any,
    selection_set: SelectionSetNode | None,
) -> list[CollectedField]:
    """Flatten fragments; fields under a narrowing type condition are kept apart by branch."""
    collected: dict[tuple[str | None, str], CollectedField] = {}

    def visit(selections: Iterable[Any], current_type: Any, branch: str | None, seen: set[str]) -> None:
        for selection in selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                entry = collected.get((branch, key))
                if entry is None:
                    collected[(branch, key)] = CollectedField(current_type, key, [selection], branch)
                else:
                    entry.nodes.append(selection)
                continue
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in seen:
                    continue
                condition = fragment.type_condition.name.value
                selection_list = fragment.selection_set.selections
                next_seen = seen | {name}
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition.name.value if selection.type_condition else None
                selection_list = selection.selection_set.selections
                next_seen = seen
            else:
                continue
            narrowed = schema.get_type(condition) if condition else current_type
            if narrowed is None:
                continue
            narrows = condition is not None and condition != getattr(current_type, "name", None)
            next_branch = condition if narrows and is_abstract_type(parent_type) else branch
            visit(selection_list, narrowed, next_branch, next_seen)

    if selection_set is not None:
        visit(selection_set.selections, parent_type, None, set())
    return list(collected.values())


class CostCalculator:
    """Cost of one operation; `requested()` before execution, `actual(data)` after."""

    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.operation = operation
        self.fragments = fragments
        self.variables = variables
        # The actual cost walks every returned node with the same selections: flatten each once.
        self._collected: dict[tuple[str, tuple[int, ...]], list[CollectedField]] = {}
        self._requested: int | None = None

    @property
    def is_mutation(self) -> bool:
        return self.operation.operation == OperationType.MUTATION

    def _root_type(self) -> GraphQLObjectType:
        if self.is_mutation:
            assert self.schema.mutation_type is not None
            return self.schema.mutation_type
        assert self.schema.query_type is not None
        return self.schema.query_type

    def requested(self) -> int:
        if self._requested is None:
            root = self._root_type()
            fields = collect_fields(self.schema, self.fragments, root, self.operation.selection_set)
            if self.is_mutation:
                self._requested = MUTATION_COST * len([f for f in fields if not f.name.startswith("__")])
            else:
                self._requested = self._selection_cost(fields, None)
        return self._requested

    def actual(self, data: dict[str, Any] | None) -> int:
        if data is None:
            return 0
        if self.is_mutation:
            return self.requested()
        root = self._root_type()
        fields = collect_fields(self.schema, self.fragments, root, self.operation.selection_set)
        return min(self.requested(), self._selection_cost(fields, data))

    # --- shared walk: `value` None means "static" (page sizes), else the returned data ----------

    def _selection_cost(self, fields: list[CollectedField], value: dict[str, Any] | None) -> int:
        common = 0
        branches: dict[str, int] = {}
        seen: set[str] = set()
        for collected in fields:
            if collected.name.startswith("__") or collected.definition is None:
                continue
            if value is not None:
                if collected.key not in value or collected.key in seen:
                    continue
                seen.add(collected.key)
                cost = self._field_cost(collected, value[collected.key], static=False)
            else:
                cost = self._field_cost(collected, None, static=True)
            if collected.branch is None:
                common += cost
            else:
                branches[collected.branch] = branches.get(collected.branch, 0) + cost
        return common + max(branches.values(), default=0)

    def _sub_fields(self, named: Any, collected: CollectedField) -> list[CollectedField]:
        """`collect_fields` of a field's sub-selections on `named`, once per type and field nodes
        (the nodes belong to the operation, so their ids are stable while this calculator lives)."""
        key = (named.name, tuple(id(node) for node in collected.nodes))
        fields = self._collected.get(key)
        if fields is None:
            fields = collect_fields(self.schema, self.fragments, named, collected.sub_selections())
            self._collected[key] = fields
        return fields

    def _children(self, collected: CollectedField, named: Any, value: Any, static: bool) -> int:
        return self._selection_cost(self._sub_fields(named, collected), None if static else value)

    def _page_size(self, collected: CollectedField) -> int | None:
        definition = collected.definition
        assert definition is not None
        try:
            args = get_argument_values(definition, collected.nodes[0], self.variables)
        except Exception:  # invalid arguments are reported by execution, not here
            return None
        first, last = args.get("first"), args.get("last")
        if first is not None:
            return int(first)
        if last is not None:
            return int(last)
        return None

    def _field_cost(self, collected: CollectedField, value: Any, static: bool) -> int:
        definition = collected.definition
        assert definition is not None
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        if is_connection_type(named):
            return self._connection_cost(collected, named, value, static)
        if is_list_field(definition):
            size = self._page_size(collected) if "first" in definition.args else None
            if static:
                per_item = 1 + self._children(collected, named, None, True)
                return 2 + size * per_item if size is not None else per_item
            items = [v for v in value or [] if isinstance(v, dict)]
            costs = [1 + self._children(collected, named, item, False) for item in items]
            if size is not None:
                return 2 + sum(costs)
            return max(costs, default=0)
        if static:
            return 1 + self._children(collected, named, None, True)
        if not isinstance(value, dict):
            return 0
        return 1 + self._children(collected, named, value, False)

    def _connection_cost(self, collected: CollectedField, named: Any, value: Any, static: bool) -> int:
        parts = self._sub_fields(named, collected)
        edges = next((p for p in parts if p.name == "edges"), None)
        nodes = next((p for p in parts if p.name == "nodes"), None)
        edge_type = get_named_type(named.fields["edges"].type)
        node_type = get_named_type(named.fields["nodes"].type) if "nodes" in named.fields else None
        node_fields: CollectedField | None = None
        if edges is not None:
            edge_parts = self._sub_fields(edge_type, edges)
            node_fields = next((p for p in edge_parts if p.name == "node"), None)

        def node_cost(node_value: Any, source: CollectedField | None, node_named: Any) -> int:
            if source is None:
                return 0
            if static:
                return 1 + self._children(source, node_named, None, True)
            if not isinstance(node_value, dict):
                return 0
            return 1 + self._children(source, node_named, node_value, False)

        node_named = get_named_type(edge_type.fields["node"].type)
        if static:
            size = self._page_size(collected) or 0
            per_node = max(
                node_cost(None, node_fields, node_named),
                node_cost(None, nodes, node_type),
                1 if (edges or nodes) else 0,
            )
            return 2 + size * per_node
        if not isinstance(value, dict):
            return 0
        edge_values = value.get(edges.key, []) if edges is not None else []
        node_values = value.get(nodes.key, []) if nodes is not None else []
        via_edges = sum(
            node_cost(e.get(node_fields.key) if node_fields else None, node_fields, node_named) or 1
            for e in edge_values or []
            if isinstance(e, dict)
        )
        via_nodes = sum(node_cost(n, nodes, node_type) for n in node_values or [])
        return 2 + max(via_edges, via_nodes)
