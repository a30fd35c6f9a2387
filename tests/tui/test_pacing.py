"""Frame pacing: a served game paints only as often as its CPU budget allows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from playground.tui.pacing import (
    BUDGET_ENV,
    BUDGET_FILE_ENV,
    COST_WINDOW,
    RECHECK_SECONDS,
    SLOWEST_FRAME_SECONDS,
    BudgetError,
    FramePacer,
    SharedBudget,
    budget_from_env,
    parse_budget,
)
from playground.tui.stepper import FRAME_SECONDS, MAX_FRAME_SECONDS, Stepper
from playground.tui.widgets.panels import StatusBar
from tests.tui.conftest import FakeClock, make_app, start


def run_frames(pacer: FramePacer, clock: FakeClock, cost: float, frames: int) -> float:
    """Frames that each cost ``cost`` CPU seconds; returns the last gap the pacer asked for."""
    for _ in range(frames):
        clock.now += cost
        gap = pacer.frame_done()
    return gap


def test_unpaced_games_draw_thirty_frames_a_second_whatever_a_frame_costs() -> None:
    clock = FakeClock()
    pacer = FramePacer(None, cpu_clock=clock)
    assert run_frames(pacer, clock, 0.05, 20) == FRAME_SECONDS


def test_a_budget_stretches_the_gap_until_frames_fit_it() -> None:
    clock = FakeClock()
    pacer = FramePacer(0.05, cpu_clock=clock)  # 5% of a core
    gap = run_frames(pacer, clock, 0.010, 60)  # 10 ms of CPU per frame
    assert gap == pytest.approx(0.2, rel=0.01)  # 5 frames a second: 50 ms of CPU a second
    assert pacer.frames_per_second == pytest.approx(5, rel=0.01)


def test_cheap_frames_are_not_slowed_and_dear_ones_still_move_once_a_second() -> None:
    clock = FakeClock()
    cheap = FramePacer(0.5, cpu_clock=clock)
    assert run_frames(cheap, clock, 0.001, 30) == FRAME_SECONDS
    dear = FramePacer(0.01, cpu_clock=clock)
    assert run_frames(dear, clock, 0.5, 30) == SLOWEST_FRAME_SECONDS
    # A stall of the slowest gap is still simulated in full (time keeps its speed).
    assert MAX_FRAME_SECONDS > SLOWEST_FRAME_SECONDS
    stepper = Stepper(16)
    assert stepper.due(SLOWEST_FRAME_SECONDS) == int(SLOWEST_FRAME_SECONDS * 50 * 16)


def test_the_estimate_follows_a_change_in_cost_and_ignores_pauses() -> None:
    clock = FakeClock()
    pacer = FramePacer(0.1, cpu_clock=clock)
    run_frames(pacer, clock, 0.004, 40)
    assert pacer.interval == pytest.approx(0.04, rel=0.05)
    pacer.restart()  # paused: whatever the CPU did meanwhile is not a frame's cost
    clock.now += 5.0
    pacer.frame_done()
    assert pacer.interval == pytest.approx(0.04, rel=0.05)
    assert run_frames(pacer, clock, 0.012, 40) == pytest.approx(0.12, rel=0.05)


def test_one_dear_frame_does_not_hold_the_next_ones_back() -> None:
    """The level's first frame or a burst of keys costs many frames' CPU once: the next gaps
    follow the usual cost at once (at one frame a second a moving average took seconds)."""
    clock = FakeClock()
    pacer = FramePacer(0.05, cpu_clock=clock)
    assert pacer.frame_done() == FRAME_SECONDS  # nothing measured yet
    clock.now += 0.4  # the first frame of a level: 400 ms of CPU
    assert pacer.frame_done() == SLOWEST_FRAME_SECONDS  # more than 1 s of budget
    assert run_frames(pacer, clock, 0.01, 1) == pytest.approx(0.2, rel=0.01)
    for _ in range(20):  # a key burst now and then
        run_frames(pacer, clock, 0.01, COST_WINDOW)
        assert run_frames(pacer, clock, 0.1, 1) == pytest.approx(0.2, rel=0.01)
    # A cost that stays up is a new cost, not a one-off: within a few frames it sets the pace.
    assert run_frames(pacer, clock, 0.03, 3) > 0.3
    assert run_frames(pacer, clock, 0.03, COST_WINDOW) == pytest.approx(0.6, rel=0.01)


def test_a_shared_budget_follows_the_file_the_server_rewrites(tmp_path: Path) -> None:
    path = tmp_path / "frame-budget"
    path.write_text("0.1000\n")
    wall = FakeClock()
    budget = SharedBudget(path, clock=wall)
    cpu = FakeClock()
    pacer = FramePacer(budget, cpu_clock=cpu)
    assert run_frames(pacer, cpu, 0.01, 30) == pytest.approx(0.1, rel=0.02)
    path.write_text("0.0200\n")  # the room filled up
    assert budget() == 0.1  # not re-read before RECHECK_SECONDS
    wall.now += RECHECK_SECONDS
    assert run_frames(pacer, cpu, 0.01, 1) == pytest.approx(0.5, rel=0.02)
    path.write_text("garbage")
    wall.now += RECHECK_SECONDS
    assert budget() == 0.02  # a bad file keeps the last good share
    path.unlink()
    wall.now += RECHECK_SECONDS
    assert budget() == 0.02


def test_budgets_from_the_environment() -> None:
    assert budget_from_env({}) is None
    assert budget_from_env({BUDGET_ENV: "0.25"}) == 0.25
    assert budget_from_env({BUDGET_ENV: "lots"}) is None  # the game starts anyway, unpaced
    assert budget_from_env({BUDGET_ENV: "2"}) is None
    shared = budget_from_env({BUDGET_FILE_ENV: "/nonexistent/budget", BUDGET_ENV: "0.5"})
    assert isinstance(shared, SharedBudget) and shared() is None
    for bad in ("0", "-0.1", "1.5", "x", ""):
        with pytest.raises(BudgetError):
            parse_budget(bad)


class ManualFrameTimer:
    """Stands in for the play screen's frame timer: the test fires each frame itself, after
    moving the fake clocks on by the gap the screen asked for."""

    def __init__(self, callback: Callable[[], object]) -> None:
        self.callback = callback
        self.delay: float | None = None

    def start(self, delay: float) -> None:
        self.delay = delay

    def stop(self) -> None:
        self.delay = None

    def next_delay(self) -> float:
        assert self.delay is not None, "expected a frame scheduled"
        return self.delay

    def fire(self) -> None:
        self.delay = None
        self.callback()


async def play_for(data_dir: Path, budget: float | None, seconds: float,
                   frame_cpu: float) -> tuple[list[float], int, str]:
    """Play first-cut at 16x for ``seconds`` of (fake) real time, each frame costing
    ``frame_cpu`` CPU seconds; returns the gaps asked for, the tick reached, the status."""
    app = make_app(data_dir, frame_budget=budget)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start(pilot, "first-cut")
        assert screen.pacer.budget == budget  # the app hands its budget to the screen
        screen.action_speed(16)
        wall, cpu, timer = FakeClock(), FakeClock(), ManualFrameTimer(screen._frame)
        screen.clock = wall
        screen.pacer = FramePacer(budget, cpu_clock=cpu)
        screen.frame_timer = timer  # type: ignore[assignment]
        screen.playing = True
        gaps: list[float] = []
        while True:
            delay = timer.next_delay()
            if wall.now + delay > seconds:
                break
            gaps.append(delay)
            wall.now += delay
            cpu.now += frame_cpu
            timer.fire()
        status = screen.query_one(StatusBar).text
        screen.playing = False
        assert "fps" not in screen.query_one(StatusBar).text
        return gaps, screen.controller.world.now, status


async def test_a_paced_game_paints_less_often_but_keeps_simulated_time(data_dir: Path) -> None:
    # 4 ms of CPU a frame against 0.05% of a core: the slowest pace, one frame a second
    paced, paced_now, paced_status = await play_for(data_dir, 0.0005, 3.0, 0.004)
    free, free_now, free_status = await play_for(data_dir, None, 3.0, 0.004)
    # the first gap comes before any frame, the second after one with no cost to go by
    assert paced == [FRAME_SECONDS] * 2 + [SLOWEST_FRAME_SECONDS] * 2
    assert set(free) == {FRAME_SECONDS} and len(free) >= 89
    assert "~1 fps (shared server)" in paced_status  # a slow room, not a broken game
    assert "fps" not in free_status
    # ...yet time runs at 16x (800 ticks a real second) in both, up to the last frame drawn
    assert paced_now == pytest.approx(800 * sum(paced), abs=1)
    assert free_now == pytest.approx(800 * sum(free), abs=1)


def test_only_a_share_of_a_server_holds_frames_back() -> None:
    clock = FakeClock()
    alone = FramePacer(1.0, cpu_clock=clock)  # the only player: a whole core
    run_frames(alone, clock, 0.25, 10)  # a slow frame is the game's own pace
    assert not alone.held_back
    crowded = FramePacer(0.03, cpu_clock=clock)  # one of 50 players on 2 cores
    run_frames(crowded, clock, 0.005, 10)
    assert crowded.held_back
    cheap = FramePacer(0.5, cpu_clock=clock)  # a small room: full frame rate
    run_frames(cheap, clock, 0.001, 10)
    assert not cheap.held_back


async def test_a_lone_player_with_slow_frames_is_not_told_the_server_is_shared(
        data_dir: Path) -> None:
    _gaps, _now, status = await play_for(data_dir, 1.0, 3.0, 0.25)
    assert "16x" in status and "▶ playing" in status
    assert "fps" not in status and "shared" not in status
