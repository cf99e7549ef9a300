"""The Admin GraphQL text ShopifyClient sends, and what Shopify will charge for it.

Fragments are shared by the paged and the bulk queries, so both paths ask for exactly the same
fields. Written against integration_assets/simulator/shopify_admin_2026_01.graphql (2026-01, exact
names). Templates take their page sizes as `%(name)d` literals rather than variables: then the
query text alone fixes the requested cost, and the cost Shopify reports can be remembered per text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    parse,
)

MAX_QUERY_COST = 1000  # Shopify refuses a query whose requested cost is above this
MUTATION_COST = 10

FRAGMENTS: dict[str, str] = {
    "MoneyBagFields": """fragment MoneyBagFields on MoneyBag {
  shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }
}""",
    "MoneyFields": "fragment MoneyFields on MoneyV2 { amount currencyCode }",
    "TaxLineFields": "fragment TaxLineFields on TaxLine { title rate priceSet { ...MoneyBagFields } }",
    "OrderFields": """fragment OrderFields on Order {
  id legacyResourceId name number createdAt updatedAt processedAt cancelledAt cancelReason closedAt
  test edited currencyCode presentmentCurrencyCode taxesIncluded sourceName tags
  displayFinancialStatus displayFulfillmentStatus
  retailLocation { id }
  totalPriceSet { ...MoneyBagFields } subtotalPriceSet { ...MoneyBagFields }
  totalTaxSet { ...MoneyBagFields } totalDiscountsSet { ...MoneyBagFields }
  totalShippingPriceSet { ...MoneyBagFields } totalRefundedSet { ...MoneyBagFields }
  currentTotalPriceSet { ...MoneyBagFields } currentSubtotalPriceSet { ...MoneyBagFields }
  currentTotalTaxSet { ...MoneyBagFields } currentTotalDiscountsSet { ...MoneyBagFields }
  currentShippingPriceSet { ...MoneyBagFields }
  taxLines { ...TaxLineFields }
  transactions { ...TransactionFields }
  refunds { ...RefundFields }
  fulfillments { ...FulfillmentFields }
}""",
    "LineItemFields": """fragment LineItemFields on LineItem {
  id sku name title variantTitle vendor quantity currentQuantity unfulfilledQuantity
  nonFulfillableQuantity refundableQuantity isGiftCard requiresShipping taxable
  variant { id } product { id }
  originalUnitPriceSet { ...MoneyBagFields } discountedTotalSet { ...MoneyBagFields }
  totalDiscountSet { ...MoneyBagFields }
  taxLines { ...TaxLineFields }
}""",
    "ShippingLineFields": """fragment ShippingLineFields on ShippingLine {
  id title code source isRemoved
  originalPriceSet { ...MoneyBagFields } discountedPriceSet { ...MoneyBagFields }
  taxLines { ...TaxLineFields }
}""",
    "TransactionFields": """fragment TransactionFields on OrderTransaction {
  id kind status gateway test createdAt processedAt amountSet { ...MoneyBagFields } parentTransaction { id }
}""",
    "RefundFields": """fragment RefundFields on Refund {
  id createdAt processedAt note totalRefundedSet { ...MoneyBagFields }
}""",
    "RefundLineItemFields": """fragment RefundLineItemFields on RefundLineItem {
  id quantity restockType restocked lineItem { id sku } location { id }
  subtotalSet { ...MoneyBagFields } totalTaxSet { ...MoneyBagFields }
}""",
    "FulfillmentFields": """fragment FulfillmentFields on Fulfillment {
  id name status displayStatus createdAt updatedAt location { id } trackingInfo { company number url }
}""",
    "FulfillmentLineItemFields": """fragment FulfillmentLineItemFields on FulfillmentLineItem {
  id quantity lineItem { id sku }
}""",
    # The preorder metafield's namespace and key are filled in per client (PREORDER_METAFIELD).
    "InventoryVariantFields": """fragment InventoryVariantFields on ProductVariant {
  id sku title displayName
  product { id title status productType preorder: metafield(namespace: %(namespace)s, key: %(key)s) { value } }
}""",
    "PayoutFields": """fragment PayoutFields on ShopifyPaymentsPayout {
  id legacyResourceId issuedAt status transactionType externalTraceId net { ...MoneyFields }
  summary {
    adjustmentsFee { ...MoneyFields } adjustmentsGross { ...MoneyFields }
    advanceFees { ...MoneyFields } advanceGross { ...MoneyFields }
    chargesFee { ...MoneyFields } chargesGross { ...MoneyFields }
    refundsFee { ...MoneyFields } refundsFeeGross { ...MoneyFields }
    reservedFundsFee { ...MoneyFields } reservedFundsGross { ...MoneyFields }
    retriedPayoutsFee { ...MoneyFields } retriedPayoutsGross { ...MoneyFields }
    usdcRebateCreditAmount { ...MoneyFields }
  }
}""",
    "BalanceTransactionFields": """fragment BalanceTransactionFields on ShopifyPaymentsBalanceTransaction {
  id type sourceType test sourceId sourceOrderTransactionId adjustmentReason transactionDate
  amount { ...MoneyFields } fee { ...MoneyFields } net { ...MoneyFields }
  associatedOrder { id name } associatedPayout { id status }
}""",
}

ORDERS_PAGE = """query OrdersPage($query: String!, $cursor: String) {
  orders(first: %(first)d, after: $cursor, sortKey: UPDATED_AT, query: $query) {
    pageInfo { hasNextPage endCursor }
    nodes {
      ...OrderFields
      lineItems(first: %(lines)d) { pageInfo { hasNextPage endCursor } nodes { ...LineItemFields } }
      shippingLines(first: %(shipping)d) { pageInfo { hasNextPage endCursor } nodes { ...ShippingLineFields } }
    }
  }
}"""

# How many orders a window holds, up to `limit` (past it Shopify answers AT_LEAST): one point, asked
# before paging a window to decide whether a bulk operation would read it sooner.
ORDERS_COUNT = """query OrdersCount($query: String!, $limit: Int!) {
  ordersCount(query: $query, limit: $limit) { count precision }
}"""

# Bulk queries take edges { node } only, and connections unpaged.
BULK_ORDERS = """{
  orders(sortKey: UPDATED_AT, query: %(search)s) {
    edges { node {
      ...OrderFields
      lineItems { edges { node { __typename ...LineItemFields } } }
      shippingLines { edges { node { __typename ...ShippingLineFields } } }
    } }
  }
}"""

RUN_BULK_QUERY = """mutation RunBulkQuery($query: String!) {
  bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message code } }
}"""

# Recent bulk queries, newest first: to find one whose start reply was lost, or one to reuse.
# ASSUMED: `BulkOperation.query` gives back the query text exactly as it was submitted.
RECENT_BULK = """query RecentBulkOperations {
  bulkOperations(first: 25, sortKey: CREATED_AT, reverse: true, query: "operation_type:QUERY") {
    nodes { id status query createdAt }
  }
}"""

CANCEL_BULK = """mutation CancelBulk($id: ID!) {
  bulkOperationCancel(id: $id) { bulkOperation { id status } userErrors { field message } }
}"""

POLL_BULK = """query BulkOperation($id: ID!) {
  bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount url partialDataUrl }
}"""

REFUND_DETAILS = """query RefundDetails($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Refund { id
    refundLineItems(first: %(items)d) { pageInfo { hasNextPage endCursor } nodes { ...RefundLineItemFields } }
    transactions(first: %(transactions)d) { pageInfo { hasNextPage endCursor } nodes { ...TransactionFields } }
  } }
}"""

FULFILLMENT_DETAILS = """query FulfillmentDetails($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Fulfillment { id
    fulfillmentLineItems(first: %(items)d) {
      pageInfo { hasNextPage endCursor } nodes { ...FulfillmentLineItemFields }
    }
  } }
}"""

NESTED_PAGE = """query NestedPage($id: ID!, $cursor: String) {
  node(id: $id) { ... on %(type)s {
    %(field)s(first: %(first)d, after: $cursor) { pageInfo { hasNextPage endCursor } nodes { ...%(fragment)s } }
  } }
}"""

# (parent type, connection field) -> the fragment one node of it is read with.
NESTED_FRAGMENTS: dict[tuple[str, str], str] = {
    ("Order", "lineItems"): "LineItemFields",
    ("Order", "shippingLines"): "ShippingLineFields",
    ("Refund", "refundLineItems"): "RefundLineItemFields",
    ("Refund", "transactions"): "TransactionFields",
    ("Fulfillment", "fulfillmentLineItems"): "FulfillmentLineItemFields",
    ("InventoryItem", "variants"): "InventoryVariantFields",
}

LOCATIONS = """query Locations($cursor: String) {
  locations(first: %(first)d, after: $cursor, includeInactive: true, includeLegacy: true) {
    pageInfo { hasNextPage endCursor }
    nodes { id legacyResourceId name isActive fulfillsOnlineOrders shipsInventory hasActiveInventory
      createdAt updatedAt address { address1 address2 city province provinceCode zip country countryCode } }
  }
}"""

INVENTORY_ITEMS = """query InventoryItems($cursor: String) {
  inventoryItems(first: %(first)d, after: $cursor) {
    pageInfo { hasNextPage endCursor }
    nodes { id legacyResourceId sku tracked requiresShipping createdAt updatedAt
      variants(first: %(variants)d) { pageInfo { hasNextPage endCursor } nodes { ...InventoryVariantFields } } }
  }
}"""

INVENTORY_LEVELS = """query InventoryLevels($location: ID!, $cursor: String) {
  location(id: $location) { id
    inventoryLevels(first: %(first)d, after: $cursor) {
      pageInfo { hasNextPage endCursor }
      nodes { id updatedAt item { id sku } quantities(names: %(names)s) { name quantity } }
    }
  }
}"""

PAYOUTS = """query Payouts($query: String!, $cursor: String) {
  shopifyPaymentsAccount { id
    payouts(first: %(first)d, after: $cursor, query: $query, sortKey: ID) {
      pageInfo { hasNextPage endCursor } nodes { ...PayoutFields }
    }
  }
}"""

BALANCE_TRANSACTIONS = """query BalanceTransactions($query: String!, $cursor: String) {
  shopifyPaymentsAccount { id
    balanceTransactions(first: %(first)d, after: $cursor, query: $query, sortKey: %(sort)s) {
      pageInfo { hasNextPage endCursor } nodes { ...BalanceTransactionFields }
    }
  }
}"""

_SPREAD = re.compile(r"\.\.\.([A-Z]\w*)")


def document(operation: str, fragments: Mapping[str, str]) -> str:
    """`operation` followed by exactly the fragments it uses (GraphQL refuses unused ones)."""
    needed: list[str] = []
    queue = _SPREAD.findall(operation)
    while queue:
        name = queue.pop()
        if name not in needed:
            needed.append(name)
            queue += _SPREAD.findall(fragments[name])
    return "\n".join([operation, *(fragments[name] for name in sorted(needed))])


def graphql_string(value: str) -> str:
    """A GraphQL string literal (JSON's escapes are GraphQL's)."""
    return json.dumps(value)


# --- requested cost, by Shopify's published rules -------------------------------------------------


def estimate_cost(query: str, variables: Mapping[str, Any] | None = None) -> int:
    """The requested cost Shopify will charge for `query`, by its published rules.

    Scalars and enums 0; an object 1 plus its fields; a connection (or a list taking `first:`)
    2 plus `first` times one node; `nodes(ids:)` one node per id; a mutation 10. Needs no schema:
    a field with a selection set is an object, one with `first`/`last` a connection, and inline
    fragments on different types count the dearest. Used before Shopify has priced a query text
    and to choose page sizes that keep a query under the 1000-point limit.
    """
    parsed = parse(query)
    fragments = {d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    if operation.operation == OperationType.MUTATION:
        return MUTATION_COST * len(operation.selection_set.selections)
    return _CostWalk(fragments, variables or {}).selections(operation.selection_set)


class _CostWalk:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any]) -> None:
        self.fragments = fragments
        self.variables = variables

    def selections(self, selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        common = 0
        branches: dict[str, int] = {}
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                common += self.field(selection)
            elif isinstance(selection, FragmentSpreadNode):
                common += self.selections(self.fragments[selection.name.value].selection_set)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition.name.value if selection.type_condition else ""
                branches[condition] = branches.get(condition, 0) + self.selections(selection.selection_set)
        return common + max(branches.values(), default=0)

    def field(self, node: FieldNode) -> int:
        if node.selection_set is None or node.name.value.startswith("__") or node.name.value == "pageInfo":
            return 0
        args = {a.name.value: self.value(a.value) for a in node.arguments}
        ids = args.get("ids")
        if isinstance(ids, list):
            return len(ids) * (1 + self.selections(node.selection_set))
        size = args.get("first", args.get("last"))
        if isinstance(size, int):
            return 2 + size * self.item(node.selection_set)
        return 1 + self.selections(node.selection_set)

    def item(self, selection_set: SelectionSetNode) -> int:
        """One node of a connection (the dearer of `nodes` and `edges { node }`), or one list item."""
        parts = [s for s in selection_set.selections if isinstance(s, FieldNode)]
        names = {p.name.value for p in parts}
        if not names & {"nodes", "edges", "pageInfo"}:
            return 1 + self.selections(selection_set)
        costs = [1]
        for part in parts:
            if part.name.value == "nodes":
                costs.append(1 + self.selections(part.selection_set))
            elif part.name.value == "edges" and part.selection_set is not None:
                for inner in part.selection_set.selections:
                    if isinstance(inner, FieldNode) and inner.name.value == "node":
                        costs.append(1 + self.selections(inner.selection_set))
        return max(costs)

    def value(self, node: ValueNode) -> Any:
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, StringValueNode):
            return node.value
        if isinstance(node, ListValueNode):
            return [self.value(v) for v in node.values]
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        return None
