"""Quorum reads and writes (Dynamo-style): w + r > n vs w + r <= n, sloppy quorums, repair."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.protocols.quorum import SPEC, NoStaleRead, QuorumNode, ledger_of
from playground.protocols.registry import KnobError
from playground.sim import Action, Latency, LinkSpec, Scenario, Timeline, World
from tests.protocols.faults import faults

CLUSTER = ("n1", "n2", "n3", "c1", "c2")
SLOPPY_CLUSTER = ("n1", "n2", "n3", "n4", "n5", "c1", "c2")


def run(nodes: tuple[str, ...], knobs: dict[str, Any], actions: list[Action], until: int = 3_000,
        seed: int = 1, link: LinkSpec | None = None,
        links: dict[str, LinkSpec] | None = None) -> World:
    build = SPEC.instantiate(nodes, knobs)
    scenario = Scenario(nodes=nodes, program=build.program, checks=build.checks,
                        link=link or LinkSpec(), links=links or {})
    world = World(scenario, seed=seed, actions=actions)
    world.run_until(until)
    return world


def write(tick: int, node: str, value: Any, key: str = "x") -> Action:
    return Action.make(tick, "command", node, name="write", args={"key": key, "value": value})


def read(tick: int, node: str, key: str = "x") -> Action:
    return Action.make(tick, "command", node, name="read", args={"key": key})


def observations(world: World, what: str) -> list[dict[str, Any]]:
    return [e.data for e in world.trace.of_kind("observe") if e.data["what"] == what]


def stale(world: World) -> list[Any]:
    return [v for v in world.violations if v.invariant == "no-stale-read"]


# The partition of DDIA's figure 5-10 turned against the writer: c1 reaches only n1.
PARTITION = [
    Action.make(100, "partition", "*", groups=[["c1", "n1"], ["c2", "n2", "n3"]]),
    write(150, "c1", "new"),
    read(200, "c2"),
]


# ------------------------------------------------------------------ textbook results
def test_w_plus_r_at_most_n_reads_stale_value_after_partition() -> None:
    world = run(CLUSTER, {"n": 3, "w": 1, "r": 1, "clients": ["c1", "c2"]}, PARTITION)
    [violation] = stale(world)
    assert 200 < violation.tick <= 220  # the read's reply from n2 (one round trip)
    assert "c2 read x = None" in violation.detail
    assert "'new'" in violation.detail and "acknowledged to c1" in violation.detail
    assert len(violation.causes) == 3
    m = SPEC.metrics(world)
    assert m["writes"] == 1 and m["stale_reads"] == 1 and m["failed_ops"] == 0


@pytest.mark.parametrize(("w", "r"), [(2, 2), (3, 1), (1, 3)])
def test_w_plus_r_above_n_fails_instead_of_reading_stale(w: int, r: int) -> None:
    world = run(CLUSTER, {"n": 3, "w": w, "r": r, "clients": ["c1", "c2"]}, PARTITION)
    assert not stale(world)
    m = SPEC.metrics(world)
    # Either the write could not reach w replicas or the read could not reach r: unavailable.
    assert m["failed_ops"] >= 1
    assert m["stale_reads"] == 0
    if w == 3 or w == 2:
        assert observations(world, "write-failed")[0]["got"] == 1


def test_strict_quorum_survives_one_replica_down() -> None:
    """n = 3, w = r = 2: one crashed replica costs nothing; reads see the write."""
    actions = [Action.make(50, "crash", "n3"), write(100, "c1", "a"), read(200, "c2"),
               write(300, "c2", "b"), read(400, "c1")]
    world = run(CLUSTER, {"n": 3, "w": 2, "r": 2, "clients": ["c1", "c2"]}, actions)
    assert not world.violations
    results = [d["value"] for d in observations(world, "read-result")]
    assert results == ["a", "b"]
    assert SPEC.metrics(world)["failed_ops"] == 0


def test_sloppy_quorum_reads_stale_even_with_w_plus_r_above_n_until_handoff() -> None:
    """DDIA: with a sloppy quorum 'even when w + r > n, you cannot be sure to read the latest
    value', until hinted handoff brings the write home."""
    knobs = {"n": 3, "w": 2, "r": 2, "clients": ["c1", "c2"], "sloppy": True,
             "handoff_ms": 200}
    actions = [
        Action.make(100, "partition", "*",
                    groups=[["c1", "n1", "n4"], ["c2", "n2", "n3", "n5"]]),
        write(150, "c1", "new"),
        read(400, "c2"),
        Action.make(1_000, "heal", "*"),
        read(1_500, "c2"),
    ]
    world = run(SLOPPY_CLUSTER, knobs, actions)
    ack = observations(world, "write-ack")[0]
    assert ack["acks"] == ["n1", "n4"]  # n4 stood in for a home replica
    [violation] = stale(world)
    assert 400 < violation.tick <= 420
    handoffs = observations(world, "handoff")
    assert handoffs and handoffs[0]["to"] == "n2"
    later = observations(world, "read-result")[1]
    assert later["value"] == "new"
    m = SPEC.metrics(world)
    assert m["hinted_writes"] == 1 and m["handoffs"] >= 1 and m["stale_reads"] == 1

    strict = run(SLOPPY_CLUSTER, {**knobs, "sloppy": False}, actions)
    assert not strict.violations
    assert observations(strict, "write-failed")


def test_read_repair_makes_a_later_read_fresh() -> None:
    """n = 3, w = r = 1: a write lands on n1 only. The first read answers from stale n2 but,
    with read repair, writes n1's newer value back to n2 and n3 once n1's reply arrives."""
    actions = [
        Action.make(100, "cut", "c1<->n2"), Action.make(100, "cut", "c1<->n3"),
        write(150, "c1", "new"),
        Action.make(500, "heal", "*"),
        read(600, "c2"),
        read(1_000, "c2"),
    ]
    slow_n1 = {"c2<->n1": LinkSpec(latency=Latency.constant(30))}
    knobs = {"n": 3, "w": 1, "r": 1, "clients": ["c1", "c2"]}
    repaired = run(CLUSTER, {**knobs, "read_repair": True}, actions, links=slow_n1)
    first, second = observations(repaired, "read-result")
    assert first["value"] is None and second["value"] == "new"
    assert sorted(d["to"] for d in observations(repaired, "read-repair")) == ["n2", "n3"]
    assert SPEC.metrics(repaired)["stale_reads"] == 1

    plain = run(CLUSTER, {**knobs, "read_repair": False}, actions, links=slow_n1)
    assert [d["value"] for d in observations(plain, "read-result")] == [None, None]
    assert SPEC.metrics(plain)["stale_reads"] == 2
    assert plain.nodes["n3"].durable["data"].get("x") is None


def test_read_repair_converges_a_replica_that_missed_a_write() -> None:
    """DDIA figure 5-10: a replica that was down during a write gets it from a later read."""
    actions = [Action.make(100, "cut", "c1<->n3"), write(150, "c1", "v7"),
               Action.make(300, "heal", "*"), read(400, "c2")]
    knobs = {"n": 3, "w": 2, "r": 2, "clients": ["c1", "c2"]}
    for repair in (True, False):
        world = run(CLUSTER, {**knobs, "read_repair": repair}, actions)
        assert not world.violations
        n3 = world.nodes["n3"].durable["data"].get("x")
        assert (n3 is not None and n3["value"] == "v7") is repair


def test_replica_coordinator_and_versions_grow() -> None:
    """Any node may coordinate; versions grow per key; an old version never overwrites."""
    actions = [write(10, "n1", "a"), write(50, "n2", "b"), read(100, "n3"),
               write(150, "n3", "c", key="y"), read(200, "n1", key="y")]
    world = run(("n1", "n2", "n3"), {}, actions)
    assert not world.violations
    acks = observations(world, "write-ack")
    assert [a["version"] for a in acks] == [[1, "n1"], [2, "n2"], [1, "n3"]]
    assert [d["value"] for d in observations(world, "read-result")] == ["b", "c"]
    assert world.nodes["n1"].beliefs["value"] == {"x": "b", "y": "c"}


def test_workload_knob_issues_requests() -> None:
    world = run(CLUSTER, {"clients": ["c1", "c2"], "workload_ms": 100}, [], until=1_000)
    m = SPEC.metrics(world)
    assert m["writes"] >= 8 and m["reads"] >= 8 and m["stale_reads"] == 0


def test_crashed_replica_keeps_its_data() -> None:
    actions = [write(10, "c1", "a"), Action.make(100, "crash", "n1", recover_after=50),
               Action.make(200, "crash", "n2"), read(300, "c2")]
    world = run(CLUSTER, {"clients": ["c1", "c2"]}, actions)
    assert [d["value"] for d in observations(world, "read-result")] == ["a"]
    assert not world.violations


# ------------------------------------------------------------------ random faults
NODES = CLUSTER
LINK = LinkSpec(latency=Latency.exponential(1, 5), loss=0.02, duplicate=0.02, jitter=4)
HORIZON = 2_500
ticks = st.integers(min_value=0, max_value=HORIZON - 300)
fault = faults(NODES, ticks, ("cut", "heal", "partition", "hold", "release", "freeze", "crash",
                             "step_clock", "set_link"),
               pause_ms=600, recover_ms=600, latency_ms=80, hold_max=None)


@st.composite
def operation(draw: st.DrawFn) -> Action:
    tick = draw(ticks)
    node = draw(st.sampled_from(("c1", "c2", "n1")))
    key = draw(st.sampled_from(("x", "y")))
    if draw(st.booleans()):
        return write(tick, node, draw(st.integers(0, 99)), key)
    return read(tick, node, key)


@given(
    quorum=st.sampled_from([(3, 2, 2), (3, 3, 1), (3, 1, 3), (3, 2, 3)]),
    repair=st.booleans(),
    faults=st.lists(fault, max_size=10),
    ops=st.lists(operation(), min_size=1, max_size=14),
    seed=st.integers(0, 10_000),
)
def test_w_plus_r_above_n_never_reads_stale_under_random_faults(
    quorum: tuple[int, int, int], repair: bool, faults: list[Action], ops: list[Action],
    seed: int,
) -> None:
    n, w, r = quorum
    knobs = {"n": n, "w": w, "r": r, "read_repair": repair, "clients": ["c1", "c2"],
             "timeout_ms": 150}
    world = run(CLUSTER, knobs, faults + ops, until=HORIZON, seed=seed, link=LINK)
    assert not stale(world), world.violations
    m = SPEC.metrics(world)
    started = len(observations(world, "read-start")) + len(observations(world, "write-start"))
    # every operation that started ended one way or the other (or its coordinator crashed)
    assert m["reads"] + m["writes"] + m["failed_ops"] <= started


def test_stale_read_checker_counts_against_true_time() -> None:
    """The ledger used by the invariant also drives the metrics, from the trace alone."""
    world = run(CLUSTER, {"n": 3, "w": 1, "r": 1, "clients": ["c1", "c2"]},
                [*PARTITION, read(260, "c2"), write(300, "c2", "other"), read(400, "c1")])
    ledger = ledger_of(world.trace)
    assert ledger.stale_reads == 3  # c2 twice before its own write, then c1 misses 'other'
    assert ledger.writes == 2


# ------------------------------------------------------------------ SPEC
def test_spec_knob_validation() -> None:
    with pytest.raises(KnobError, match="'w'"):
        SPEC.instantiate(CLUSTER, {"w": 0})
    with pytest.raises(KnobError, match="'w'"):
        SPEC.instantiate(CLUSTER, {"n": 3, "w": 4})
    with pytest.raises(KnobError, match="'n'"):
        SPEC.instantiate(CLUSTER, {"n": 5, "clients": ["c1", "c2"]})
    with pytest.raises(KnobError, match="'sloppy'"):
        SPEC.instantiate(CLUSTER, {"sloppy": "yes"})
    with pytest.raises(KnobError, match="'clients'"):
        SPEC.instantiate(CLUSTER, {"clients": ["zz"]})
    with pytest.raises(KnobError):
        SPEC.instantiate(CLUSTER, {"quorum": 2})
    assert set(SPEC.commands) == {"write", "read"}
    assert set(SPEC.invariants) == {"no-stale-read"}


def test_spec_default_instantiation_runs() -> None:
    build = SPEC.instantiate(SPEC.default_nodes, {})
    assert any(isinstance(c, NoStaleRead) for c in build.checks)
    scenario = Scenario(nodes=SPEC.default_nodes, program=build.program, checks=build.checks)
    world = World(scenario, seed=3, actions=[write(10, "n4", "a"), read(50, "n2")])
    world.run_until(1_000)
    assert isinstance(world.nodes["n1"].program, QuorumNode)
    assert world.nodes["n4"].beliefs["role"] == "fallback"
    assert not world.violations
    assert [d["value"] for d in observations(world, "read-result")] == ["a"]
    assert set(SPEC.metrics(world)) >= {"reads", "stale_reads", "failed_ops", "read_repairs"}


def test_runs_replay_and_rewind_identically() -> None:
    knobs = {"clients": ["c1", "c2"], "workload_ms": 70, "sloppy": True}
    build = SPEC.instantiate(SLOPPY_CLUSTER, knobs)
    scenario = Scenario(nodes=SLOPPY_CLUSTER, program=build.program, checks=build.checks,
                        link=LINK)
    actions = [Action.make(300, "partition", "*",
                           groups=[["c1", "n1", "n4"], ["c2", "n2", "n3", "n5"]]),
               Action.make(900, "heal", "*")]
    straight = World(scenario, seed=5, actions=actions)
    straight.run_until(2_000)
    timeline = Timeline(scenario, seed=5, actions=actions, snapshot_every=250)
    timeline.run_until(2_000)
    timeline.rewind(1_100)
    timeline.run_until(2_000)
    assert timeline.world.trace.sha256() == straight.trace.sha256()
    assert SPEC.metrics(timeline.world) == SPEC.metrics(straight)
