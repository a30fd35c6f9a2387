"""What the SSH and web servers share: settings, player names, admission limits, and the
environment and command line of a session's game process."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import hmac
import ipaddress
import os
import re
import signal
import sqlite3
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import attrs

from playground.errors import PlaygroundError
from playground.game.leaderboard import DB_NAME, LEADERBOARD_ENV, PLAYER_ENV, Leaderboard
from playground.game.progress import PLAYER_NAME
from playground.game.roomenv import ROOM_DIR_ENV
from playground.game.storage import DATA_DIR_ENV, atomic_write_text
from playground.tui.pacing import BUDGET_ENV, BUDGET_FILE_ENV

TERM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
DEFAULT_TERM = "xterm-256color"
SERVED_ENV = "PLAYGROUND_SERVED"
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder holding ``playground/``
MAX_COLS, MAX_ROWS = 500, 200
#: The part of the machine a full house of games leaves free (see :func:`auto_frame_budget`).
SPARE_CPU = 0.3


class ConfigError(PlaygroundError, ValueError):
    """A bad server setting (a missing password file, say): one line, exit status 2."""


def auto_frame_budget(games: int, cores: int | None = None) -> float:
    """Each game's share when ``games`` play at once on ``cores`` cores, leaving
    :data:`SPARE_CPU` of the machine for the server, keystrokes and the system."""
    cores = cores or os.cpu_count() or 1
    return min(1.0, cores * (1 - SPARE_CPU) / max(1, games))


def is_loopback(host: str) -> bool:
    """Whether listening on ``host`` keeps the server to this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def valid_player(name: str) -> bool:
    return bool(PLAYER_NAME.match(name))


def clamp_size(cols: int, rows: int) -> tuple[int, int]:
    """A terminal size a client asked for, bounded so no one can make the game draw 10^9
    cells (0 means "unknown" in SSH: use 80x24)."""
    cols = int(cols) or 80
    rows = int(rows) or 24
    return max(10, min(MAX_COLS, cols)), max(5, min(MAX_ROWS, rows))


@attrs.define
class ServeConfig:
    """Settings common to ``serve ssh`` and ``serve web``."""

    host: str = "127.0.0.1"
    port: int = 2222
    data_dir: Path = attrs.field(factory=Path, converter=Path)
    max_sessions: int = 64
    per_address: int = 16
    idle_timeout: float = 1800.0  # seconds without a keypress; 0 = never
    max_session: float = 4 * 3600.0  # seconds; 0 = unlimited
    memory_mb: int = 1024  # address-space cap of a game process; 0 = none
    game_command: tuple[str, ...] = ()  # default: this Python running ``playground play``
    grace: float = 2.0  # seconds between SIGHUP and SIGKILL when a session ends
    #: CPU share (fraction of one core) each playing game paces its frames to; ``None``: a
    #: fair share that follows the number of games (:meth:`share_budget`); ``0``: unpaced.
    frame_budget: float | None = None
    #: what the games are told about the room (``--room``: open levels, message of the day)
    room_env: dict[str, str] = attrs.field(factory=dict)

    @property
    def budget_path(self) -> Path:
        """The file with the games' fair share (this server's own: one per process)."""
        return self.lock_dir / f"frame-budget-{os.getpid()}"

    def share_budget(self, games: int) -> None:
        """Tell the games their fair share now that ``games`` run (default budget only); the
        file goes when the last game does."""
        if self.frame_budget is not None:
            return
        if games:
            atomic_write_text(self.budget_path, f"{auto_frame_budget(games):.4f}\n")
        else:
            self.budget_path.unlink(missing_ok=True)

    @property
    def leaderboard_path(self) -> Path:
        return self.data_dir / DB_NAME

    @property
    def lock_dir(self) -> Path:
        return self.data_dir / "sessions"

    @property
    def room_dir(self) -> Path:
        """Where games and the server swap status and messages (:mod:`..game.roomstate`)."""
        return self.data_dir / "room"

    def game_argv(self, player: str) -> list[str]:
        if self.game_command:
            return list(self.game_command)
        return [sys.executable, "-m", "playground", "play", "--player", player]

    def launcher_argv(self, player: str, ctty: bool) -> list[str]:
        argv = [sys.executable, "-m", "playground.serve.launcher", "--parent", str(os.getpid()),
                "--memory-mb", str(self.memory_mb)]
        if ctty:
            argv.append("--ctty")
        return [*argv, "--", *self.game_argv(player)]

    def child_env(self, player: str, served: str, term: str | None = None,
                  extra: dict[str, str] | None = None) -> dict[str, str]:
        """The whole environment of a game process: built here, never copied from the client
        (only the terminal type comes from there, checked) nor wholesale from the server."""
        python_path = [str(PACKAGE_ROOT)]
        if os.environ.get("PYTHONPATH"):
            python_path.append(os.environ["PYTHONPATH"])
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": os.environ.get("HOME", str(self.data_dir)),
            "LANG": "C.UTF-8",
            "PYTHONPATH": os.pathsep.join(python_path),
            "MALLOC_ARENA_MAX": "2",  # glibc: fewer 64 MB arenas reserved under RLIMIT_AS
            DATA_DIR_ENV: str(self.data_dir),
            LEADERBOARD_ENV: str(self.leaderboard_path),
            PLAYER_ENV: player,
            SERVED_ENV: served,
            ROOM_DIR_ENV: str(self.room_dir),
        }
        if self.frame_budget is None:
            env[BUDGET_FILE_ENV] = str(self.budget_path)
        elif self.frame_budget > 0:
            env[BUDGET_ENV] = f"{self.frame_budget:.4f}"
        env.update(self.room_env)
        if "TZ" in os.environ:
            env["TZ"] = os.environ["TZ"]
        if term is not None:
            env["TERM"] = term if TERM_NAME.match(term or "") else DEFAULT_TERM
            env["COLORTERM"] = "truecolor"  # ssh does not forward it; every modern client has it
        env.update(extra or {})
        return env


def prepare_data_dir(config: ServeConfig) -> None:
    """Create the data dir and the leaderboard file, or say in one line why not."""
    try:
        config.data_dir.mkdir(parents=True, exist_ok=True)
        Leaderboard(config.leaderboard_path).create()
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(f"{config.data_dir}: cannot keep progress and the leaderboard "
                          f"there: {getattr(exc, 'strerror', None) or exc}") from None


# -- admission ---------------------------------------------------------------------------


@attrs.define
class Ticket:
    """A place on the server, held while a session runs; :meth:`release` gives it back."""

    registry: Sessions
    player: str
    address: str
    lock_fd: int
    started: float = attrs.field(factory=time.monotonic)
    released: bool = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.registry._release(self)


def _games_are(count: int) -> str:
    """``1 game is``, ``2 games are``."""
    return "1 game is" if count == 1 else f"{count} games are"


@attrs.define
class Sessions:
    """Who is playing: caps the sessions on the server, per client address, and per player.

    One game per player name at a time (two would overwrite each other's progress): a lock
    file per name in the data dir enforces it even across servers sharing the data dir (an SSH
    and a web server, say); the kernel drops the lock if a server dies."""

    max_sessions: int
    per_address: int
    lock_dir: Path
    by_address: dict[str, int] = attrs.field(factory=dict)
    tickets: set[int] = attrs.field(factory=set)
    #: Called with the number of games after each admission and release.
    on_change: Callable[[int], None] | None = None

    @property
    def total(self) -> int:
        return sum(self.by_address.values())

    def admit(self, player: str, address: str) -> Ticket | str:
        """A ticket, or the polite sentence saying why not."""
        if self.total >= self.max_sessions:
            return (f"Sorry, the workshop server is full ({_games_are(self.max_sessions)} "
                    "running). Please try again in a few minutes.")
        if self.per_address and self.by_address.get(address, 0) >= self.per_address:
            return (f"Sorry, {_games_are(self.per_address)} already running from your address "
                    f"({address}). Close one, or ask the instructor to raise --per-address.")
        fd = self._lock(player)
        if fd is None:
            return (f"{player} is already playing in another session. Close that one first, "
                    "or connect with another name.")
        self.by_address[address] = self.by_address.get(address, 0) + 1
        self.tickets.add(fd)
        self._changed()
        return Ticket(self, player, address, fd)

    def _changed(self) -> None:
        if self.on_change is not None:
            # A full disk must not stop anyone playing: the games keep the last share.
            with contextlib.suppress(OSError):
                self.on_change(self.total)

    def _lock(self, player: str) -> int | None:
        self.lock_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_dir / f"{player}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                     0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        return fd

    def _release(self, ticket: Ticket) -> None:
        count = self.by_address.get(ticket.address, 0) - 1
        if count > 0:
            self.by_address[ticket.address] = count
        else:
            self.by_address.pop(ticket.address, None)
        self.tickets.discard(ticket.lock_fd)
        os.close(ticket.lock_fd)  # closing drops the flock
        self._changed()


# -- passwords -----------------------------------------------------------------------------


def load_password(path: str | Path) -> bytes:
    """The workshop password: the first line of the file. Returns its SHA-256 digest, so
    comparisons take the same time whatever the length of a guess."""
    path = Path(path)
    try:
        info = path.stat()
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the password file: "
                          f"{getattr(exc, 'strerror', None) or exc}") from None
    lines = text.splitlines()
    password = lines[0].strip() if lines else ""
    if not password:
        raise ConfigError(f"{path}: the password file is empty (put the password on line 1)")
    if len(password) < 8:
        raise ConfigError(f"{path}: the workshop password is shorter than 8 characters")
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        print(f"warning: {path} can be read by other users of this machine "
              f"(chmod 600 {path})", file=sys.stderr)
    return hashlib.sha256(password.encode("utf-8")).digest()


def password_matches(digest: bytes, attempt: str) -> bool:
    return hmac.compare_digest(digest, hashlib.sha256(attempt.encode("utf-8", "replace"))
                               .digest())


def format_duration(seconds: float) -> str:
    """``90`` -> ``1.5 min``: a limit as a person reads it."""
    if seconds >= 3600:
        return f"{seconds / 3600:g} h"
    if seconds >= 60:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def format_limits(config: ServeConfig) -> str:
    def seconds(value: float) -> str:
        if not value:
            return "none"
        return f"{value / 60:g} min" if value >= 60 else f"{value:g} s"

    return (f"{config.max_sessions} games, {config.per_address or 'any'} per address, "
            f"idle {seconds(config.idle_timeout)}, session {seconds(config.max_session)}, "
            f"memory {config.memory_mb or 'unlimited'} MB per game, "
            f"{format_budget(config)}")


def format_budget(config: ServeConfig) -> str:
    if config.frame_budget is None:
        cores = os.cpu_count() or 1
        share = auto_frame_budget(config.max_sessions, cores)
        return (f"frames paced to a fair share of {100 * (1 - SPARE_CPU):.0f}% of {cores} "
                f"cores ({share * 100:.2g}% of a core each when {config.max_sessions} play)")
    if not config.frame_budget:
        return "frames unpaced"
    return f"frames paced to {config.frame_budget * 100:.3g}% of a core per game"


class Stoppable(Protocol):
    """A server with async start and stop (the SSH and the web workshop servers)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def serve_until_signalled(server: Stoppable) -> int:
    """Start ``server``, run until SIGINT, SIGTERM or SIGHUP, then stop it (ending every
    game) and return 0."""
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()
    return 0
