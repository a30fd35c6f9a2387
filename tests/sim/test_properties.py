"""Property tests: the engine's promises under random action lists."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import assume, given
from hypothesis import strategies as st

from playground.sim import CRASHED, FROZEN, Action, Latency, LinkSpec, Timeline, World
from tests.sim.helpers import heartbeat_scenario

NODES = ("n1", "n2", "n3", "n4")
LINK = LinkSpec(latency=Latency.exponential(1, 4), loss=0.05, duplicate=0.05, jitter=3)
HORIZON = 3_000

ticks = st.integers(min_value=0, max_value=HORIZON)
nodes = st.sampled_from(NODES)
links = st.tuples(nodes, nodes, st.booleans()).filter(lambda t: t[0] != t[1]).map(
    lambda t: f"{t[0]}{'<->' if t[2] else '->'}{t[1]}")


@st.composite
def actions(draw: st.DrawFn) -> Action:
    tick = draw(ticks)
    kind = draw(st.sampled_from(
        ["cut", "heal", "hold", "release", "freeze", "unfreeze", "crash", "recover",
         "step_clock", "set_drift", "set_rate", "set_link", "partition", "lie"]))
    if kind in ("cut", "hold", "release"):
        return Action.make(tick, kind, draw(links))
    if kind == "heal":
        return Action.make(tick, kind, draw(st.one_of(links, st.just("*"))))
    if kind == "freeze":
        return Action.make(tick, kind, draw(nodes),
                           duration=draw(st.integers(1, 800)))
    if kind == "crash":
        return Action.make(tick, kind, draw(nodes), recover_after=draw(st.integers(1, 800)))
    if kind in ("unfreeze", "recover"):
        return Action.make(tick, kind, draw(nodes))
    if kind == "step_clock":
        return Action.make(tick, kind, draw(nodes), delta_ms=draw(st.integers(-5_000, 5_000)))
    if kind in ("set_drift", "set_rate"):
        return Action.make(tick, kind, draw(nodes), ppm=draw(st.integers(-500_000, 500_000)))
    if kind == "set_link":
        return Action.make(tick, kind, draw(links), loss=draw(st.floats(0, 1)),
                           latency=draw(st.integers(0, 50)))
    if kind == "partition":
        side = draw(st.lists(nodes, min_size=1, max_size=3, unique=True))
        return Action.make(tick, kind, groups=[side, [n for n in NODES if n not in side]])
    return Action.make(tick, "lie", draw(nodes),
                       strategy=draw(st.sampled_from(["forge", "silent", "replay", "clock"])))


action_lists = st.lists(actions(), max_size=12)


def world(seed: int, acts: list[Action], retain: bool = True) -> World:
    w = World(heartbeat_scenario(4, LINK), seed=seed, actions=acts, retain_trace=retain)
    w.run_until(HORIZON)
    return w


@given(st.integers(0, 2**32), action_lists)
def test_runs_are_deterministic(seed: int, acts: list[Action]) -> None:
    assert world(seed, acts).trace.sha256() == world(seed, acts, retain=False).trace.sha256()


@given(st.integers(0, 1000), action_lists)
def test_rewind_and_replay_equal_the_straight_run(seed: int, acts: list[Action]) -> None:
    timeline = Timeline(heartbeat_scenario(4, LINK), seed=seed, actions=acts, snapshot_every=300)
    timeline.run_until(HORIZON)
    timeline.rewind(HORIZON // 3)
    timeline.run_until(HORIZON)
    assert timeline.world.trace.sha256() == world(seed, acts).trace.sha256()


@given(st.integers(0, 1000), action_lists, links)
def test_nothing_crosses_a_cut_link(seed: int, acts: list[Action], link: str) -> None:
    acts = [a for a in acts if a.tool not in ("heal", "partition")]
    w = world(seed, [Action.make(0, "cut", link), *acts])
    a, _, b = link.replace("<->", "->").partition("->")
    blocked = {(a, b), (b, a)} if "<->" in link else {(a, b)}
    for e in w.trace.of_kind("deliver"):
        assert (e.data["src"], e.node) not in blocked


@given(st.integers(0, 1000), nodes, nodes)
def test_one_way_cut_blocks_one_direction_only(seed: int, a: str, b: str) -> None:
    assume(a != b)
    w = world(seed, [Action.make(0, "cut", f"{a}->{b}")])
    pairs = {(e.data["src"], e.node) for e in w.trace.of_kind("deliver")}
    assert (a, b) not in pairs and (b, a) in pairs


@given(st.integers(0, 1000), links, st.integers(300, 2_000))
def test_held_messages_are_delivered_exactly_once_on_release(
    seed: int, link: str, release_at: int
) -> None:
    w = world(seed, [Action.make(0, "hold", link), Action.make(release_at, "release", link)])
    held = [e.data["id"] for e in w.trace.of_kind("hold")]
    delivered = [e.data["id"] for e in w.trace.of_kind("deliver")]
    assert held, "the link carried heartbeats, some were held"
    for msg_id in held:
        assert delivered.count(msg_id) == 1
    released_at = {e.data["id"]: e.tick for e in w.trace.of_kind("deliver")}
    assert all(released_at[m] >= release_at for m in held)


@given(st.integers(0, 1000), action_lists)
def test_monotonic_never_decreases_while_time_of_day_may(seed: int, acts: list[Action]) -> None:
    w = world(seed, acts)
    last_mono: dict[str, float] = {}
    for e in w.trace.events:
        if e.node is None:
            continue
        assert e.mono >= last_mono.get(e.node, float("-inf"))
        last_mono[e.node] = e.mono


def test_time_of_day_can_go_backwards() -> None:
    w = world(1, [Action.make(1_000, "step_clock", "n1", delta_ms=-700)])
    tods = [e.tod for e in w.trace.events if e.node == "n1"]
    assert any(b < a for a, b in pairwise(tods))


@given(st.integers(0, 1000), action_lists, nodes, ticks, st.integers(1, 1_500),
       st.sampled_from(["freeze", "crash"]))
def test_frozen_or_crashed_node_sends_and_handles_nothing(
    seed: int, acts: list[Action], node: str, start: int, length: int, fault: str
) -> None:
    acts = [a for a in acts if a.target != node]
    end = start + length
    undo = "unfreeze" if fault == "freeze" else "recover"
    w = World(heartbeat_scenario(4, LINK), seed=seed,
              actions=[*acts, Action.make(start, fault, node), Action.make(end, undo, node)])
    w.run_until(end - 1)
    assert w.nodes[node].status in (FROZEN, CRASHED)
    for e in w.trace.events:
        if start <= e.tick < end and e.node == node:
            assert e.kind not in ("send", "deliver", "timer", "decide", "observe", "state"), e
