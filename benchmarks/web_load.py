"""Bytes the web workshop server sends each browser while the game plays, before and after
frame pacing, measured in the same run.

Starts ``playground serve web`` twice on free loopback ports, one after the other: first as it
was (``PLAYGROUND_WEB_SEND_ALL=1``: every byte the game writes, as fast as the socket takes
it), then as it is (only changed rows; frames merged while the browser has not drawn the
previous ones). Each time ``--sessions`` websocket clients sign in as the page does, open the
sandbox (five Raft nodes), and count what arrives for ``--duration`` seconds at 4x, then at
16x. Each client acknowledges every frame as our page does (``["ack", 1]``), after sleeping
``--slow-ms`` per frame if given (a slow browser).

Reported per server and speed: bytes and messages per second per session (mean), sessions
held, and the ratio after / before — as a table, or ``--json``. The figures depend on the
machine (frames are paced to a CPU budget), so only the ratio is comparable across machines.

Run: ``.venv/bin/python benchmarks/web_load.py --sessions 3 --duration 15``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pyte

SPEEDS = ("4x", "16x")
MODES = {"before": {"PLAYGROUND_WEB_SEND_ALL": "1"}, "after": {}}


@dataclass
class Client:
    """One browser: what it received per speed, and whether its session lasted."""

    name: str
    cols: int
    rows: int
    slow: float
    counted: dict[str, list[int]] = field(default_factory=dict)  # speed -> [bytes, messages]
    error: str = ""

    def __post_init__(self) -> None:
        self.screen = pyte.Screen(self.cols, self.rows)
        self.stream = pyte.ByteStream(self.screen)
        self.counting: str | None = None
        self.watching = True

    def text(self) -> str:
        return "\n".join(self.screen.display)


class ServerProcess:
    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "playground.serve.cli", "serve", "web", "--host",
             "127.0.0.1", "--port", "0", "--data-dir", str(data_dir)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, **env})
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if match := re.search(r"listening on http://127\.0\.0\.1:(\d+)", line):
                self.port = int(match.group(1))
                return
        raise RuntimeError("the web server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


async def wait_text(client: Client, marker: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while marker not in client.text():
        if client.error:
            raise RuntimeError(client.error)
        if time.monotonic() > deadline:
            raise RuntimeError(f"never saw {marker!r}")
        await asyncio.sleep(0.05)


async def play(client: Client, port: int, args: argparse.Namespace) -> None:
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        login = await http.post(f"{base}/play", data={"player": client.name},
                                allow_redirects=False)
        page = await (await http.get(base + login.headers["Location"])).text()
        match = re.search(r'data-session-websocket-url="([^"]+)"', page)
        assert match, page
        url = f"{match.group(1)}?width={client.cols}&height={client.rows}"
        async with http.ws_connect(url, headers={"Origin": base}) as ws:
            reader = asyncio.ensure_future(read(client, ws))
            try:
                await wait_text(client, "Break and defend", args.timeout)
                await ws.send_json(["stdin", "s"])
                await asyncio.sleep(0.5)
                await ws.send_json(["stdin", "\r"])
                for speed in SPEEDS:
                    if speed != SPEEDS[0]:
                        await ws.send_json(["stdin", "+"])
                    client.watching = True
                    await wait_text(client, f"playing {speed}", args.timeout)
                    client.watching = False
                    client.counting = speed
                    client.counted[speed] = [0, 0]
                    await asyncio.sleep(args.duration)
                    client.counting = None
            except RuntimeError as exc:
                client.error = client.error or str(exc)
            finally:
                reader.cancel()
                await asyncio.gather(reader, return_exceptions=True)


async def read(client: Client, ws: aiohttp.ClientWebSocketResponse) -> None:
    while True:
        message = await ws.receive()
        if message.type != aiohttp.WSMsgType.BINARY:
            if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                                aiohttp.WSMsgType.ERROR):
                client.error = f"session dropped: {message.extra or message.type.name}"
                return
            continue
        if client.counting is not None:
            counts = client.counted[client.counting]
            counts[0] += len(message.data)
            counts[1] += 1
        if client.watching:
            client.stream.feed(message.data)
        if client.slow:
            await asyncio.sleep(client.slow)
        await ws.send_json(["ack", 1])


async def measure_mode(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="web-load-"))
    server = ServerProcess(data_dir, MODES[mode])
    try:
        clients = [Client(f"{mode}{n:02d}", args.cols, args.rows, args.slow_ms / 1000)
                   for n in range(args.sessions)]
        await asyncio.gather(*(play(c, server.port, args) for c in clients))
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    result: dict[str, Any] = {"held": sum(not c.error for c in clients),
                              "errors": sorted({c.error for c in clients if c.error})}
    for speed in SPEEDS:
        counts = [c.counted[speed] for c in clients if speed in c.counted]
        result[speed] = {
            "bytes_per_s": round(statistics.mean(b for b, _ in counts) / args.duration)
            if counts else None,
            "messages_per_s": round(statistics.mean(m for _, m in counts) / args.duration, 1)
            if counts else None,
        }
    return result


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"sessions": args.sessions, "duration_s": args.duration,
                              "slow_ms": args.slow_ms, "size": f"{args.cols}x{args.rows}"}
    for mode in MODES:
        result[mode] = await measure_mode(mode, args)
    result["ratio"] = {}
    for speed in SPEEDS:
        before = result["before"][speed]["bytes_per_s"]
        after = result["after"][speed]["bytes_per_s"]
        result["ratio"][speed] = round(after / before, 3) if before and after else None
    return result


def kib(value: int | None) -> str:
    return "-" if value is None else f"{value / 1024:.0f} KiB/s"


def table(r: dict[str, Any]) -> str:
    lines = [f"{r['sessions']} sessions, {r['size']}, {r['duration_s']} s per speed"
             + (f", each frame read {r['slow_ms']} ms late" if r["slow_ms"] else ""),
             f"{'server':<8} {'speed':<6} {'bytes/s/session':>16} {'messages/s':>11}  held"]
    for mode in MODES:
        for speed in SPEEDS:
            row = r[mode][speed]
            messages = "-" if row["messages_per_s"] is None else row["messages_per_s"]
            lines.append(f"{mode:<8} {speed:<6} {kib(row['bytes_per_s']):>16} {messages:>11}"
                         f"  {r[mode]['held']}/{r['sessions']}")
    lines.append("after / before (bytes): " + ", ".join(
        f"{speed} {r['ratio'][speed]}" for speed in SPEEDS))
    for mode in MODES:
        if r[mode]["errors"]:
            lines.append(f"{mode} errors: " + "; ".join(r[mode]["errors"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", "-n", type=int, default=3)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per speed")
    parser.add_argument("--cols", type=int, default=120)
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--slow-ms", type=float, default=0.0,
                        help="a slow browser: milliseconds each frame takes to read")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args))
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0 if all(result[m]["held"] == args.sessions for m in MODES) else 1


if __name__ == "__main__":
    sys.exit(main())
