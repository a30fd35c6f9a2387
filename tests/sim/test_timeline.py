"""Snapshots, rewind and fork."""

from __future__ import annotations

import attrs
import pytest

from playground.sim import Action, InvalidTickError, Latency, LinkSpec, Timeline, World
from playground.sim.examples import HeartbeatCluster
from playground.sim.timeline import MAX_STRIDE
from playground.sim.world import WorldSnapshot
from tests.sim.helpers import heartbeat_scenario

LINK = LinkSpec(latency=Latency.exponential(1, 3), loss=0.05)
ACTIONS = [
    Action.make(700, "cut", "n1<->n2"),
    Action.make(1_300, "freeze", "n3", duration=400),
    Action.make(2_100, "heal", "*"),
    Action.make(2_500, "step_clock", "n2", delta_ms=-300),
    Action.make(2_600, "crash", "n1", recover_after=250),
]


def straight(until: int, actions: list[Action] = ACTIONS) -> World:
    world = World(heartbeat_scenario(3, LINK), seed=8, actions=actions)
    world.run_until(until)
    return world


def test_rewind_and_replay_reproduce_the_straight_run() -> None:
    timeline = Timeline(heartbeat_scenario(3, LINK), seed=8, actions=ACTIONS, snapshot_every=250)
    timeline.run_until(4_000)
    final = timeline.world.trace.sha256()
    assert final == straight(4_000).trace.sha256()
    for tick in (3_999, 2_345, 1_000, 999, 0, 1_777):
        timeline.rewind(tick)
        assert timeline.now == tick
        assert timeline.world.trace.sha256() == straight(tick).trace.sha256()
    timeline.run_until(4_000)
    assert timeline.world.trace.sha256() == final


def test_rewind_restores_node_state() -> None:
    timeline = Timeline(heartbeat_scenario(3, LINK), seed=8, actions=ACTIONS, snapshot_every=300)
    timeline.run_until(1_500)
    assert timeline.world.nodes["n3"].status == "frozen"
    timeline.rewind(1_000)
    assert timeline.world.nodes["n3"].status == "running"
    assert timeline.world.link("n1", "n2").cut


def test_fork_replaces_the_future_and_matches_a_straight_run_of_the_new_list() -> None:
    timeline = Timeline(heartbeat_scenario(3, LINK), seed=8, actions=ACTIONS, snapshot_every=500)
    timeline.run_until(3_000)
    new_future = [Action.make(1_200, "crash", "n2")]
    timeline.fork(1_200, new_future)
    timeline.run_until(3_000)
    expected = straight(3_000, [a for a in ACTIONS if a.tick < 1_200] + new_future)
    assert timeline.world.trace.sha256() == expected.trace.sha256()
    assert timeline.actions == expected.actions
    with pytest.raises(InvalidTickError):
        timeline.fork(2_000, [Action.make(1_999, "crash", "n1")])


def test_a_fork_at_a_snapshot_tick_forgets_what_it_discarded() -> None:
    crash = Action.make(1_000, "crash", "n1")  # 1000: a snapshot is taken right after it
    timeline = Timeline(heartbeat_scenario(3, LINK), seed=8, actions=[crash],
                        snapshot_every=500)
    timeline.run_until(2_000)
    assert timeline.world.nodes["n1"].status == "crashed"
    timeline.fork(1_000, [])  # the crash never happened
    timeline.run_until(2_000)
    timeline.rewind(1_200)  # from the snapshot at 1000: it must not hold the crash
    assert timeline.world.nodes["n1"].status == "running"
    assert timeline.world.trace.sha256() == straight(1_200, []).trace.sha256()


def test_a_rewind_keeps_what_was_scheduled_since_its_snapshot_and_not_what_a_fork_dropped(
) -> None:
    crash = Action.make(1_000, "crash", "n1")
    freeze = Action.make(900, "freeze", "n2", duration=50)
    timeline = Timeline(heartbeat_scenario(3, LINK), seed=8, actions=[crash],
                        snapshot_every=500)
    timeline.run_until(800)
    timeline.fork(700, [])  # drops the crash the snapshot at 500 still has pending
    timeline.act(freeze)  # in the future: scheduled after that snapshot was taken
    timeline.rewind(600)  # restores the snapshot at 500
    timeline.run_until(2_000)
    assert timeline.actions == (freeze,)
    assert timeline.world.trace.sha256() == straight(2_000, [freeze]).trace.sha256()


def test_acting_in_the_past_forks_and_in_the_future_schedules() -> None:
    timeline = Timeline(heartbeat_scenario(3, LINK), seed=8, snapshot_every=400)
    timeline.run_until(2_000)
    timeline.act(Action.make(2_500, "crash", "n3"))
    assert timeline.now == 2_000
    timeline.act(Action.make(900, "freeze", "n1"))
    assert timeline.now == 899
    assert [a.tick for a in timeline.actions] == [900]
    timeline.run_until(2_000)
    expected = straight(2_000, [Action.make(900, "freeze", "n1")])
    assert timeline.world.trace.sha256() == expected.trace.sha256()


def test_fork_keeps_the_scenarios_scripted_actions() -> None:
    import attrs

    scripted = attrs.evolve(heartbeat_scenario(3, LINK),
                            script=(Action.make(1_500, "crash", "n2"),))
    timeline = Timeline(scripted, seed=8, snapshot_every=400)
    timeline.run_until(1_000)
    timeline.act(Action.make(2_000, "freeze", "n1"))
    timeline.act(Action.make(500, "freeze", "n3", duration=100))
    assert timeline.world.player_actions == (Action.make(500, "freeze", "n3", duration=100),)
    timeline.run_until(2_000)
    assert timeline.world.nodes["n2"].status == "crashed"
    assert timeline.world.nodes["n1"].status == "running"


def heartbeat_program(_node: str) -> HeartbeatCluster:
    """A program factory pickle can name (the helpers' lambda cannot be pickled)."""
    return HeartbeatCluster(interval=50, request_every=30)


@pytest.mark.parametrize("picklable", [True, False])
def test_snapshots_pickle_when_they_can_and_deep_copy_otherwise(picklable: bool) -> None:
    scenario = heartbeat_scenario(3, LINK)
    if picklable:
        scenario = attrs.evolve(scenario, program=heartbeat_program)
    timeline = Timeline(scenario, seed=8, actions=ACTIONS, snapshot_every=250)
    timeline.run_until(4_000)
    assert all(isinstance(s.state, bytes) == picklable for s in timeline._snapshots)
    reference = World(scenario, seed=8, actions=ACTIONS)
    reference.run_until(4_000)
    assert timeline.world.trace.sha256() == reference.trace.sha256()
    # A rewind to before the crash at 2600 must bring n1 back at 2850, as in the straight run
    # (node states compared by value: an unpickled status is a new string).
    timeline.rewind(2_500)
    timeline.run_until(4_000)
    assert timeline.world.nodes["n1"].status == "running"
    assert timeline.world.trace.sha256() == reference.trace.sha256()


def test_long_runs_keep_few_snapshots_and_still_rewind_exactly() -> None:
    timeline = Timeline(heartbeat_scenario(3, LINK), seed=8, actions=ACTIONS,
                        snapshot_every=100, max_snapshots=5)
    timeline.run_until(4_000)  # 40 snapshot points
    assert len(timeline._snapshots) <= 5
    assert timeline._snapshot_ticks[0] == -1  # the start is always kept
    for tick in (3_950, 2_345, 150, 0, 3_999):
        timeline.rewind(tick)
        assert timeline.world.trace.sha256() == straight(tick).trace.sha256()
        assert len(timeline._snapshots) <= 5


def test_a_long_run_takes_sparser_snapshots_once_it_thins_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A snapshot copies the whole world: past the cap, taking one every 100 ticks only to
    drop half of them would cost a copy per 100 ticks for the whole run."""
    timeline = Timeline(heartbeat_scenario(3, LINK), seed=8, actions=ACTIONS,
                        snapshot_every=100, max_snapshots=5)
    taken: list[int] = []
    snapshot = World.snapshot

    def counted(world: World) -> WorldSnapshot:
        taken.append(world.now)
        return snapshot(world)

    monkeypatch.setattr(World, "snapshot", counted)
    timeline.run_until(6_400)  # 64 marks of 100 ticks
    strides = [b - a for a, b in zip([0, *taken], taken, strict=False)]
    assert strides[:4] == [100] * 4  # until the first thinning
    assert strides[-1] == MAX_STRIDE * 100 and max(strides) == MAX_STRIDE * 100
    assert len(taken) < 64 / 3
    assert timeline._snapshot_ticks[0] == -1 and len(timeline._snapshots) <= 5
    assert 6_400 - timeline._snapshot_ticks[-1] <= MAX_STRIDE * 100  # a short step back
    for tick in (6_399, 3_210, 50):
        timeline.rewind(tick)
        assert timeline.world.trace.sha256() == straight(tick).trace.sha256()


def test_a_move_made_after_a_snapshot_survives_every_rewind() -> None:
    """A snapshot taken before a move was made must not restore the world without it: the
    timeline schedules its moves again on every restore, so going forward replays them."""
    timeline = Timeline(heartbeat_scenario(3, LINK), seed=8, snapshot_every=1_000)
    timeline.run_until(560)  # the newest snapshot (tick -1) predates the moves below
    moves = [Action.make(561, "cut", "n1<->n2"), Action.make(562, "freeze", "n3")]
    for move in moves:
        timeline.act(move)
    timeline.run_until(1_130)
    for back_to, forward_to in ((330, 730), (-1, 2_000), (600, 600), (561, 1_500)):
        timeline.rewind(back_to)
        assert timeline.moves == tuple(moves)
        timeline.run_until(forward_to)
        assert timeline.world.trace.sha256() == straight(forward_to, moves).trace.sha256()
    assert timeline.world.link("n1", "n2").cut and timeline.world.nodes["n3"].status == "frozen"


def test_a_fork_drops_exactly_the_later_moves_and_later_rewinds_keep_the_rest() -> None:
    timeline = Timeline(heartbeat_scenario(3, LINK), seed=8, actions=ACTIONS, snapshot_every=500)
    timeline.run_until(3_000)
    timeline.fork(2_200, [])
    assert timeline.moves == tuple(a for a in ACTIONS if a.tick < 2_200)
    timeline.rewind(100)
    timeline.run_until(3_000)
    assert timeline.world.trace.sha256() == straight(3_000, list(timeline.moves)).trace.sha256()
