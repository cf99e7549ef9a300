"""Shopify's webhook signature: base64(HMAC-SHA256(app secret, raw body bytes)).

Verification runs on the raw bytes, before any JSON parsing, and compares in constant time
(api-notes/shopify-api.md section 7). A secret may be a list during a rotation, when Shopify signs
with the old secret for up to an hour.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Any

HMAC_HEADER = "X-Shopify-Hmac-Sha256"


def sign(body: bytes, secret: str) -> str:
    """The `X-Shopify-Hmac-Sha256` value Shopify sends with `body`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(body: bytes, header_value: str | None, secret: str | Sequence[str]) -> bool:
    """True when `header_value` is the signature of `body` under the secret (or any of them)."""
    if not header_value:
        return False
    given = header_value.strip().encode("utf-8")
    secrets = [secret] if isinstance(secret, str) else list(secret)
    matched = False
    for candidate in secrets:
        # Every candidate is compared, so the time taken does not tell which one matched.
        matched |= hmac.compare_digest(sign(body, candidate).encode("ascii"), given)
    return matched


def header(headers: Mapping[str, Any], name: str) -> str | None:
    """A header's value by case-insensitive name (HTTP names are case-insensitive)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value if isinstance(value, str) else None
    return None


def verify_envelope(envelope: Mapping[str, Any], secret: str | Sequence[str]) -> bool:
    """True when a landing-folder envelope's body carries a valid signature.

    The envelope's `body` is the raw body as text; its UTF-8 bytes are what Shopify signed.
    A malformed envelope (no headers, no body, no signature) does not verify.
    """
    headers = envelope.get("headers")
    body = envelope.get("body")
    if not isinstance(headers, Mapping) or not isinstance(body, str):
        return False
    return verify(body.encode("utf-8"), header(headers, HMAC_HEADER), secret)
