"""Shopify over real HTTP as a client sees it: a small GraphQL client, cursor paging to the end,
and REST `Link` paging to the end. Shared by the simulator's REST, GraphQL and conformance tests."""

from __future__ import annotations

import re
from typing import Any

import httpx

from integration_assets.simulator.server import RunningSimulator

VERSION = "2026-01"


class Client:
    """A minimal GraphQL client over httpx."""

    def __init__(self, sim: RunningSimulator, token: str | None = None) -> None:
        self.sim = sim
        self.token = sim.ctx.credentials.access_token if token is None else token
        self.http = httpx.Client(base_url=sim.url, timeout=30)

    def post(self, query: str, variables: dict[str, Any] | None = None, version: str = VERSION) -> httpx.Response:
        headers = {"X-Shopify-Access-Token": self.token} if self.token else {}
        return self.http.post(
            f"/admin/api/{version}/graphql.json",
            json={"query": query, "variables": variables or {}},
            headers=headers,
        )

    def __call__(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post(query, variables)
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self(query, variables)
        assert "errors" not in body, body["errors"]
        return body["data"]


def page_all(
    client: Client, query: str, path: str, variables: dict[str, Any] | None = None, backward: bool = False
) -> list[dict[str, Any]]:
    """Every node of a connection, following cursors forwards (or backwards)."""
    nodes: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(500):
        data = client.data(query, {**(variables or {}), "cursor": cursor})
        connection = data
        for part in path.split("."):
            connection = connection[part]
        page = [edge["node"] for edge in connection["edges"]]
        info = connection["pageInfo"]
        if backward:
            nodes = page + nodes
            if not info["hasPreviousPage"]:
                return nodes
            cursor = info["startCursor"]
        else:
            nodes += page
            if not info["hasNextPage"]:
                return nodes
            cursor = info["endCursor"]
    raise AssertionError("paging did not end")


_LINK_PART = re.compile(r'<([^>]+)>; rel="(next|previous)"')


def links(response: httpx.Response) -> dict[str, str]:
    header = response.headers.get("link")
    return {rel: url for url, rel in _LINK_PART.findall(header)} if header else {}


def fetch_all(http: httpx.Client, path: str, root: str, params: dict[str, str] | None = None) -> tuple[list[dict], int]:
    """Follow rel="next" to the end; returns the records and the number of pages."""
    response = http.get(path, params=params)
    assert response.status_code == 200, response.text
    records = list(response.json()[root])
    pages = 1
    while "next" in links(response):
        response = http.get(links(response)["next"])
        assert response.status_code == 200, response.text
        records.extend(response.json()[root])
        pages += 1
    return records, pages
