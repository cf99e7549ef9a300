"""SFTP delivery against a real SFTP server on loopback: atomic replace, refused host keys and logins."""

from __future__ import annotations

from pathlib import Path

import asyncssh
import pytest

from integration_assets.resources import InventoryPlannerFilesResource
from integration_assets.sources.sftp import DeliveryError, SftpTarget, upload
from integration_assets_tests.sftp_server import SftpServer

PASSWORD = "correct-horse-battery"


def _target(server: SftpServer, **changes: str) -> SftpTarget:
    settings = {
        "host": "127.0.0.1",
        "port": server.port,
        "username": "ip",
        "password": PASSWORD,
        "path": "/in",
        "known_hosts": str(server.known_hosts),
    }
    return SftpTarget(**{**settings, **changes})


def test_upload_replaces_the_file_whole_and_leaves_no_part_file(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "in").mkdir(parents=True)
    with SftpServer(root, "ip", PASSWORD) as server:
        assert upload(_target(server), "a.csv", b"first\n") == "/in/a.csv"
        upload(_target(server), "a.csv", b"second\n")
    assert sorted(p.name for p in (root / "in").iterdir()) == ["a.csv"]
    assert (root / "in" / "a.csv").read_bytes() == b"second\n"


def test_an_unknown_host_key_or_a_wrong_password_refuses_the_delivery(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "in").mkdir(parents=True)
    other_key = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh").decode().split()[:2]
    with SftpServer(root, "ip", PASSWORD) as server:
        stranger = tmp_path / "known_hosts"
        stranger.write_text(f"[127.0.0.1]:{server.port} {' '.join(other_key)}\n")
        with pytest.raises(DeliveryError, match=r"a\.csv to sftp://ip@127\.0\.0\.1:\d+/in: HostKeyNotVerifiable"):
            upload(_target(server, known_hosts=str(stranger)), "a.csv", b"x\n")
        with pytest.raises(DeliveryError, match="PermissionDenied") as refused:
            upload(_target(server, password="wrong-password-here"), "a.csv", b"x\n")
    assert "wrong-password-here" not in str(refused.value) and PASSWORD not in str(refused.value)
    assert list((root / "in").iterdir()) == []


def test_half_configured_sftp_names_what_is_missing() -> None:
    assert InventoryPlannerFilesResource().sftp_target() is None
    with pytest.raises(ValueError, match="set INVENTORY_PLANNER_SFTP_USER, INVENTORY_PLANNER_SFTP_PASSWORD"):
        InventoryPlannerFilesResource(sftp_host="sftp.example.com").sftp_target()
