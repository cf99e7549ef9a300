"""Run the simulator app with uvicorn, in the foreground (CLI) or in a thread (tests, demo)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from integration_assets.simulator.app import create_app
from integration_assets.simulator.context import SimContext


def free_port(host: str = "127.0.0.1") -> int:
    """A port free now, for a server in another process (in-process servers use `bound_socket`)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def bound_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A socket bound before the server starts, so no other process can take its port in between
    (the test suite starts servers from several workers at once)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


@dataclass
class RunningSimulator:
    ctx: SimContext
    url: str
    _server: uvicorn.Server
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def _config(ctx: SimContext, host: str, port: int) -> uvicorn.Config:
    ctx.base_url = f"http://{host}:{port}"
    return uvicorn.Config(create_app(ctx), host=host, port=port, log_level="warning", access_log=False, lifespan="off")


def serve_in_thread(ctx: SimContext, host: str = "127.0.0.1", port: int = 0) -> RunningSimulator:
    """Start the simulator on a background thread and wait until it accepts connections."""
    sock = bound_socket(host, port)
    port = sock.getsockname()[1]
    server, thread = start_server_thread(_config(ctx, host, port), f"simulator:{port}", sock)
    return RunningSimulator(ctx=ctx, url=f"http://{host}:{port}", _server=server, _thread=thread)


def start_server_thread(
    config: uvicorn.Config, name: str, sock: socket.socket | None = None
) -> tuple[uvicorn.Server, threading.Thread]:
    """Run any ASGI app's uvicorn config on a daemon thread (on `sock` when given, else on the
    config's host and port); returns once it accepts connections."""
    server = uvicorn.Server(config)
    sockets = [sock] if sock is not None else None
    thread = threading.Thread(target=server.run, kwargs={"sockets": sockets}, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start on {config.host}:{config.port}")
        time.sleep(0.02)
    return server, thread


def serve_forever(ctx: SimContext, host: str, port: int) -> None:
    uvicorn.Server(_config(ctx, host, port)).run()
