"""UI benchmark: time to first frame, and the play screen's frame time at 64x.

1. **Time to first frame** of ``playground`` against a minimal Textual app, both measured in
   this run the same way: started on a pseudo-terminal, the clock stops when the title text
   is on the (pyte-emulated) screen. Median of several alternating runs; target: the game
   takes at most 1.3x the minimal app.
2. **Frame time of the play screen** for a 9-node level at 64x speed (120x40, headless): each
   frame advances the simulation by 64x's share of a 30 fps frame, then the screen (playing)
   hands the new state to its widgets (view sync) and Textual paints what changed (layout
   and compositor). Reported separately: the simulation step (not part of drawing) and the
   frame (view sync + paint), in wall time and in this thread's CPU time (which other
   programs on a shared machine hardly change). Target: median frame under 8 ms.

Usage: ``python benchmarks/ui.py`` (a table) or ``python benchmarks/ui.py --json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import select
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MARKER = "P  L  A  Y  G  R  O  U  N  D"
MINIMAL_APP = f'''
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static({MARKER!r})

Minimal().run()
'''
COLS, ROWS = 120, 40


# ------------------------------------------------------------------ time to first frame
def first_frame_seconds(argv: list[str], env: dict[str, str], timeout: float = 20.0) -> float:
    """Seconds from starting ``argv`` on a pty until the marker text is on its screen."""
    import fcntl
    import struct
    import termios

    import pyte

    screen = pyte.Screen(COLS, ROWS)
    stream = pyte.ByteStream(screen)
    start = time.perf_counter()
    pid, fd = os.forkpty()
    if pid == 0:
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    elapsed = None
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.01)
            if not ready:
                continue
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            stream.feed(data)
            if any(MARKER in line for line in screen.display):
                elapsed = time.perf_counter() - start
                break
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    if elapsed is None:
        raise RuntimeError(f"no first frame from {argv}: {screen.display[:5]}")
    return elapsed


def measure_first_frame(runs: int) -> dict[str, Any]:
    data = Path(tempfile.mkdtemp(prefix="dsp-bench-"))
    levels = ROOT / "levels"
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update({"TERM": "xterm-256color", "PLAYGROUND_DATA_DIR": str(data),
                "COLUMNS": str(COLS), "LINES": str(ROWS)})
    if not (levels / "campaign.toml").exists():
        empty = data / "no-levels"
        empty.mkdir()
        env["PLAYGROUND_LEVELS_DIR"] = str(empty)
    script = data / "minimal_app.py"
    script.write_text(MINIMAL_APP)
    game_argv = [sys.executable, "-m", "playground", "play"]
    minimal_argv = [sys.executable, str(script)]
    game, minimal = [], []
    first_frame_seconds(minimal_argv, env)  # warm the file cache for both
    first_frame_seconds(game_argv, env)
    for _ in range(runs):
        minimal.append(first_frame_seconds(minimal_argv, env))
        game.append(first_frame_seconds(game_argv, env))
    g, m = statistics.median(game), statistics.median(minimal)
    return {"game_ms": round(g * 1000, 1), "minimal_ms": round(m * 1000, 1),
            "ratio": round(g / m, 3), "runs": runs}


# ------------------------------------------------------------------ frame time
def nine_node_level() -> Any:
    """A 9-node sandbox level on Raft if it is available, else on the UI tests' protocol."""
    from playground.protocols.registry import KnobError, get_protocol, register
    from playground.tui.screens.sandbox import sandbox_level

    try:
        spec = get_protocol("raft")
    except KnobError:
        try:
            from playground.protocols import raft

            register(raft.SPEC)
            spec = raft.SPEC
        except Exception:  # the protocol may still be being written
            sys.path.insert(0, str(ROOT))
            from tests.tui.protocol import SPEC as spec
    knobs = {"client_every_ms": 50} if spec.name == "raft" else {}
    return sandbox_level(spec, 9, knobs=knobs)


async def _frames(frames: int, warmup_ticks: int) -> dict[str, Any]:
    from textual.screen import Screen

    from playground.tui.app import PlaygroundApp
    from playground.tui.screens.play import PlayScreen
    from playground.tui.stepper import FRAME_SECONDS, Stepper

    paint: list[float] = []
    paint_cpu: list[float] = []
    original = Screen._on_timer_update

    def timed(self: Screen) -> None:
        t0, c0 = time.perf_counter(), time.thread_time()
        original(self)
        paint.append(time.perf_counter() - t0)
        paint_cpu.append(time.thread_time() - c0)

    Screen._on_timer_update = timed  # type: ignore[method-assign]
    level = nine_node_level()
    data = Path(tempfile.mkdtemp(prefix="dsp-bench-"))
    app = PlaygroundApp(levels_dir=data, data_dir=data, autoplay=False, theme="textual-dark")
    sims, syncs, paints, cpus = [], [], [], []
    try:
        async with app.run_test(size=(COLS, ROWS)) as pilot:
            screen = PlayScreen(level)
            app.push_screen(screen)
            await pilot.pause()
            screen.action_speed(64)
            screen.playing = True  # frames of running time (the views then move a page at
            screen._cancel_frame()  # a time); this loop is the clock, not the screen's timer
            per_frame = round(Stepper(64).ticks_per_second * FRAME_SECONDS)
            screen.controller.advance_to(warmup_ticks)
            screen.sync_view()
            await pilot.pause()
            for _ in range(frames):
                paint.clear()
                paint_cpu.clear()
                t0 = time.perf_counter()
                screen.controller.advance_by(per_frame)
                t1 = time.perf_counter()
                c1 = time.thread_time()
                screen.sync_view()
                c2 = time.thread_time()
                t2 = time.perf_counter()
                await pilot.pause()
                sims.append(t1 - t0)
                syncs.append(t2 - t1)
                paints.append(sum(paint))
                cpus.append(c2 - c1 + sum(paint_cpu))
            events = len(screen.controller.world.trace)
    finally:
        Screen._on_timer_update = original  # type: ignore[method-assign]
    frame = [s + p for s, p in zip(syncs, paints, strict=True)]

    def ms(values: list[float]) -> float:
        return round(statistics.median(values) * 1000, 2)

    return {"protocol": level.protocol.name, "nodes": len(level.nodes), "speed": 64,
            "ticks_per_frame": per_frame, "frames": frames, "events": events,
            "frame_ms": ms(frame), "frame_p90_ms": round(
                sorted(frame)[int(len(frame) * 0.9)] * 1000, 2),
            "frame_cpu_ms": ms(cpus), "view_sync_ms": ms(syncs), "paint_ms": ms(paints),
            "simulation_ms": ms(sims)}


def measure_frames(frames: int) -> dict[str, Any]:
    return asyncio.run(_frames(frames, warmup_ticks=1500))


# ------------------------------------------------------------------ report
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--runs", type=int, default=5, help="first-frame runs of each app")
    parser.add_argument("--frames", type=int, default=120, help="play-screen frames")
    args = parser.parse_args(argv)
    first = measure_first_frame(args.runs)
    frames = measure_frames(args.frames)
    result = {
        "first_frame": {**first, "target_ratio": 1.3, "ok": first["ratio"] <= 1.3},
        "play_frame": {**frames, "target_ms": 8.0, "ok": frames["frame_ms"] < 8.0},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    rows = [
        ("first frame: playground (median)", f"{first['game_ms']} ms", ""),
        ("first frame: minimal Textual app", f"{first['minimal_ms']} ms", ""),
        ("  ratio", f"{first['ratio']}x", "<= 1.3x"),
        (f"play frame, {frames['nodes']} nodes {frames['protocol']} at 64x (median)",
         f"{frames['frame_ms']} ms", "< 8 ms"),
        ("  90th percentile", f"{frames['frame_p90_ms']} ms", ""),
        ("  median frame in CPU time (steadier on a busy machine)",
         f"{frames['frame_cpu_ms']} ms", ""),
        ("  view sync", f"{frames['view_sync_ms']} ms", ""),
        ("  paint (layout + compositor)", f"{frames['paint_ms']} ms", ""),
        (f"simulation per frame ({frames['ticks_per_frame']} ticks, separate)",
         f"{frames['simulation_ms']} ms", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>10}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>10}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
