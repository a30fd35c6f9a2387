"""``playground serve web``: the game in the browser, one game process per tab.

Built on textual-serve as a library: its page, its terminal (xterm.js) and its ``AppService``
(which speaks Textual's web-driver protocol with the game process). What is ours: who may
play and under which name, the game's command line and environment, the limits, and making
sure every game process is gone when its tab is, and offering each game's screen to the
instructor's live view (:mod:`.livefeed`).

Routes::

    GET  /                 the name (and, with --password-file, password) form
    POST /play             checks it; 303 to /play/<token>
    GET  /play/<token>     our page (assets/game.html: textual-serve's, with local fonts, keyboard
                           focus on the first frame, and why a session ended), wired to /ws/<token>
    GET  /ws/<token>       the websocket: one game process for as long as it is open
    GET  /static/...       textual-serve's scripts, styles and fonts

A token is the player name signed with a key made at server start (HMAC-SHA256, 12 hours): the
websocket does not trust a name it did not sign. Per client address, the caps count the
address the server sees (behind a proxy: the proxy's).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import html
import json
import os
import secrets
import signal
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any, TextIO

import aiohttp_jinja2
import attrs
import jinja2
import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from playground.game.progress import PLAYER_RULE
from playground.game.roomstate import BrowserGame, remove_browser_game, write_browser_game
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
from playground.serve.livefeed import LiveFeed, clean_stale_feeds, feed_path
from playground.serve.web_link import FramePacer, Liveness
from playground.shipped import asset

TEXTUAL_SERVE_DIR = Path(textual_serve.__file__).resolve().parent
TOKEN_LIFETIME = 12 * 3600
MAX_MESSAGE = 256 * 1024  # bytes in one websocket message from a browser
MAX_STDERR = 64 * 1024  # bytes of a game's stderr kept for the server log
STOP_TIMEOUT = 3.0  # seconds for a game to quit when asked, before signals
PING_EVERY = 15.0  # seconds between keepalive pings (keeps proxies and NAT from closing)
RELOAD_WAIT = STOP_TIMEOUT + 5.0  # seconds a reload waits for the player's previous game to end
GAME_PAGE = "game.html"  # in assets/
# Why a session ended, as the page says it ("reload to continue" follows there); the server
# log's ``end`` line names the same verdict (the key).
ENDS = {
    "idle": "No key pressed for {idle}: the game was closed.",
    "time limit": "Time is up: games last at most {limit} on this server.",
    "server stopping": "The workshop server is stopping.",
    "connection lost": "The connection to the server was lost.",
    "game ended": "The game ended.",
    "spawn failed": "The server could not start a game: please tell the instructor.",
}
CLOSE_CODES = {"server stopping": 1001, "spawn failed": 1011, "refused": 1013}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # the page's address holds the player's token
    "Cache-Control": "no-store",
}


@attrs.define
class WebAuth:
    password: bytes | None = None  # sha256 of the workshop password
    open: bool = False


class _Tokens:
    """Signed player names: ``<name>.<expiry>.<mac>``, URL-safe."""

    def __init__(self) -> None:
        self.key = secrets.token_bytes(32)

    def issue(self, player: str, now: float | None = None) -> str:
        expiry = int((now or time.time()) + TOKEN_LIFETIME)
        body = f"{player}.{expiry}"
        return f"{body}.{self._mac(body)}"

    def check(self, token: str, now: float | None = None) -> str | None:
        player, _, rest = token.partition(".")
        expiry, _, mac = rest.partition(".")
        if not (player and expiry.isdigit() and mac):
            return None
        if not hmac.compare_digest(mac, self._mac(f"{player}.{expiry}")):
            return None
        if int(expiry) < (now or time.time()) or not valid_player(player):
            return None
        return player

    def _mac(self, body: str) -> str:
        digest = hmac.new(self.key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()


class _CappedStderr:
    """A game's stderr, read to the end (so the game never blocks writing it) but kept only up
    to a cap: textual-serve holds all of it in memory otherwise."""

    def __init__(self, reader: asyncio.StreamReader, cap: int = MAX_STDERR) -> None:
        self.reader = reader
        self.left = cap

    async def read(self, n: int = -1) -> bytes:
        while True:
            data = await self.reader.read(n)
            if not data:
                return b""
            if self.left > 0:
                data = data[: self.left]
                self.left -= len(data)
                return data


class GameAppService(AppService):
    """textual-serve's ``AppService``, running our launcher with a clean environment in its
    own process group, with bounded sizes, and a ``stop`` that always ends in a reaped
    process."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str, grace: float,
                 **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = argv
        self.env = env
        self.cwd = cwd
        self.grace = grace
        self.stopped = False
        self.size = (80, 24)  # the browser's terminal, as the game was last told

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        self.size = (width, height)
        env = dict(self.env, COLUMNS=str(width), ROWS=str(height))
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=env, cwd=self.cwd, start_new_session=True,
            close_fds=True, limit=2**20)
        assert process.stdin is not None and process.stderr is not None
        # a reader that keeps at most a cap stands in for the StreamReader (so the ignore)
        process.stderr = _CappedStderr(process.stderr)  # type: ignore[assignment]
        self._stdin = process.stdin
        return process

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def set_terminal_size(self, width: int, height: int) -> None:
        self.size = clamp_size(width, height)
        await super().set_terminal_size(*self.size)

    async def repaint(self) -> None:
        """Have the game draw its whole screen again: a resize to the same size."""
        await self.set_terminal_size(*self.size)

    async def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        process = self._process
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.send_meta({"type": "quit"}), 1.0)
            with contextlib.suppress(Exception):  # timed out, or the reader failed
                await asyncio.wait_for(asyncio.shield(self._task), STOP_TIMEOUT)
        if process is not None and process.returncode is None:
            for sig in (signal.SIGHUP, signal.SIGCONT):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, sig)
            try:
                await asyncio.wait_for(asyncio.shield(process.wait()), self.grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
        if process is not None:
            await process.wait()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        if process is not None:
            _close_pipes(process)


def _close_pipes(process: asyncio.subprocess.Process) -> None:
    """Close a reaped game's pipes while the event loop still runs. Pipes nobody drained to
    the end stay open, and the garbage collector would close them after the loop is gone,
    printing "Exception ignored in BaseSubprocessTransport.__del__ ... Event loop is closed"
    into the server's log. asyncio offers no public call for this, hence ``_transport``."""
    transport = getattr(process, "_transport", None)
    if transport is not None:
        transport.close()


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Distributed Systems Playground</title>
<style>
 body {{ background: #0c181f; color: #e8eef2; font-family: menlo, monospace;
        display: flex; min-height: 90vh; align-items: center; justify-content: center; }}
 main {{ background: #12232d; padding: 2em 3em; max-width: 36em; }}
 h1 {{ font-size: 1.3em; }} label {{ display: block; margin-top: 1em; }}
 input {{ font: inherit; padding: .4em; width: 100%; box-sizing: border-box; }}
 button {{ font: inherit; margin-top: 1.5em; padding: .6em 2em; background: #5e0ba7;
          color: #fff; border: none; cursor: pointer; }}
 .error {{ color: #ff8a80; }} .note {{ color: #9fb3bf; font-size: .9em; }}
</style></head><body><main>
<h1>Distributed Systems Playground</h1>
{body}
</main></body></html>
"""


class WorkshopWeb:
    """The web workshop server. ``await start()``, then ``await stop()`` (or :func:`run`)."""

    def __init__(self, config: ServeConfig, auth: WebAuth, public_url: str | None = None,
                 out: TextIO | None = None) -> None:
        self.config = config
        self.auth = auth
        self.public_url = public_url.rstrip("/") if public_url else None
        self.out = out or sys.stdout
        self.sessions = Sessions(config.max_sessions, config.per_address, config.lock_dir,
                                 on_change=config.share_budget)
        self.tokens = _Tokens()
        self.services: set[GameAppService] = set()
        self.feeds: set[LiveFeed] = set()  # the live views offered to the instructor
        self.players: dict[str, int] = {}  # games per player on this server, ending ones too
        self.sockets: dict[web.WebSocketResponse, list[str]] = {}  # open ones, and why ended
        self.failures: dict[str, tuple[int, float]] = {}
        self.download_manager = DownloadManager()
        self.runner: web.AppRunner | None = None
        self.port = config.port
        self.stopping = False

    def log(self, message: str) -> None:
        with contextlib.suppress(OSError, ValueError):  # a closed log must not stop a game
            self.out.write(f"{time.strftime('%H:%M:%S')} {message}\n")
            self.out.flush()

    # -- pages ----------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024)
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(asset(GAME_PAGE).parent))
        app.add_routes([
            web.get("/", self.handle_form),
            web.post("/play", self.handle_login),
            web.get("/play/{token}", self.handle_play),
            web.get("/ws/{token}", self.handle_websocket),
            web.static("/static", TEXTUAL_SERVE_DIR / "static", show_index=False),
        ])
        app.on_response_prepare.append(self._headers)
        return app

    async def _headers(self, request: web.Request, response: web.StreamResponse) -> None:
        for name, value in SECURITY_HEADERS.items():
            if name == "Cache-Control" and request.path.startswith("/static/"):
                continue
            response.headers.setdefault(name, value)

    def _form(self, error: str = "", name: str = "", status: int = 200) -> web.Response:
        parts = ["<p>Break and defend a simulated cluster, in your browser.</p>"]
        if error:
            parts.append(f'<p class="error">{html.escape(error)}</p>')
        parts.append('<form method="post" action="/play">'
                     '<label for="player">Your player name</label>'
                     f'<input id="player" name="player" value="{html.escape(name)}" '
                     'maxlength="32" autocomplete="nickname" required autofocus '
                     'pattern="[A-Za-z0-9][A-Za-z0-9_.\\-]{0,31}">')
        if self.auth.password is not None:
            parts.append('<label for="password">Workshop password</label>'
                         '<input id="password" name="password" type="password" required>')
        parts.append(f'<button type="submit">Play</button></form>'
                     f'<p class="note">Names: {html.escape(PLAYER_RULE)}. Your progress is '
                     f'kept under your name on this server.</p>')
        return web.Response(text=_PAGE.format(body="".join(parts)), status=status,
                            content_type="text/html")

    async def handle_form(self, request: web.Request) -> web.Response:
        return self._form()

    async def handle_login(self, request: web.Request) -> web.Response:
        form = await request.post()
        player = str(form.get("player", "")).strip()
        if not valid_player(player):
            return self._form(f"That name cannot be used: {PLAYER_RULE}.", player[:32], 400)
        if self.auth.password is not None:
            address = request.remote or "?"
            if not password_matches(self.auth.password, str(form.get("password", ""))):
                delay = self._note_failure(address)
                self.log(f"wrong password for {player} from {address}")
                await asyncio.sleep(delay)
                return self._form("Wrong workshop password.", player, 403)
        raise web.HTTPSeeOther(f"/play/{self.tokens.issue(player)}")

    def _note_failure(self, address: str) -> float:
        now = time.monotonic()
        count, last = self.failures.get(address, (0, now))
        count = 1 if now - last > 600 else count + 1
        self.failures[address] = (count, now)
        if len(self.failures) > 10000:
            self.failures = dict(list(self.failures.items())[-5000:])
        return min(10.0, 0.5 * count)

    def _base_url(self, request: web.Request) -> str:
        if self.public_url:
            return self.public_url
        return f"{request.scheme}://{request.host}"

    async def handle_play(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        player = self.tokens.check(token)
        if player is None:
            raise web.HTTPSeeOther("/")
        if self.sessions.total >= self.config.max_sessions:
            body = ("<p>Sorry, the workshop server is full. Please try again in a few minutes."
                    "</p><p><a href=\"\">Try again</a></p>")
            return web.Response(text=_PAGE.format(body=body), status=503,
                                content_type="text/html")
        base = self._base_url(request)
        ws_base = ("wss:" if base.startswith("https:") else "ws:") + base.split(":", 1)[1]
        context = {
            "font_size": 16,
            "app_websocket_url": f"{ws_base}/ws/{token}",
            "config": {"static": {"url": "/static/"}},
            "application": {"name": f"Distributed Systems Playground ({player})"},
        }
        return aiohttp_jinja2.render_template(GAME_PAGE, request, context)

    # -- the game ---------------------------------------------------------------------------

    def _origin_ok(self, request: web.Request) -> bool:
        """A browser always sends Origin on a websocket: it must be this server, or another
        site's page could open games in its visitors' names (non-browsers send none)."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        allowed = {f"{request.scheme}://{request.host}"}
        if self.public_url:
            allowed.add(self.public_url)
        return origin.rstrip("/") in allowed

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        player = self.tokens.check(request.match_info["token"])
        address = request.remote or "?"
        if player is None or not self._origin_ok(request):
            self.log(f"refused websocket from {address}: bad token or origin")
            raise web.HTTPForbidden(text="Start from the front page.")
        # No aiohttp heartbeat: its pong deadline (7.5 s) dropped busy browsers whose pong sat
        # behind the frames they were still reading. ``Liveness`` judges by progress instead.
        websocket = web.WebSocketResponse(heartbeat=None, max_msg_size=MAX_MESSAGE)
        await websocket.prepare(request)
        if self.stopping:
            await _end(websocket, "server stopping", ENDS["server stopping"])
            return websocket
        ticket = await self._admit(player, address)
        if isinstance(ticket, str):
            self.log(f"refused {player} from {address}: {ticket}")
            await _end(websocket, "refused", ticket)
            return websocket
        cols, rows = clamp_size(_int(request.query.get("width"), 80),
                                _int(request.query.get("height"), 24))
        config = self.config
        liveness = Liveness(websocket)
        pacer = FramePacer(liveness)
        feed = LiveFeed(lambda: service.repaint())

        async def write_bytes(data: bytes) -> None:
            feed.offer(data)
            await pacer.write(data)

        service = GameAppService(
            config.launcher_argv(player, ctty=False),
            config.child_env(player, "web", extra={
                "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver",
                "TEXTUAL_FPS": "60",
                "TEXTUAL_COLOR_SYSTEM": "truecolor",
                "TERM_PROGRAM": "textual",
                "TERM_PROGRAM_VERSION": version("textual-serve"),
            }),
            str(config.data_dir), config.grace,
            write_bytes=write_bytes, write_str=liveness.send_str,
            close=lambda: self.end(websocket, "game ended"),
            download_manager=self.download_manager)
        self.services.add(service)
        self.players[player] = self.players.get(player, 0) + 1
        verdict: list[str] = []  # the first reason given to end it wins
        self.sockets[websocket] = verdict
        started = time.monotonic()
        activity = [started]
        watchdog: asyncio.Task[None] | None = None
        try:
            await service.start(cols, rows)
            await self._offer_live(player, service, feed)
            self.log(f"start {player} from {address} pid {service.pid} {cols}x{rows} (web, "
                     f"{self.sessions.total}/{config.max_sessions} games)")
            self._list_in_room(player, service, (cols, rows))
            watchdog = asyncio.ensure_future(self._watch(websocket, started, activity,
                                                         liveness))
            if service._task is not None:  # the game ended by itself (quit or crash)
                service._task.add_done_callback(
                    lambda _: asyncio.ensure_future(self.end(websocket, "game ended")))
            await self._pump(websocket, player, service, activity, pacer)
        except OSError as exc:
            self.log(f"cannot start the game for {player}: {exc}")
            await self.end(websocket, "spawn failed")
        finally:
            if watchdog is not None:
                watchdog.cancel()
            await pacer.close()
            if not verdict:  # before stopping the game, whose end would claim the verdict
                verdict.append(_gone(websocket))
            await service.stop()
            await feed.close()
            self.feeds.discard(feed)
            if service.pid is not None:
                with contextlib.suppress(OSError):
                    remove_browser_game(config.room_dir, player, service.pid)
            self.services.discard(service)
            self.sockets.pop(websocket, None)
            ticket.release()
            self.players[player] -= 1
            if not self.players[player]:
                del self.players[player]
            self.log(f"end {player} pid {service.pid} ({verdict[0]}, "
                     f"{time.monotonic() - started:.0f} s)")
            if not websocket.closed:
                await websocket.close()
        return websocket

    async def _admit(self, player: str, address: str) -> Ticket | str:
        """A ticket for ``player``; when their previous game on this server is still ending
        (a reloaded page opens the new game before the old one is gone), wait for it first,
        up to ``RELOAD_WAIT`` seconds."""
        deadline = time.monotonic() + RELOAD_WAIT
        while True:
            ticket = self.sessions.admit(player, address)
            if (not isinstance(ticket, str) or self.players.get(player, 0) == 0
                    or time.monotonic() > deadline):
                return ticket
            await asyncio.sleep(0.1)

    def end_sentence(self, why: str) -> str:
        config = self.config
        return ENDS[why].format(idle=format_duration(config.idle_timeout),
                                limit=format_duration(config.max_session))

    async def end(self, websocket: web.WebSocketResponse, why: str) -> None:
        """End one session from the server's side, telling the page (and later the log) why;
        only the first reason counts."""
        verdict = self.sockets.get(websocket)
        if verdict is None or verdict:
            return
        verdict.append(why)
        await _end(websocket, why, self.end_sentence(why))

    async def _offer_live(self, player: str, service: GameAppService, feed: LiveFeed) -> None:
        """Offer the game's screen to the instructor's live view (:mod:`.livefeed`); if the
        socket cannot be made, the game goes on without one."""
        if service.pid is None:
            return
        try:
            await feed.open(feed_path(self.config.room_dir, os.getpid(), service.pid))
        except OSError as exc:
            self.log(f"no live view of {player}'s game: {exc.strerror or exc}")
            return
        self.feeds.add(feed)

    def _list_in_room(self, player: str, service: GameAppService,
                      size: tuple[int, int]) -> None:
        """Tell the room (the SSH server's room view) that ``player`` plays in a browser, on a
        screen of ``size``; a full disk only leaves them out of the room view."""
        if service.pid is not None:
            with contextlib.suppress(OSError):
                write_browser_game(self.config.room_dir,
                                   BrowserGame(player, service.pid, os.getpid(), size))

    async def _pump(self, websocket: web.WebSocketResponse, player: str,
                    service: GameAppService, activity: list[float], pacer: FramePacer) -> None:
        async for message in websocket:
            pacer.liveness.heard()
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind, data = envelope[0], envelope[1]
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and isinstance(data, str):
                activity[0] = time.monotonic()
                await service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "ack" and isinstance(data, int):
                pacer.ack(data)
            elif kind == "resize" and isinstance(data, dict):
                pacer.forget()
                size = clamp_size(_int(data.get("width"), 80), _int(data.get("height"), 24))
                await service.set_terminal_size(*size)
                self._list_in_room(player, service, size)
            elif kind == "ping" and isinstance(data, str | int | float):
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def _watch(self, websocket: web.WebSocketResponse, started: float,
                     activity: list[float], liveness: Liveness) -> None:
        config = self.config
        limits = [t for t in (config.idle_timeout, config.max_session) if t > 0]
        period = max(0.2, min(5.0, min(limits, default=5.0) / 5))
        last_ping = time.monotonic()
        while True:
            await asyncio.sleep(period)
            now = time.monotonic()
            why = ""
            if config.max_session and now - started > config.max_session:
                why = "time limit"
            elif config.idle_timeout and now - activity[0] > config.idle_timeout:
                why = "idle"
            elif liveness.stalled(now):
                why = "connection lost"
            elif now - last_ping >= PING_EVERY:
                last_ping = now
                liveness.ping()
            if why:
                await self.end(websocket, why)
                return

    # -- start and stop ---------------------------------------------------------------------

    async def start(self) -> None:
        config = self.config
        prepare_data_dir(config)
        stale = clean_stale_feeds(config.room_dir)
        self.runner = web.AppRunner(self.make_app(), handle_signals=False, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, config.host, config.port, reuse_address=True)
        try:
            await site.start()
        except OSError as exc:
            await self.runner.cleanup()
            raise ConfigError(f"cannot listen on {config.host}:{config.port}: "
                              f"{exc.strerror or exc}") from None
        addresses = self.runner.addresses
        if addresses:
            self.port = int(addresses[0][1])
        self._banner()
        if stale:
            self.log(f"removed {len(stale)} live view socket{'s' if len(stale) > 1 else ''} "
                     "left by a web server that was killed")

    def _banner(self) -> None:
        config = self.config
        lines = [
            "Distributed Systems Playground: workshop server (web)",
            f"  listening on http://{config.host}:{self.port}/",
            f"  players open http://<this machine>:{self.port}/ and pick a player name",
            "  login        " + ("the workshop password" if self.auth.password is not None
                                 else "OPEN: any name, no password"),
            f"  limits       {format_limits(config)}",
            f"  data         {config.data_dir} (progress, leaderboard)",
        ]
        if self.auth.password is None and not is_loopback(config.host):
            bar = "!" * 78
            lines += [bar, f"!!! OPEN MODE: anyone who can reach {config.host}:{self.port} "
                           "can play, under any name.", bar]
        if self.auth.password is not None:
            lines.append("  note: plain HTTP sends the password unencrypted; put a TLS proxy "
                         "in front for untrusted networks")
        for line in lines:
            self.out.write(line + "\n")
        self.out.flush()

    async def stop(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        services = list(self.services)
        if services:
            self.log(f"stopping: ending {len(services)} game{'s' if len(services) > 1 else ''}")
        await asyncio.gather(*(self.end(ws, "server stopping") for ws in list(self.sockets)),
                             return_exceptions=True)
        await asyncio.gather(*(s.stop() for s in services), return_exceptions=True)
        await asyncio.gather(*(feed.close() for feed in list(self.feeds)),
                             return_exceptions=True)
        if self.runner is not None:
            await self.runner.cleanup()
        self.log("stopped")


async def _end(websocket: web.WebSocketResponse, why: str, sentence: str) -> None:
    """Tell the page why (``["end", sentence]``, shown above "reload to continue"), then
    close with the verdict as the close frame's reason."""
    with contextlib.suppress(Exception):  # a socket already gone: nobody to tell
        await websocket.send_json(["end", sentence])
    with contextlib.suppress(Exception):
        await websocket.close(code=CLOSE_CODES.get(why, 1000), message=why.encode())


def _gone(websocket: web.WebSocketResponse) -> str:
    """Why a session ended that the server did not end: the browser closed it (a closed tab,
    a reload) or the connection dropped without a close frame."""
    return "connection lost" if websocket.close_code == 1006 else "closed"


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


async def serve(config: ServeConfig, auth: WebAuth, public_url: str | None = None) -> int:
    """Run until SIGINT, SIGTERM or SIGHUP; then end every game and return 0."""
    return await serve_until_signalled(WorkshopWeb(config, auth, public_url))


def run(config: ServeConfig, auth: WebAuth, public_url: str | None = None) -> int:
    return asyncio.run(serve(config, auth, public_url))
