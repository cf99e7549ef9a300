"""Delivering files over SFTP, as Inventory Planner's Advanced CSV connector takes them.

A file is written under a dot-name (`.<name>.part`) and renamed into place, so the reader on the other
side never picks up half a file, and a re-delivery replaces the file whole. The server's host key is
verified against a known_hosts file (the SSH default, ~/.ssh/known_hosts, unless one is given): a
delivery of sales data to a server we cannot identify is refused, never made. Transient network
failures are retried a bounded number of times; refused credentials and unknown host keys are not.
No Dagster imports: a notebook can deliver a file with this module alone.
"""

from __future__ import annotations

import asyncio
import posixpath
import time
from dataclasses import dataclass, field

ATTEMPTS = 3
BACKOFF_SECONDS = 1.0
CONNECT_TIMEOUT_SECONDS = 20.0


class DeliveryError(RuntimeError):
    """A file that could not be delivered; the message names the file and the server, never the password."""


@dataclass(frozen=True)
class SftpTarget:
    host: str
    port: int
    username: str
    password: str = field(repr=False)
    path: str = "."  # the remote folder the files go into
    known_hosts: str | None = None  # a known_hosts file; None: the SSH default (~/.ssh/known_hosts)

    @property
    def address(self) -> str:
        """Where files go, without credentials: safe for logs and metadata."""
        return f"sftp://{self.username}@{self.host}:{self.port}/{self.path.lstrip('/')}"


def upload(target: SftpTarget, name: str, data: bytes) -> str:
    """Write `data` as `name` in the target folder atomically; returns the remote path."""
    import asyncssh  # here, not at the top: every Dagster process loads this module, few deliver

    if "/" in name or name.startswith("."):
        raise ValueError(f"file name {name!r} must be a plain name (no folders, not a dot-file)")
    last: Exception | None = None
    for attempt in range(ATTEMPTS):
        try:
            return asyncio.run(_upload(target, name, data))
        except (asyncssh.PermissionDenied, asyncssh.HostKeyNotVerifiable, asyncssh.SFTPPermissionDenied) as exc:
            raise DeliveryError(f"{name} to {target.address}: {type(exc).__name__}: {exc.reason}") from None
        except (OSError, asyncssh.Error, TimeoutError) as exc:
            last = exc
            if attempt < ATTEMPTS - 1:
                time.sleep(BACKOFF_SECONDS * 2**attempt)
    raise DeliveryError(f"{name} to {target.address}: failed after {ATTEMPTS} attempts: {last!r}") from None


async def _upload(target: SftpTarget, name: str, data: bytes) -> str:
    import asyncssh

    options: dict = {"known_hosts": target.known_hosts} if target.known_hosts else {}
    async with (
        asyncssh.connect(
            target.host,
            port=target.port,
            username=target.username,
            password=target.password,
            client_keys=None,  # password login only: never offer the machine's own SSH keys
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            **options,
        ) as connection,
        connection.start_sftp_client() as sftp,
    ):
        final = posixpath.join(target.path, name)
        part = posixpath.join(target.path, f".{name}.part")
        async with sftp.open(part, "wb") as remote:
            await remote.write(data)
        try:
            await sftp.posix_rename(part, final)  # replaces an older file in one step
        except asyncssh.SFTPOpUnsupported:
            if await sftp.exists(final):
                await sftp.remove(final)
            await sftp.rename(part, final)
        return final
