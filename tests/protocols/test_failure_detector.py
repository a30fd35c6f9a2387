"""Failure detection: fixed timeouts vs the phi accrual detector (DDIA ch. 8, "Timeouts and
Unbounded Delays"; Hayashibara et al. 2004; Akka's PhiAccrualFailureDetector)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.protocols.failure_detector import (
    SPEC,
    HeartbeatNode,
    History,
    current_phi,
    exact_phi,
    metrics,
    phi_crossing,
    phi_value,
)
from playground.protocols.registry import KnobError
from playground.sim import Action, Latency, LinkSpec, ProgramError, Scenario, Timeline, World
from tests.protocols.faults import faults

NODES = ("n1", "n2", "n3")
CALM = LinkSpec(latency=Latency.constant(5))


def run(knobs: dict[str, Any], actions=(), until: int = 10_000, seed: int = 1,
        link: LinkSpec = CALM, links: dict[str, LinkSpec] | None = None,
        nodes: tuple[str, ...] = NODES) -> World:
    build = SPEC.instantiate(nodes, knobs)
    scenario = Scenario(nodes=nodes, program=build.program, checks=build.checks, link=link,
                        links=links or {})
    world = World(scenario, seed, actions)
    world.run_until(until)
    return world


def violation(world: World, name: str):
    found = [v for v in world.violations if v.invariant == name]
    return found[0] if found else None


def suspects(world: World, node: str) -> list[str]:
    return world.nodes[node].beliefs.get("suspects")


# ------------------------------------------------------------------------------ the formula
def test_phi_at_the_mean_is_minus_log10_of_one_half() -> None:
    # mean 1000, std 100, elapsed 1000: F = 1/2, phi = -log10(0.5)
    assert phi_value(1000, 1000, 100) == pytest.approx(-math.log10(0.5), abs=1e-12)
    assert exact_phi(1000, 1000, 100) == pytest.approx(0.30103, abs=1e-5)


@pytest.mark.parametrize(("elapsed", "cdf"), [
    # the standard normal table (also Akka's "good enough cumulative distribution" test)
    (6, 0.7257), (15, 0.9332), (20, 0.97725), (25, 0.99379), (35, 0.99977), (40, 0.99997),
])
def test_logistic_approximation_matches_the_normal_table(elapsed: float, cdf: float) -> None:
    phi = phi_value(elapsed, 0, 10)
    assert 1 - 10 ** -phi == pytest.approx(cdf, abs=1e-3)  # Akka's own tolerance
    assert 1 - 10 ** -exact_phi(elapsed, 0, 10) == pytest.approx(cdf, abs=1e-4)


def test_logistic_cdf_is_within_0_00015_of_the_exact_normal_cdf() -> None:
    for i in range(-600, 601):
        y = i / 100
        exact = 0.5 * math.erfc(-y / math.sqrt(2))
        assert abs((1 - 10 ** -phi_value(y, 0, 1)) - exact) < 1.5e-4


def test_exact_phi_one_two_three_sigmas() -> None:
    # 1 - Phi(1), 1 - Phi(2), 1 - Phi(3) in closed form with erfc
    for k, tail in ((1, 0.158655), (2, 0.0227501), (3, 0.0013499)):
        assert exact_phi(1000 + k * 100, 1000, 100) == pytest.approx(-math.log10(tail),
                                                                     abs=1e-4)
        assert phi_value(1000 + k * 100, 1000, 100) == pytest.approx(-math.log10(tail),
                                                                     rel=0.02)


@given(mean=st.floats(1, 10_000), std=st.floats(0.1, 5_000),
       a=st.floats(0, 50_000), b=st.floats(0, 50_000))
def test_phi_rises_with_time_since_the_last_heartbeat(mean, std, a, b) -> None:
    lo, hi = sorted((a, b))
    assert phi_value(lo, mean, std) <= phi_value(hi, mean, std)


@given(threshold=st.floats(0.5, 30), mean=st.floats(1, 10_000), std=st.floats(0.1, 5_000))
def test_phi_crossing_inverts_phi(threshold, mean, std) -> None:
    t = phi_crossing(threshold, mean, std)
    assert t > mean  # above 0.301 the crossing is past the mean
    assert phi_value(t, mean, std) == pytest.approx(threshold, rel=1e-6)


def test_history_starts_like_akka_and_keeps_a_bounded_window() -> None:
    node = HeartbeatNode(monitors=("n1",), detector="phi", interval_ms=100, timeout_ms=500,
                         threshold=8, max_sample_size=3, min_std_deviation_ms=10,
                         acceptable_heartbeat_pause_ms=300)
    h = node._first_history()
    assert h.intervals == [75.0, 125.0]  # the estimate +- a quarter of it
    assert (h.mean, h.std) == (100.0, 25.0)
    window = History(3)
    for x in (10, 20, 30, 40):
        window.add(x)
    assert window.intervals == [20, 30, 40]
    assert window.mean == pytest.approx(30)
    assert window.std == pytest.approx(math.sqrt(200 / 3))


# ------------------------------------------------------------------------------ detection
def test_default_phi_detects_a_crash_after_mean_plus_pause_plus_a_few_deviations() -> None:
    world = run({}, [Action.make(3_000, "crash", "n3")])
    assert world.violations == []
    m = metrics(world)
    assert m["detections"] == 2 and m["undetected"] == 0  # n1 and n2 both noticed
    # a regular link: mean 100 ms, std at its floor 10 ms, pause 300 ms; phi = 8 is reached
    # about 5.2 deviations past mean + pause: 452 ms after the last heartbeat
    bound = phi_crossing(8, 100 + 300, 10)
    assert 451 < bound < 453
    assert bound - 100 <= m["mean_detection_ms"] <= bound + 5
    assert m["false_suspicions"] == 0
    assert suspects(world, "n1") == ["n3"] and suspects(world, "n2") == ["n3"]


def test_fixed_timeout_below_the_latency_tail_suspects_live_nodes() -> None:
    # exponential queueing delay (mean 20 ms) on every link, heartbeats every 100 ms, timeout
    # 120 ms: a gap exceeds the timeout when one delay beats the previous by 20 ms, which
    # happens with probability e^-1 / 2 = 0.18 per heartbeat
    link = LinkSpec(latency=Latency.exponential(1, 20))
    world = run({"detector": "fixed", "timeout_ms": 120}, link=link)
    v = violation(world, "no-false-suspicion")
    assert v is not None and v.kind == "safety"
    assert 120 <= v.tick < 2_000
    assert "suspected" in v.detail and "is alive" in v.detail and "last heartbeat" in v.detail
    m = metrics(world)
    gaps = m["heartbeats"]  # one inter-arrival gap per heartbeat and monitor
    assert 0.14 < m["false_suspicions"] / gaps < 0.23
    assert m["first_false_suspicion_tick"] == v.tick


def test_long_timeout_avoids_false_suspicions_but_detects_slowly() -> None:
    link = LinkSpec(latency=Latency.exponential(1, 20))
    crash = [Action.make(5_000, "crash", "n3")]
    slow = metrics(run({"detector": "fixed", "timeout_ms": 1_000}, crash, link=link))
    assert slow["false_suspicions"] == 0
    assert slow["detections"] == 2
    assert 900 <= slow["mean_detection_ms"] <= 1_000 + 100  # timeout minus up to one interval
    fast = metrics(run({"detector": "fixed", "timeout_ms": 200}, crash))  # on a calm link
    assert fast["false_suspicions"] == 0
    assert 100 <= fast["mean_detection_ms"] <= 205
    assert fast["max_detection_ms"] * 4 < slow["mean_detection_ms"]


def test_phi_adapts_to_jitter_where_a_fixed_timeout_cannot() -> None:
    # n1 watches n2 over a calm link and n3 over a jittery one (queueing delay, mean 30 ms).
    links = {"n2->n1": LinkSpec(latency=Latency.constant(5)),
             "n3->n1": LinkSpec(latency=Latency.exponential(2, 30))}
    phi_knobs = {"monitors": ["n1"], "acceptable_heartbeat_pause_ms": 0}  # Hayashibara's phi
    for seed in range(3):
        probe = run(phi_knobs, links=links, seed=seed, until=10_000)
        program = probe.nodes["n1"].program
        calm, jittery = program.suspect_after("n2"), program.suspect_after("n3")
        assert calm < 160 and jittery > calm + 60  # it learned each link's distribution
        assert current_phi(probe, "n1", "n2") is not None
        # the same detection time as phi on the calm link, as one fixed timeout for both
        fixed_knobs = {"monitors": ["n1"], "detector": "fixed", "timeout_ms": round(calm)}
        crash = [Action.make(15_000, "crash", "n2")]
        phi_run = run(phi_knobs, crash, links=links, seed=seed, until=20_000)
        fixed_run = run(fixed_knobs, crash, links=links, seed=seed, until=20_000)
        p, f = metrics(phi_run), metrics(fixed_run)
        assert p["false_suspicions"] == 0, seed
        assert f["false_suspicions"] >= 5, seed
        assert "n3" in violation(fixed_run, "no-false-suspicion").detail
        # and phi still notices the crash of the calm node as fast as the fixed timeout
        assert p["detections"] == f["detections"] == 1
        assert p["mean_detection_ms"] <= f["mean_detection_ms"] + 5


def test_a_low_phi_threshold_detects_faster_and_errs_more() -> None:
    # phi = 1 means "10% chance this is a mistake": on a jittery link it is often wrong
    link = LinkSpec(latency=Latency.exponential(2, 30))
    knobs = {"acceptable_heartbeat_pause_ms": 0}
    crash = [Action.make(8_000, "crash", "n3")]
    low = run({**knobs, "threshold": 1.0}, crash, link=link)
    high = run({**knobs, "threshold": 8.0}, crash, link=link)
    assert violation(low, "no-false-suspicion") is not None
    assert violation(high, "no-false-suspicion") is None
    lo, hi = metrics(low), metrics(high)
    assert lo["false_suspicions"] >= 10 and hi["false_suspicions"] == 0
    assert lo["mean_detection_ms"] < hi["mean_detection_ms"]


def test_a_process_pause_looks_like_a_crash() -> None:
    # n3 freezes for 1 s (a GC pause): even phi suspects it, then trusts it again on resume
    world = run({}, [Action.make(2_000, "freeze", "n3", duration=1_000)], until=4_000)
    v = violation(world, "no-false-suspicion")
    assert v is not None and 2_300 <= v.tick <= 2_460
    assert "n3 is frozen (paused), not crashed" in v.detail
    trusts = [e for e in world.trace.of_kind("observe") if e.data["what"] == "trust"]
    assert {e.node for e in trusts} == {"n1", "n2"}
    assert all(3_000 <= e.tick <= 3_010 for e in trusts)
    assert suspects(world, "n1") == [] and suspects(world, "n2") == []
    m = metrics(world)
    assert m["false_suspicions"] == 2 and 2 * 500 < m["false_suspicion_ms"] < 2 * 800


def test_a_time_of_day_step_does_not_cause_suspicions() -> None:
    # the detectors measure elapsed time on the monotonic clock, so NTP steps are harmless
    steps = [Action.make(2_000, "step_clock", "n1", delta_ms=-5_000),
             Action.make(3_000, "step_clock", "n2", delta_ms=5_000),
             Action.make(4_000, "step_clock", "n3", delta_ms=-60_000)]
    world = run({"detector": "fixed", "timeout_ms": 150}, steps)
    assert world.violations == []
    assert metrics(world)["suspicions"] == 0


def test_a_silent_but_alive_node_is_a_false_suspicion() -> None:
    world = run({"monitors": ["n1"]}, [
        Action.make(1_000, "command", "n2", name="stop_heartbeats"),
        Action.make(3_000, "command", "n2", name="start_heartbeats"),
    ], until=4_000)
    v = violation(world, "no-false-suspicion")
    assert v is not None and "n1 suspected n2" in v.detail
    assert suspects(world, "n1") == []


def test_a_bulk_transfer_delays_the_heartbeats_queued_behind_it_on_its_own_link_only() -> None:
    # queueing delay: a heartbeat waits for every message ahead of it on the wire; four
    # backup messages of 100 ms each hold n2's link for 400 ms, longer than the timeout
    knobs = {"monitors": ["n1"], "detector": "fixed", "timeout_ms": 300}
    slow = CALM.evolve(service_ms=100)
    backup = Action.make(1_000, "command", "n2", name="transfer",
                         args={"to": "n1", "messages": 4})
    world = run(knobs, [backup], until=3_000, link=slow)
    v = violation(world, "no-false-suspicion")
    assert v is not None and "n1 suspected n2" in v.detail
    # the backup's messages reached n1 meanwhile, but only heartbeats count as heard
    assert "300 ms earlier" in v.detail
    data = [e for e in world.trace.of_kind("send") if e.data["payload"]["type"] == "data"]
    assert [(e.node, e.data["dst"]) for e in data] == [("n2", "n1")] * 4
    assert run(knobs, until=3_000, link=slow).violations == []
    # the same backup on the wire from n1 to n2 delays none of n2's heartbeats
    outbound = Action.make(1_000, "command", "n1", name="transfer",
                           args={"to": "n2", "messages": 4})
    assert run(knobs, [outbound], until=3_000, link=slow).violations == []


@pytest.mark.parametrize(("args", "problem"), [
    ({"messages": 4}, "transfer needs a peer to send to"),
    ({"to": "n2", "messages": 0}, "transfer needs messages = a whole number >= 1"),
    ({"to": "n1", "messages": 2}, "transfer needs a peer to send to"),
])
def test_a_transfer_needs_a_peer_and_a_count(args: dict[str, Any], problem: str) -> None:
    with pytest.raises(ProgramError, match=problem):
        run({"monitors": ["n1"]}, [Action.make(10, "command", "n1", name="transfer",
                                               args=args)], until=100)


def test_crash_detection_window_is_a_liveness_check() -> None:
    # a window shorter than the detector's bound fails, at crash + window
    world = run({"detect_within_ms": 200}, [Action.make(3_000, "crash", "n3")])
    v = violation(world, "crash-detected-within")
    assert v is not None and v.kind == "liveness" and v.tick == 3_200
    assert "n3 crashed at tick 3000" in v.detail and "did not suspect it 200 ms later" \
        in v.detail
    # a crash that recovers before detection owes nothing
    world = run({"detect_within_ms": 200},
                [Action.make(3_000, "crash", "n3", recover_after=100)])
    assert violation(world, "crash-detected-within") is None
    # a monitor frozen past the window cannot detect in time
    world = run({"monitors": ["n1"]}, [Action.make(2_990, "freeze", "n1", duration=3_000),
                                        Action.make(3_000, "crash", "n3")])
    v = violation(world, "crash-detected-within")
    assert v is not None and v.tick == 5_000 and "n1 still did not suspect" in v.detail


def test_deterministic_and_rewindable() -> None:
    link = LinkSpec(latency=Latency.exponential(2, 10), loss=0.05)
    actions = [Action.make(1_500, "crash", "n2", recover_after=700),
               Action.make(2_500, "freeze", "n1", duration=400)]
    a = run({}, actions, until=5_000, link=link)
    b = run({}, actions, until=5_000, link=link)
    assert a.trace.sha256() == b.trace.sha256()
    build = SPEC.instantiate(NODES, {})
    timeline = Timeline(Scenario(nodes=NODES, program=build.program, checks=build.checks,
                                 link=link), 1, actions, snapshot_every=500)
    timeline.run_until(5_000)
    timeline.rewind(2_700)
    timeline.run_until(5_000)
    assert timeline.world.trace.sha256() == a.trace.sha256()


# ------------------------------------------------------------------------------ properties
def _heal_all(tick: int) -> list[Action]:
    out = [Action.make(tick, "heal", "*"), Action.make(tick, "release", "*")]
    for a in NODES:
        out += [Action.make(tick, "set_link", f"{a}->{b}", loss=0.0) for b in NODES if b != a]
        out += [Action.make(tick, "recover", a), Action.make(tick, "unfreeze", a)]
    return out


_tick = st.integers(1, 5_999)
FAULT = faults(NODES, _tick, ("cut", "isolate", "freeze", "crash_stop", "crash", "step_clock",
                             "set_rate", "set_link", "hold"),
               pause_ms=800, recover_ms=2_000, step_ms=10_000, ppm=500, loss=0.3)


@given(faults=st.lists(FAULT, max_size=10), detector=st.sampled_from(["phi", "fixed"]),
       seed=st.integers(0, 2**16))
def test_after_any_faults_heal_crashes_are_detected_and_live_nodes_trusted(
        faults, detector, seed) -> None:
    """Completeness (every crash suspected within the window) and eventual accuracy (once
    everything is healed, every live node is trusted again) under random crash-recovery
    faults, cuts, partitions, pauses, clock steps, loss and held messages."""
    actions = sorted(faults, key=lambda a: a.tick) + _heal_all(6_000)
    world = run({"detector": detector, "check_false_suspicions": False}, actions,
                until=8_000, seed=seed, link=LinkSpec(latency=Latency.exponential(2, 3)))
    assert world.violations == []
    for n in NODES:
        assert suspects(world, n) == []
    threshold = SPEC.knob("threshold").default
    timeout = SPEC.knob("timeout_ms").default
    for e in world.trace.of_kind("observe"):
        if e.data["what"] == "suspect":  # each suspicion follows the detector's rule
            if detector == "phi":
                assert e.data["phi"] >= threshold - 1e-6
            else:
                assert e.data["elapsed_ms"] >= timeout - 1e-6


_benign = faults(NODES, _tick, ("crash", "step_clock", "set_rate"), recover_ms=3_000,
                 step_ms=100_000, ppm=200)


@given(faults=st.lists(_benign, max_size=8), detector=st.sampled_from(["phi", "fixed"]),
       seed=st.integers(0, 2**16))
def test_safe_settings_never_suspect_wrongly_when_nodes_only_crash(faults, detector,
                                                                   seed) -> None:
    """With the default knobs on a network whose delays stay well below the timeout, crashes
    (with recovery) and clock steps never cause a false suspicion, and every crash is
    detected within the window."""
    world = run({"detector": detector}, sorted(faults, key=lambda a: a.tick), until=8_000,
                seed=seed, link=LinkSpec(latency=Latency.exponential(2, 3)))
    assert world.violations == []
    assert metrics(world)["false_suspicions"] == 0


# ------------------------------------------------------------------------------ SPEC
def test_spec_knobs_are_validated() -> None:
    with pytest.raises(KnobError, match="detector"):
        SPEC.instantiate(NODES, {"detector": "psychic"})
    with pytest.raises(KnobError, match="threshold"):
        SPEC.instantiate(NODES, {"threshold": 0})
    with pytest.raises(KnobError, match="timeout_ms"):
        SPEC.instantiate(NODES, {"timeout_ms": 1.5})
    with pytest.raises(KnobError, match="monitors"):
        SPEC.instantiate(NODES, {"monitors": ["n9"]})
    with pytest.raises(KnobError, match="monitors"):
        SPEC.instantiate(NODES, {"monitors": ["n1", "n1"]})
    with pytest.raises(KnobError, match="unknown knob"):
        SPEC.instantiate(NODES, {"timeout": 5})
    with pytest.raises(KnobError):
        SPEC.instantiate(("n1",), {})


def test_spec_builds_a_runnable_scenario() -> None:
    build = SPEC.instantiate(SPEC.default_nodes, {})
    world = World(Scenario(nodes=SPEC.default_nodes, program=build.program,
                           checks=build.checks), 3)
    world.run_until(2_000)
    assert {c.name for c in build.checks} == set(SPEC.invariants) | set(SPEC.liveness)
    assert world.violations == []
    assert world.nodes["n1"].beliefs["role"] == "monitor"
    assert metrics(world)["heartbeats"] > 0
    assert set(SPEC.commands) == {"stop_heartbeats", "start_heartbeats", "transfer"}
    assert "Hayashibara" in SPEC.source
