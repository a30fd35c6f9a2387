"""Who gets in: the workshop password, authorized keys; and the host key kept between runs."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from playground.serve.ssh import load_host_key
from tests.serve.conftest import Terminal, asyncssh, connect, fake_game_command, running

PASSWORD = "correct horse battery staple"


async def test_password_right_gets_in_wrong_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    secret.chmod(0o600)
    with running("ssh", tmp_path / "data", "--password-file", str(secret),
                 "--game-command", fake_game_command()) as server:
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(server.port, "eve", password="correct horse battery stapler")
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(server.port, "eve")  # no password at all
        async with await connect(server.port, "ada", password=PASSWORD) as conn:
            term = await Terminal.open(conn)
            await term.wait_for("FAKE GAME for ada")
            term.send(b"q")
            await term.read_to_end()
        assert "wrong password for 'eve'" in server.log()


async def test_only_authorized_keys_get_in(tmp_path: Path) -> None:
    known = asyncssh.generate_private_key("ssh-ed25519")
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    keys = tmp_path / "authorized_keys"
    keys.write_bytes(known.export_public_key())
    with running("ssh", tmp_path / "data", "--authorized-keys", str(keys),
                 "--game-command", fake_game_command()) as server:
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(server.port, "ada", client_keys=[stranger])
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(server.port, "ada", password="anything")  # no passwords here
        async with await connect(server.port, "ada", client_keys=[known]) as conn:
            term = await Terminal.open(conn)
            await term.wait_for("FAKE GAME for ada")
            term.send(b"q")
            await term.read_to_end()
        # Keys added while the server runs are picked up.
        keys.write_bytes(known.export_public_key() + stranger.export_public_key())
        async with await connect(server.port, "bob", client_keys=[stranger]):
            pass


def test_host_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    key, path, created = load_host_key(tmp_path)
    assert created and stat.S_IMODE(path.stat().st_mode) == 0o600
    again, _, created_again = load_host_key(tmp_path)
    assert not created_again
    assert again.get_fingerprint() == key.get_fingerprint()


async def test_the_fingerprint_is_printed_and_the_client_sees_that_key(tmp_path: Path) -> None:
    with running("ssh", tmp_path, "--open", "--game-command", fake_game_command()) as server:
        printed = server.wait_for(r"host key\s+(SHA256:\S+)").group(1)
        async with await connect(server.port, "ada") as conn:
            assert conn.get_server_host_key().get_fingerprint() == printed
