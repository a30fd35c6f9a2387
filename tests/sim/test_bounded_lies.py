"""No single move makes a run's cost explode: every lie, played in the sandbox for its full
length, stays within a message and memory budget measured against the honest run."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest

from playground.game.campaign import load_campaign
from playground.sim import Action, Context, Program, Scenario, World
from playground.sim.actions import LIE_STRATEGIES
from playground.sim.byzantine import REPLAY_BUDGET, REPLAY_WINDOW_MS

LIE_AT = 2_000  # after the first election: the liar has sent (and can replay) real traffic
STEP = 1_000


def _play(actions: list[Action], budget: int | None = None) -> tuple[int, int]:
    """Run the sandbox to its end with the trace kept (as the game does); returns the
    messages sent and the peak memory allocated while running. With ``budget``, stops as
    soon as the messages sent exceed it."""
    level = load_campaign().get("sandbox")
    tracemalloc.start()
    try:
        world = World(level.scenario({}), level.seed, actions)
        for tick in range(0, level.ticks + 1, STEP):
            world.run_until(tick)
            if budget is not None and world.messages_sent > budget:
                break
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return world.messages_sent, peak


@pytest.fixture(scope="module")
def honest() -> tuple[int, int]:
    return _play([])


@pytest.mark.parametrize("strategy", LIE_STRATEGIES)
def test_every_lie_stays_within_budget_for_the_whole_sandbox(
    strategy: str, honest: tuple[int, int]
) -> None:
    # A lie may make honest nodes work harder (a silent follower makes the leader re-send its
    # unacknowledged entries in every heartbeat), but never explode: an unbounded replay
    # passes twice the honest message count within seconds of simulated time.
    honest_messages, honest_peak = honest
    budget = 2 * honest_messages
    messages, peak = _play([Action.make(LIE_AT, "lie", "n1", strategy=strategy)], budget)
    assert messages <= budget, f"{strategy}: {messages} messages, honest run {honest_messages}"
    assert peak <= 4 * honest_peak, f"{strategy}: peak {peak} B, honest run {honest_peak} B"


class Ticker(Program):
    """n1 sends ``{"n": tick}`` to n2 every millisecond."""

    def on_start(self, ctx: Context) -> None:
        if ctx.name == "n1":
            ctx.set_timer("tick", 1)

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        ctx.send("n2", {"n": round(ctx.monotonic())})
        ctx.set_timer("tick", 1)


def test_a_replaying_liar_replays_its_budget_per_window_then_tells_the_truth() -> None:
    world = World(Scenario(nodes=("n1", "n2"), program=lambda _: Ticker()),
                  actions=[Action.make(1_000, "lie", "n1", strategy="replay")])
    world.run_until(2_000 - 1)
    replays: dict[int, int] = {}
    for event in world.trace.of_kind("send"):
        stale = event.data["payload"]["n"] != event.tick
        if stale:
            window = event.tick // REPLAY_WINDOW_MS
            replays[window] = replays.get(window, 0) + 1
    windows = range(1_000 // REPLAY_WINDOW_MS, 2_000 // REPLAY_WINDOW_MS)
    assert replays == {w: REPLAY_BUDGET for w in windows}
