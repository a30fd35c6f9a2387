"""Cloud computing vs supercomputing (DDIA ch. 8): a checkpointed batch job that restarts as a
whole on any failure (Young's optimal checkpoint interval), and a replicated service that
routes around a dead replica."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.protocols import batch
from playground.protocols.batch import (
    EXTRA_SPECS,
    SERVICE_SPEC,
    SPEC,
    batch_metrics,
    expected_completion,
    service_metrics,
    young_interval,
)
from playground.protocols.registry import KnobError
from playground.sim import Action, Latency, LinkSpec, Scenario, World
from tests.protocols.faults import faults

NODES = ("n1", "n2", "n3", "n4")  # n1 coordinator (or client), n2..n4 workers (or replicas)
WORKERS = NODES[1:]


def run_batch(knobs: dict[str, Any], actions=(), until: int = 200_000, seed: int = 1,
              link: LinkSpec | None = None, stop_when_done: bool = True) -> World:
    build = SPEC.instantiate(NODES, knobs)
    world = World(Scenario(nodes=NODES, program=build.program, checks=build.checks,
                           link=link or LinkSpec()), seed, actions)
    tick = 0
    while tick < until:
        tick = min(until, tick + 1_000)
        world.run_until(tick)
        if stop_when_done and world.nodes["n1"].durable.get("done"):
            break
    return world


def run_service(knobs: dict[str, Any], actions=(), until: int = 10_000, seed: int = 1,
                link: LinkSpec | None = None) -> World:
    build = SERVICE_SPEC.instantiate(NODES, knobs)
    world = World(Scenario(nodes=NODES, program=build.program, checks=build.checks,
                           link=link or LinkSpec()), seed, actions)
    world.run_until(until)
    return world


def violation(world: World, name: str):
    found = [v for v in world.violations if v.invariant == name]
    return found[0] if found else None


def observed(world: World, what: str, node: str | None = None) -> list:
    return [e for e in world.trace.of_kind("observe")
            if e.data["what"] == what and (node is None or e.node == node)]


# ------------------------------------------------------------------------------ batch
def test_without_failures_checkpoints_only_cost_their_overhead() -> None:
    # W = 20 s of work, a checkpoint every T = 2 s costing C = 100 ms: the job writes
    # W/T - 1 = 9 checkpoints (none at the very end), so it takes W + 9 C, plus the start-up
    # round trip (status 5 ms, run 5 ms) and the final report (5 ms) on 5 ms links
    world = run_batch({"job_length_ms": 20_000, "checkpoint_interval_ms": 2_000,
                       "checkpoint_cost_ms": 100})
    m = batch_metrics(world)
    assert world.violations == []
    assert m["finished"] and m["restarts"] == 0 and m["work_lost_ms"] == 0
    assert m["checkpoints"] == 9 and m["checkpoint_overhead_ms"] == 900
    assert m["completion_ms"] == 20_000 + 900 + 15
    # checkpointing twenty times as often costs twenty times the overhead
    often = batch_metrics(run_batch({"job_length_ms": 20_000, "checkpoint_interval_ms": 100,
                                     "checkpoint_cost_ms": 100}))
    assert often["completion_ms"] == 20_000 + 199 * 100 + 15


def test_one_worker_failure_stops_and_rolls_back_the_whole_job() -> None:
    knobs = {"job_length_ms": 20_000, "checkpoint_interval_ms": 2_000, "checkpoint_cost_ms": 100}
    base = batch_metrics(run_batch(knobs))
    world = run_batch(knobs, [Action.make(5_000, "crash", "n3", recover_after=1_000)])
    m = batch_metrics(world)
    assert world.violations == []
    assert m["finished"] and m["restarts"] == 1
    abort = observed(world, "abort", "n1")[0]
    assert abort.data["worker"] == "n3" and 5_200 <= abort.tick <= 5_260  # silent 200 ms
    # every surviving worker abandoned its work, not just the one that failed
    assert sorted(e.node for e in observed(world, "abandon")) == ["n2", "n4"]
    # the job waited for n3 to come back, then resumed from the last committed checkpoint
    runs = observed(world, "run", "n1")
    assert [r.data["start"] for r in runs] == [0, 4_000] and runs[1].tick >= 6_000
    # at tick 5000 the job had done 5000 - 10 (start-up) - 2 x 100 (checkpoints) = 4790 ms
    # of work: 790 ms past the checkpoint. The surviving workers kept computing until the
    # coordinator noticed (200-250 ms later) and told them to stop: all of it is lost
    assert 790 <= m["work_lost_ms"] <= 790 + 270
    # the job finishes late by the downtime plus the 790 ms it has to compute again
    delay = m["completion_ms"] - base["completion_ms"]
    downtime = runs[1].tick - 5_000
    assert delay == pytest.approx(downtime + 790, abs=15)


def test_a_short_pause_stalls_everybody_and_a_long_one_restarts_the_job() -> None:
    knobs = {"job_length_ms": 10_000, "checkpoint_interval_ms": 2_000, "checkpoint_cost_ms": 50}
    base = batch_metrics(run_batch(knobs))
    short = batch_metrics(run_batch(knobs, [Action.make(3_000, "freeze", "n2", duration=120)]))
    assert short["restarts"] == 0
    # lock-step: the job is as late as its slowest worker
    assert short["completion_ms"] - base["completion_ms"] == pytest.approx(120, abs=10)
    long = batch_metrics(run_batch(knobs, [Action.make(3_000, "freeze", "n2", duration=1_000)]))
    assert long["restarts"] == 1 and long["work_lost_ms"] > 0  # a pause looks like a crash
    assert long["completion_ms"] > base["completion_ms"] + 1_000


def test_a_failure_timeout_below_the_delays_restarts_the_job_for_nothing() -> None:
    # queueing delay (mean 20 ms) on the links: a 60 ms timeout with 50 ms reports takes
    # delays for failures and keeps throwing work away; the default 200 ms does not
    knobs = {"job_length_ms": 5_000, "checkpoint_interval_ms": 1_000, "checkpoint_cost_ms": 50}
    link = LinkSpec(latency=Latency.exponential(1, 20))
    jumpy = batch_metrics(run_batch({**knobs, "failure_timeout_ms": 60}, link=link))
    calm = batch_metrics(run_batch(knobs, link=link))
    assert calm["restarts"] == 0 and calm["finished"]
    assert jumpy["restarts"] >= 3 and jumpy["work_lost_ms"] > 0
    assert not jumpy["finished"] or jumpy["completion_ms"] > calm["completion_ms"]


def test_the_coordinator_resumes_from_its_durable_checkpoint() -> None:
    knobs = {"job_length_ms": 10_000, "checkpoint_interval_ms": 1_000, "checkpoint_cost_ms": 50}
    world = run_batch(knobs, [Action.make(4_500, "crash", "n1", recover_after=300)])
    assert world.violations == []
    runs = observed(world, "run", "n1")
    assert [r.data["epoch"] for r in runs] == [1, 2]
    assert runs[1].data["start"] == 4_000  # not 0: the committed checkpoint survived
    assert batch_metrics(world)["finished"]


def _exponential_crashes(seed: int, mtbf: float, horizon: int, repair: int) -> list[Action]:
    """Crashes of random workers at times drawn from an exponential distribution (a Poisson
    process of rate 1/mtbf for the whole system), each repaired after ``repair`` ms."""
    rng = random.Random(seed)
    t, out = 0.0, []
    while True:
        t += rng.expovariate(1 / mtbf)
        if t > horizon:
            return out
        out.append(Action.make(int(t) + 1, "crash", rng.choice(WORKERS), recover_after=repair))


def test_youngs_interval_beats_much_shorter_and_much_longer_ones() -> None:
    # W = 60 s of work, C = 200 ms per checkpoint, a failure every M = 5 s on average:
    # Young: T = sqrt(2 C M) = 1414 ms
    job, cost, mtbf = 60_000, 200, 5_000
    t_young = young_interval(cost, mtbf)
    assert t_young == pytest.approx(1414.2, abs=0.1)
    intervals = {"short": 150, "young": round(t_young), "long": 8_000}
    totals = {k: 0.0 for k in intervals}
    schedules = 4
    for seed in range(schedules):
        crashes = _exponential_crashes(seed, mtbf, 400_000, repair=100)
        for name, interval in intervals.items():
            world = run_batch({"job_length_ms": job, "checkpoint_interval_ms": interval,
                               "checkpoint_cost_ms": cost, "step_ms": 50, "deadline_ms": 0},
                              crashes, until=400_000)
            m = batch_metrics(world)
            assert m["finished"] and world.violations == [], (seed, name)
            totals[name] += m["completion_ms"] / schedules
    assert totals["young"] < 0.8 * totals["short"]
    assert totals["young"] < 0.8 * totals["long"]
    # and close to the expected time under exponential failures (Daly 2006), counting
    # detection and restart (about 250 ms per failure) as the restart cost
    assert totals["young"] == pytest.approx(
        expected_completion(job, t_young, cost, mtbf, restart_ms=250), rel=0.25)


def test_expected_completion_is_minimised_near_youngs_interval() -> None:
    job, cost, mtbf = 60_000, 200, 5_000
    best = min(range(100, 10_000, 10), key=lambda t: expected_completion(job, t, cost, mtbf))
    assert best == pytest.approx(young_interval(cost, mtbf), rel=0.1)
    # first order: waste per unit of work ~ C/T + T/(2M)
    assert expected_completion(job, 1_414, cost, mtbf) / job - 1 == pytest.approx(
        cost / 1_414 + 1_414 / (2 * mtbf), rel=0.25)


def test_a_dead_worker_means_the_job_never_finishes() -> None:
    world = run_batch({"job_length_ms": 5_000, "checkpoint_interval_ms": 1_000,
                       "deadline_ms": 20_000},
                      [Action.make(2_000, "crash", "n4")], until=25_000, stop_when_done=False)
    v = violation(world, "job-finished")
    assert v is not None and v.kind == "liveness" and v.tick == 20_000
    assert "no progress within 20000 ms" in v.detail
    assert world.nodes["n1"].program.state == "waiting"
    assert batch_metrics(world)["checkpoints"] == 1  # only the 1 s checkpoint before the crash


def test_the_service_keeps_answering_while_a_replica_dies() -> None:
    # the same failure as above, the cloud way: the replica is gone for good, clients retry
    world = run_service({}, [Action.make(2_000, "crash", "n4")])
    assert world.violations == []
    m = service_metrics(world)
    assert m["availability"] == 1.0 and m["failed"] == 0
    assert m["requests"] - m["answered"] <= 1  # at most one in flight at the end
    assert 1 <= m["retries"] <= 20  # a few requests hit n4 before it was ejected
    assert m["max_latency_ms"] <= 100 + 10 + 1  # one timeout plus a round trip
    # ejected replicas come back after eject_ms, get one request, time out again: no other
    # replica was ever ejected
    assert {e.data["replica"] for e in observed(world, "timeout")} == {"n4"}


def test_without_routing_around_requests_to_the_dead_replica_fail() -> None:
    world = run_service({"route_around": False}, [Action.make(2_000, "crash", "n4")])
    v = violation(world, "requests-answered")
    assert v is not None and v.kind == "liveness"
    first = next(e for e in observed(world, "request") if e.tick >= 2_000
                 and e.data["id"] not in {a.data["id"] for a in observed(world, "answered")})
    assert v.tick == first.tick + 1_000
    assert f"request {first.data['id']}" in v.detail and "timed out on n4, n4, n4" in v.detail
    m = service_metrics(world)
    assert m["availability"] == pytest.approx(2 / 3, abs=0.1)  # one replica in three is dead


def test_a_single_attempt_cannot_route_around() -> None:
    world = run_service({"max_attempts": 1}, [Action.make(2_000, "crash", "n4")])
    v = violation(world, "requests-answered")
    assert v is not None and "timed out on n4" in v.detail
    assert service_metrics(world)["failed"] >= 1


def test_finished_workers_stop_reporting() -> None:
    world = run_batch({"job_length_ms": 2_000, "checkpoint_interval_ms": 1_000},
                      until=10_000, stop_when_done=False)
    done = batch_metrics(world)["completion_ms"]
    late = [e for e in world.trace.of_kind("send") if e.tick > done + 100]
    assert done is not None and late == []


def test_service_request_command() -> None:
    world = run_service({"request_count": 0}, [
        Action.make(100, "command", "n1", name="request"),
        Action.make(100, "command", "n1", name="request")], until=1_000)
    answered = observed(world, "answered")
    assert [e.data["id"] for e in answered] == ["n1#1", "n1#2"]
    assert {e.data["replica"] for e in answered} == {"n2", "n3"}  # round robin


# ------------------------------------------------------------------------------ properties
_node = st.sampled_from(NODES)
_tick = st.integers(1, 7_999)
FAULT = faults(NODES, _tick, ("cut", "isolate", "freeze", "crash_stop", "crash", "step_clock",
                             "set_link", "hold"),
               pause_ms=1_500, recover_ms=2_000, step_ms=10_000, loss=0.5)


def _heal_all(tick: int) -> list[Action]:
    out = [Action.make(tick, "heal", "*"), Action.make(tick, "release", "*")]
    for a in NODES:
        out += [Action.make(tick, "set_link", f"{a}->{b}", loss=0.0) for b in NODES if b != a]
        out += [Action.make(tick, "recover", a), Action.make(tick, "unfreeze", a)]
    return out


def test_a_worker_that_missed_the_start_is_sent_it_again() -> None:
    # n2 is cut off until n3 is, 8 ms before the heal: the epoch starts while n3 is away, so
    # its "run" is lost. Once healed, n3 reports the old epoch and gets the start again; the
    # job then finishes in 5 s of work plus 4 checkpoints (found by the property below).
    def alone(tick: int, node: str) -> Action:
        return Action.make(tick, "partition", "*",
                           groups=[[node], [n for n in NODES if n != node]])

    knobs = {"job_length_ms": 5_000, "checkpoint_interval_ms": 1_000, "checkpoint_cost_ms": 50,
             "step_ms": 20, "deadline_ms": 0}
    world = run_batch(knobs, [alone(1, "n2"), alone(7_804, "n3"), *_heal_all(8_000)],
                      until=20_000, seed=0, link=LinkSpec(latency=Latency.exponential(2, 3)))
    starts = [e for e in world.trace
              if e.kind == "send" and e.data["payload"].get("type") == "run"
              and e.data["dst"] == "n3"]
    assert len({e.data["payload"]["epoch"] for e in starts}) == 1 and len(starts) >= 2
    m = batch_metrics(world)
    assert world.violations == [] and m["finished"] and m["restarts"] == 0
    assert m["completion_ms"] < 8_000 + 5_000 + 4 * 50 + 300


@given(faults=st.lists(FAULT, max_size=10), seed=st.integers(0, 2**16))
def test_batch_checkpoints_stay_consistent_and_the_job_finishes_after_healing(faults,
                                                                              seed) -> None:
    # faults until 8 s, then everything healed: 5 s of work + 4 checkpoints of 50 ms must be
    # done within 8 s + 5.2 s + a second of slack
    knobs = {"job_length_ms": 5_000, "checkpoint_interval_ms": 1_000, "checkpoint_cost_ms": 50,
             "step_ms": 20, "deadline_ms": 8_000 + 5_200 + 1_000}
    actions = sorted(faults, key=lambda a: a.tick) + _heal_all(8_000)
    world = run_batch(knobs, actions, until=15_000, seed=seed,
                      link=LinkSpec(latency=Latency.exponential(2, 3)))
    assert world.violations == []
    m = batch_metrics(world)
    assert m["finished"]


SURVIVOR = "n2"
_replica = st.sampled_from(("n3", "n4"))
SERVICE_FAULT = st.one_of(
    st.builds(lambda t, n: Action.make(t, "crash", n), _tick, _replica),
    st.builds(lambda t, n, r: Action.make(t, "crash", n, recover_after=r), _tick, _replica,
              st.integers(1, 3_000)),
    st.builds(lambda t, n, d: Action.make(t, "freeze", n, duration=d), _tick, _replica,
              st.integers(1, 3_000)),
    st.builds(lambda t, n, way: Action.make(t, "cut", f"n1{way}{n}"), _tick, _replica,
              st.sampled_from(["->", "<->"])),
    st.builds(lambda t, n: Action.make(t, "cut", f"{n}->n1"), _tick, _replica),
    st.builds(lambda t, n, x: Action.make(t, "set_link", f"n1<->{n}", loss=x), _tick, _replica,
              st.floats(0, 1)),
    st.builds(lambda t, n, c: Action.make(t, "hold", f"{n}->n1", count=c), _tick, _replica,
              st.integers(1, 10)),
    st.builds(lambda t, n, d: Action.make(t, "step_clock", n, delta_ms=d), _tick, _node,
              st.integers(-10_000, 10_000)),
)


@given(faults=st.lists(SERVICE_FAULT, max_size=10), seed=st.integers(0, 2**16))
def test_service_answers_every_request_while_one_replica_stays_reachable(faults, seed) -> None:
    """Whatever happens to the other replicas (crashes, pauses, cut or lossy links, held
    replies), while one replica stays up and reachable every request is answered within
    max_attempts x timeout plus a round trip."""
    world = run_service({"answer_within_ms": 3 * 100 + 50}, sorted(faults, key=lambda a: a.tick),
                        until=9_000, seed=seed, link=LinkSpec(latency=Latency.exponential(2, 3)))
    assert world.violations == []
    assert service_metrics(world)["failed"] == 0
    answered = {e.data["id"] for e in observed(world, "answered")}
    assert all(e.data["id"] in answered for e in observed(world, "request")
               if e.tick <= 9_000 - 350)


# ------------------------------------------------------------------------------ SPECs
def test_specs_validate_their_knobs() -> None:
    with pytest.raises(KnobError, match="workers"):
        SPEC.instantiate(NODES, {"workers": ["n1", "n2"]})
    with pytest.raises(KnobError, match="checkpoint_interval_ms"):
        SPEC.instantiate(NODES, {"checkpoint_interval_ms": 0})
    with pytest.raises(KnobError, match="coordinator"):
        SPEC.instantiate(NODES, {"coordinator": "n9"})
    with pytest.raises(KnobError, match="route_around"):
        SERVICE_SPEC.instantiate(NODES, {"route_around": "yes"})
    with pytest.raises(KnobError, match="replicas"):
        SERVICE_SPEC.instantiate(NODES, {"clients": ["n1"], "replicas": ["n1", "n2"]})
    with pytest.raises(KnobError, match="max_attempts"):
        SERVICE_SPEC.instantiate(NODES, {"max_attempts": 0})


@pytest.mark.parametrize("spec", [SPEC, SERVICE_SPEC], ids=lambda s: s.name)
def test_specs_build_runnable_scenarios(spec) -> None:
    build = spec.instantiate(spec.default_nodes, {})
    world = World(Scenario(nodes=spec.default_nodes, program=build.program,
                           checks=build.checks), 5)
    world.run_until(3_000)
    assert world.violations == []
    assert {c.name for c in build.checks} == set(spec.invariants) | set(spec.liveness)
    assert isinstance(spec.metrics(world), dict)
    assert "Young" in spec.source and "Supercomputing" in spec.source
    assert batch.SPEC is SPEC and EXTRA_SPECS == (SERVICE_SPEC,)


def test_young_formula() -> None:
    assert young_interval(100, 20_000) == pytest.approx(2_000)
    assert young_interval(50, 1_000) == pytest.approx(math.sqrt(100_000))
