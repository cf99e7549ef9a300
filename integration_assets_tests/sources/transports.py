"""httpx transports for client tests: real HTTP to the simulator, seen or doctored on the way back.

`Recording` wraps a real `httpx.HTTPTransport`: every request goes over the wire to the simulator;
the transport keeps what was sent and the status that came back, and can rewrite a real JSON reply
(to fake the remote API sending bad data, never to fake our own code).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

# (request, parsed JSON body) -> a replacement body, or None to pass the reply through untouched.
Rewrite = Callable[[httpx.Request, Any], Any]


@dataclass(frozen=True)
class Seen:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    status: int


class Recording(httpx.BaseTransport):
    def __init__(self, rewrite: Rewrite | None = None) -> None:
        self._inner = httpx.HTTPTransport()
        self._rewrite = rewrite
        self.seen: list[Seen] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        response.read()
        self.seen.append(
            Seen(request.method, str(request.url), dict(request.headers), request.content, response.status_code)
        )
        if self._rewrite is None or response.status_code != 200:
            return response
        try:
            body = json.loads(response.content)
        except ValueError:
            return response
        replacement = self._rewrite(request, body)
        if replacement is None:
            return response
        dropped = ("content-length", "content-encoding")
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in dropped]
        return httpx.Response(200, headers=headers, content=json.dumps(replacement).encode(), request=request)

    def close(self) -> None:
        self._inner.close()

    def statuses(self, path_part: str) -> list[int]:
        return [s.status for s in self.seen if path_part.lower() in s.url.lower()]
