"""Reliable delivery over an unreliable link: sequence numbers, retransmission, dedup and a
reorder buffer (DDIA ch. 8, "Building a Reliable System from Unreliable Components")."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.protocols.registry import KnobError
from playground.protocols.reliable import SPEC, item
from playground.sim import Action, Latency, LinkSpec, Scenario, Timeline, World
from tests.protocols.faults import faults

PAIR = ("n1", "n2")  # n1 sends, n2 receives
LATENCY = 5  # the engine's default constant one-way latency
RTT = 2 * LATENCY
START = SPEC.knob("start_ms").default
RTO = SPEC.knob("rto_ms").default
N = SPEC.knob("stream_length").default


def run(knobs: dict[str, Any], actions: list[Action] = (), until: int = 5_000,
        link: LinkSpec | None = None, links: dict[str, LinkSpec] | None = None,
        seed: int = 1, nodes: tuple[str, ...] = PAIR) -> World:
    build = SPEC.instantiate(nodes, knobs)
    scenario = Scenario(nodes=nodes, program=build.program, checks=build.checks,
                        link=link or LinkSpec(), links=links or {})
    world = World(scenario, seed=seed, actions=list(actions))
    world.run_until(until)
    return world


def delivered(world: World, receiver: str = "n2") -> list[str]:
    return [e.data["value"] for e in world.trace.of_kind("decide")
            if e.node == receiver and e.data["key"] == "deliver"]


def safety(world: World) -> Any:
    found = [v for v in world.violations if v.invariant == "exactly-once-in-order"]
    return found[0] if found else None


STREAM = [item(i) for i in range(N)]


# ------------------------------------------------------------------ the sliding window
@pytest.mark.parametrize("window", [1, 4, 8])
def test_a_clean_link_delivers_the_stream_at_window_per_round_trip(window: int) -> None:
    n = 40
    world = run({"window": window, "stream_length": n})
    assert world.violations == []
    assert delivered(world) == [item(i) for i in range(n)]
    m = SPEC.metrics(world)
    assert m["retransmissions"] == 0 and m["efficiency"] == 1.0
    # throughput of a sliding window is window / RTT: ceil(n / window) round trips, the
    # last one only half (the last segment arrives one latency after it was sent)
    assert m["completion_tick"] == START + math.ceil(n / window) * RTT - LATENCY


def test_a_bigger_window_multiplies_goodput() -> None:
    slow = SPEC.metrics(run({"window": 1, "stream_length": 40}))["goodput_per_s"]
    fast = SPEC.metrics(run({"window": 4, "stream_length": 40}))["goodput_per_s"]
    assert 3.5 < fast / slow < 4.5  # about the window ratio (the last round trip is half)


# ------------------------------------------------------------------ dedup
def test_a_lost_ack_makes_a_retransmission_that_is_delivered_twice_without_dedup() -> None:
    acts = [Action.make(0, "cut", "n2->n1"), Action.make(100, "heal", "n2->n1")]
    bad = run({"dedup": False}, acts)
    v = safety(bad)
    assert v is not None and v.kind == "safety"
    assert v.detail.startswith("duplicate: n2 delivered m1 twice")
    # the first segment left at START; its ack was cut; the RTO fired and the copy arrived
    assert v.tick == START + RTO + LATENCY
    good = run({}, acts)
    assert good.violations == []
    assert delivered(good) == STREAM
    m = SPEC.metrics(good)
    assert m["retransmissions"] >= 4 and m["timeouts"] >= 1  # the whole window went again


def test_a_duplicating_network_breaks_a_receiver_without_dedup() -> None:
    links = {"n1->n2": LinkSpec(duplicate=1.0)}
    bad = run({"dedup": False}, links=links)
    v = safety(bad)
    assert v is not None and v.detail.startswith("duplicate: n2 delivered m1 twice")
    # the copy arrives one extra latency after the original: no retransmission involved
    assert v.tick == START + 2 * LATENCY
    assert SPEC.metrics(bad)["retransmissions"] == 0
    assert SPEC.metrics(bad)["duplicates"] == N
    good = run({}, links=links)
    assert good.violations == [] and delivered(good) == STREAM


# ------------------------------------------------------------------ ordering
def test_jitter_reorders_the_stream_unless_the_receiver_buffers() -> None:
    link = LinkSpec(jitter=20)
    bad = run({"in_order": False}, link=link)
    v = safety(bad)
    assert v is not None and v.detail.startswith("out of order: n2 delivered m")
    assert START + LATENCY <= v.tick <= START + LATENCY + 20
    assert SPEC.metrics(bad)["out_of_order"] > 0
    assert sorted(delivered(bad), key=lambda s: int(s[1:])) == STREAM  # all there, misordered
    good = run({}, link=link)
    assert good.violations == [] and delivered(good) == STREAM


# ------------------------------------------------------------------ sequence numbers
def test_without_sequence_numbers_a_lost_ack_means_a_duplicate() -> None:
    acts = [Action.make(0, "cut", "n2->n1"), Action.make(100, "heal", "n2->n1")]
    v = safety(run({"sequence_numbers": False}, acts))
    assert v is not None and v.detail.startswith("duplicate: n2 delivered m1 twice")
    assert v.tick == START + RTO + LATENCY


def test_without_sequence_numbers_a_duplicated_ack_leaves_a_gap_forever() -> None:
    # every ack is duplicated, and one data segment is lost: the sender counted the duplicate
    # ack as acknowledging the lost segment, so it never resends it
    links = {"n2->n1": LinkSpec(duplicate=1.0)}
    lost_at = START + 3 * LATENCY  # m2 arrives here (m1 at +5, its acks at +10 and +15)
    acts = [Action.make(lost_at, "cut", "n1->n2"), Action.make(lost_at + 1, "heal", "n1->n2")]
    bad = run({"sequence_numbers": False, "window": 1, "deliver_within_ms": 2_000}, acts,
              links=links)
    v = safety(bad)
    assert v is not None and v.detail.startswith("gap: n2 delivered m3 without m2")
    assert "never resend" in v.detail
    assert "m2" not in delivered(bad)
    m = SPEC.metrics(bad)
    assert m["gaps"] == 1 and m["complete"] == 0
    live = [x for x in bad.violations if x.invariant == "stream-delivered"]
    # the window counts from tick 0, when the sender is handed the stream
    assert live and live[0].tick == 2_000 and "lacks 1 of 20 items (m2)" in live[0].detail
    good = run({"window": 1}, acts, links=links)
    assert good.violations == [] and delivered(good) == STREAM


# ------------------------------------------------------------------ liveness
def test_everything_on_survives_loss_duplication_jitter_and_cuts() -> None:
    link = LinkSpec(latency=Latency.exponential(2, 5), loss=0.3, duplicate=0.2, jitter=30)
    acts = [Action.make(100, "cut", "n1<->n2"), Action.make(600, "heal", "n1<->n2"),
            Action.make(900, "cut", "n1->n2"), Action.make(1_200, "heal", "n1->n2")]
    for seed in range(4):
        world = run({"deliver_within_ms": 5_000}, acts, link=link, seed=seed)
        assert world.violations == [], seed
        assert delivered(world) == STREAM
        m = SPEC.metrics(world)
        assert m["complete"] == 1 and m["retransmissions"] > 0 and m["duplicates"] == 0


def test_a_link_that_never_heals_misses_the_liveness_window() -> None:
    world = run({"deliver_within_ms": 1_000}, [Action.make(0, "cut", "n1->n2")])
    assert safety(world) is None  # nothing wrong was delivered: safety holds
    v = next(x for x in world.violations if x.invariant == "stream-delivered")
    assert v.kind == "liveness" and v.tick == 1_000
    assert f"n2 still lacks {N} of {N} items (m1" in v.detail


# ------------------------------------------------------------------ hypothesis
HORIZON = 2_500


fault = faults(PAIR, st.integers(0, HORIZON - 100),
               ("cut", "heal", "freeze", "crash", "step_clock", "set_link", "hold", "release",
                "isolate"),
               pause_ms=500, recover_ms=500, step_ms=3_000, loss=1.0, latency_ms=60,
               min_latency_ms=1, duplicate=0.5, jitter_ms=40)


def heal_everything(tick: int) -> list[Action]:
    acts = [Action.make(tick, "heal", "*"), Action.make(tick, "release", "*"),
            Action.make(tick, "set_link", "n1<->n2", loss=0.2)]
    for n in PAIR:
        acts += [Action.make(tick, "unfreeze", n), Action.make(tick, "recover", n)]
    return acts


@given(st.integers(0, 10_000), st.lists(fault, max_size=10), st.integers(1, 8),
       st.integers(5, 200))
def test_with_every_mechanism_on_the_stream_is_exactly_once_in_order_and_completes(
    seed: int, faults: list[Action], window: int, rto: int,
) -> None:
    link = LinkSpec(latency=Latency.exponential(2, 6), loss=0.1, duplicate=0.1, jitter=15)
    knobs = {"window": window, "rto_ms": rto, "deliver_within_ms": 0}
    # After the heal a segment and its ack each get through with probability 0.8, so a
    # segment needs more than 10 timeouts with probability 0.36^10 (4e-5); and a round trip
    # may stay as slow as the faults made it (latency up to 60 + jitter 40 each way). Allow
    # both per item (a fixed 4 s was too short for window 1, found by hypothesis).
    world = run(knobs, [*faults, *heal_everything(HORIZON)],
                until=HORIZON + N * (10 * rto + 300), link=link, seed=seed)
    assert world.violations == []
    got = delivered(world)
    assert got == STREAM  # once the link heals (loss < 1) the whole stream arrives, in order


# ------------------------------------------------------------------ SPEC, commands, replay
def test_knobs_are_validated() -> None:
    with pytest.raises(KnobError) as err:
        SPEC.instantiate(PAIR, {"window": 0})
    assert err.value.knob == "window"
    for bad in ({"dedup": 1}, {"rto_ms": "fast"}, {"receiver": "n1"}, {"sender": "n7"},
                {"stream_length": 0}, {"bogus": True}):
        with pytest.raises(KnobError):
            SPEC.instantiate(PAIR, bad)


def test_the_default_build_runs_and_a_bystander_idles() -> None:
    build = SPEC.instantiate(("n1", "n2", "n3"), {})
    world = World(Scenario(nodes=("n1", "n2", "n3"), program=build.program,
                           checks=build.checks), seed=0)
    world.run_until(2_000)
    assert world.violations == []
    assert delivered(world) == STREAM
    assert world.nodes["n1"].beliefs == {"role": "sender", "commit_index": N}
    assert world.nodes["n2"].beliefs["role"] == "receiver"
    assert world.nodes["n2"].beliefs["commit_index"] == N
    assert world.nodes["n3"].beliefs == {"role": "idle"}


def test_the_send_command_extends_the_stream() -> None:
    acts = [Action.make(500, "command", "n1", name="send", args={"count": 5})]
    world = run({}, acts, until=2_000)
    assert world.violations == []
    assert delivered(world) == [item(i) for i in range(N + 5)]
    assert set(SPEC.commands) == {"send"}


def test_crashes_of_either_end_neither_lose_nor_repeat_items() -> None:
    link = LinkSpec(latency=Latency.uniform(2, 8))
    acts = [Action.make(25, "crash", "n2", recover_after=40),
            Action.make(60, "crash", "n1", recover_after=30)]
    world = run({"stream_length": 30}, acts, link=link)
    assert world.violations == []
    assert delivered(world) == [item(i) for i in range(30)]


def test_runs_replay_identically_after_a_rewind() -> None:
    build = SPEC.instantiate(PAIR, {"in_order": False})
    scenario = Scenario(nodes=PAIR, program=build.program, checks=build.checks,
                        link=LinkSpec(latency=Latency.exponential(2, 10), loss=0.2,
                                      duplicate=0.1, jitter=10))
    acts = [Action.make(80, "crash", "n2", recover_after=50)]
    straight = World(scenario, seed=9, actions=acts)
    straight.run_until(1_500)
    timeline = Timeline(scenario, seed=9, actions=acts, snapshot_every=200)
    timeline.run_until(1_500)
    timeline.rewind(300)
    timeline.run_until(1_500)
    assert timeline.world.trace.sha256() == straight.trace.sha256()
