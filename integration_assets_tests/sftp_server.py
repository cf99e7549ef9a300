"""A real SFTP server on a free loopback port for tests (asyncssh, in its own thread and event loop):
one user with a password, a fresh host key written to a known_hosts file, files rooted in a folder."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import asyncssh


class SftpServer:
    """`with SftpServer(root, user, password) as server:` serves `root` as `/` on 127.0.0.1:server.port."""

    def __init__(self, root: Path, username: str, password: str) -> None:
        self.root = root
        self.username = username
        self.password = password
        self.known_hosts = root.parent / f"{root.name}.known_hosts"
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sftp-server", daemon=True)
        self._acceptor: asyncssh.SSHAcceptor | None = None

    def __enter__(self) -> SftpServer:
        key = asyncssh.generate_private_key("ssh-ed25519")
        self._thread.start()
        self._acceptor = asyncio.run_coroutine_threadsafe(self._listen(key), self._loop).result(timeout=30)
        self.port = self._acceptor.sockets[0].getsockname()[1]
        public = key.export_public_key("openssh").decode().split()[:2]
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {' '.join(public)}\n")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._acceptor is not None:
            self._acceptor.close()
            asyncio.run_coroutine_threadsafe(self._acceptor.wait_closed(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _listen(self, key: asyncssh.SSHKey) -> asyncssh.SSHAcceptor:
        server = self

        class PasswordOnly(asyncssh.SSHServer):
            def begin_auth(self, username: str) -> bool:
                return True

            def password_auth_supported(self) -> bool:
                return True

            def validate_password(self, username: str, password: str) -> bool:
                return username == server.username and password == server.password

        return await asyncssh.listen(
            "127.0.0.1",
            0,
            server_factory=PasswordOnly,
            server_host_keys=[key],
            sftp_factory=lambda channel: asyncssh.SFTPServer(channel, chroot=str(self.root).encode()),
            allow_scp=False,
        )
