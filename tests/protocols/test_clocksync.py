"""Clock synchronisation (NTP offset/delay, step vs slew, Marzullo) and commit wait."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.protocols import clocksync
from playground.protocols.clocksync import (
    COMMIT_WAIT_SPEC,
    SPEC,
    NtpClient,
    marzullo,
    offset_delay,
)
from playground.protocols.registry import KnobError
from playground.sim import Action, ClockSpec, Latency, LinkSpec, Scenario, Timeline, World
from tests.protocols.faults import faults

NTP_NODES = ("c1", "s1", "s2", "s3")


def run(spec: Any, nodes: tuple[str, ...], knobs: dict[str, Any], actions: list[Action] = (),
        until: int = 5_000, seed: int = 1, link: LinkSpec | None = None,
        links: dict[str, LinkSpec] | None = None,
        clocks: dict[str, ClockSpec] | None = None) -> World:
    build = spec.instantiate(nodes, knobs)
    scenario = Scenario(nodes=nodes, program=build.program, checks=build.checks,
                        link=link or LinkSpec(), links=links or {}, clocks=clocks or {})
    world = World(scenario, seed=seed, actions=list(actions))
    world.run_until(until)
    return world


def error(world: World, client: str = "c1") -> float:
    value = clocksync.client_error(world, client)
    assert value is not None, f"{client} never synchronised"
    return value


def one_way(d1: float, d2: float, server: str = "s1") -> dict[str, LinkSpec]:
    return {f"c1->{server}": LinkSpec(latency=Latency.constant(d1)),
            f"{server}->c1": LinkSpec(latency=Latency.constant(d2))}


def violations(world: World, name: str) -> list[Any]:
    return [v for v in world.violations if v.invariant == name]


# ------------------------------------------------------------------ the algorithms
def test_offset_and_delay_from_four_timestamps() -> None:
    # request 30 ms there, server holds it 1 ms, reply 10 ms back; clocks agree
    assert offset_delay(0, 30, 31, 41) == (10.0, 40.0)
    # server clock 100 ms ahead, symmetric 5 ms paths: offset exact, delay the round trip
    assert offset_delay(1000, 1105, 1105, 1010) == (100.0, 10.0)


def test_marzullo_textbook_examples() -> None:
    assert marzullo([(8, 12), (11, 13), (10, 12)]) == (11, 12, 3)
    assert marzullo([(8, 12), (11, 13), (14, 15)]) == (11, 12, 2)
    assert marzullo([(0, 1), (1, 2)]) == (1, 1, 2)  # closed intervals: touching agrees
    assert marzullo([(0, 1), (5, 6)])[2] == 1
    assert marzullo([]) is None
    with pytest.raises(ValueError):
        marzullo([(3, 1)])


# ------------------------------------------------------------------ asymmetric paths
@pytest.mark.parametrize(("d1", "d2"), [(30, 10), (10, 30), (20, 20), (45, 5)])
def test_asymmetric_path_biases_offset_by_half_the_asymmetry(d1: int, d2: int) -> None:
    world = run(SPEC, ("c1", "s1"), {"step_threshold_ms": 0.0}, links=one_way(d1, d2))
    assert error(world) == pytest.approx((d1 - d2) / 2, abs=0.01)
    assert world.nodes["c1"].beliefs["offset_ms"] == pytest.approx((d1 - d2) / 2, abs=0.01)
    assert SPEC.metrics(world)["final_error_ms"] == pytest.approx(abs(d1 - d2) / 2, abs=0.01)


def test_slow_samples_are_discarded() -> None:
    world = run(SPEC, ("c1", "s1"), {"max_delay_ms": 100.0}, links=one_way(90, 20))
    assert clocksync.client_error(world, "c1") is None  # never synchronised
    assert SPEC.metrics(world)["rejected_samples"] == 5


def test_pause_during_a_poll_is_rejected_by_the_delay_filter() -> None:
    """A client paused while the replies arrive stamps t4 two seconds late: every server then
    seems ~1 s behind. The delay filter drops those samples; without it the client jumps."""
    pause = [Action.make(1_003, "freeze", "c1", duration=2_000)]
    safe = run(SPEC, NTP_NODES, {}, pause, until=6_000)
    assert not safe.violations
    assert SPEC.metrics(safe)["rejected_samples"] == 3
    unsafe = run(SPEC, NTP_NODES, {"max_delay_ms": 5_000.0}, pause, until=6_000)
    [violation] = violations(unsafe, "clock-within-bound")
    assert violation.tick == 3_003  # at unfreeze, when the late replies are handled
    assert "behind true time" in violation.detail


# ------------------------------------------------------------------ step and slew
def test_large_offset_is_stepped_small_one_slewed_at_500_ppm() -> None:
    stepped = run(SPEC, NTP_NODES, {}, until=20_001, clocks={"c1": ClockSpec(offset_ms=-200)})
    assert abs(error(stepped)) < 0.01
    assert SPEC.metrics(stepped)["steps"] == 1
    assert not stepped.violations

    slewed = run(SPEC, NTP_NODES, {"max_error_ms": 50.0}, until=20_011,
                 clocks={"c1": ClockSpec(offset_ms=-100)})
    m = SPEC.metrics(slewed)
    assert m["steps"] == 0
    # 20 s at 500 ppm corrects 10 ms of the 100 ms: still 90 ms behind
    assert error(slewed) == pytest.approx(-90, abs=0.05)
    [violation] = violations(slewed, "clock-within-bound")
    assert violation.tick <= 20  # the first sync only starts a slow slew
    assert "100.0 ms behind" in violation.detail and "slewing" in violation.detail

    low_threshold = run(SPEC, NTP_NODES, {"max_error_ms": 50.0, "step_threshold_ms": 20.0},
                        until=20_011, clocks={"c1": ClockSpec(offset_ms=-100)})
    assert not low_threshold.violations


def test_drift_of_200_ppm_resynced_every_30_s_errs_6_ms() -> None:
    """DDIA: 'Google assumes a clock drift of 200 ppm ... that's 6 ms drift for a clock that
    is resynchronized with a server every 30 seconds'."""
    knobs = {"poll_ms": 30_000, "step_threshold_ms": 0.0, "max_error_ms": 7.0}
    clocks = {"c1": ClockSpec(drift_ppm=200)}
    world = run(SPEC, NTP_NODES, knobs, until=150_000, clocks=clocks)
    assert SPEC.metrics(world)["max_error_ms"] == pytest.approx(6.0, abs=0.05)
    assert not world.violations

    tight = run(SPEC, NTP_NODES, {**knobs, "max_error_ms": 5.0}, until=150_000, clocks=clocks)
    [violation] = violations(tight, "clock-within-bound")
    assert 25_000 <= violation.tick <= 30_100  # 5 ms of drift takes 25 s
    fast = run(SPEC, NTP_NODES, {**knobs, "max_error_ms": 5.0, "poll_ms": 10_000},
               until=150_000, clocks=clocks)
    assert not fast.violations
    assert SPEC.metrics(fast)["max_error_ms"] == pytest.approx(2.0, abs=0.05)


# ------------------------------------------------------------------ liars and selection
LIE = [Action.make(2_000, "lie", "s1", strategy="clock", offset_ms=400)]


def test_one_server_client_follows_a_lying_server() -> None:
    world = run(SPEC, NTP_NODES, {"servers": ["s1"], "max_error_ms": 50.0}, LIE)
    [violation] = violations(world, "clock-within-bound")
    assert 2_000 < violation.tick <= 2_030  # the next poll after the lie
    assert "400.0 ms ahead" in violation.detail and "s1" in violation.detail
    assert error(world) == pytest.approx(400, abs=0.01)


def test_marzullo_over_three_servers_outvotes_one_liar() -> None:
    world = run(SPEC, NTP_NODES, {"servers": ["s1", "s2", "s3"], "max_error_ms": 50.0}, LIE)
    assert not world.violations
    assert abs(error(world)) < 0.01
    assert world.nodes["c1"].beliefs["suspects"] == ["s1"]


def test_first_server_selection_follows_the_liar_it_asks_first() -> None:
    knobs = {"servers": ["s1", "s2", "s3"], "selection": "first", "max_error_ms": 50.0}
    assert violations(run(SPEC, NTP_NODES, knobs, LIE), "clock-within-bound")
    later = run(SPEC, NTP_NODES, {**knobs, "servers": ["s2", "s3", "s1"]}, LIE)
    assert not later.violations  # the liar is never consulted


def test_two_agreeing_liars_of_three_win() -> None:
    """Marzullo trusts the majority: it only helps while liars are a minority."""
    lies = [*LIE, Action.make(2_000, "lie", "s2", strategy="clock", offset_ms=400)]
    world = run(SPEC, NTP_NODES, {"max_error_ms": 50.0}, lies)
    assert violations(world, "clock-within-bound")
    assert world.nodes["c1"].beliefs["suspects"] == ["s3"]


def test_two_disagreeing_servers_leave_the_clock_alone() -> None:
    """No majority, no correction: NTP's selection needs more than half to agree."""
    world = run(SPEC, ("c1", "s1", "s2"), {"max_error_ms": 50.0, "step_threshold_ms": 0.0},
                LIE)
    assert not world.violations
    assert abs(error(world)) < 0.01
    modes = [e.data["mode"] for e in world.trace.of_kind("observe")
             if e.data["what"] == "sync" and e.tick > 2_000]
    assert modes and set(modes) == {"none"}


def test_replayed_old_replies_fail_the_origin_timestamp_check() -> None:
    replay = [Action.make(2_500, "lie", "s1", strategy="replay")]
    world = run(SPEC, ("c1", "s1"), {"step_threshold_ms": 0.0, "max_error_ms": 5.0}, replay)
    assert not world.violations
    late = [e for e in world.trace.of_kind("observe")
            if e.data["what"] == "sample" and e.tick > 2_500]
    assert late == []  # every reply after the lie is an old one: discarded as bogus


def test_distant_server_is_outvoted_by_tighter_intervals() -> None:
    distant = one_way(80, 10, "s3")  # delay 90 ms: its offset is off by 35 ms
    knobs = {"servers": ["s3", "s1", "s2"], "step_threshold_ms": 0.0}
    first = run(SPEC, NTP_NODES, {**knobs, "selection": "first"}, links=distant)
    assert error(first) == pytest.approx(35, abs=0.01)
    marz = run(SPEC, NTP_NODES, knobs, links=distant)
    assert abs(error(marz)) < 0.01
    assert marz.nodes["c1"].beliefs["suspects"] == []  # its wide interval still agrees


# ------------------------------------------------------------------ random faults
LINK = LinkSpec(latency=Latency.exponential(1, 5), loss=0.05, duplicate=0.02, jitter=4)
HORIZON = 8_000
ticks = st.integers(min_value=0, max_value=HORIZON)
ntp_fault = faults(NTP_NODES, ticks, ("cut", "heal", "partition", "hold", "release", "freeze",
                                      "crash", "set_link", "set_drift"),
                   pause_ms=3_000, recover_ms=3_000, latency_ms=200, hold_max=None,
                   clock_nodes=("c1",))


@given(
    faults=st.lists(ntp_fault, max_size=10),
    offset=st.integers(-2_000, 2_000),
    drift=st.integers(-200, 200),
    seed=st.integers(0, 10_000),
)
def test_marzullo_client_stays_within_bound_under_random_faults(
    faults: list[Action], offset: int, drift: int, seed: int,
) -> None:
    """Safe settings (3 honest servers, marzullo, step_threshold + max_delay/2 < bound):
    network faults, pauses, crashes and drift never push a synchronised client out of bound.
    (A step of the client's own clock is an instant error no protocol can prevent; a server
    whose clock is wrong is a falseticker: see the liar tests.)"""
    world = run(SPEC, NTP_NODES, {}, faults, until=HORIZON, seed=seed, link=LINK,
                clocks={"c1": ClockSpec(offset_ms=offset, drift_ppm=drift)})
    assert not world.violations, world.violations
    assert SPEC.metrics(world)["max_error_ms"] <= 200


# ------------------------------------------------------------------ SPEC
def test_spec_knob_validation_and_roles() -> None:
    with pytest.raises(KnobError, match="'selection'"):
        SPEC.instantiate(NTP_NODES, {"selection": "median"})
    with pytest.raises(KnobError, match="'poll_ms'"):
        SPEC.instantiate(NTP_NODES, {"poll_ms": 0})
    with pytest.raises(KnobError, match="'servers'"):
        SPEC.instantiate(NTP_NODES, {"servers": ["c1", "s1"], "clients": ["c1"]})
    with pytest.raises(KnobError, match="'servers'"):
        SPEC.instantiate(NTP_NODES, {"servers": ["s9"]})
    with pytest.raises(KnobError, match="'servers'"):
        SPEC.instantiate(("c1", "c2"), {"clients": ["c1", "c2"]})
    assert clocksync.ntp_roles(NTP_NODES, SPEC.resolve_knobs(NTP_NODES, {})) == (
        ("c1",), ("s1", "s2", "s3"))
    assert clocksync.ntp_roles(NTP_NODES, SPEC.resolve_knobs(
        NTP_NODES, {"servers": ["s2"]})) == (("c1",), ("s2",))


def test_spec_default_instantiation_runs() -> None:
    build = SPEC.instantiate(SPEC.default_nodes, {})
    scenario = Scenario(nodes=SPEC.default_nodes, program=build.program, checks=build.checks,
                        clocks={"c1": ClockSpec(offset_ms=700)})
    world = World(scenario, seed=2, actions=[Action.make(1_500, "command", "c1", name="sync")])
    world.run_until(3_000)
    assert isinstance(world.nodes["c1"].program, NtpClient)
    assert world.nodes["s1"].beliefs["role"] == "server"
    assert world.nodes["c1"].beliefs["offset_ms"] == pytest.approx(-700, abs=0.01)
    assert not world.violations
    m = SPEC.metrics(world)
    assert m["steps"] == 1 and m["syncs"] == 4 and m["final_error_ms"] < 0.01


# ================================================================== commit wait
CW_NODES = ("n1", "n2", "n3")


def honest(eps: float) -> dict[str, ClockSpec]:
    """Clocks off by up to 80% of their error bound: TrueTime's promise holds."""
    return {"n1": ClockSpec(offset_ms=0.8 * eps, error_ms=eps),
            "n2": ClockSpec(offset_ms=-0.8 * eps, error_ms=eps),
            "n3": ClockSpec(error_ms=eps)}


def commits(world: World) -> list[dict[str, Any]]:
    return [e.data for e in world.trace.of_kind("decide") if e.data["key"] == "commit"]


@pytest.mark.parametrize("eps", [5, 10, 20])
def test_commit_wait_costs_about_two_epsilon(eps: int) -> None:
    world = run(COMMIT_WAIT_SPEC, CW_NODES, {}, until=5_000, clocks=honest(eps))
    m = COMMIT_WAIT_SPEC.metrics(world)
    assert m["commits"] > 100
    assert 2 * eps <= m["mean_ack_latency_ms"] <= 2 * eps + 1  # plus one tick of rounding
    assert not world.violations and m["order_violations"] == 0


def test_without_commit_wait_real_time_order_is_reversed() -> None:
    """n1's clock runs 8 ms ahead, n2's 8 ms behind, both within their 10 ms bound. A
    transaction on n2 that starts 5 ms after n1 acknowledged one gets an earlier timestamp."""
    knobs = {"txn_every_ms": 0}
    no_wait = run(COMMIT_WAIT_SPEC, CW_NODES, {**knobs, "commit_wait": False},
                  [Action.make(100, "command", "n1", name="txn"),
                   Action.make(105, "command", "n2", name="txn")], clocks=honest(10))
    [violation] = violations(no_wait, "external-consistency")
    assert violation.tick == 105
    assert "n2.1" in violation.detail and "n1.1" in violation.detail
    assert "118.000" in violation.detail and "107.000" in violation.detail  # 100+8+10, 105-8+10

    # with commit wait n1 acknowledges at 121; n2's transaction right after is ordered
    wait = run(COMMIT_WAIT_SPEC, CW_NODES, {**knobs, "commit_wait": True},
               [Action.make(100, "command", "n1", name="txn"),
                Action.make(122, "command", "n2", name="txn")], clocks=honest(10))
    assert not wait.violations
    first, second = commits(wait)
    assert first["value"] == "n1.1" and second["value"] == "n2.1"
    assert first["ts"] < second["ts"]
    assert first["waited"] == 21  # until earliest = now + 8 - 10 passed 118


def test_commit_wait_cannot_save_a_clock_beyond_its_bound() -> None:
    txns = [Action.make(50, "step_clock", "n1", delta_ms=50),
            Action.make(100, "command", "n1", name="txn"),
            Action.make(125, "command", "n2", name="txn")]
    world = run(COMMIT_WAIT_SPEC, CW_NODES, {"txn_every_ms": 0}, txns, clocks=honest(10))
    [violation] = violations(world, "external-consistency")
    assert violation.tick == 125  # n1 acknowledged at 121 after waiting 2 x 10 ms
    assert "168.000" in violation.detail  # 100 + 58 + 10: true time is outside n1's interval


def test_assumed_error_bound_without_interval_clock() -> None:
    world = run(COMMIT_WAIT_SPEC, CW_NODES, {"error_ms": 7.0}, until=3_000)
    m = COMMIT_WAIT_SPEC.metrics(world)
    assert 14 <= m["mean_ack_latency_ms"] <= 15
    assert not world.violations


@st.composite
def cw_schedule(draw: st.DrawFn) -> list[Action]:
    eps = 10
    out: list[Action] = []
    offsets = {"n1": 8.0, "n2": -8.0, "n3": 0.0}
    steps = sorted(draw(st.lists(
        st.tuples(st.integers(0, 3_000), st.sampled_from(CW_NODES),
                  st.integers(-eps, eps)), max_size=6)))
    for tick, node, target in steps:  # steps that keep every clock within its bound
        out.append(Action.make(tick, "step_clock", node, delta_ms=target - offsets[node]))
        offsets[node] = float(target)
    for _ in range(draw(st.integers(0, 6))):
        tick = draw(st.integers(0, 3_000))
        node = draw(st.sampled_from(CW_NODES))
        kind = draw(st.sampled_from(["freeze", "crash", "set_rate", "txn"]))
        if kind == "freeze":
            out.append(Action.make(tick, kind, node, duration=draw(st.integers(1, 500))))
        elif kind == "crash":
            out.append(Action.make(tick, kind, node, recover_after=draw(st.integers(1, 500))))
        elif kind == "set_rate":
            out.append(Action.make(tick, kind, node, ppm=draw(st.integers(-300_000, 300_000))))
        else:
            out.append(Action.make(tick, "command", node, name="txn"))
    return out


@given(schedule=cw_schedule(), seed=st.integers(0, 10_000))
def test_commit_wait_keeps_external_consistency_under_random_faults(
    schedule: list[Action], seed: int,
) -> None:
    world = run(COMMIT_WAIT_SPEC, CW_NODES, {"txn_every_ms": 40}, schedule, until=3_500,
                seed=seed, clocks=honest(10))
    assert not world.violations, world.violations


def test_commit_wait_spec() -> None:
    assert COMMIT_WAIT_SPEC in clocksync.EXTRA_SPECS
    assert COMMIT_WAIT_SPEC.name == "commit_wait"
    with pytest.raises(KnobError, match="'error_ms'"):
        COMMIT_WAIT_SPEC.instantiate(CW_NODES, {"error_ms": -1})
    with pytest.raises(KnobError, match="'commit_wait'"):
        COMMIT_WAIT_SPEC.instantiate(CW_NODES, {"commit_wait": 1})
    build = COMMIT_WAIT_SPEC.instantiate(COMMIT_WAIT_SPEC.default_nodes, {})
    scenario = Scenario(nodes=COMMIT_WAIT_SPEC.default_nodes, program=build.program,
                        checks=build.checks)
    world = World(scenario, seed=0, actions=[Action.make(10, "command", "n2", name="txn")])
    world.run_until(1_000)
    assert not world.violations
    m = COMMIT_WAIT_SPEC.metrics(world)
    assert m["commits"] >= 20 and m["mean_ack_latency_ms"] == pytest.approx(11, abs=0.01)
    assert world.nodes["n1"].beliefs["role"] == "server"


@pytest.mark.parametrize("which", ["clocksync", "commit_wait"])
def test_runs_replay_and_rewind_identically(which: str) -> None:
    spec = SPEC if which == "clocksync" else COMMIT_WAIT_SPEC
    nodes = NTP_NODES if which == "clocksync" else CW_NODES
    clocks = {"c1": ClockSpec(offset_ms=90, drift_ppm=150)} if which == "clocksync" \
        else honest(10)
    build = spec.instantiate(nodes, {})
    scenario = Scenario(nodes=nodes, program=build.program, checks=build.checks, link=LINK,
                        clocks=clocks)
    actions = [Action.make(1_200, "freeze", nodes[1], duration=400),
               Action.make(2_500, "crash", nodes[0], recover_after=300)]
    straight = World(scenario, seed=9, actions=actions)
    straight.run_until(5_000)
    timeline = Timeline(scenario, seed=9, actions=actions, snapshot_every=700)
    timeline.run_until(5_000)
    timeline.rewind(2_600)
    timeline.run_until(5_000)
    assert timeline.world.trace.sha256() == straight.trace.sha256()
    assert spec.metrics(timeline.world) == spec.metrics(straight)


def test_a_reply_arriving_after_its_round_ended_is_discarded() -> None:
    """s1 is frozen past the round's timeout, so its reply comes after the client has already
    stepped its clock (offset 971 ms): measured against the stepped clock, its round trip would
    be negative (the engine found -469.5 ms). Like NTP, the finished round's request is forgotten
    and the late reply dropped as bogus."""
    faults = [Action.make(0, "heal", "c1->s1"), Action.make(0, "freeze", "s1", duration=496)]
    world = run(SPEC, NTP_NODES, {}, faults, until=HORIZON, seed=0, link=LINK,
                clocks={"c1": ClockSpec(offset_ms=971, drift_ppm=0)})
    assert not world.violations
    samples = [e.data for e in world.trace.events
               if e.kind == "observe" and e.node == "c1" and e.data["what"] == "sample"]
    assert samples and all(s["delay"] >= 0 for s in samples)
    assert SPEC.metrics(world)["max_error_ms"] <= 200
