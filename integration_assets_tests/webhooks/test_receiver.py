"""The receiver over real HTTP: a valid signature lands one whole file, anything else lands none,
and 200 deliveries at once land 200 whole files."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from integration_assets.simulator.server import bound_socket, start_server_thread
from integration_assets.webhooks.receiver import PATH, ReceiverSettings, create_receiver
from integration_assets.webhooks.signature import sign
from integration_assets_tests.webhooks.deliveries import SECRET, inventory_level, shopify_headers

MAX_BYTES = 64 * 1024


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    landing = tmp_path / "landing" / "shopify"
    settings = ReceiverSettings(landing=landing, secrets=[SECRET, "old-secret"], max_bytes=MAX_BYTES)
    sock = bound_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_receiver(settings), host="127.0.0.1", port=port, log_level="warning")
    server, thread = start_server_thread(config, f"receiver:{port}", sock)
    yield f"http://127.0.0.1:{port}{PATH}", landing
    server.should_exit = True
    thread.join(timeout=10)


def _files(landing: Path) -> list[Path]:
    return sorted(landing.glob("*.json")) if landing.exists() else []


def test_valid_signature_lands_one_exact_envelope(receiver: tuple[str, Path]) -> None:
    url, landing = receiver
    body = json.dumps(inventory_level(2**60, 655441491, 7), separators=(",", ":")).encode() + " £".encode()
    headers = shopify_headers("inventory_levels/update", body, webhook_id="wh-1", event_id="ev-1")
    response = httpx.post(url, content=body, headers=headers)
    assert response.status_code == 200
    [file] = _files(landing)
    envelope = json.loads(file.read_text(encoding="utf-8"))
    assert envelope["body"].encode("utf-8") == body  # byte-exact, so the signature still verifies
    assert envelope["headers"]["X-Shopify-Webhook-Id"] == "wh-1"
    assert envelope["headers"]["X-Shopify-Event-Id"] == "ev-1"
    assert envelope["headers"]["X-Shopify-API-Version"] == "2026-01"
    assert envelope["received_at"].endswith("Z")
    assert file.name.endswith(".json") and "inventory_levels_update" in file.name and "wh-1" not in file.name


def test_previous_secret_verifies_during_rotation(receiver: tuple[str, Path]) -> None:
    url, landing = receiver
    body = b'{"id": 1}'
    headers = shopify_headers("orders/create", body, secret="old-secret")
    assert httpx.post(url, content=body, headers=headers).status_code == 200
    assert len(_files(landing)) == 1


@pytest.mark.parametrize("signature", ["forged", None, ""])
def test_bad_or_missing_signature_is_401_and_lands_nothing(receiver: tuple[str, Path], signature: str | None) -> None:
    url, landing = receiver
    body = b'{"id": 1}'
    headers = shopify_headers("orders/create", body)
    if signature is None:
        del headers["X-Shopify-Hmac-Sha256"]
    else:
        headers["X-Shopify-Hmac-Sha256"] = signature or sign(b"other body", SECRET)
    assert httpx.post(url, content=body, headers=headers).status_code == 401
    assert _files(landing) == []


def test_oversized_body_is_413_and_lands_nothing(receiver: tuple[str, Path]) -> None:
    url, landing = receiver
    body = b'{"pad": "' + b"x" * MAX_BYTES + b'"}'
    assert httpx.post(url, content=body, headers=shopify_headers("orders/create", body)).status_code == 413

    def chunked():  # no Content-Length: the limit holds while streaming
        yield body[: len(body) // 2]
        yield body[len(body) // 2 :]

    response = httpx.post(url, content=chunked(), headers=shopify_headers("orders/create", body))
    assert response.status_code == 413
    assert _files(landing) == []


def test_headers_never_name_the_file(receiver: tuple[str, Path]) -> None:
    url, landing = receiver
    body = b'{"id": 1}'
    headers = shopify_headers("../../escape", body, webhook_id="../../../etc/passwd")
    assert httpx.post(url, content=body, headers=headers).status_code == 200
    [file] = _files(landing)
    assert file.parent == landing and "unknown" in file.name and ".." not in file.name
    assert not (landing.parent.parent / "escape").exists()


def test_200_concurrent_deliveries_land_200_whole_files(receiver: tuple[str, Path]) -> None:
    url, landing = receiver

    async def deliver_all() -> list[int]:
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=200)) as client:

            async def deliver(n: int) -> int:
                body = json.dumps(inventory_level(n, 1, n)).encode()
                headers = shopify_headers("inventory_levels/update", body, webhook_id=f"wh-{n}")
                return (await client.post(url, content=body, headers=headers)).status_code

            return await asyncio.gather(*(deliver(n) for n in range(200)))

    statuses = asyncio.run(deliver_all())
    assert statuses == [200] * 200
    files = _files(landing)
    assert len(files) == 200
    webhook_ids = {json.loads(f.read_bytes())["headers"]["X-Shopify-Webhook-Id"] for f in files}
    assert webhook_ids == {f"wh-{n}" for n in range(200)}
    assert not [p for p in landing.iterdir() if p.name.endswith(".tmp")]
