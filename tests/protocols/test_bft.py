"""Byzantine agreement: OM(m), SM(m) (Lamport, Shostak, Pease 1982) and PBFT's normal case."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.protocols import bft
from playground.protocols.bft_generals import (
    OM_SPEC,
    SM_SPEC,
    majority,
    om_messages,
)
from playground.protocols.bft_pbft import PBFT_SPEC
from playground.protocols.registry import KnobError, ProtocolSpec
from playground.sim import Action, Scenario, Timeline, World

N3 = ("n1", "n2", "n3")
N4 = ("n1", "n2", "n3", "n4")
N6 = ("n1", "n2", "n3", "n4", "n5", "n6")
N7 = ("n1", "n2", "n3", "n4", "n5", "n6", "n7")
PBFT4 = ("n1", "n2", "n3", "n4", "c1", "c2")
PBFT3 = ("n1", "n2", "n3", "c1", "c2")
SAFETY = {"IC1", "IC2", "pbft_agreement", "pbft_valid_result"}


def run(spec: ProtocolSpec, nodes: tuple[str, ...], knobs: dict[str, Any],
        actions: list[Action] = (), until: int = 400, seed: int = 1) -> World:
    build = spec.instantiate(nodes, knobs)
    world = World(Scenario(nodes=nodes, program=build.program, checks=build.checks),
                  seed=seed, actions=list(actions))
    world.run_until(until)
    return world


def lie(node: str, strategy: str, tick: int = 0, **params: Any) -> Action:
    return Action.make(tick, "lie", node, strategy=strategy, **params)


def decisions(world: World, instance: int = 0) -> dict[str, str]:
    return {e.node: e.data["value"] for e in world.trace.of_kind("decide")
            if e.data["key"] == "order" and e.data["instance"] == instance}


def violated(world: World) -> dict[str, Any]:
    return {v.invariant: v for v in world.violations}


# ------------------------------------------------------------------ OM(m): message counts
@pytest.mark.parametrize(("nodes", "m", "expected"), [(N4, 1, 3 + 3 * 2),
                                                     (N7, 2, 6 + 6 * 5 + 6 * 5 * 4)])
def test_om_sends_the_papers_number_of_messages(nodes: tuple[str, ...], m: int,
                                                expected: int) -> None:
    assert om_messages(len(nodes), m) == expected
    world = run(OM_SPEC, nodes, {"m": m})
    assert world.messages_sent == expected
    assert not world.violations
    assert decisions(world) == {n: "attack" for n in nodes[1:]}
    metrics = OM_SPEC.metrics(world)
    assert metrics["messages_sent"] == expected
    assert metrics["rounds"] == m + 1
    assert metrics["loyal_agreed"] == len(nodes) - 1


def test_majority_without_a_majority_is_the_default() -> None:
    assert majority(["attack", "attack", "retreat"], "retreat") == "attack"
    assert majority(["attack", "retreat"], "retreat") == "retreat"
    assert majority(["attack", "retreat"], "attack") == "attack"


# ------------------------------------------------------------------ three generals (Fig. 1/2)
def test_fig1_traitorous_lieutenant_breaks_ic2_with_three_generals() -> None:
    # Fig. 1: loyal commander n1 says attack; traitor n3 tells n2 "he said retreat".
    world = run(OM_SPEC, N3, {"m": 1}, [lie("n3", "forge")])  # forge w/o value: the opposite
    v = violated(world)["IC2"]
    assert v.tick == 10 + 2 * 20 + 1  # checked right after round m+1 = 2 ends
    assert "loyal commander n1 ordered attack" in v.detail and "n2 retreat" in v.detail
    assert "n3 lied" in v.detail and "n >= 3m+1 = 4" in v.detail
    assert decisions(world)["n2"] == "retreat"


def test_fig2_loyal_lieutenant_cannot_tell_which_general_lies() -> None:
    # Fig. 2: the commander is the traitor (attack to n2, retreat to n3); n3 honestly relays
    # "he said retreat". n2 receives exactly the messages of Fig. 1, so it must decide the
    # same way: obeying the commander in Fig. 1 would make it disagree with n3 here.
    fig1 = run(OM_SPEC, N3, {"m": 1}, [lie("n3", "forge")])
    fig2 = run(OM_SPEC, N3, {"m": 1}, [lie("n1", "equivocate")])

    def seen_by_n2(world: World) -> list[tuple[str, Any]]:
        return sorted((e.data["payload"]["path"][-1], e.data["payload"]["value"])
                      for e in world.trace.of_kind("send") if e.data["dst"] == "n2")

    assert seen_by_n2(fig1) == seen_by_n2(fig2) == [("n1", "attack"), ("n3", "retreat")]
    assert decisions(fig1)["n2"] == decisions(fig2)["n2"]
    assert "IC1" not in violated(fig2)  # both lieutenants fall back to retreat here...
    assert "IC2" in violated(fig1)  # ...which is exactly what betrays the loyal commander


def test_n3_is_hopeless_for_om1_whoever_lies() -> None:
    broken = 0
    for traitor in N3:
        for strategy, params in [("forge", {}), ("forge", {"value": "retreat"}),
                                 ("equivocate", {})]:
            world = run(OM_SPEC, N3, {"m": 1}, [lie(traitor, strategy, **params)])
            broken += bool(world.violations)
    assert broken >= 2  # the traitorous lieutenant wins either way


# ------------------------------------------------------------------ n >= 3m+1 suffices
STRATEGIES = [
    ("equivocate", {}), ("equivocate", {"values": ["retreat", "attack"]}),
    ("forge", {}), ("forge", {"value": "retreat"}), ("forge", {"value": "attack"}),
    ("forge", {"value": "surrender"}), ("silent", {}), ("replay", {}),
    ("clock", {"offset_ms": 5000}),
]


@st.composite
def traitor_actions(draw: st.DrawFn, node: str) -> list[Action]:
    strategy, params = draw(st.sampled_from(STRATEGIES))
    tick = draw(st.sampled_from([0, 0, 15, 35, 75]))
    out = [lie(node, strategy, tick, **params)]
    if draw(st.booleans()):
        out.append(Action.make(tick + draw(st.integers(1, 100)), "honest", node))
    return out


@st.composite
def confined_faults(draw: st.DrawFn, faulty: tuple[str, ...], nodes: tuple[str, ...],
                    until: int) -> list[Action]:
    """Random non-Byzantine faults that only touch the ``faulty`` generals (their process or
    their lines), plus harmless clock steps anywhere."""
    actions: list[Action] = []
    for _ in range(draw(st.integers(0, 4))):
        node = draw(st.sampled_from(faulty))
        other = draw(st.sampled_from([n for n in nodes if n != node]))
        link = draw(st.sampled_from([f"{node}->{other}", f"{other}->{node}",
                                     f"{node}<->{other}"]))
        t = draw(st.integers(0, until - 50))
        d = draw(st.integers(1, 120))
        kind = draw(st.sampled_from(["crash", "freeze", "cut", "hold", "loss", "slow",
                                     "isolate", "rate", "step"]))
        if kind == "crash":
            actions.append(Action.make(t, "crash", node, recover_after=d))
        elif kind == "freeze":
            actions.append(Action.make(t, "freeze", node, duration=d))
        elif kind == "cut":
            actions += [Action.make(t, "cut", link), Action.make(t + d, "heal", link)]
        elif kind == "hold":
            actions += [Action.make(t, "hold", link), Action.make(t + d, "release", link)]
        elif kind == "loss":
            actions.append(Action.make(t, "set_link", link, loss=0.5))
        elif kind == "slow":
            actions.append(Action.make(t, "set_link", link, latency=d))
        elif kind == "isolate":
            rest = [n for n in nodes if n != node]
            actions += [Action.make(t, "partition", "*", groups=[rest]),
                        Action.make(t + d, "heal", "*")]
        elif kind == "rate":
            actions.append(Action.make(t, "set_rate", node,
                                       ppm=draw(st.sampled_from([-300_000, 200_000]))))
        else:
            actions.append(Action.make(t, "step_clock", draw(st.sampled_from(nodes)),
                                       delta_ms=draw(st.sampled_from([-5000, 3000]))))
    return actions


def check_generals(world: World, nodes: tuple[str, ...], faulty: tuple[str, ...],
                   order: str, instances: int) -> None:
    assert not world.violations, world.violations
    loyal = [n for n in nodes[1:] if n not in faulty]
    for k in range(instances):
        got = decisions(world, k)
        assert all(n in got for n in loyal), (k, got)  # the synchronous algorithm decides
        assert len({got[n] for n in loyal}) <= 1, (k, got)  # IC1
        if "n1" not in faulty:
            assert all(got[n] == order for n in loyal), (k, got)  # IC2


@st.composite
def generals_case(draw: st.DrawFn, nodes: tuple[str, ...], traitors: int,
                  until: int) -> tuple[tuple[str, ...], str, list[Action]]:
    faulty = tuple(sorted(draw(st.sets(st.sampled_from(nodes), min_size=1,
                                       max_size=traitors))))
    order = draw(st.sampled_from(["attack", "retreat"]))
    actions: list[Action] = []
    for node in faulty:
        if draw(st.booleans()):
            actions += draw(traitor_actions(node))
    actions += draw(confined_faults(faulty, nodes, until))
    return faulty, order, actions


@given(generals_case(N4, 1, 200), st.integers(0, 3))
def test_om1_with_four_generals_survives_any_one_faulty_general(
        case: tuple[tuple[str, ...], str, list[Action]], seed: int) -> None:
    faulty, order, actions = case
    world = run(OM_SPEC, N4, {"m": 1, "order": order, "instances": 3}, actions, 400, seed)
    check_generals(world, N4, faulty, order, 3)


@settings(max_examples=20)
@given(generals_case(N7, 2, 150))
def test_om2_with_seven_generals_survives_two_traitors(
        case: tuple[tuple[str, ...], str, list[Action]]) -> None:
    faulty, order, actions = case
    world = run(OM_SPEC, N7, {"m": 2, "order": order, "instances": 2}, actions, 300)
    check_generals(world, N7, faulty, order, 2)


def test_om2_with_six_generals_falls_to_two_traitors() -> None:
    # n = 3m: two lieutenants relaying "retreat" outvote the loyal ones in every sub-run.
    actions = [lie("n2", "forge", value="retreat"), lie("n3", "forge", value="retreat")]
    world = run(OM_SPEC, N6, {"m": 2}, actions)
    v = violated(world)["IC2"]
    assert v.tick == 10 + 3 * 20 + 1
    assert "n4 retreat" in v.detail and "n2 lied" in v.detail and "n3 lied" in v.detail
    assert "n >= 3m+1 = 7" in v.detail
    assert not run(OM_SPEC, N7, {"m": 2}, actions).violations  # one more general suffices


def test_om_with_too_few_rounds_lets_an_equivocating_commander_split_the_army() -> None:
    world = run(OM_SPEC, N4, {"m": 0}, [lie("n1", "equivocate")])
    v = violated(world)["IC1"]
    assert v.tick == 10 + 20 + 1
    assert "n2 attack, n3 retreat, n4 attack" in v.detail and "1 faulty > m=0" in v.detail
    assert not run(OM_SPEC, N4, {"m": 1}, [lie("n1", "equivocate")]).violations


def test_a_commanders_failed_lines_count_as_one_faulty_general() -> None:
    # A1 broken: the commander's messages to n2 and n3 are lost. The paper counts this as one
    # fault (the commander's); OM(1) still gives the loyal lieutenants one order.
    world = run(OM_SPEC, N4, {"m": 1}, [Action.make(5, "cut", "n1->n2"),
                                        Action.make(5, "cut", "n1->n3")])
    assert not world.violations
    assert set(decisions(world).values()) == {"retreat"}
    assert OM_SPEC.metrics(world)["faulty_max"] == 1


def test_a_message_after_its_round_counts_as_missing() -> None:
    # The traitorous commander's "attack" to n2 is held past round 1: n2 has relayed the
    # default by then, and must not use the late order itself, or its vector would differ
    # from what the others computed from its relay (synchronous model, assumption A3).
    world = run(OM_SPEC, N4, {"m": 1}, [lie("n1", "equivocate"), Action.make(0, "hold", "n1->n2"),
                                        Action.make(35, "release", "n1->n2")])
    assert not world.violations
    assert decisions(world) == {"n2": "retreat", "n3": "retreat", "n4": "retreat"}
    [late] = [e for e in world.trace.of_kind("observe") if e.data["what"] == "untimely"]
    assert (late.node, late.tick, late.data["src"], late.data["early"]) == ("n2", 35, "n1", False)


def test_a_traitor_plus_a_failed_line_is_beyond_om1() -> None:
    # n4 lies and the line n2<->n3 fails: two faults > m = 1. n3 misses n2's relay (default
    # retreat) and hears n4's lie: its majority is retreat, against its loyal commander.
    world = run(OM_SPEC, N4, {"m": 1}, [Action.make(5, "cut", "n2<->n3"),
                                        lie("n4", "forge", value="retreat")])
    v = violated(world)["IC2"]
    assert v.tick == 51 and "loyal n3 retreat" in v.detail
    assert "n4 lied" in v.detail and "lost messages on n2->n3, n3->n2" in v.detail
    assert "2 faulty > m=1" in v.detail
    assert OM_SPEC.metrics(world)["ic2_broken"] == 1
    assert not run(OM_SPEC, N4, {"m": 1}, [lie("n4", "forge", value="retreat")]).violations


# ------------------------------------------------------------------ SM(m)
def test_sm_three_generals_catch_an_equivocating_commander() -> None:
    world = run(SM_SPEC, N3, {"m": 1}, [lie("n1", "equivocate")])
    assert not world.violations
    infos = {e.node: e.data for e in world.trace.of_kind("decide") if e.data["key"] == "order"}
    assert infos["n2"]["V"] == infos["n3"]["V"] == ["attack", "retreat"]
    assert infos["n2"]["value"] == infos["n3"]["value"] == "retreat"  # choice(V): the default
    caught = {e.node for e in world.trace.of_kind("observe") if e.data["what"] == "equivocation"}
    assert caught == {"n2", "n3"}
    assert world.messages_sent == 4


def test_sm_three_generals_survive_a_lying_lieutenant() -> None:
    # The Fig. 1 attack that beat OM(1): n3 cannot forge n1's signature on "retreat".
    for strategy, params in [("forge", {}), ("forge", {"value": "retreat"}),
                             ("equivocate", {}), ("replay", {})]:
        world = run(SM_SPEC, N3, {"m": 1}, [lie("n3", strategy, **params)])
        assert not world.violations, strategy
        assert decisions(world)["n2"] == "attack"
    rejected = run(SM_SPEC, N3, {"m": 1}, [lie("n3", "forge", value="retreat")])
    assert any(e.data["what"] == "bad signature" and e.node == "n2"
               for e in rejected.trace.of_kind("observe"))


def test_sm_with_m0_lets_an_equivocating_commander_split_the_army() -> None:
    world = run(SM_SPEC, N3, {"m": 0}, [lie("n1", "equivocate")])
    v = violated(world)["IC1"]
    assert v.tick == 10 + 20 + 1
    assert "n2 attack, n3 retreat" in v.detail


@given(generals_case(N3, 1, 200), st.integers(0, 3))
def test_sm1_with_three_generals_survives_any_one_faulty_general(
        case: tuple[tuple[str, ...], str, list[Action]], seed: int) -> None:
    faulty, order, actions = case
    world = run(SM_SPEC, N3, {"m": 1, "order": order, "instances": 3}, actions, 400, seed)
    check_generals(world, N3, faulty, order, 3)


@settings(max_examples=25)
@given(generals_case(N4, 2, 200))
def test_sm2_with_four_generals_survives_two_traitors(
        case: tuple[tuple[str, ...], str, list[Action]]) -> None:
    faulty, order, actions = case
    world = run(SM_SPEC, N4, {"m": 2, "order": order, "instances": 2}, actions, 300)
    check_generals(world, N4, faulty, order, 2)


def test_order_command_changes_the_next_instances() -> None:
    world = run(OM_SPEC, N4, {"instances": 2},
                [Action.make(45, "command", "n1", name="order", args={"value": "retreat"})])
    assert set(decisions(world, 0).values()) == {"attack"}
    assert set(decisions(world, 1).values()) == {"retreat"}
    assert not world.violations


# ------------------------------------------------------------------ PBFT
def accepted(world: World) -> list[tuple[str, int, str]]:
    return sorted((e.node, e.data["t"], e.data["value"]) for e in world.trace.of_kind("decide")
                  if e.data["key"] == "accept")


def committed(world: World) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    for e in world.trace.of_kind("decide"):
        if e.data["key"] == "commit":
            out.setdefault(e.node, {})[e.data["seq"]] = e.data["op"]
    return out


def test_pbft_normal_case_message_pattern() -> None:
    # Per request with n = 4: request 1, pre-prepare n-1, prepare (n-1)(n-1), commit n(n-1),
    # reply n.
    nodes = ("n1", "n2", "n3", "n4", "c1")
    world = run(PBFT_SPEC, nodes, {}, until=1000)
    assert not world.violations
    assert world.messages_sent == 3 * (1 + 3 + 3 * 3 + 4 * 3 + 4)
    assert [t for _, t, _ in accepted(world)] == [1, 2, 3]
    assert accepted(world)[2][2] == "c1-op3@3"
    logs = committed(world)
    assert all(logs[r] == {1: "c1-op1", 2: "c1-op2", 3: "c1-op3"} for r in nodes[:4])
    m = PBFT_SPEC.metrics(world)
    assert m["accepted"] == 3 and m["conflicting_sequences"] == 0
    assert m["mean_latency_ms"] == 25  # five one-way hops of 5 ms


PBFT_LIES = [("equivocate", {}), ("forge", {}), ("forge", {"value": "x"}), ("silent", {}),
             ("replay", {}), ("clock", {"offset_ms": 999})]


@pytest.mark.parametrize("backup", ["n2", "n4"])
@pytest.mark.parametrize(("strategy", "params"), PBFT_LIES)
def test_pbft_four_replicas_shrug_off_a_byzantine_backup(backup: str, strategy: str,
                                                         params: dict[str, Any]) -> None:
    world = run(PBFT_SPEC, PBFT4, {"clients": ["c1", "c2"]}, [lie(backup, strategy, **params)],
                until=1500)
    assert not world.violations  # safe, and every request still commits
    results = accepted(world)
    assert len(results) == 6
    # one log order: the six operations got the positions 1..6, each once
    assert sorted(int(r.split("@")[1]) for _, _, r in results) == [1, 2, 3, 4, 5, 6]
    assert all(r.startswith(f"{c}-op{t}@") for c, t, r in results)


def equivocation(nodes: tuple[str, ...], **knobs: Any) -> World:
    return run(PBFT_SPEC, nodes, {"clients": ["c1", "c2"], "requests": 1, **knobs},
               [lie("n1", "equivocate")], until=1500)


def test_pbft_quorum_too_small_lets_an_equivocating_primary_fork_the_log() -> None:
    world = equivocation(PBFT4, quorum=2)
    v = violated(world)["pbft_agreement"]
    assert 20 <= v.tick <= 40  # within one normal-case round of the requests at tick 10
    assert "n2 and n3 committed different requests at sequence 2" in v.detail
    assert "c2-op1 from c2 vs c1-op1 from c1" in v.detail and "Byzantine: n1" in v.detail
    assert PBFT_SPEC.metrics(world)["conflicting_sequences"] == 1
    # the same attack against 2f+1 = 3: n3 never prepares the other request, the rest commit
    safe = equivocation(PBFT4)
    assert not safe.violations
    assert {r: log.get(2) for r, log in committed(safe).items()} == {
        "n1": "c2-op1", "n2": "c2-op1", "n3": None, "n4": "c2-op1"}
    assert len(accepted(safe)) == 2


def test_pbft_three_replicas_cannot_tolerate_one_traitor() -> None:
    unsafe = equivocation(PBFT3, quorum=2)
    assert "correct replicas n2 and n3 committed different requests at sequence 2" in \
        violated(unsafe)["pbft_agreement"].detail
    # quorums computed for f = 1 (3 of 3) stay safe but stop: no view change can help
    stuck = equivocation(PBFT3, f=1)
    v = violated(stuck)
    assert set(v) == {"pbft_progress"}
    assert v["pbft_progress"].tick == 10 + 1000
    assert "request 1 of c2" in v["pbft_progress"].detail


def test_pbft_silent_primary_halts_progress() -> None:
    world = run(PBFT_SPEC, PBFT4, {"clients": ["c1", "c2"]}, [lie("n1", "silent")], until=1500)
    v = violated(world)
    assert set(v) == {"pbft_progress"}
    assert v["pbft_progress"].tick == 1010
    assert accepted(world) == []


def test_pbft_client_needs_f_plus_1_matching_replies() -> None:
    slow = [Action.make(0, "set_link", f"{r}->c1", latency=20) for r in ("n1", "n2", "n3")]
    unsafe = run(PBFT_SPEC, PBFT4, {"clients": ["c1"], "reply_quorum": 1},
                 [lie("n4", "forge"), *slow])
    v = violated(unsafe)["pbft_valid_result"]
    assert v.tick == 35 and "c1 accepted 'forged-by-n4'" in v.detail
    safe = run(PBFT_SPEC, PBFT4, {"clients": ["c1"]}, [lie("n4", "forge"), *slow])
    assert not safe.violations
    assert accepted(safe)[0] == ("c1", 1, "c1-op1@1")


def test_pbft_client_retries_around_a_lost_request() -> None:
    world = run(PBFT_SPEC, PBFT4, {"clients": ["c1"], "requests": 1},
                [Action.make(5, "cut", "c1->n1"), Action.make(100, "heal", "c1->n1")])
    assert not world.violations
    [(_, _, result)] = accepted(world)
    assert result == "c1-op1@1"
    assert PBFT_SPEC.metrics(world)["max_latency_ms"] > 300  # retried after retry_ms


@st.composite
def any_faults(draw: st.DrawFn, nodes: tuple[str, ...], until: int) -> list[Action]:
    actions: list[Action] = []
    for _ in range(draw(st.integers(0, 5))):
        a, b = draw(st.lists(st.sampled_from(nodes), min_size=2, max_size=2, unique=True))
        t, d = draw(st.integers(0, until - 100)), draw(st.integers(1, 300))
        kind = draw(st.sampled_from(["crash", "freeze", "cut", "hold", "loss", "partition",
                                     "step", "dup"]))
        if kind == "crash":
            actions.append(Action.make(t, "crash", a, recover_after=d))
        elif kind == "freeze":
            actions.append(Action.make(t, "freeze", a, duration=d))
        elif kind == "cut":
            actions += [Action.make(t, "cut", f"{a}->{b}"), Action.make(t + d, "heal", "*")]
        elif kind == "hold":
            actions += [Action.make(t, "hold", f"{a}<->{b}"),
                        Action.make(t + d, "release", f"{a}<->{b}")]
        elif kind == "loss":
            actions.append(Action.make(t, "set_link", f"{a}<->{b}", loss=0.3))
        elif kind == "dup":
            actions.append(Action.make(t, "set_link", f"{a}<->{b}", duplicate=0.5, jitter=8))
        elif kind == "partition":
            actions += [Action.make(t, "partition", "*", groups=[[a, b]]),
                        Action.make(t + d, "heal", "*")]
        else:
            actions.append(Action.make(t, "step_clock", a, delta_ms=-2000))
    return actions


@settings(max_examples=40)
@given(st.sampled_from(PBFT4[:4]), st.sampled_from(PBFT_LIES), st.integers(0, 60),
       any_faults(PBFT4, 800), st.integers(0, 3))
def test_pbft_four_replicas_stay_safe_with_one_traitor_and_any_crash_faults(
        traitor: str, how: tuple[str, dict[str, Any]], lie_at: int, faults: list[Action],
        seed: int) -> None:
    strategy, params = how
    world = run(PBFT_SPEC, PBFT4, {"clients": ["c1", "c2"], "request_every_ms": 40},
                [lie(traitor, strategy, lie_at, **params), *faults], until=800, seed=seed)
    assert not set(violated(world)) & SAFETY, world.violations
    logs = {r: log for r, log in committed(world).items() if r != traitor}
    for seq in {s for log in logs.values() for s in log}:
        assert len({log[seq] for log in logs.values() if seq in log}) == 1


# ------------------------------------------------------------------ SPECs
def test_module_publishes_three_specs() -> None:
    assert bft.SPEC.name == "oral_messages"
    assert [s.name for s in bft.EXTRA_SPECS] == ["signed_messages", "pbft"]
    for spec in (OM_SPEC, SM_SPEC, PBFT_SPEC):
        assert spec.source and spec.invariants


@pytest.mark.parametrize("spec", [OM_SPEC, SM_SPEC, PBFT_SPEC])
def test_default_instantiation_runs_clean(spec: ProtocolSpec) -> None:
    nodes = spec.default_nodes
    build = spec.instantiate(nodes, {})
    world = World(Scenario(nodes=nodes, program=build.program, checks=build.checks), seed=3)
    world.run_until(1500)
    assert not world.violations
    assert world.trace.of_kind("decide")
    assert all(isinstance(v, int | float) for v in spec.metrics(world).values())


@pytest.mark.parametrize(("spec", "nodes", "knobs", "knob"), [
    (OM_SPEC, N4, {"m": "1"}, "m"),
    (OM_SPEC, N4, {"m": 9}, "m"),
    (OM_SPEC, N4, {"m": 3}, "m"),  # OM(3) needs 5 generals
    (OM_SPEC, N4, {"commander": "zz"}, "commander"),
    (OM_SPEC, N4, {"order": "charge"}, "order"),
    (SM_SPEC, N3, {"round_ms": 0}, "round_ms"),
    (SM_SPEC, N3, {"bogus": 1}, "bogus"),
    (PBFT_SPEC, PBFT4, {"clients": ["c1", "c2"], "primary": "c1"}, "primary"),
    (PBFT_SPEC, PBFT4, {"clients": ["c1", "zz"]}, "clients"),
    (PBFT_SPEC, PBFT4, {"clients": ["c1", "c2"], "quorum": 5}, "quorum"),
    (PBFT_SPEC, PBFT4, {"clients": ["c1", "c2"], "f": 2}, "f"),
    (PBFT_SPEC, PBFT4, {"clients": ["c1", "c2"], "reply_quorum": True}, "reply_quorum"),
])
def test_bad_knobs_raise_knob_error(spec: ProtocolSpec, nodes: tuple[str, ...],
                                    knobs: dict[str, Any], knob: str) -> None:
    with pytest.raises(KnobError) as info:
        spec.instantiate(nodes, knobs)
    assert info.value.knob == knob


@pytest.mark.parametrize(("spec", "nodes", "knobs", "actions"), [
    (OM_SPEC, N4, {"instances": 3},
     [lie("n2", "equivocate", 12), Action.make(30, "crash", "n3", recover_after=40),
      Action.make(50, "command", "n1", name="order", args={"value": "retreat"})]),
    (SM_SPEC, N3, {"instances": 3}, [lie("n1", "equivocate", 70)]),
    (PBFT_SPEC, PBFT4, {"clients": ["c1", "c2"], "request_every_ms": 30},
     [lie("n1", "equivocate", 0), Action.make(40, "crash", "n2", recover_after=30),
      Action.make(60, "command", "c1", name="request", args={"op": "extra"})]),
])
def test_runs_replay_and_rewind_identically(spec: ProtocolSpec, nodes: tuple[str, ...],
                                            knobs: dict[str, Any],
                                            actions: list[Action]) -> None:
    build = spec.instantiate(nodes, knobs)
    scenario = Scenario(nodes=nodes, program=build.program, checks=build.checks)
    straight = World(scenario, seed=5, actions=actions)
    straight.run_until(300)
    timeline = Timeline(scenario, seed=5, actions=actions, snapshot_every=25)
    timeline.run_until(300)
    timeline.rewind(90)
    timeline.run_until(300)
    assert timeline.world.trace.sha256() == straight.trace.sha256()
    assert spec.metrics(timeline.world) == spec.metrics(straight)
