"""Admission limits, the game's environment, passwords and web tokens, on their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.serve.common import (
    ConfigError,
    ServeConfig,
    Sessions,
    auto_frame_budget,
    clamp_size,
    format_limits,
    load_password,
    password_matches,
)
from playground.tui.pacing import BUDGET_ENV, BUDGET_FILE_ENV, SharedBudget


def test_sessions_cap_total_per_address_and_per_player(tmp_path: Path) -> None:
    sessions = Sessions(max_sessions=3, per_address=2, lock_dir=tmp_path)
    a = sessions.admit("ada", "10.0.0.1")
    b = sessions.admit("bob", "10.0.0.1")
    assert not isinstance(a, str) and not isinstance(b, str)
    assert "from your address (10.0.0.1)" in str(sessions.admit("cy", "10.0.0.1"))
    assert str(sessions.admit("ada", "10.0.0.2")).startswith("ada is already playing")
    # Another server sharing the data dir sees the same player locks.
    other = Sessions(max_sessions=3, per_address=2, lock_dir=tmp_path)
    assert "already playing" in str(other.admit("bob", "10.0.0.9"))
    c = sessions.admit("cy", "10.0.0.2")
    assert not isinstance(c, str)
    assert "server is full" in str(sessions.admit("dee", "10.0.0.3"))
    a.release()
    a.release()  # twice is harmless
    assert sessions.total == 2
    again = sessions.admit("ada", "10.0.0.3")
    assert not isinstance(again, str)


def test_game_environment_is_built_not_inherited(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "hunter2")
    config = ServeConfig(data_dir=tmp_path)
    env = config.child_env("ada", "ssh", term="xterm-kitty")
    assert "AWS_SECRET_ACCESS_KEY" not in env
    assert env["TERM"] == "xterm-kitty" and env["COLORTERM"] == "truecolor"
    assert env["PLAYGROUND_PLAYER"] == "ada" and env["PLAYGROUND_SERVED"] == "ssh"
    assert config.child_env("ada", "ssh", term="xterm\x1b]0;pwned")["TERM"] == "xterm-256color"
    assert "TERM" not in config.child_env("ada", "web")
    argv = config.launcher_argv("ada", ctty=True)
    assert argv[-3:] == ["play", "--player", "ada"]
    assert "--ctty" in argv and "--memory-mb" in argv


def test_games_share_the_machine_fairly_as_players_come_and_go(tmp_path: Path) -> None:
    assert auto_frame_budget(50, cores=2) == pytest.approx(0.028)  # 70% of 2 cores / 50
    assert auto_frame_budget(1, cores=2) == 1.0  # one game: as fast as it likes
    config = ServeConfig(data_dir=tmp_path, max_sessions=8)
    env = config.child_env("ada", "ssh")
    assert BUDGET_ENV not in env
    share = SharedBudget(Path(env[BUDGET_FILE_ENV]), clock=iter(range(0, 10**6, 10)).__next__)
    sessions = Sessions(8, 0, config.lock_dir, on_change=config.share_budget)
    tickets = [sessions.admit(f"p{n}", "10.0.0.1") for n in range(4)]
    assert share() == pytest.approx(auto_frame_budget(4))
    for ticket in tickets[:3]:
        ticket.release()  # type: ignore[union-attr]
    assert share() == pytest.approx(auto_frame_budget(1))
    tickets[3].release()  # type: ignore[union-attr]
    assert not config.budget_path.exists()  # gone with the last game
    assert "fair share" in format_limits(config)


def test_a_fixed_frame_budget_or_none(tmp_path: Path) -> None:
    fixed = ServeConfig(data_dir=tmp_path, frame_budget=0.05)
    env = fixed.child_env("ada", "ssh")
    assert env[BUDGET_ENV] == "0.0500" and BUDGET_FILE_ENV not in env
    fixed.share_budget(3)
    assert not fixed.budget_path.exists()
    assert "5% of a core per game" in format_limits(fixed)
    unpaced = ServeConfig(data_dir=tmp_path, frame_budget=0.0)
    env = unpaced.child_env("ada", "ssh")
    assert BUDGET_ENV not in env and BUDGET_FILE_ENV not in env
    assert "frames unpaced" in format_limits(unpaced)


def test_sizes_are_clamped() -> None:
    assert clamp_size(0, 0) == (80, 24)
    assert clamp_size(10**9, 10**9) == (500, 200)
    assert clamp_size(1, 1) == (10, 5)


def test_password_file(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("  s3cret-workshop \nsecond line ignored\n")
    path.chmod(0o600)
    digest = load_password(path)
    assert password_matches(digest, "s3cret-workshop")
    assert not password_matches(digest, "s3cret-worksho")
    path.write_text("short\n")
    with pytest.raises(ConfigError, match="shorter than 8"):
        load_password(path)


def test_web_tokens_are_signed_and_expire() -> None:
    from playground.serve.web import _Tokens

    tokens = _Tokens()
    token = tokens.issue("ada", now=1000.0)
    assert tokens.check(token, now=1000.0) == "ada"
    assert tokens.check(token, now=1000.0 + 13 * 3600) is None
    assert tokens.check(token.replace("ada", "bob", 1), now=1000.0) is None
    assert tokens.check(_Tokens().issue("ada", now=1000.0), now=1000.0) is None
    assert tokens.check("garbage", now=1000.0) is None


@pytest.mark.parametrize(("max_sessions", "per_address", "full", "from_address"), [
    (1, 0, "(1 game is running)", None),
    (2, 1, None, "Sorry, 1 game is already running from your address"),
    (9, 2, None, "Sorry, 2 games are already running from your address"),
])
def test_refusals_count_games_in_plain_english(tmp_path: Path, max_sessions: int,
                                               per_address: int, full: str | None,
                                               from_address: str | None) -> None:
    sessions = Sessions(max_sessions=max_sessions, per_address=per_address, lock_dir=tmp_path)
    for n in range(max(1, per_address)):
        assert not isinstance(sessions.admit(f"p{n}", "10.0.0.1"), str)
    refusal = str(sessions.admit("late", "10.0.0.1"))
    assert (full or from_address) in refusal
    assert "1 games" not in refusal
