"""Load test of the SSH workshop server: N players at once.

Starts ``playground serve ssh --open`` on a free loopback port and connects N sessions with
asyncssh's client (each on a terminal of its own, a few at a time, as a room arrives) until
every game shows its title. Then the whole room opens a level within ``--stagger`` seconds and
sets the speed; once every game plays at 16x, for ``--duration`` seconds the games keep
playing while each player presses a key every second and the time until the screen shows its
effect is measured.

Reported: sessions held, server CPU (the SSH server process and the game processes, in % of
one core), memory per game process (RSS and PSS) and of the server, bytes per second sent to
each session, and keypress-to-frame latency (median, p95, max) — as a table, or ``--json``.

Keys are configurable because they belong to the game: ``--enter-keys`` (default ``s`` and
Enter: the sandbox, five Raft nodes for 60 simulated seconds, which outlasts the run),
``--play-keys`` (default ``+``: 4x to 16x, checked by waiting for ``16x``), and the probe:
``--probe-key`` is pressed, and the latency is the time until ``--probe-marker`` appears in
the output; ``--probe-reset`` undoes it. The default probe is
what a player does while time runs: ``-`` slows the game to 4x (the status bar then says
``4x``) and ``+`` puts it back to 16x. (Not the command palette: opening any screen over the
play screen pauses the game, which would measure paused games.)

Frames per second per session count the status bar's repaints while playing (``▶ playing``
is written with each one), so they also show that the games really were playing; those that
moved time count the repaints whose ``t=`` differs from the last one (the probe keys' repaints
do not move it, so these are the frames the clock drew).

Run: ``.venv/bin/python benchmarks/ssh_load.py --sessions 50 --duration 30``
Targets (2-core machine): 50 sessions held, < 60 MB per session, p95 < 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import codecs
import contextlib
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh

ROOT = Path(__file__).resolve().parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")
#: The simulated time in the status bar (``t=1234/``; colour codes may sit after ``t=``).
SIM_TIME = re.compile(rb"t=(?:\x1b\[[0-9;]*m)*(\d+)(?:\x1b\[[0-9;]*m)*/")
PAGE = os.sysconf("SC_PAGE_SIZE")


def keys(text: str) -> bytes:
    """Command-line key text with Python escapes: ``\\r``, ``\\x1b[B``, ``\\x10``..."""
    return codecs.decode(text, "unicode_escape").encode("utf-8")


# -- /proc -----------------------------------------------------------------------------------


def cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def rss_bytes(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except OSError:
        return None


def pss_bytes(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    match = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
    return int(match.group(1)) * 1024 if match else None


def children_of(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            out += [int(p) for p in (task / "children").read_text().split()]
    return out


# -- one player ------------------------------------------------------------------------------


@dataclass
class Player:
    name: str
    bytes_total: int = 0
    bytes_window: int = 0
    latencies: list[float] = field(default_factory=list)
    timeouts: int = 0
    ready: bool = False
    playing: bool = False
    held: bool = False
    error: str = ""
    _tail: bytes = b""
    _expect: bytes | None = None
    _seen: asyncio.Event = field(default_factory=asyncio.Event)
    measuring: bool = False
    frame_marker: bytes = "▶ playing".encode()
    frames_window: int = 0
    _frame_tail: bytes = b""
    moves_window: int = 0  # frames that moved simulated time (the status bar's t= changed)
    _last_t: bytes = b""
    _time_tail: bytes = b""

    def feed(self, data: bytes) -> None:
        self.bytes_total += len(data)
        if self.measuring:
            self.bytes_window += len(data)
            window = self._frame_tail + data  # a marker may straddle two reads
            self.frames_window += window.count(self.frame_marker)
            self._frame_tail = window[-(len(self.frame_marker) - 1):] \
                if len(self.frame_marker) > 1 else b""
            window = self._time_tail + data
            for match in SIM_TIME.finditer(window):  # those wholly in the tail were counted
                if match.end() > len(self._time_tail) and match.group(1) != self._last_t:
                    self._last_t = match.group(1)
                    self.moves_window += 1
            self._time_tail = window[-48:]
        if self._expect is not None:
            window = self._tail + data
            if self._expect in window:
                self._expect = None
                self._seen.set()
            self._tail = window[-64:]

    async def expect(self, marker: bytes, timeout: float) -> float | None:
        """Wait for ``marker`` in output from now on; seconds waited, or None on timeout."""
        self._tail = b""
        self._seen.clear()
        self._expect = marker
        start = time.perf_counter()
        try:
            await asyncio.wait_for(self._seen.wait(), timeout)
        except TimeoutError:
            self._expect = None
            return None
        return time.perf_counter() - start


async def play(player: Player, port: int, args: argparse.Namespace, go: asyncio.Event,
               measure: asyncio.Event, stop: asyncio.Event, rng: random.Random) -> None:
    try:
        conn = await asyncssh.connect("127.0.0.1", port, username=player.name,
                                      known_hosts=None, config=None, agent_path=None,
                                      client_keys=None, connect_timeout=120)
    except (OSError, asyncssh.Error) as exc:
        player.error = f"connect: {exc}"
        return
    async with conn:
        process = await conn.create_process(term_type="xterm-256color",
                                            term_size=(args.cols, args.rows), encoding=None)

        async def reader() -> None:
            while data := await process.stdout.read(65536):
                player.feed(data)

        reading = asyncio.ensure_future(reader())
        try:
            if await player.expect(args.ready_marker.encode(), args.ready_timeout) is None:
                player.error = "no title screen"
                return
            player.ready = True  # connected, on the title screen
            await go.wait()  # the whole room opens the level at once
            await asyncio.sleep(rng.uniform(0, args.stagger))
            if args.enter_keys:
                process.stdin.write(keys(args.enter_keys))
                # Keys sent before the level is on screen would be lost: wait for it to play.
                if await player.expect(player.frame_marker, args.ready_timeout) is None:
                    player.error = "the level did not start playing"
                    return
                await asyncio.sleep(args.settle)
            if args.play_keys:
                process.stdin.write(keys(args.play_keys))
                if args.speed_marker and await player.expect(
                        args.speed_marker.encode(), args.ready_timeout) is None:
                    player.error = f"never saw {args.speed_marker!r} after the play keys"
                    return
            player.playing = True  # at the speed asked for
            await measure.wait()
            player.measuring = True
            await asyncio.sleep(rng.uniform(0, args.probe_interval))  # spread the probes
            marker, probe, reset = (args.probe_marker.encode(), keys(args.probe_key),
                                    keys(args.probe_reset))
            while not stop.is_set():
                started = time.perf_counter()
                process.stdin.write(probe)
                latency = await player.expect(marker, args.probe_timeout)
                if latency is None:
                    player.timeouts += 1
                else:
                    player.latencies.append(latency)
                await asyncio.sleep(0.15)
                process.stdin.write(reset)
                left = args.probe_interval - (time.perf_counter() - started)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), max(0.3, left))
            player.measuring = False
            player.held = not reading.done()
            process.stdin.write(keys(args.quit_key))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(reading, 10)
        except (OSError, asyncssh.Error) as exc:
            player.error = f"session: {exc}"
        finally:
            reading.cancel()


# -- the run ---------------------------------------------------------------------------------


class Server:
    def __init__(self, args: argparse.Namespace, data_dir: Path) -> None:
        cmd = [sys.executable, "-m", "playground.serve.cli", "serve", "ssh", "--open",
               "--host", "127.0.0.1", "--port", "0", "--data-dir", str(data_dir),
               "--max-sessions", str(args.sessions + 8), "--per-address", "0",
               "--idle-timeout", "0", "--memory-mb", str(args.memory_mb),
               "--frame-budget", args.frame_budget]
        if args.game_command:
            cmd += ["--game-command", args.game_command]
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env=env, cwd=ROOT)
        self.lines: list[str] = []
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())
            if match := re.search(r"listening on 127\.0\.0\.1:(\d+)", line):
                self.port = int(match.group(1))
                break
        else:
            raise SystemExit("the server did not start:\n" + "\n".join(self.lines))
        self.pid = self.proc.pid
        # Keep reading its log, so a full pipe never blocks the server.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def setting(self, name: str) -> str:
        """A line of the server's start banner, e.g. ``limits``."""
        for line in self.lines:
            if line.strip().startswith(name):
                return line.strip()[len(name):].strip()
        return ""

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def snapshot(server: Server) -> dict[int, int]:
    pids = [server.pid, *children_of(server.pid)]
    return {pid: ticks for pid in pids if (ticks := cpu_ticks(pid)) is not None}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="ssh-load-"))
    server = Server(args, data_dir)
    rng = random.Random(args.seed)
    players = [Player(f"bench{n:03d}", frame_marker=args.frame_marker.encode())
               for n in range(args.sessions)]
    go, measure, stop = asyncio.Event(), asyncio.Event(), asyncio.Event()
    try:
        idle_rss = rss_bytes(server.pid) or 0
        ramp_start = time.monotonic()
        limit = asyncio.Semaphore(args.ramp)

        async def start(player: Player) -> None:
            async with limit:  # connect a few at a time, as a room does
                task = asyncio.ensure_future(play(player, server.port, args, go, measure,
                                                  stop, random.Random(rng.random())))
                deadline = time.monotonic() + args.ready_timeout
                while not (player.ready or player.error or task.done()) \
                        and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
            await task

        tasks = [asyncio.ensure_future(start(p)) for p in players]
        deadline = time.monotonic() + args.ready_timeout + 10
        while time.monotonic() < deadline and \
                not all(p.ready or p.error for p in players):
            await asyncio.sleep(0.1)
        ramp_seconds = time.monotonic() - ramp_start
        games = children_of(server.pid)
        title_rss = [r for pid in games if (r := rss_bytes(pid)) is not None]
        start_time = time.monotonic()
        go.set()
        deadline = start_time + args.ready_timeout
        while time.monotonic() < deadline and not all(p.playing or p.error for p in players):
            await asyncio.sleep(0.1)
        start_seconds = time.monotonic() - start_time

        before = snapshot(server)
        window_start = time.monotonic()
        measure.set()
        await asyncio.sleep(args.duration)
        after = snapshot(server)
        rss = [r for pid in games if (r := rss_bytes(pid)) is not None]
        pss = [p for pid in games if (p := pss_bytes(pid)) is not None]
        server_rss = rss_bytes(server.pid) or 0
        window = time.monotonic() - window_start
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 60)
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

    def cpu(pids: list[int]) -> float:
        ticks = sum(after[p] - before[p] for p in pids if p in before and p in after)
        return 100.0 * ticks / CLK_TCK / window

    latencies = [lat for p in players for lat in p.latencies]
    per_session_bps = [p.bytes_window / window for p in players if p.playing]
    per_session_fps = [p.frames_window / window for p in players if p.playing]
    per_session_moves = [p.moves_window / window for p in players if p.playing]
    mb = 1024 * 1024
    return {
        "sessions": args.sessions,
        "held": sum(p.held for p in players),
        "errors": sorted({p.error for p in players if p.error}),
        "ramp_s": round(ramp_seconds, 1),
        "level_start_s": round(start_seconds, 1),
        "played_s": round(window + start_seconds, 1),
        "game_rss_mb_title_mean": round(statistics.mean(title_rss) / mb, 1)
        if title_rss else None,
        "duration_s": round(window, 1),
        "cpu_server_pct": round(cpu([server.pid]), 1),
        "cpu_games_pct": round(cpu([p for p in before if p != server.pid]), 1),
        "cpu_total_pct": round(cpu(list(before)), 1),
        "cores": os.cpu_count(),
        "game_rss_mb_mean": round(statistics.mean(rss) / mb, 1) if rss else None,
        "game_rss_mb_max": round(max(rss) / mb, 1) if rss else None,
        "game_pss_mb_mean": round(statistics.mean(pss) / mb, 1) if pss else None,
        "server_rss_mb": round(server_rss / mb, 1),
        "server_rss_mb_per_session": round((server_rss - idle_rss) / mb / max(1, len(games)),
                                           2),
        "bytes_per_s_per_session_mean": round(statistics.mean(per_session_bps))
        if per_session_bps else 0,
        "bytes_per_s_per_session_max": round(max(per_session_bps)) if per_session_bps else 0,
        "frames_per_s_per_session_median": round(statistics.median(per_session_fps), 1)
        if per_session_fps else 0,
        "frames_per_s_per_session_min": round(min(per_session_fps), 1)
        if per_session_fps else 0,
        "time_frames_per_s_per_session_median": round(statistics.median(per_session_moves), 1)
        if per_session_moves else 0,
        "time_frames_per_s_per_session_min": round(min(per_session_moves), 1)
        if per_session_moves else 0,
        "frame_budget": args.frame_budget,
        "server_limits": server.setting("limits"),
        "latency_ms_median": round(1000 * statistics.median(latencies), 1)
        if latencies else None,
        "latency_ms_p95": round(1000 * percentile(latencies, 0.95), 1) if latencies else None,
        "latency_ms_max": round(1000 * max(latencies), 1) if latencies else None,
        "probes": len(latencies),
        "probe_timeouts": sum(p.timeouts for p in players),
        "keys": {"enter": args.enter_keys, "play": args.play_keys, "probe": args.probe_key,
                 "marker": args.probe_marker},
    }


def table(r: dict[str, Any]) -> str:
    rows = [
        ("sessions held", f"{r['held']} of {r['sessions']} (connected in {r['ramp_s']} s; "
                          f"all playing at 16x {r['level_start_s']} s after opening the level)"),
        ("measured for", f"{r['duration_s']} s (each game had played {r['played_s']} s at the "
                         "end)"),
        ("server CPU", f"{r['cpu_server_pct']} % of a core (SSH server process)"),
        ("games CPU", f"{r['cpu_games_pct']} % of a core (all game processes; "
                      f"{r['cores']} cores)"),
        ("memory / game", f"RSS {r['game_rss_mb_mean']} MB mean, {r['game_rss_mb_max']} MB max;"
                          f" PSS {r['game_pss_mb_mean']} MB mean (at the title: RSS "
                          f"{r['game_rss_mb_title_mean']} MB)"),
        ("server memory", f"{r['server_rss_mb']} MB RSS "
                          f"(+{r['server_rss_mb_per_session']} MB per session)"),
        ("bytes/s / session", f"{r['bytes_per_s_per_session_mean']} mean, "
                              f"{r['bytes_per_s_per_session_max']} max"),
        ("frames/s / session", f"{r['frames_per_s_per_session_median']} median, "
                               f"{r['frames_per_s_per_session_min']} min (status-bar repaints; "
                               f"server: {r['server_limits'].rsplit(', ', 1)[-1]})"),
        ("  that moved time", f"{r['time_frames_per_s_per_session_median']} median, "
                              f"{r['time_frames_per_s_per_session_min']} min (the status bar's "
                              "t= changed: frames of the clock, not repaints for the probe keys)"),
        ("keypress->frame", f"median {r['latency_ms_median']} ms, p95 {r['latency_ms_p95']} ms, "
                            f"max {r['latency_ms_max']} ms ({r['probes']} probes, "
                            f"{r['probe_timeouts']} timeouts)"),
    ]
    if r["errors"]:
        rows.append(("errors", "; ".join(r["errors"])))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", "-n", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds measured")
    parser.add_argument("--cols", type=int, default=120)
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--ramp", type=int, default=8, help="sessions connecting at once")
    parser.add_argument("--ready-marker", default="Break and defend",
                        help="text on the title screen")
    parser.add_argument("--ready-timeout", type=float, default=120.0)
    parser.add_argument("--enter-keys", default="s\\r",
                        help="keys that open a level (default: the sandbox, 5-node Raft, "
                             "60 simulated seconds: 75 s of play at 16x)")
    parser.add_argument("--play-keys", default="+",
                        help="keys that start play at 16x (default: + once, 4x to 16x)")
    parser.add_argument("--stagger", type=float, default=2.0,
                        help="players open the level within this many seconds of each other")
    parser.add_argument("--speed-marker", default="16x",
                        help="text the play keys make appear (checked before measuring)")
    parser.add_argument("--settle", type=float, default=0.5,
                        help="seconds between the level playing and the play keys")
    parser.add_argument("--probe-key", default="-", help="default - (slower: 16x to 4x)")
    parser.add_argument("--probe-marker", default="4x",
                        help="text the probe key makes appear")
    parser.add_argument("--probe-reset", default="+", help="default + (back to 16x)")
    parser.add_argument("--probe-interval", type=float, default=1.0)
    parser.add_argument("--probe-timeout", type=float, default=5.0)
    parser.add_argument("--frame-marker", default="▶ playing",
                        help="text each repaint of the status bar writes (counts frames)")
    parser.add_argument("--frame-budget", default="auto",
                        help="the server's --frame-budget (auto, or percent of a core; 0: "
                             "unpaced)")
    parser.add_argument("--quit-key", default="\\x11", help="default ctrl+q")
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--game-command", default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args))
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0 if result["held"] == args.sessions else 1


if __name__ == "__main__":
    sys.exit(main())
