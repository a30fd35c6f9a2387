"""Safety invariants and liveness windows evaluated as the run goes."""

from __future__ import annotations

from playground.sim import Action, PredicateInvariant, ProgressWithin, Scenario, World
from playground.sim.examples import Register
from playground.sim.trace import Event


def no_value_13(event: Event, world: World):
    if event.data.get("key") == "value" and event.data.get("value") == 13:
        return (f"{event.node} accepted the unlucky value", [event.seq])
    return None


def scenario(*checks) -> Scenario:
    return Scenario(nodes=("a", "b", "c"), program=lambda _: Register(), checks=checks)


def test_first_violation_is_recorded_with_tick_detail_and_causes() -> None:
    inv = PredicateInvariant("never-13", no_value_13, kinds=["decide"])
    world = World(scenario(inv), actions=[
        Action.make(10, "command", "a", name="set", args={"value": 12}),
        Action.make(20, "command", "a", name="set", args={"value": 13}),
        Action.make(30, "command", "b", name="set", args={"value": 13}),
    ])
    world.run_until(100)
    assert len(world.violations) == 1
    v = world.violations[0]
    assert (v.invariant, v.kind, v.tick) == ("never-13", "safety", 25)
    assert "accepted the unlucky value" in v.detail
    cause = next(e for e in world.trace.events if e.seq == v.causes[0])
    assert cause.kind == "decide" and cause.data["value"] == 13
    assert world.trace.of_kind("violation")[0].data["invariant"] == "never-13"
    assert not world.safety_ok and world.liveness_ok


def test_checks_are_fresh_for_every_run() -> None:
    inv = PredicateInvariant("never-13", no_value_13, kinds=["decide"])
    sc = scenario(inv)
    bad = World(sc, actions=[Action.make(1, "command", "a", name="set", args={"value": 13})])
    bad.run_until(50)
    good = World(sc)
    good.run_until(50)
    assert bad.violations and not good.violations


def decided(event: Event) -> bool:
    return event.kind == "decide"


def test_liveness_fails_when_no_progress_within_the_window() -> None:
    check = ProgressWithin("decides", 100, progress=decided)
    world = World(scenario(check), actions=[
        Action.make(150, "command", "a", name="set", args={"value": 1}),
    ])
    world.run_until(1_000)
    assert [(v.invariant, v.kind, v.tick) for v in world.violations] == [
        ("decides", "liveness", 100)]


def test_liveness_holds_when_progress_comes_in_time() -> None:
    check = ProgressWithin("decides", 100, progress=decided)
    world = World(scenario(check), actions=[
        Action.make(50, "command", "a", name="set", args={"value": 1}),
    ])
    world.run_until(1_000)
    assert world.violations == [] and world.liveness_ok


def test_liveness_window_opens_on_a_start_event() -> None:
    healed = ProgressWithin(
        "decide-after-heal", 50, progress=decided, start_tick=None,
        start=lambda e: e.kind == "fault" and e.data["tool"] == "heal",
    )
    world = World(scenario(healed), actions=[
        Action.make(400, "heal", "*"),
        Action.make(500, "command", "a", name="set", args={"value": 1}),
    ])
    world.run_until(1_000)
    assert [(v.invariant, v.tick) for v in world.violations] == [("decide-after-heal", 450)]


def test_a_re_armed_check_is_asked_again_at_its_new_deadline() -> None:
    from playground.sim import Check

    class EveryHundred(Check):
        name = "ticker"
        kind = "liveness"

        def __init__(self) -> None:
            self.due = 100
            self.calls: list[int] = []

        def deadline(self) -> int:
            return self.due

        def at_deadline(self, now, world):
            self.calls.append(now)
            self.due = now + 100
            return "gave up" if now >= 300 else None

    world = World(scenario(EveryHundred()))
    world.run_until(1_000)
    assert [(v.invariant, v.tick) for v in world.violations] == [("ticker", 300)]
    assert world.checks[0].calls == [100, 200, 300]
