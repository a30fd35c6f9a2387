"""Last write wins: the chapter's lost increment (Figure 8-3), Lamport clocks and HLC."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.protocols.lww import SPEC
from playground.protocols.registry import KnobError
from playground.sim import (
    Action,
    ClockSpec,
    Event,
    Latency,
    LinkSpec,
    Scenario,
    Timeline,
    World,
)

NODES = ("n1", "n2", "n3")
EPOCH = 42_000  # time-of-day at tick 0: the chapter's clocks read 42.00x s


def make_world(stamp: str, actions: list[Action] = (), *, seed: int = 1,
               link: LinkSpec | None = None, clocks: dict[str, ClockSpec] | None = None,
               nodes: tuple[str, ...] = NODES, **knobs: Any) -> World:
    build = SPEC.instantiate(nodes, {"stamp": stamp, **knobs})
    scenario = Scenario(
        nodes=nodes, program=build.program, checks=build.checks,
        link=link or LinkSpec(latency=Latency.constant(1)),
        clocks=clocks if clocks is not None else {n: ClockSpec(offset_ms=EPOCH) for n in nodes},
    )
    return World(scenario, seed=seed, actions=list(actions))


def values(world: World, nodes: tuple[str, ...] = NODES) -> list[Any]:
    return [world.nodes[n].beliefs.get("value") for n in nodes]


def observed(world: World, what: str, node: str | None = None) -> list[Event]:
    return [e for e in world.trace.events if e.kind == "observe" and e.data["what"] == what
            and (node is None or e.node == node)]


def figure_8_3(stamp: str) -> World:
    """Client A writes x=1 at n1 (tick 4); it reaches n3 at tick 5; client B increments at n3
    (tick 6). n3's time-of-day clock was stepped 3 ms back: it reads 42.003 s when n1 read
    42.004 s for the earlier write."""
    return make_world(stamp, [
        Action.make(1, "step_clock", "n3", delta_ms=-3),
        Action.make(4, "command", "n1", name="write", args={"value": 1}),
        Action.make(6, "command", "n3", name="increment"),
    ])


# --------------------------------------------------------------------------- the chapter
def test_figure_8_3_time_of_day_stamps_lose_the_causally_later_increment() -> None:
    world = figure_8_3("time_of_day")
    world.run_until(2_000)
    writes = observed(world, "write")
    assert [(w.node, w.data["value"], w.data["stamp"][0]) for w in writes] == [
        ("n1", 1, 42_004), ("n3", 2, 42_003)]
    assert writes[1].data["read"] == writes[0].data["wid"]  # B read x=1 before writing
    [v] = world.violations
    assert (v.invariant, v.tick) == ("no-lost-causal-write", 6)
    assert "n3" in v.detail and "increment" in v.detail and "n1" in v.detail
    assert "42003" in v.detail and "42004" in v.detail and "causally follows" in v.detail
    # Node 2 (as in the figure) and every other replica drop x = 2 too: the increment is lost.
    assert [e.node for e in observed(world, "discard")] == ["n3", "n1", "n2"]
    assert values(world) == [1, 1, 1]
    m = SPEC.metrics(world)
    assert m["writes_lost"] == 1 and m["max_clock_skew_ms"] == 3 and m["converged"] == 1


@pytest.mark.parametrize("stamp", ["lamport", "hlc"])
def test_figure_8_3_logical_stamps_keep_the_increment(stamp: str) -> None:
    world = figure_8_3(stamp)
    world.run_until(2_000)
    assert world.violations == []
    assert values(world) == [2, 2, 2]
    assert observed(world, "discard") == []
    first, second = (w.data["stamp"] for w in observed(world, "write"))
    assert tuple(second) > tuple(first)
    if stamp == "hlc":  # l stays at the largest physical time heard of, c counts on
        assert first[:2] == [42_004, 0] and second[:2] == [42_004, 2]
    assert SPEC.metrics(world)["writes_lost"] == 0


def test_time_of_day_loses_a_write_only_when_the_skew_exceeds_the_causal_gap() -> None:
    """The increment comes 2 ms after the write it read. A skew of 2 ms makes the stamps equal
    (42004 at n1 and n3): the tie goes to the higher node name, n3, so it survives; 3 ms
    loses it."""
    for skew, lost in ((0, False), (2, False), (3, True)):
        world = make_world("time_of_day", [
            Action.make(1, "step_clock", "n3", delta_ms=-skew),
            Action.make(4, "command", "n1", name="write", args={"value": 1}),
            Action.make(6, "command", "n3", name="increment"),
        ])
        world.run_until(500)
        assert bool(world.violations) is lost, skew
        assert values(world) == ([1, 1, 1] if lost else [2, 2, 2])


def test_a_replica_overwriting_a_later_write_with_an_earlier_one_is_caught() -> None:
    """n2 gets n3's increment before n1's write it depends on (the n1->n2 link is slow):
    it first keeps x=2, then replaces it by the earlier x=1 with the higher stamp."""
    world = make_world("time_of_day", [
        Action.make(1, "step_clock", "n3", delta_ms=-5),
        Action.make(2, "set_link", "n1->n2", latency=50),
        Action.make(4, "command", "n1", name="write", args={"value": 1}),
        Action.make(6, "command", "n3", name="increment"),
    ])
    world.run_until(100)
    v = world.violations[0]
    assert v.tick == 6 and v.detail.startswith("n3 discarded")
    overwrite = [e for e in world.trace.events if e.kind == "decide" and e.node == "n2"
                 and e.data.get("over") == "n3.1"]
    assert overwrite and overwrite[0].data["wid"] == "n1.1" and overwrite[0].tick == 54
    assert SPEC.metrics(world)["writes_lost"] == 1


# --------------------------------------------------------------------------- clocks vs time
SKEWED = {"n1": ClockSpec(offset_ms=40, drift_ppm=200), "n2": ClockSpec(),
          "n3": ClockSpec(offset_ms=-25)}


def test_hlc_stays_within_the_clock_skew_of_physical_time_lamport_does_not() -> None:
    link = LinkSpec(latency=Latency.exponential(1, 4))
    drift = {}
    for stamp in ("hlc", "lamport"):
        world = make_world(stamp, clocks=SKEWED, link=link, increment_every_ms=100)
        world.run_until(5_000)
        early = SPEC.metrics(world)
        world.run_until(10_000)
        late = SPEC.metrics(world)
        assert world.violations == [] and late["writes"] > 250
        assert 60 <= late["max_clock_skew_ms"] <= 70  # 40 + 25, plus 2 ms of drift
        drift[stamp] = (early, late)
    hlc_early, hlc_late = drift["hlc"]
    # Kulkarni et al.: 0 <= l - pt <= epsilon. The slow n3 stamps ahead of its own clock,
    # because it heard of n1's, but never by more than the skew.
    assert 0 < hlc_late["hlc_drift_ms"] <= hlc_late["max_clock_skew_ms"]
    assert hlc_early["hlc_drift_ms"] <= hlc_early["max_clock_skew_ms"]
    lam_early, lam_late = drift["lamport"]
    # A Lamport counter counts events, not milliseconds: its distance from physical time
    # grows with the run (here ~ a few hundred ms per second).
    assert lam_early["stamp_drift_ms"] > 10 * lam_early["max_clock_skew_ms"]
    assert lam_late["stamp_drift_ms"] > lam_early["stamp_drift_ms"] + 1_000
    assert lam_late["hlc_drift_ms"] == 0


def test_lamport_order_is_not_real_time_order_for_concurrent_writes() -> None:
    """n1, cut off, makes 30 writes; 2 s later n2 writes once. The writes are concurrent, so
    any order is allowed, but only the time-based stamps keep the later one."""
    acts = [Action.make(10, "partition", groups=[["n1"], ["n2", "n3"]])]
    acts += [Action.make(20 + i, "command", "n1", name="write", args={"value": f"a{i}"})
             for i in range(30)]
    acts += [Action.make(2_000, "command", "n2", name="write", args={"value": "late"}),
             Action.make(2_500, "heal", "*")]
    final = {}
    for stamp in ("lamport", "hlc", "time_of_day"):
        world = make_world(stamp, acts)
        world.run_until(4_000)
        assert world.violations == []
        assert len(set(values(world))) == 1
        final[stamp] = values(world)[0]
    assert final == {"lamport": "a29", "hlc": "late", "time_of_day": "late"}


# --------------------------------------------------------------------------- SPEC
def test_spec_builds_a_runnable_scenario() -> None:
    build = SPEC.instantiate(SPEC.default_nodes, {})
    assert [c.name for c in build.checks] == list(SPEC.invariants)
    world = World(Scenario(nodes=SPEC.default_nodes, program=build.program,
                           checks=build.checks), seed=1, actions=[
        Action.make(10, "command", "n2", name="write", args={"value": "x"}),
        Action.make(50, "command", "n1", name="increment"),
    ])
    world.run_until(1_000)
    assert world.violations == [] and values(world) == [1, 1, 1]
    assert SPEC.knob("stamp").default == "hlc" and set(SPEC.commands) == {"write", "increment"}
    assert all(k.safe for k in SPEC.knobs)


@pytest.mark.parametrize("knobs,bad", [
    ({"stamp": "vector"}, "stamp"),
    ({"sync_every_ms": -1}, "sync_every_ms"),
    ({"increment_every_ms": "often"}, "increment_every_ms"),
    ({"quorum": 2}, "quorum"),
])
def test_bad_knobs_raise_knob_error(knobs: dict[str, Any], bad: str) -> None:
    with pytest.raises(KnobError) as err:
        SPEC.instantiate(NODES, knobs)
    assert err.value.knob == bad


def test_unknown_command_is_an_error() -> None:
    from playground.sim import ProgramError

    world = make_world("hlc", [Action.make(5, "command", "n1", name="delete")])
    with pytest.raises(ProgramError):
        world.run_until(10)


# --------------------------------------------------------------------------- property
HORIZON = 4_000
QUIET = 1_500  # faults end this long before the horizon; then replicas must converge
ticks = st.integers(0, HORIZON - QUIET - 900)
nodes = st.sampled_from(NODES)
links = st.tuples(nodes, nodes, st.booleans()).filter(lambda t: t[0] != t[1]).map(
    lambda t: f"{t[0]}{'<->' if t[2] else '->'}{t[1]}")


@st.composite
def steps(draw: st.DrawFn, clock_faults: bool = True) -> Action:
    tick = draw(ticks)
    tools = ["write", "increment", "increment", "freeze", "crash", "cut", "partition",
             "hold", "set_link"]
    if clock_faults:
        tools += ["step_clock", "step_clock", "set_drift"]
    kind = draw(st.sampled_from(tools))
    if kind == "write":
        return Action.make(tick, "command", draw(nodes), name="write",
                           args={"value": draw(st.integers(0, 99))})
    if kind == "increment":
        return Action.make(tick, "command", draw(nodes), name="increment")
    if kind == "freeze":
        return Action.make(tick, kind, draw(nodes), duration=draw(st.integers(1, 800)))
    if kind == "crash":
        return Action.make(tick, kind, draw(nodes), recover_after=draw(st.integers(1, 800)))
    if kind in ("cut", "hold"):
        return Action.make(tick, kind, draw(links))
    if kind == "partition":
        side = draw(st.lists(nodes, min_size=1, max_size=2, unique=True))
        return Action.make(tick, kind, groups=[side, [n for n in NODES if n not in side]])
    if kind == "set_link":
        return Action.make(tick, kind, draw(links), latency=draw(st.integers(1, 200)),
                           loss=draw(st.sampled_from([0.0, 0.3])))
    if kind == "step_clock":
        return Action.make(tick, kind, draw(nodes), delta_ms=draw(st.integers(-3_000, 3_000)))
    return Action.make(tick, kind, draw(nodes), ppm=draw(st.integers(-100_000, 100_000)))


def schedule(acts: list[Action], clients: list[str]) -> list[Action]:
    """The faults, a dense client workload (an increment every 80 ms at a drawn replica, so
    writes causally follow each other), then quiet: everything healed and released."""
    calm = HORIZON - QUIET
    work = [Action.make(50 + 80 * i, "command", node, name="increment")
            for i, node in enumerate(clients)]
    return [*acts, *work, Action.make(calm, "heal", "*"), Action.make(calm, "release", "*")]


workloads = st.lists(nodes, min_size=5, max_size=(HORIZON - QUIET - 100) // 80)


def random_world(stamp: str, seed: int, acts: list[Action], clients: list[str]) -> World:
    world = make_world(stamp, schedule(acts, clients), seed=seed, clocks={}, sync_every_ms=200,
                       link=LinkSpec(latency=Latency.exponential(1, 3), jitter=4,
                                     duplicate=0.05, loss=0.05))
    world.run_until(HORIZON)
    return world


@settings(max_examples=50)
@given(st.sampled_from(["lamport", "hlc"]), st.integers(0, 10_000),
       st.lists(steps(), max_size=14), workloads)
def test_logical_stamps_never_lose_a_causal_write_and_replicas_converge(
        stamp: str, seed: int, acts: list[Action], clients: list[str]) -> None:
    world = random_world(stamp, seed, acts, clients)
    assert world.violations == [], world.violations[0].detail
    m = SPEC.metrics(world)
    assert m["converged"] == 1
    if stamp == "hlc":
        assert 0 <= m["hlc_drift_ms"] <= m["max_clock_skew_ms"]


@settings(max_examples=25)
@given(st.integers(0, 10_000), st.lists(steps(clock_faults=False), max_size=14), workloads)
def test_time_of_day_stamps_are_safe_with_perfect_clocks(
        seed: int, acts: list[Action], clients: list[str]) -> None:
    world = random_world("time_of_day", seed, acts, clients)
    assert world.violations == [], world.violations[0].detail
    assert SPEC.metrics(world)["converged"] == 1


def test_runs_replay_exactly_after_a_rewind() -> None:
    build = SPEC.instantiate(NODES, {"stamp": "hlc", "increment_every_ms": 90})
    scenario = Scenario(nodes=NODES, program=build.program, checks=build.checks,
                        link=LinkSpec(latency=Latency.exponential(1, 4)), clocks=SKEWED)
    acts = [Action.make(700, "crash", "n2", recover_after=300),
            Action.make(900, "step_clock", "n3", delta_ms=-500)]
    timeline = Timeline(scenario, seed=5, actions=acts, snapshot_every=400)
    timeline.run_until(3_000)
    timeline.rewind(1_000)
    timeline.run_until(3_000)
    straight = World(scenario, seed=5, actions=acts)
    straight.run_until(3_000)
    assert timeline.world.trace.sha256() == straight.trace.sha256()
