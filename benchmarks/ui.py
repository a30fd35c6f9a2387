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
   Also reported: the whole of a frame in CPU time (simulation, drawing, Textual's message
   handling and making the bytes a terminal would be sent, which headless Textual skips):
   what a workshop server's frame budget pays for (see ``playground/tui/pacing.py``).
   ``--frames-only`` with ``--nodes``, ``--speed`` and ``--fps`` measures other frames (a
   full workshop room: ``--nodes 5 --speed 16 --fps 4``).

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
sys.path.insert(0, str(ROOT))
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
def sandbox(nodes: int = 9) -> Any:
    """A sandbox level of ``nodes`` nodes on Raft if it is available, else on the UI tests'
    protocol."""
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
    return sandbox_level(spec, nodes, knobs=knobs)


async def _frames(frames: int, warmup_ticks: int, nodes: int, speed: int, fps: float,
                  ) -> dict[str, Any]:
    from textual._compositor import CompositorUpdate
    from textual.app import App
    from textual.screen import Screen

    from playground.tui.app import PlaygroundApp
    from playground.tui.screens.play import PlayScreen
    from playground.tui.stepper import Stepper

    paint: list[float] = []
    paint_cpu: list[float] = []
    original = Screen._on_timer_update

    def timed(self: Screen) -> None:
        t0, c0 = time.perf_counter(), time.thread_time()
        original(self)
        paint.append(time.perf_counter() - t0)
        paint_cpu.append(time.thread_time() - c0)

    written: list[int] = []
    display = App._display

    def encode(self: App, screen: Screen, renderable: Any) -> None:
        """Headless Textual writes nothing: make the terminal's bytes as a terminal app does."""
        if isinstance(renderable, CompositorUpdate):
            written.append(len(renderable.render_segments(self.console).encode()))
        display(self, screen, renderable)

    Screen._on_timer_update = timed  # type: ignore[method-assign]  # timed, put back below
    App._display = encode  # type: ignore[method-assign]  # counts bytes, put back below
    level = sandbox(nodes)
    data = Path(tempfile.mkdtemp(prefix="dsp-bench-"))
    app = PlaygroundApp(levels_dir=data, data_dir=data, autoplay=False, theme="textual-dark")
    sims, syncs, paints, cpus, sync_cpus, all_in, out = [], [], [], [], [], [], []
    try:
        async with app.run_test(size=(COLS, ROWS)) as pilot:
            screen = PlayScreen(level)
            app.push_screen(screen)
            await pilot.pause()
            screen.action_speed(speed)
            screen.playing = True  # frames of running time (the views then move a page at
            screen._cancel_frame()  # a time); this loop is the clock, not the screen's timer
            per_frame = round(Stepper(speed).ticks_per_second / fps)
            screen.controller.advance_to(warmup_ticks)
            screen.sync_view()
            await pilot.pause()
            for _ in range(frames):
                paint.clear()
                paint_cpu.clear()
                written.clear()
                c0 = time.thread_time()
                t0 = time.perf_counter()
                screen.controller.advance_by(per_frame)
                t1 = time.perf_counter()
                c1 = time.thread_time()
                screen.sync_view()
                c2 = time.thread_time()
                t2 = time.perf_counter()
                await pilot.pause()
                all_in.append(time.thread_time() - c0)
                out.append(sum(written))
                sims.append(t1 - t0)
                syncs.append(t2 - t1)
                paints.append(sum(paint))
                cpus.append(c2 - c1 + sum(paint_cpu))
                sync_cpus.append(c2 - c1)
            events = len(screen.controller.world.trace)
    finally:
        Screen._on_timer_update = original  # type: ignore[method-assign]  # put back
        App._display = display  # type: ignore[method-assign]  # put back
    frame = [s + p for s, p in zip(syncs, paints, strict=True)]

    def ms(values: list[float]) -> float:
        return round(statistics.median(values) * 1000, 2)

    return {"protocol": level.protocol.name, "nodes": len(level.nodes), "speed": speed, "fps": fps,
            "ticks_per_frame": per_frame, "frames": frames, "events": events,
            "frame_ms": ms(frame), "frame_p90_ms": round(
                sorted(frame)[int(len(frame) * 0.9)] * 1000, 2),
            "frame_cpu_ms": ms(cpus), "view_sync_ms": ms(syncs), "paint_ms": ms(paints),
            "view_sync_cpu_ms": ms(sync_cpus),
            "paint_cpu_ms": ms([c - s for c, s in zip(cpus, sync_cpus, strict=True)]),
            "simulation_ms": ms(sims), "all_in_cpu_ms": ms(all_in),
            "bytes_per_frame": round(statistics.median(out))}


def measure_frames(frames: int, nodes: int = 9, speed: int = 64, fps: float = 30.0,
                   ) -> dict[str, Any]:
    """Frames of a ``nodes``-node sandbox at ``speed``, each advancing the simulation by the
    time a frame covers at ``fps`` frames a second (fewer frames: more ticks each)."""
    return asyncio.run(_frames(frames, 1500, nodes, speed, fps))


Row = tuple[str, str, str]


def _first_frame_rows(first: dict[str, Any]) -> list[Row]:
    return [
        ("first frame: playground (median)", f"{first['game_ms']} ms", ""),
        ("first frame: minimal Textual app", f"{first['minimal_ms']} ms", ""),
        ("  ratio", f"{first['ratio']}x", "<= 1.3x"),
    ]


def _frame_rows(frames: dict[str, Any]) -> list[Row]:
    return [
        (f"play frame, {frames['nodes']} nodes {frames['protocol']} at {frames['speed']}x, "
         f"{frames['fps']:.3g} frames/s (median)", f"{frames['frame_ms']} ms",
         "< 8 ms" if (frames["nodes"], frames["speed"]) == (9, 64) else ""),
        ("  90th percentile", f"{frames['frame_p90_ms']} ms", ""),
        ("  median frame in CPU time (steadier on a busy machine)",
         f"{frames['frame_cpu_ms']} ms", ""),
        ("  view sync (CPU)", f"{frames['view_sync_ms']} ms ({frames['view_sync_cpu_ms']})", ""),
        ("  paint: layout + compositor (CPU)",
         f"{frames['paint_ms']} ms ({frames['paint_cpu_ms']})", ""),
        (f"simulation per frame ({frames['ticks_per_frame']} ticks, separate)",
         f"{frames['simulation_ms']} ms", ""),
        ("all in, CPU: simulation, drawing, Textual's messages, the terminal's bytes",
         f"{frames['all_in_cpu_ms']} ms", ""),
        ("  bytes written per frame", f"{frames['bytes_per_frame']}", ""),
    ]


def _table(rows: list[Row]) -> str:
    width = max(len(r[0]) for r in rows)
    lines = [f"{'measure':<{width}}  {'value':>16}  target"]
    lines += [f"{name:<{width}}  {value:>16}  {target}" for name, value, target in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------ report
def main(argv: list[str] | None = None) -> int:
    from playground.tui.stepper import FRAME_SECONDS, SPEEDS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--runs", type=int, default=5, help="first-frame runs of each app")
    parser.add_argument("--frames", type=int, default=120, help="play-screen frames")
    parser.add_argument("--frames-only", action="store_true",
                        help="measure only the play screen's frames")
    parser.add_argument("--nodes", type=int, default=9, help="frames-only: sandbox nodes")
    parser.add_argument("--speed", type=int, default=64, choices=SPEEDS,
                        help="frames-only: speed")
    parser.add_argument("--fps", type=float, default=1 / FRAME_SECONDS,
                        help="frames-only: frames a second (sets the ticks of a frame)")
    args = parser.parse_args(argv)
    if args.frames_only:
        frames = measure_frames(args.frames, args.nodes, args.speed, args.fps)
        print(json.dumps(frames, indent=2) if args.json else _table(_frame_rows(frames)))
        return 0
    first = measure_first_frame(args.runs)
    frames = measure_frames(args.frames)
    result = {
        "first_frame": {**first, "target_ratio": 1.3, "ok": first["ratio"] <= 1.3},
        "play_frame": {**frames, "target_ms": 8.0, "ok": frames["frame_ms"] < 8.0},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(_table(_first_frame_rows(first) + _frame_rows(frames)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
