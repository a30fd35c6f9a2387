"""Requests over an unreliable network: the four indistinguishable failures, double charges
from retries, and idempotency keys that stop them (DDIA ch. 8, "Detecting Faults")."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.protocols.registry import KnobError
from playground.protocols.requests import SPEC, TRUTHS, explain_timeouts
from playground.sim import Action, Latency, LinkSpec, Scenario, Timeline, World
from tests.protocols.faults import faults

PAIR = ("n1", "n2")  # n1 is the server, n2 the client
TRIO = ("n1", "n2", "n3")
LATENCY = 5  # the engine's default constant one-way latency
EVERY = SPEC.knob("request_every_ms").default
TIMEOUT = SPEC.knob("timeout_ms").default
FIRST = EVERY  # the first scripted request leaves at request_every_ms
HEAL = FIRST + TIMEOUT + 2  # after the retry left, before its reply comes back


def run(knobs: dict[str, Any], actions: list[Action] = (), nodes: tuple[str, ...] = PAIR,
        until: int = 3_000, link: LinkSpec | None = None, seed: int = 1) -> World:
    build = SPEC.instantiate(nodes, knobs)
    scenario = Scenario(nodes=nodes, program=build.program, checks=build.checks,
                        link=link or LinkSpec())
    world = World(scenario, seed=seed, actions=list(actions))
    world.run_until(until)
    return world


def violation(world: World, name: str) -> Any:
    found = [v for v in world.violations if v.invariant == name]
    return found[0] if found else None


def client_view(world: World, client: str = "n2") -> list[tuple[str, Any, Any]]:
    """What the client itself observed, up to the moment it gave up."""
    seen = []
    for e in world.trace.of_kind("observe"):
        if e.node == client:
            seen.append((e.tick, e.data["what"], e.data.get("attempt")))
            if e.data["what"] == "gave up":
                break
    return seen


# ------------------------------------------------------------------ the four cases
CASES = {
    "request lost": [Action.make(0, "cut", "n2->n1")],
    "server down": [Action.make(0, "crash", "n1")],
    "reply lost": [Action.make(0, "cut", "n1->n2")],
    "slow": [Action.make(0, "set_link", "n2->n1", latency=TIMEOUT + 30)],
}


def test_the_client_cannot_tell_the_four_failures_apart_but_the_checker_can() -> None:
    knobs = {"request_count": 1, "max_retries": 0}
    worlds = {case: run(knobs, acts) for case, acts in CASES.items()}
    views = {case: client_view(w) for case, w in worlds.items()}
    # same observations at the same ticks: a request, a timeout after timeout_ms, giving up
    expected = [(FIRST, "send", 1), (FIRST + TIMEOUT, "timeout", 1),
                (FIRST + TIMEOUT, "gave up", None)]
    for case in CASES:
        assert views[case] == expected, case
    truths = {case: explain_timeouts(w) for case, w in worlds.items()}
    for case, entries in truths.items():
        assert [e["truth"] for e in entries] == [case]
        assert entries[0]["tick"] == FIRST + TIMEOUT and entries[0]["client"] == "n2"
    # did the charge happen? the client cannot know; in two of the four cases it did
    assert {c: truths[c][0]["applied"] for c in CASES} == {
        "request lost": False, "server down": False, "reply lost": True, "slow": True}
    assert "never got" in truths["request lost"][0]["detail"]
    assert "crashed" in truths["server down"][0]["detail"]
    assert "charged" in truths["reply lost"][0]["detail"]
    assert "reply was dropped" in truths["reply lost"][0]["detail"]
    assert "after it timed out" in truths["slow"][0]["detail"]
    for case, w in worlds.items():
        m = SPEC.metrics(w)
        assert m["gave_up"] == 1 and m["timeouts"] == 1
        assert m[f"timeouts_{case.replace(' ', '_')}"] == 1
        assert sum(m[f"timeouts_{t.replace(' ', '_')}"] for t in TRUTHS) == 1
    # only the slow case ever hears back, after the client has given up
    assert SPEC.metrics(worlds["slow"])["late_replies"] == 1


# ------------------------------------------------------------------ unsafe: no keys
def test_a_lost_reply_makes_a_retry_charge_twice_without_idempotency_keys() -> None:
    acts = [Action.make(0, "cut", "n1->n2"), Action.make(HEAL, "heal", "n1->n2")]
    world = run({"idempotency_keys": False}, acts)
    v = violation(world, "at-most-once")
    assert v is not None and v.kind == "safety"
    # the retry leaves at FIRST + TIMEOUT and reaches the server one latency later
    assert v.tick == FIRST + TIMEOUT + LATENCY
    assert "n1 charged request n2#1" in v.detail and "twice" in v.detail
    assert "attempt 2, a retry" in v.detail
    charges = [e for e in world.trace.of_kind("decide") if e.seq in v.causes]
    assert [e.tick for e in charges] == [FIRST + LATENCY, FIRST + TIMEOUT + LATENCY]
    m = SPEC.metrics(world)
    assert m["applied_twice"] >= 1 and m["applied"] > m["requests"]
    assert m["timeouts_reply_lost"] >= 1


def test_with_idempotency_keys_the_same_lost_reply_charges_once() -> None:
    acts = [Action.make(0, "cut", "n1->n2"), Action.make(HEAL, "heal", "n1->n2")]
    world = run({}, acts)
    assert world.violations == []
    m = SPEC.metrics(world)
    count = SPEC.knob("request_count").default
    assert m["requests"] == m["applied"] == m["ok"] == count
    assert m["retries"] >= 1 and m["dedups"] == m["retries"]
    assert m["applied_twice"] == 0
    assert world.nodes["n1"].durable["balance"] == count * SPEC.knob("amount").default
    # the client got the stored reply for its retry: the balance after one charge
    ok = next(e for e in world.trace.of_kind("observe") if e.data["what"] == "ok")
    assert ok.data["attempts"] == 2 and ok.data["dedup"] is True
    assert ok.data["balance"] == SPEC.knob("amount").default


def test_a_slow_network_alone_double_charges_without_keys() -> None:
    # no loss at all: the round trip (2 x 40 ms) is longer than the 50 ms timeout
    link = LinkSpec(latency=Latency.constant(40))
    bad = run({"idempotency_keys": False, "request_count": 3}, link=link)
    v = violation(bad, "at-most-once")
    assert v is not None and v.tick == FIRST + TIMEOUT + 40
    assert {e["truth"] for e in explain_timeouts(bad)} == {"slow"}
    good = run({"request_count": 3}, link=link)
    assert good.violations == []
    assert SPEC.metrics(good)["applied"] == 3


def test_a_duplicated_packet_charges_twice_without_keys_even_with_no_retries() -> None:
    links = {"n2->n1": LinkSpec(duplicate=1.0)}
    for keys, broken in ((False, True), (True, False)):
        build = SPEC.instantiate(PAIR, {"idempotency_keys": keys, "max_retries": 0})
        world = World(Scenario(nodes=PAIR, program=build.program, checks=build.checks,
                               links=links), seed=3)
        world.run_until(1_000)
        v = violation(world, "at-most-once")
        assert (v is not None) is broken
        if broken:
            assert "duplicated copy" in v.detail
            assert SPEC.metrics(world)["retries"] == 0


def test_keys_kept_in_memory_are_forgotten_by_a_crash_and_the_retry_charges_again() -> None:
    acts = [
        Action.make(0, "cut", "n1->n2"),  # the reply of attempt 1 is lost
        Action.make(FIRST + 20, "crash", "n1", recover_after=10),  # after charging, before retry
        Action.make(FIRST + 40, "heal", "n1->n2"),
    ]
    volatile = run({"durable_keys": False, "request_count": 1}, acts)
    v = violation(volatile, "at-most-once")
    assert v is not None and v.tick == FIRST + TIMEOUT + LATENCY
    assert "n2#1" in v.detail
    durable = run({"durable_keys": True, "request_count": 1}, acts)
    assert durable.violations == []
    m = SPEC.metrics(durable)
    assert m["applied"] == 1 and m["ok"] == 1 and m["dedups"] == 1


def test_without_retries_and_without_duplication_there_is_at_most_once() -> None:
    # at-most-once semantics the old way: never retry (and give up on the outcome)
    acts = [Action.make(0, "cut", "n1->n2"), Action.make(900, "heal", "n1->n2")]
    world = run({"idempotency_keys": False, "max_retries": 0}, acts)
    assert violation(world, "at-most-once") is None
    assert SPEC.metrics(world)["gave_up"] >= 1


# ------------------------------------------------------------------ liveness
def test_a_long_partition_starves_the_clients_and_healing_restores_answers() -> None:
    knobs = {"answer_within_ms": 1_000, "request_count": 20}
    cut = [Action.make(0, "cut", "n1<->n2")]
    world = run(knobs, cut)
    v = violation(world, "answered")
    assert v is not None and v.kind == "liveness"
    assert v.tick == FIRST + 1_000 and "no progress within 1000 ms" in v.detail
    healed = run(knobs, [*cut, Action.make(700, "heal", "n1<->n2")])
    assert healed.violations == []
    assert SPEC.metrics(healed)["ok"] > 0


# ------------------------------------------------------------------ hypothesis
NODES = TRIO
HORIZON = 2_600


def fault(duplicates: bool = True) -> st.SearchStrategy[Action]:
    return faults(NODES, st.integers(0, HORIZON - 400),
                  ("cut", "heal", "partition", "freeze", "crash", "step_clock", "set_link",
                   "hold", "release"),
                  pause_ms=400, recover_ms=400, step_ms=2_000, loss=0.6, latency_ms=80,
                  min_latency_ms=1, duplicate=0.5 if duplicates else 0.0, jitter_ms=30,
                  hold_max=3)


@given(st.integers(0, 10_000), st.lists(fault(), max_size=10),
       st.integers(5, 120), st.integers(0, 4), st.integers(0, 30))
def test_keys_keep_every_request_at_most_once_under_any_crash_fault_schedule(
    seed: int, faults: list[Action], timeout: int, retries: int, service: int,
) -> None:
    knobs = {"timeout_ms": timeout, "max_retries": retries, "service_ms": service,
             "answer_within_ms": 0}
    link = LinkSpec(latency=Latency.exponential(2, 8), loss=0.1, duplicate=0.1, jitter=10)
    world = run(knobs, faults, nodes=TRIO, until=HORIZON, link=link, seed=seed)
    assert world.safety_ok, world.violations
    m = SPEC.metrics(world)
    assert m["applied_twice"] == 0 and m["applied"] <= m["requests"]
    server = world.nodes["n1"].durable
    assert server.get("balance", 0) == m["applied"] * SPEC.knob("amount").default


@given(st.integers(0, 10_000), st.lists(fault(duplicates=False), max_size=8))
def test_no_retries_keeps_at_most_once_when_the_network_does_not_duplicate(
    seed: int, faults: list[Action],
) -> None:
    knobs = {"idempotency_keys": False, "max_retries": 0, "answer_within_ms": 0}
    link = LinkSpec(latency=Latency.exponential(2, 8), loss=0.1, jitter=10)
    world = run(knobs, faults, nodes=TRIO, until=HORIZON, link=link, seed=seed)
    assert world.safety_ok, world.violations


# ------------------------------------------------------------------ SPEC, commands, replay
def test_knobs_are_validated() -> None:
    with pytest.raises(KnobError) as err:
        SPEC.instantiate(TRIO, {"timeout_ms": 0})
    assert err.value.knob == "timeout_ms"
    for bad in ({"idempotency_keys": "yes"}, {"max_retries": 1.5}, {"server": "n9"},
                {"clients": ["n4"]}, {"clients": ["n1", "n2"]}, {"no_such_knob": 1}):
        with pytest.raises(KnobError):
            SPEC.instantiate(TRIO, bad)
    with pytest.raises(KnobError):
        SPEC.instantiate(("n1",), {})


def test_the_default_build_runs_and_serves_every_client() -> None:
    build = SPEC.instantiate(SPEC.default_nodes, {})
    world = World(Scenario(nodes=SPEC.default_nodes, program=build.program,
                           checks=build.checks), seed=0)
    world.run_until(3_000)
    assert world.violations == []
    m = SPEC.metrics(world)
    count = SPEC.knob("request_count").default
    assert m["requests"] == m["ok"] == m["applied"] == 2 * count  # n2 and n3 are clients
    assert m["retries"] == 0 and m["mean_latency_ms"] == 2 * LATENCY
    assert world.nodes["n1"].beliefs["role"] == "server"
    assert world.nodes["n2"].beliefs["role"] == "client"
    assert set(SPEC.invariants) == {"at-most-once"} and set(SPEC.liveness) == {"answered"}


def test_charge_commands_drive_the_workload() -> None:
    acts = [Action.make(50, "command", "n2", name="charge", args={"amount": 25}),
            Action.make(60, "command", "n2", name="charge", args={"amount": 5}),
            Action.make(70, "command", "n1", name="charge", args={})]
    world = run({"request_count": 0}, acts, until=500)
    assert world.violations == []
    assert world.nodes["n1"].durable["balance"] == 30
    assert world.nodes["n2"].beliefs["value"] == 30
    refused = [e for e in world.trace.of_kind("observe") if e.data["what"] == "refused"]
    assert [e.node for e in refused] == ["n1"]
    assert set(SPEC.commands) == {"charge"}


def test_runs_replay_identically_after_a_rewind() -> None:
    build = SPEC.instantiate(TRIO, {"idempotency_keys": False})
    scenario = Scenario(nodes=TRIO, program=build.program, checks=build.checks,
                        link=LinkSpec(latency=Latency.exponential(2, 20), loss=0.1))
    acts = [Action.make(300, "crash", "n1", recover_after=200)]
    straight = World(scenario, seed=5, actions=acts)
    straight.run_until(2_500)
    timeline = Timeline(scenario, seed=5, actions=acts, snapshot_every=400)
    timeline.run_until(2_500)
    timeline.rewind(900)
    timeline.run_until(2_500)
    assert timeline.world.trace.sha256() == straight.trace.sha256()
