"""``playground serve ssh``: the game over SSH, one game process per session.

A stranger who reaches the port gets exactly one thing: their own game, on their own pty, as
the player named by their SSH user name. No shell, no commands, no forwarding of any kind, no
file transfer, no environment but the terminal type. Every refusal says why, in a sentence.

Life of a session::

    TCP connect --(connection caps)--> key exchange (host key from the data dir)
      --> auth: user name checked; authorized key / workshop password / --open
      --> session channel: pty-req (TERM, size) + shell
      --> admission: server full? too many from this address? name already playing?
      --> game process on a new pty (launcher: ctty, signals, memory cap, exec the game)
      <--> bytes both ways, raw; window changes -> TIOCSWINSZ
      --> end: the game quits (exit status sent) | the client vanishes | idle / time limit |
          server stops  ==> SIGHUP the group, grace, SIGKILL, reap, free the place.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import asyncssh
import attrs

from playground.game.progress import PLAYER_RULE
from playground.serve.child import PtyChild
from playground.serve.common import (
    ConfigError,
    ServeConfig,
    Sessions,
    Ticket,
    clamp_size,
    format_duration,
    format_limits,
    is_loopback,
    password_matches,
    prepare_data_dir,
    serve_until_signalled,
    valid_player,
)
from playground.serve.instructor import INSTRUCTOR_NAME, InstructorSession, room_desk

HOST_KEY_NAME = "ssh_host_ed25519_key"
# Undo what a killed full-screen app leaves behind in the player's terminal: alternate screen,
# mouse reporting, bracketed paste, focus events, kitty keyboard mode, hidden cursor, colours.
RESTORE_TERMINAL = (b"\x1b[?1049l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l"
                    b"\x1b[?2004l\x1b[?1004l\x1b[<u\x1b[?25h\x1b[0m\r\n")
MAX_PENDING_INPUT = 256 * 1024  # keystrokes queued for a game that is not reading: then drop
LOGIN_TIMEOUT = 30.0
KEEPALIVE_INTERVAL = 15.0
KEEPALIVE_COUNT_MAX = 3
MAX_AUTH_FAILURES = 6  # per connection, then disconnect
EXTRA_CONNECTIONS = 16  # connections beyond --max-sessions allowed to be mid-login
EXTRA_PER_ADDRESS = 4


@attrs.define
class SSHAuth:
    """How players get in: any of an authorized-keys file and a password digest, or open."""

    authorized_keys: Path | None = None
    password: bytes | None = None  # sha256 of the workshop password
    open: bool = False
    #: the instructor's own way in (user name ``instructor``): keys and/or a password
    instructor_keys: Path | None = None
    instructor_password: bytes | None = None

    @property
    def has_instructor(self) -> bool:
        return self.instructor_keys is not None or self.instructor_password is not None

    def describe(self) -> str:
        if self.open:
            return "OPEN: anyone who reaches the port, under any valid name"
        return _ways_in(self.authorized_keys, self.password, "workshop")

    def describe_instructor(self) -> str:
        return _ways_in(self.instructor_keys, self.instructor_password, "instructor")


def _ways_in(keys: Path | None, password: bytes | None, whose: str) -> str:
    """``public keys in FILE or the workshop password``."""
    parts = []
    if keys is not None:
        parts.append(f"public keys in {keys}")
    if password is not None:
        parts.append(f"the {whose} password")
    return " or ".join(parts)


def load_host_key(data_dir: Path) -> tuple[asyncssh.SSHKey, Path, bool]:
    """The server's host key, created on first start (ed25519, mode 0600) and kept in
    ``<data dir>/ssh/``, so returning players' clients recognise the server.

    Returns (key, path, created)."""
    folder = data_dir / "ssh"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / HOST_KEY_NAME
    if path.exists():
        try:
            return asyncssh.read_private_key(str(path)), path, False
        except (OSError, asyncssh.KeyImportError) as exc:
            raise ConfigError(f"{path}: cannot read the host key: {exc}") from None
    key = asyncssh.generate_private_key("ssh-ed25519", comment="distsys-playground")
    tmp = folder / f".{HOST_KEY_NAME}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.export_private_key())
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # fails if another server created one meanwhile: use that one
        except FileExistsError:
            return asyncssh.read_private_key(str(path)), path, False
    finally:
        tmp.unlink(missing_ok=True)
    return key, path, True


class _KeysFile:
    """An authorized-keys file, re-read when it changes (instructors add keys mid-workshop)."""

    def __init__(self, path: Path, log: Callable[[str], None]) -> None:
        self.path = path
        self.log = log
        self.stamp: tuple[int, int] | None = None
        self.keys: asyncssh.SSHAuthorizedKeys | None = None
        self.count = 0
        self.current()  # fail at start if unreadable
        if self.keys is None:
            raise ConfigError(f"{path}: cannot read the authorized keys file")

    def current(self) -> asyncssh.SSHAuthorizedKeys | None:
        try:
            info = self.path.stat()
        except OSError as exc:
            if self.keys is None:
                raise ConfigError(f"{self.path}: {exc.strerror or exc}") from None
            return self.keys
        stamp = (info.st_mtime_ns, info.st_size)
        if stamp != self.stamp:
            try:
                text = self.path.read_text(encoding="utf-8")
                keys = asyncssh.import_authorized_keys(text)
            except (OSError, ValueError, asyncssh.KeyImportError) as exc:
                if self.keys is None:
                    raise ConfigError(f"{self.path}: bad authorized keys file: {exc}") from None
                self.log(f"authorized keys: {self.path} unreadable ({exc}); keeping the old keys")
                return self.keys
            self.keys, self.stamp = keys, stamp
            self.count = sum(1 for line in text.splitlines()
                             if line.strip() and not line.lstrip().startswith("#"))
            self.log(f"authorized keys: {self.count} from {self.path}")
        return self.keys


class _EnvSink(dict[Any, Any]):
    """Stands in for a channel's environment: asyncssh keeps every ``env`` request a client
    sends, without limit; none of them reach the game (only TERM does, from the pty request),
    so keep a few for the log and drop the rest."""

    def __setitem__(self, key: Any, value: Any) -> None:
        if len(self) < 8 and len(key) + len(value) < 256:
            super().__setitem__(key, value)


def _exit_status(code: int) -> int:
    return code & 0xFF if code >= 0 else 128 + (-code & 0x7F)


class GameSession(asyncssh.SSHServerSession):
    """One session channel: refuses what is not a terminal game, else runs one."""

    def __init__(self, server: WorkshopSSH, connection: _Connection) -> None:
        self.server = server
        self.connection = connection
        self.player = connection.player or "?"
        self.address = connection.address
        self.chan: asyncssh.SSHServerChannel[bytes] | None = None
        self.term: str | None = None
        self.size = (80, 24)
        self.kind = ""
        self.command = ""
        self.child: PtyChild | None = None
        self.ticket: Ticket | None = None
        self.started = time.monotonic()
        self.last_input = self.started
        self.output_done = asyncio.Event()
        self.lost = False
        self.ending = False
        self.bytes_out = 0
        #: who else sees this game as it is drawn (an instructor's live view)
        self.watchers: set[Callable[[bytes], None]] = set()

    # -- channel setup ------------------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self.chan = chan
        if isinstance(getattr(chan, "_env", None), dict):
            chan._env = _EnvSink()

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: Any) -> bool:
        self.term = term_type
        self.size = clamp_size(term_size[0], term_size[1])
        return True

    def terminal_size_changed(self, width: int, height: int, pixwidth: int,
                              pixheight: int) -> None:
        self.size = clamp_size(width, height)
        if self.child is not None:
            self.child.resize(*self.size)

    def shell_requested(self) -> bool:
        self.kind = "shell"
        return True

    def exec_requested(self, command: str) -> bool:
        # Accepted only to say no in words ("exec request failed" tells a player nothing);
        # nothing is ever run. scp (legacy protocol) arrives here too.
        self.kind = "exec"
        self.command = command
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        self.server.log(f"refused subsystem {subsystem[:40]!r} for {self.player} from "
                        f"{self.address}")
        return False

    def break_received(self, msec: int) -> bool:
        return False

    def signal_received(self, signal: str) -> None:
        pass  # the player's keys reach the game through the pty; remote signals do not

    def eof_received(self) -> bool:
        return True  # keep the game on screen; the client closing the channel ends it

    def session_started(self) -> None:
        self.server.spawn_task(self._start(), f"start {self.player}")

    # -- running the game ---------------------------------------------------------------

    def _refuse(self, message: str, log: str) -> None:
        self.server.log(f"refused {self.player} from {self.address}: {log}")
        if self.chan is not None:
            with contextlib.suppress(OSError, asyncssh.Error):
                if self.term is not None:  # on a terminal, as sshd would: through the pty
                    self.chan.write(message.encode() + b"\r\n")
                else:
                    self.chan.write_stderr(message.encode() + b"\r\n")
                self.chan.exit(1)

    async def _start(self) -> None:
        server = self.server
        if self.lost:
            return
        if self.kind == "exec":
            self._refuse(f"This server runs only the playground game; commands are not "
                         f"allowed. Connect without one: ssh -p {server.port} "
                         f"{self.player}@<host>", f"command {self.command[:60]!r}")
            return
        if self.term is None:
            self._refuse(f"The playground is a full-screen terminal game and needs a "
                         f"terminal. Connect with: ssh -t -p {server.port} "
                         f"{self.player}@<host>", "no pty")
            return
        if server.stopping:
            self._refuse("The workshop server is shutting down.", "stopping")
            return
        ticket = server.sessions.admit(self.player, self.address)
        if isinstance(ticket, str):
            self._refuse(ticket, ticket)
            return
        self.ticket = ticket
        config = server.config
        try:
            child = await PtyChild.spawn(
                config.launcher_argv(self.player, ctty=True),
                config.child_env(self.player, "ssh", term=self.term),
                *self.size, cwd=str(config.data_dir))
        except OSError as exc:
            ticket.release()
            self._refuse("Sorry, the game could not start here. Please tell the instructor.",
                         f"spawn failed: {exc}")
            return
        self.child = child
        server.children.add(child)
        server.active.add(self)
        server.log(f"start {self.player} from {self.address} pid {child.pid} "
                   f"{self.term} {self.size[0]}x{self.size[1]} "
                   f"({server.sessions.total}/{config.max_sessions} games)")
        if self.lost:  # the client went away while the game was starting
            await self._stop_child()
            return
        child.start_reading(self._on_output)
        server.spawn_task(self._watch(child), f"watch {self.player}")

    def _on_output(self, data: bytes) -> None:
        for watcher in list(self.watchers):
            watcher(data)
        if not data:
            self.output_done.set()
            return
        self.bytes_out += len(data)
        if self.chan is not None and not self.lost:
            try:
                self.chan.write(data)
            except (OSError, asyncssh.Error):
                self.lost = True

    async def _watch(self, child: PtyChild) -> None:
        code = await child.wait()
        if self.ending or self.lost:
            return  # whoever is ending the session reaps and reports
        with contextlib.suppress(TimeoutError):  # let the last frame reach the player
            await asyncio.wait_for(self.output_done.wait(), 1.0)
        self._finish(child, code, "quit")
        if self.chan is not None:
            with contextlib.suppress(OSError, asyncssh.Error):
                self.chan.exit(_exit_status(code))

    def _finish(self, child: PtyChild, code: int, why: str) -> None:
        child.close()
        self.server.children.discard(child)
        if self.ticket is not None:
            self.ticket.release()
            self.ticket = None
        if self in self.server.active:
            self.server.active.discard(self)
            self.server.log(f"end {self.player} pid {child.pid} ({why}, exit {code}, "
                            f"{time.monotonic() - self.started:.0f} s, "
                            f"{self.bytes_out} bytes out)")

    async def _stop_child(self, why: str = "disconnected") -> None:
        child = self.child
        if child is None:
            return
        child.pause_reading()
        code = await child.terminate(self.server.config.grace)
        self._finish(child, code, why)

    async def end(self, message: str, why: str) -> None:
        """End the game from the server's side (idle, time limit, shutdown), telling why."""
        if self.ending or self.lost:
            return
        self.ending = True
        await self._stop_child(why)
        if self.chan is not None:
            with contextlib.suppress(OSError, asyncssh.Error):
                self.chan.write(RESTORE_TERMINAL + message.encode() + b"\r\n")
                self.chan.exit(0)

    def data_received(self, data: bytes, datatype: Any) -> None:
        self.last_input = time.monotonic()
        child = self.child
        if child is None or datatype is not None:
            return
        if child.pending_input + len(data) > MAX_PENDING_INPUT:
            return  # the game is not reading: drop keystrokes rather than grow without end
        child.write(data)

    def pause_writing(self) -> None:
        if self.child is not None:  # the client reads slowly: stop reading the game's output
            self.child.pause_reading()

    def resume_writing(self) -> None:
        if self.child is not None and not self.lost:
            self.child.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if self.child is not None and not self.ending:
            self.server.spawn_task(self._stop_child(), f"stop {self.player}")
        elif self.ticket is not None and self.child is None:
            pass  # still starting: _start sees ``lost`` and cleans up


class _Connection(asyncssh.SSHServer):
    """One client connection: checks the name, authenticates, hands out game sessions."""

    def __init__(self, server: WorkshopSSH) -> None:
        self.server = server
        self.conn: asyncssh.SSHServerConnection | None = None
        self.address = "?"
        self.player: str | None = None
        self.bad_name = False
        self.failures = 0
        self.counted = False
        self.instructor = False  # logging in as the instructor (checked by their keys)

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.address = str(peer[0]) if peer else "?"
        refusal = self.server.admit_connection(self.address)
        if refusal:
            self.server.log(f"dropped connection from {self.address}: {refusal}")
            asyncio.get_running_loop().call_soon(conn.abort)
            return
        self.counted = True
        self.server.connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.counted:
            self.counted = False
            self.server.release_connection(self.address)
        if self.conn is not None:
            self.server.connections.discard(self.conn)

    def begin_auth(self, username: str) -> bool:
        self.player = username
        assert self.conn is not None
        if not valid_player(username):
            self.bad_name = True
            shown = username[:40].encode("ascii", "backslashreplace").decode()
            self.conn.send_auth_banner(f"'{shown}' cannot be a player name. Your SSH user name "
                                       f"is your player name: use {PLAYER_RULE}, e.g. "
                                       f"ssh -p {self.server.port} ada@<host>\r\n")
            self.server.log(f"refused name {shown!r} from {self.address}")
            return True  # and no method will accept it
        if username == INSTRUCTOR_NAME and self.server.auth.has_instructor:
            self.instructor = True  # never let in by --open or the players' password or keys
            self.conn.send_auth_banner("Instructor login: needs the instructor password or "
                                       "key of this workshop server.\r\n")
            if self.server.instructor_keys is not None:
                keys = self.server.instructor_keys.current()
                if keys is not None:
                    self.conn.set_authorized_keys(keys)
            return True
        if self.server.auth.open:
            return False
        if self.server.keys is not None:
            keys = self.server.keys.current()
            if keys is not None:
                self.conn.set_authorized_keys(keys)
        return True

    def public_key_auth_supported(self) -> bool:
        if self.instructor:
            return self.server.instructor_keys is not None
        return self.server.keys is not None and not self.bad_name

    def password_auth_supported(self) -> bool:
        return self._password_digest() is not None and not self.bad_name

    def _password_digest(self) -> bytes | None:
        auth = self.server.auth
        return auth.instructor_password if self.instructor else auth.password

    def kbdint_auth_supported(self) -> bool:
        return False

    async def validate_password(self, username: str, password: str) -> bool:
        digest = self._password_digest()
        if digest is not None and not self.bad_name and password_matches(digest, password):
            return True
        self.failures += 1
        delay = self.server.note_auth_failure(self.address)
        self.server.log(f"wrong {'instructor ' if self.instructor else ''}password for "
                        f"{username[:32]!r} from {self.address}")
        await asyncio.sleep(delay)
        if self.failures >= MAX_AUTH_FAILURES and self.conn is not None:
            self.conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE,
                                 "too many failed attempts")
        return False

    def auth_completed(self) -> None:
        role = " (the instructor)" if self.instructor else ""
        self.server.log(f"login {self.player}{role} from {self.address}")

    def session_requested(self) -> Any:
        if self.server.stopping:
            return False
        if self.instructor:
            return InstructorSession(self.server, self.server.desk)
        return GameSession(self.server, self)

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str,
                             orig_port: int) -> bool:
        self.server.log(f"refused port forwarding to {dest_host[:60]!r}:{dest_port} for "
                        f"{self.player} from {self.address}")
        return False

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        self.server.log(f"refused remote forwarding of port {listen_port} for {self.player} "
                        f"from {self.address}")
        return False

    def unix_connection_requested(self, dest_path: str) -> bool:
        self.server.log(f"refused socket forwarding for {self.player} from {self.address}")
        return False

    def unix_server_requested(self, listen_path: str) -> bool:
        return False


class WorkshopSSH:
    """The SSH workshop server. ``await start()``, then ``await stop()`` (or :func:`run`)."""

    def __init__(self, config: ServeConfig, auth: SSHAuth,
                 out: TextIO | None = None) -> None:
        if not (auth.open or auth.password is not None or auth.authorized_keys is not None):
            raise ConfigError("choose how players log in: --authorized-keys FILE, "
                              "--password-file FILE, or --open")
        self.config = config
        self.auth = auth
        self.out = out or sys.stdout
        self.sessions = Sessions(config.max_sessions, config.per_address, config.lock_dir,
                                 on_change=config.share_budget)
        self.active: set[GameSession] = set()
        self.connections: set[asyncssh.SSHServerConnection] = set()
        self.by_address: dict[str, int] = {}
        self.auth_failures: dict[str, tuple[int, float]] = {}
        self.tasks: set[asyncio.Task[Any]] = set()
        self.keys = (_KeysFile(auth.authorized_keys, self.log)
                     if auth.authorized_keys is not None else None)
        self.instructor_keys = (_KeysFile(auth.instructor_keys, self.log)
                                if auth.instructor_keys is not None else None)
        self.desk = room_desk(config)
        self.stopping = False
        self.port = config.port
        self.acceptor: asyncssh.SSHAcceptor | None = None
        self.watchdog: asyncio.Task[Any] | None = None
        self.children: set[PtyChild] = set()  # every game not yet reaped
        self.host_key: asyncssh.SSHKey | None = None

    def log(self, message: str) -> None:
        with contextlib.suppress(OSError, ValueError):  # a closed log must not stop a game
            self.out.write(f"{time.strftime('%H:%M:%S')} {message}\n")
            self.out.flush()

    def spawn_task(self, coro: Any, name: str) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self.tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                self.log(f"error in {name}: {t.exception()!r}")

        task.add_done_callback(done)
        return task

    # -- limits ---------------------------------------------------------------------------

    def admit_connection(self, address: str) -> str | None:
        config = self.config
        if self.stopping:
            return "server stopping"
        if sum(self.by_address.values()) >= config.max_sessions + EXTRA_CONNECTIONS:
            return "too many connections"
        if config.per_address and \
                self.by_address.get(address, 0) >= config.per_address + EXTRA_PER_ADDRESS:
            return "too many connections from this address"
        self.by_address[address] = self.by_address.get(address, 0) + 1
        return None

    def release_connection(self, address: str) -> None:
        count = self.by_address.get(address, 0) - 1
        if count > 0:
            self.by_address[address] = count
        else:
            self.by_address.pop(address, None)

    def note_auth_failure(self, address: str) -> float:
        """Count a failed login from ``address``; returns how long to make it wait (longer
        the more it fails; forgotten after ten quiet minutes)."""
        now = time.monotonic()
        count, last = self.auth_failures.get(address, (0, now))
        if now - last > 600:
            count = 0
        count += 1
        self.auth_failures[address] = (count, now)
        if len(self.auth_failures) > 10000:  # bounded memory under a spray of addresses
            self.auth_failures = dict(list(self.auth_failures.items())[-5000:])
        return min(10.0, 0.5 * count)

    async def _watchdog(self) -> None:
        config = self.config
        limits = [t for t in (config.idle_timeout, config.max_session) if t > 0]
        if not limits:
            return
        period = max(0.2, min(5.0, min(limits) / 5))
        while not self.stopping:
            await asyncio.sleep(period)
            now = time.monotonic()
            for session in list(self.active):
                if config.max_session and now - session.started > config.max_session:
                    self.spawn_task(session.end(
                        f"Time is up: sessions last at most {format_duration(config.max_session)}. "
                        "Your progress is saved; connect again to go on.", "time limit"),
                        "end")
                elif config.idle_timeout and now - session.last_input > config.idle_timeout:
                    self.spawn_task(session.end(
                        f"No key pressed for {format_duration(config.idle_timeout)}: the game was "
                        "closed. Your progress is saved; connect again to go on.", "idle"),
                        "end")

    # -- start and stop -------------------------------------------------------------------

    async def start(self) -> None:
        config = self.config
        prepare_data_dir(config)
        try:
            key, key_path, created = load_host_key(config.data_dir)
        except OSError as exc:
            raise ConfigError(f"{config.data_dir}: cannot keep the host key there: "
                              f"{exc.strerror or exc}") from None
        self.host_key = key
        try:
            self.acceptor = await self._listen(key)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {config.host}:{config.port}: "
                              f"{exc.strerror or exc}") from None
        self.port = self.acceptor.get_port()
        self.watchdog = self.spawn_task(self._watchdog(), "watchdog")
        self._banner(key, key_path, created)

    async def _listen(self, key: asyncssh.SSHKey) -> asyncssh.SSHAcceptor:
        config = self.config
        return await asyncssh.listen(
            config.host, config.port,
            server_factory=lambda: _Connection(self),
            server_host_keys=[key],
            reuse_address=True,
            encoding=None, line_editor=False, allow_pty=True,
            agent_forwarding=False, x11_forwarding=False,
            public_key_auth=self.keys is not None or self.instructor_keys is not None,
            password_auth=self.auth.password is not None or
            self.auth.instructor_password is not None,
            kbdint_auth=False, host_based_auth=False, gss_host=None,
            login_timeout=LOGIN_TIMEOUT,
            keepalive_interval=KEEPALIVE_INTERVAL, keepalive_count_max=KEEPALIVE_COUNT_MAX,
            server_version="DistSysPlayground")

    def _banner(self, key: asyncssh.SSHKey, key_path: Path, created: bool) -> None:
        config = self.config
        lines = [
            "Distributed Systems Playground: workshop server (SSH)",
            f"  listening on {config.host}:{self.port}",
            f"  host key     {key.get_fingerprint('sha256')} (ssh-ed25519"
            f"{', new' if created else ''}) in {key_path}",
            f"  players run  ssh -p {self.port} NAME@<this machine>   (NAME = player name)",
            f"  login        {self.auth.describe()}",
            "  instructor   "
            + (f"ssh -p {self.port} {INSTRUCTOR_NAME}@<this machine>   "
               f"({self.auth.describe_instructor()})" if self.auth.has_instructor
               else "no login (--instructor-password-file or --instructor-keys adds one)"),
            f"  limits       {format_limits(config)}",
            f"  data         {config.data_dir} (progress, leaderboard)",
        ]
        if self.auth.open:
            bar = "!" * 78
            lines += [bar, "!!! OPEN MODE: no password, no key. Anyone who can reach "
                           f"{config.host}:{self.port}", "!!! can play, under any name "
                           "(and so overwrite that player's progress).", bar]
        if not is_loopback(config.host):
            lines.append(f"  note: listening on {config.host}: reachable from other machines")
        for line in lines:
            self.out.write(line + "\n")
        self.out.flush()

    async def stop(self) -> None:
        """Stop accepting, end every game (telling its player), close every connection."""
        if self.stopping:
            return
        self.stopping = True
        if self.acceptor is not None:
            self.acceptor.close()
        sessions = list(self.active)
        if sessions:
            self.log(f"stopping: ending {len(sessions)} games")
        await asyncio.gather(*(s.end("The workshop server is shutting down. Your progress is "
                                     "saved.", "server stopping") for s in sessions),
                             return_exceptions=True)
        for conn in list(self.connections):
            conn.close()
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.wait_closed(), 2.0)
        # Sessions still starting or cleaning up finish by themselves (each reaps its game);
        # give them the time that takes, then make sure that no game outlives the server.
        if self.watchdog is not None:
            self.watchdog.cancel()
        pending = [t for t in self.tasks if t is not self.watchdog]
        if pending:
            await asyncio.wait(pending, timeout=self.config.grace + 5.0)
        for child in list(self.children):
            with contextlib.suppress(Exception):
                await child.terminate(0.5)  # joins an ending already under way
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.acceptor is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.acceptor.wait_closed(), 2.0)
        self.log("stopped")


async def serve(config: ServeConfig, auth: SSHAuth) -> int:
    """Run until SIGINT, SIGTERM or SIGHUP; then end every game and return 0."""
    return await serve_until_signalled(WorkshopSSH(config, auth))


def run(config: ServeConfig, auth: SSHAuth) -> int:
    return asyncio.run(serve(config, auth))
