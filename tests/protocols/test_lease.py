"""Leases and fencing tokens: the chapter's zombie writer (Figures 8-4 and 8-5)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.protocols.lease import SPEC
from playground.protocols.registry import KnobError
from playground.sim import Action, Event, Latency, LinkSpec, Scenario, Timeline, World

NODES = SPEC.default_nodes  # lock, storage, client-1, client-2
C1, C2 = "client-1", "client-2"


def make_world(knobs: dict[str, Any] | None = None, actions: list[Action] = (),
               seed: int = 1, link: LinkSpec | None = None) -> World:
    build = SPEC.instantiate(NODES, knobs or {})
    scenario = Scenario(nodes=NODES, program=build.program, checks=build.checks,
                        link=link or LinkSpec())
    return World(scenario, seed=seed, actions=list(actions))


def events(world: World, kind: str, node: str | None = None, **data: Any) -> list[Event]:
    return [e for e in world.trace.events if e.kind == kind
            and (node is None or e.node == node)
            and all(e.data.get(k) == v for k, v in data.items())]


def violation(world: World, name: str):
    found = [v for v in world.violations if v.invariant == name]
    return found[0] if found else None


def next_write_check(world: World, client: str, after: int) -> Event:
    """Run until ``client`` checks its lease to start a write at or after ``after``."""
    world.run_until(max(after - 1, world.now))
    seen = len(world.trace.events)
    while True:
        assert world.step(), "nothing left to simulate"
        for e in world.trace.events[seen:]:
            if (e.kind == "observe" and e.node == client and e.data["what"] == "write"
                    and e.tick >= after):
                return e
        seen = len(world.trace.events)


def gc_pause_story(fencing: bool, pause: int = 2_000) -> tuple[World, Event]:
    """Figure 8-4: client-1 checks its lease, then a stop-the-world pause outlives it."""
    world = make_world({"fencing": fencing})
    check = next_write_check(world, C1, 500)
    world.act(Action.make(check.tick + 1, "freeze", C1, duration=pause))
    world.run_until(check.tick + pause + 1_000)
    return world, check


# --------------------------------------------------------------------------- healthy runs
@pytest.mark.parametrize("fencing", [True, False])
def test_without_faults_one_client_keeps_renewing_and_writes_flow(fencing: bool) -> None:
    world = make_world({"fencing": fencing})
    world.run_until(5_000)
    assert world.violations == []
    grants = events(world, "decide", "lock", key="grant")
    assert [(g.data["value"], g.data["holder"]) for g in grants] == [(33, C1)]
    assert len(events(world, "decide", "lock", key="renew")) >= 5  # ~ every 700 ms
    accepted = events(world, "decide", "storage", key="write")
    assert len(accepted) >= 20 and {e.data["client"] for e in accepted} == {C1}
    assert world.nodes[C1].beliefs["role"] == "holder"
    assert world.nodes[C1].beliefs["token"] == 33
    assert world.nodes[C2].beliefs["token"] is None  # waiting in the queue
    assert world.nodes["lock"].beliefs["waiting"] == [C2]


def test_holders_that_release_hand_the_lock_over_with_increasing_tokens() -> None:
    world = make_world({"hold_ms": 600, "first_token": 7})
    world.run_until(6_000)
    assert world.violations == []
    tokens = [g.data["value"] for g in events(world, "decide", "lock", key="grant")]
    holders = [g.data["holder"] for g in events(world, "decide", "lock", key="grant")]
    assert tokens[:4] == [7, 8, 9, 10]
    assert holders[:4] == [C1, C2, C1, C2]
    writers = {e.data["client"] for e in events(world, "decide", "storage", key="write")}
    assert writers == {C1, C2}
    m = SPEC.metrics(world)
    assert m["leases_granted"] == len(tokens) and m["max_token"] == tokens[-1]
    assert m["zombie_writes"] == 0 and m["writes_fenced"] == 0


def test_write_command_is_refused_without_a_lease() -> None:
    world = make_world({"write_every_ms": 0}, [
        Action.make(100, "command", C1, name="write", args={"value": "hello"}),
        Action.make(100, "command", C2, name="write", args={"value": "nope"}),
    ])
    world.run_until(1_000)
    accepted = events(world, "decide", "storage", key="write")
    assert [(e.data["client"], e.data["data"]) for e in accepted] == [(C1, "hello")]
    assert events(world, "observe", C2, what="write refused")
    assert world.nodes["storage"].beliefs["value"] == "hello"


# --------------------------------------------------------------------------- the chapter
def test_gc_pause_without_fencing_lets_the_zombie_overwrite_the_new_holder() -> None:
    world, check = gc_pause_story(fencing=False)
    assert check.data["token"] == 33
    pause_end = check.tick + 1 + 2_000
    # While client-1 was paused its lease expired and client-2 got token 34 and wrote.
    grant = events(world, "decide", "lock", key="grant", value=34)[0]
    assert grant.data["holder"] == C2 and check.tick < grant.tick < pause_end
    c2_writes = [e for e in events(world, "decide", "storage", key="write", client=C2)
                 if e.tick < pause_end]
    assert c2_writes and all(e.data["token"] is None for e in c2_writes)  # no fencing
    # On waking, client-1 sends the write it had prepared under lease 33; storage takes it.
    v = violation(world, "no-expired-writes")
    assert v is not None and pause_end < v.tick <= pause_end + 20
    assert "client-1" in v.detail and "lease 33" in v.detail and "newer lease 34" in v.detail
    assert "client-2" in v.detail and "after it expired" in v.detail
    zombie = next(e for e in world.trace.events if e.seq == v.causes[-1])
    assert zombie.kind == "decide" and zombie.data["client"] == C1 and zombie.tick == v.tick
    t = violation(world, "tokens-never-decrease")
    assert t is not None and t.tick == v.tick and "token 33" in t.detail and "34" in t.detail
    assert SPEC.metrics(world)["zombie_writes"] >= 1


def test_gc_pause_with_fencing_storage_rejects_token_33_after_seeing_34() -> None:
    world, check = gc_pause_story(fencing=True)
    assert world.violations == []
    pause_end = check.tick + 1 + 2_000
    rejected = events(world, "observe", "storage", what="rejected")
    assert len(rejected) == 1
    r = rejected[0]
    assert (r.data["client"], r.data["token"], r.data["highest"]) == (C1, 33, 34)
    assert r.data["wid"] == check.data["wid"] and pause_end < r.tick <= pause_end + 20
    assert events(world, "observe", C1, what="fenced", token=33)
    # The zombie's write never reached the data: the last value is client-2's.
    assert world.nodes["storage"].beliefs["value"].startswith(C2)
    assert world.nodes["storage"].beliefs["token"] == 34
    m = SPEC.metrics(world)
    assert m["writes_fenced"] == 1 and m["zombie_writes"] == 0


def test_a_short_pause_within_the_lease_is_harmless_even_without_fencing() -> None:
    world, _ = gc_pause_story(fencing=False, pause=150)
    assert world.violations == []
    assert len(events(world, "decide", "lock", key="grant")) == 1


@pytest.mark.parametrize("fencing", [False, True])
def test_a_delayed_write_packet_is_a_zombie_too(fencing: bool) -> None:
    """The chapter: the same happens if the write is delayed in the network."""
    world = make_world({"fencing": fencing}, [
        Action.make(450, "hold", f"{C1}->storage"),
        Action.make(460, "freeze", C1, duration=1_500),  # it stops renewing and writing
        Action.make(2_500, "release", f"{C1}->storage"),
    ])
    world.run_until(3_500)
    if fencing:
        assert world.violations == []
        assert events(world, "observe", "storage", what="rejected", client=C1, token=33)
    else:
        v = violation(world, "no-expired-writes")
        assert v is not None and v.tick == 2_500 and "lease 33" in v.detail


@pytest.mark.parametrize("step", [
    (C1, -3_000),  # the client's clock is behind: it believes the lease lasts 3 s longer
    ("lock", 3_000),  # the lock's clock is ahead: it stamps an expiry 3 s too late
])
def test_time_of_day_lease_check_writes_after_expiry_monotonic_does_not(step) -> None:
    node, delta = step
    acts = [Action.make(500, "step_clock", node, delta_ms=delta)]
    tod = make_world({"fencing": False, "client_clock": "time_of_day"}, acts)
    tod.run_until(6_000)
    v = violation(tod, "no-expired-writes")
    assert v is not None and 1_000 < v.tick < 4_000
    assert "client-1" in v.detail and "lease 33" in v.detail and "newer lease 34" in v.detail
    mono = make_world({"fencing": False, "client_clock": "monotonic"}, acts)
    mono.run_until(6_000)
    assert mono.violations == []
    assert [g.data["value"] for g in events(mono, "decide", "lock", key="grant")] == [33]


def test_time_of_day_forward_step_on_the_client_only_costs_availability() -> None:
    world = make_world({"fencing": False, "client_clock": "time_of_day"},
                       [Action.make(500, "step_clock", C1, delta_ms=3_000)])
    world.run_until(4_000)
    assert world.violations == []
    lost = events(world, "observe", C1, what="lease lost")
    assert lost and lost[0].tick <= 600 and "expired by my clock" in lost[0].data["why"]
    assert events(world, "decide", "lock", key="grant", value=34, holder=C2)


def test_time_of_day_lease_check_with_fencing_is_still_safe() -> None:
    world = make_world({"fencing": True, "client_clock": "time_of_day"},
                       [Action.make(500, "step_clock", C1, delta_ms=-3_000)])
    world.run_until(6_000)
    assert world.violations == []
    assert events(world, "observe", "storage", what="rejected", client=C1, token=33)


# --------------------------------------------------------------------------- crash-recovery
def lock_forgets_story(durable: bool) -> World:
    """The lock crashes; client-1 is paused mid-write; after the lock's grace period
    client-2 gets a lease; client-1 wakes up and sends its old write."""
    world = make_world({"durable_tokens": durable})
    check = next_write_check(world, C1, 500)
    world.act(Action.make(check.tick + 1, "freeze", C1, duration=3_000))
    world.act(Action.make(check.tick + 50, "crash", "lock", recover_after=100))
    world.run_until(check.tick + 5_000)
    return world


def test_a_lock_that_forgets_its_tokens_hands_out_33_twice_and_fencing_fails() -> None:
    world = lock_forgets_story(durable=False)
    grants = events(world, "decide", "lock", key="grant")
    assert [(g.data["value"], g.data["holder"]) for g in grants[:2]] == [(33, C1), (33, C2)]
    t = violation(world, "tokens-never-decrease")
    assert t is not None and t.tick == grants[1].tick
    assert "granted token 33 to client-2" in t.detail and "client-1" in t.detail
    v = violation(world, "no-expired-writes")  # fencing is on, but 33 >= 33
    assert v is not None and "client-1" in v.detail and "lease 33" in v.detail
    assert v.tick > grants[1].tick


def test_a_lock_with_durable_tokens_keeps_fencing_safe_across_its_crash() -> None:
    world = lock_forgets_story(durable=True)
    assert world.violations == []
    grants = events(world, "decide", "lock", key="grant")
    assert [(g.data["value"], g.data["holder"]) for g in grants[:2]] == [(33, C1), (34, C2)]
    # The restarted lock waited a whole lease term before granting again.
    recovered = [e for e in events(world, "state", "lock") if e.data.get("why") == "recovered"]
    assert grants[1].tick >= recovered[0].tick + 1_000
    assert events(world, "observe", "storage", what="rejected", client=C1, token=33)


# --------------------------------------------------------------------------- liveness, metrics
def test_liveness_check_catches_a_long_outage_and_not_a_healthy_run() -> None:
    ok = make_world({"liveness_ms": 1_500})
    ok.run_until(5_000)
    assert ok.violations == []
    down = make_world({"liveness_ms": 1_500}, [Action.make(1_000, "freeze", "storage",
                                                            duration=3_000)])
    down.run_until(5_000)
    assert [(v.invariant, v.kind) for v in down.violations] == [("writes-flow", "liveness")]


def test_longer_leases_fail_over_more_slowly_after_a_pause() -> None:
    """The KEEP IT trade-off: a long lease renews rarely but leaves storage idle longer."""
    gap = {}
    for lease in (500, 3_000):
        world = make_world({"lease_ms": lease, "renew_margin_ms": lease // 3},
                           [Action.make(1_000, "freeze", C1, duration=6_000)])
        world.run_until(8_000)
        assert world.violations == []
        gap[lease] = SPEC.metrics(world)["max_write_gap_ms"]
        ends = [e.data["until"] for e in world.trace.events if e.kind == "decide"
                and e.node == "lock" and e.data["holder"] == C1 and e.tick < 1_000
                and e.data["key"] in ("grant", "renew")]
        rest = ends[-1] - 1_000  # what was left of client-1's lease when it froze
        # storage idles for the rest of the lease plus about one write cycle (<= 500 ms)
        assert rest <= gap[lease] <= rest + 500
    assert gap[3_000] > gap[500] + 1_000


# --------------------------------------------------------------------------- SPEC
def test_spec_builds_a_runnable_scenario_with_its_checks() -> None:
    build = SPEC.instantiate(NODES, {})
    assert {c.name for c in build.checks} == set(SPEC.invariants)
    world = World(Scenario(nodes=NODES, program=build.program, checks=build.checks), seed=3)
    world.run_until(2_000)
    assert world.violations == [] and SPEC.metrics(world)["writes_accepted"] > 0
    assert set(SPEC.commands) == {"write", "release"}
    assert {k.name for k in SPEC.knobs} >= {"lock_node", "storage_node", "lease_ms", "fencing",
                                           "client_clock", "first_token", "renew_margin_ms",
                                           "write_every_ms"}
    assert SPEC.knob("first_token").default == 33
    assert all(k.safe for k in SPEC.knobs)


@pytest.mark.parametrize("knobs,bad", [
    ({"lease_ms": 5}, "lease_ms"),
    ({"client_clock": "ntp"}, "client_clock"),
    ({"fencing": "yes"}, "fencing"),
    ({"lock_node": "nobody"}, "lock_node"),
    ({"renew_margin_ms": 1_000}, "renew_margin_ms"),
    ({"storage_node": "lock"}, "storage_node"),
    ({"lease_ms": 1.5}, "lease_ms"),
    ({"quorum": 2}, "quorum"),
])
def test_bad_knobs_raise_knob_error(knobs: dict[str, Any], bad: str) -> None:
    with pytest.raises(KnobError) as err:
        SPEC.instantiate(NODES, knobs)
    assert err.value.knob == bad


def test_other_node_names_work_through_the_knobs() -> None:
    nodes = ("zk", "hdfs", "a", "b", "c")
    build = SPEC.instantiate(nodes, {"lock_node": "zk", "storage_node": "hdfs",
                                     "hold_ms": 400})
    world = World(Scenario(nodes=nodes, program=build.program, checks=build.checks), seed=2)
    world.run_until(5_000)
    assert world.violations == []
    holders = {g.data["holder"] for g in events(world, "decide", "zk", key="grant")}
    assert holders == {"a", "b", "c"}
    with pytest.raises(KnobError):
        SPEC.instantiate(("lock", "storage"), {})


# --------------------------------------------------------------------------- property
CLIENTS = (C1, C2, "client-3")
ALL = ("lock", "storage", *CLIENTS)
HORIZON = 6_000
ticks = st.integers(100, HORIZON - 1_000)
nodes = st.sampled_from(ALL)
links = st.tuples(nodes, nodes, st.booleans()).filter(lambda t: t[0] != t[1]).map(
    lambda t: f"{t[0]}{'<->' if t[2] else '->'}{t[1]}")


@st.composite
def faults(draw: st.DrawFn) -> Action:
    tick = draw(ticks)
    kind = draw(st.sampled_from(["freeze", "freeze", "step_clock", "set_rate", "cut",
                                 "partition", "set_link", "hold", "crash", "command"]))
    if kind == "freeze":
        return Action.make(tick, kind, draw(nodes), duration=draw(st.integers(1, 3_000)))
    if kind == "step_clock":
        return Action.make(tick, kind, draw(nodes), delta_ms=draw(st.integers(-5_000, 5_000)))
    if kind == "set_rate":
        return Action.make(tick, kind, draw(nodes), ppm=draw(st.integers(-200_000, 200_000)))
    if kind in ("cut", "hold"):
        return Action.make(tick, kind, draw(links))
    if kind == "partition":
        side = draw(st.lists(nodes, min_size=1, max_size=3, unique=True))
        return Action.make(tick, kind, groups=[side, [n for n in ALL if n not in side]])
    if kind == "set_link":
        return Action.make(tick, kind, draw(links), latency=draw(st.integers(1, 400)),
                           loss=draw(st.sampled_from([0.0, 0.2, 0.5])))
    if kind == "crash":
        return Action.make(tick, kind, draw(nodes), recover_after=draw(st.integers(1, 2_000)))
    return Action.make(tick, "command", draw(st.sampled_from(CLIENTS)),
                       name=draw(st.sampled_from(["write", "release"])), args={})


@st.composite
def schedules(draw: st.DrawFn) -> list[Action]:
    acts = draw(st.lists(faults(), max_size=10))
    heal_at = draw(st.integers(HORIZON - 1_000, HORIZON - 500))
    # heal and release late, so held zombie writes arrive after newer leases were used
    return [*acts, Action.make(heal_at, "heal", "*"), Action.make(heal_at, "release", "*")]


knob_sets = st.fixed_dictionaries({
    "client_clock": st.sampled_from(["monotonic", "time_of_day"]),
    "lease_ms": st.sampled_from([300, 1_000, 2_000]),
    "hold_ms": st.sampled_from([0, 0, 700]),
    "work_ms": st.sampled_from([0, 100, 180]),
})


@settings(max_examples=100)
@given(st.integers(0, 10_000), knob_sets, schedules())
def test_with_fencing_no_fault_schedule_breaks_safety(seed: int, knobs: dict[str, Any],
                                                      acts: list[Action]) -> None:
    knobs = {**knobs, "renew_margin_ms": knobs["lease_ms"] // 3}
    build = SPEC.instantiate(ALL, knobs)
    scenario = Scenario(nodes=ALL, program=build.program, checks=build.checks,
                        link=LinkSpec(latency=Latency.exponential(1, 4), jitter=5,
                                      duplicate=0.05, loss=0.02))
    world = World(scenario, seed=seed, actions=acts)
    world.run_until(HORIZON)
    assert world.violations == [], world.violations[0].detail


@settings(max_examples=30)
@given(st.integers(0, 10_000), knob_sets, st.booleans())
def test_without_faults_no_setting_raises_a_false_alarm(seed: int, knobs: dict[str, Any],
                                                        fencing: bool) -> None:
    knobs = {**knobs, "renew_margin_ms": knobs["lease_ms"] // 3, "fencing": fencing}
    build = SPEC.instantiate(ALL, knobs)
    scenario = Scenario(nodes=ALL, program=build.program, checks=build.checks,
                        link=LinkSpec(latency=Latency.exponential(1, 4)))
    world = World(scenario, seed=seed)
    world.run_until(4_000)
    assert world.violations == []
    assert SPEC.metrics(world)["writes_accepted"] > 0


def test_runs_replay_exactly_after_a_rewind() -> None:
    build = SPEC.instantiate(NODES, {"fencing": False, "hold_ms": 700})
    scenario = Scenario(nodes=NODES, program=build.program, checks=build.checks,
                        link=LinkSpec(latency=Latency.exponential(1, 4)))
    acts = [Action.make(900, "freeze", C1, duration=1_500),
            Action.make(1_200, "crash", "lock", recover_after=300)]
    timeline = Timeline(scenario, seed=5, actions=acts, snapshot_every=400)
    timeline.run_until(4_000)
    timeline.rewind(1_000)
    timeline.run_until(4_000)
    straight = World(scenario, seed=5, actions=acts)
    straight.run_until(4_000)
    assert timeline.world.trace.sha256() == straight.trace.sha256()
    assert timeline.world.violations == straight.violations
