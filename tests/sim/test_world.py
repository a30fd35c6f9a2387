"""The world: timers, process faults, commands, crash-recovery and errors."""

from __future__ import annotations

import pytest

from playground.sim import (
    CRASHED,
    FROZEN,
    RUNNING,
    Action,
    ClockSpec,
    InvalidTickError,
    Latency,
    LinkSpec,
    MalformedActionError,
    ProgramError,
    Scenario,
    SimError,
    UnknownLinkError,
    UnknownNodeError,
    World,
)
from playground.sim.examples import Register
from tests.sim.helpers import Recorder, received, recorder_scenario


def send(tick: int, src: str, dst: str, payload: object) -> Action:
    return Action.make(tick, "command", src, name="send", args={"to": dst, "payload": payload})


def test_message_arrives_after_link_latency() -> None:
    world = World(recorder_scenario(link=LinkSpec(latency=Latency.constant(7))), seed=1,
                  actions=[send(10, "n1", "n2", "hello")])
    world.run_until(16)
    assert received(world, "n2") == []
    world.run_until(17)
    assert received(world, "n2") == [("n1", "hello")]
    deliver = world.trace.of_kind("deliver")[0]
    assert deliver.tick == 17 and deliver.data["sent"] == 10


def test_idle_ticks_are_skipped_to_the_next_event() -> None:
    world = World(recorder_scenario(), actions=[send(5_000, "n1", "n2", 1)])
    assert world.next_event_tick() == 0  # programs start at tick 0
    world.run_until(0)
    assert world.next_event_tick() == 5_000
    assert world.step()
    assert world.now == 5_000
    assert world.next_event_tick() == 5_005
    world.step()
    assert received(world, "n2") == [("n1", 1)]
    assert not world.step()


def test_timer_runs_on_the_nodes_monotonic_clock() -> None:
    # n1's monotonic clock runs 25% fast: a 100 ms timer fires after 80 ms of true time.
    scenario = recorder_scenario(clocks={"n1": ClockSpec(rate_ppm=250_000)})
    world = World(scenario, actions=[
        Action.make(0, "command", "n1", name="timer", args={"name": "t", "delay": 100}),
        Action.make(0, "command", "n2", name="timer", args={"name": "t", "delay": 100}),
    ])
    world.run_until(1_000)
    fired = {e.node: e.tick for e in world.trace.of_kind("timer")}
    assert fired == {"n1": 80, "n2": 100}


def test_freeze_stops_handling_but_clocks_move_and_inbox_piles_up() -> None:
    world = World(recorder_scenario(), actions=[
        Action.make(1, "freeze", "n2"),
        send(2, "n1", "n2", "a"),
        send(3, "n1", "n2", "b"),
        Action.make(2, "command", "n3", name="send", args={"to": "n2", "payload": "c"}),
    ])
    world.run_until(100)
    node = world.nodes["n2"]
    assert node.status == FROZEN
    assert received(world, "n2") == []
    assert len(node.pending) == 3
    assert world.clock_readings("n2")["monotonic"] == 100
    world.act(Action.make(150, "unfreeze", "n2"))
    world.run_until(150)
    assert node.status == RUNNING
    assert received(world, "n2") == [("n1", "a"), ("n3", "c"), ("n1", "b")]
    assert all(e.tick == 150 for e in world.trace.of_kind("deliver"))


def test_tick_zero_actions_come_before_the_programs_start() -> None:
    class Greeter(Recorder):
        def on_start(self, ctx) -> None:
            if ctx.name == "n1":
                ctx.send("n2", "hello")

    world = World(Scenario(nodes=("n1", "n2"), program=lambda _: Greeter()), actions=[
        Action.make(0, "cut", "n1->n2"),
        Action.make(0, "command", "n2", name="timer", args={"name": "t", "delay": 5}),
        Action.make(0, "crash", "n1", recover_after=50),
    ])
    world.run_until(10)
    assert world.nodes["n1"].program is None  # crashed before it ever started
    assert [e.tick for e in world.trace.of_kind("timer")] == [5]  # command ran after start
    world.act(Action.make(40, "heal", "*"))
    world.run_until(100)
    assert received(world, "n2") == [("n1", "hello")]  # sent when it recovered at 50
    assert world.trace.of_kind("deliver")[0].tick == 55


@pytest.mark.parametrize("frozen_at", [0, 1])  # 0: frozen before its program ever started
def test_a_woken_node_handles_what_piled_up_before_what_arrives_as_it_wakes(
        frozen_at: int) -> None:
    world = World(recorder_scenario(link=LinkSpec(latency=Latency.constant(1))), actions=[
        Action.make(frozen_at, "freeze", "n2", duration=100 - frozen_at),
        send(50, "n1", "n2", "early"),
        send(99, "n1", "n2", "as it wakes"),  # arrives at tick 100, when n2 unfreezes
        send(100, "n3", "n2", "after"),
    ])
    world.run_until(200)
    assert world.nodes["n2"].status == RUNNING
    assert received(world, "n2") == [("n1", "early"), ("n1", "as it wakes"), ("n3", "after")]


def test_freeze_with_duration_unfreezes_itself_and_fires_late_timers() -> None:
    world = World(recorder_scenario(), actions=[
        Action.make(0, "command", "n1", name="timer", args={"name": "lease", "delay": 50}),
        Action.make(10, "freeze", "n1", duration=500),
    ])
    world.run_until(2_000)
    timers = world.trace.of_kind("timer")
    assert [(e.tick, e.data["name"]) for e in timers] == [(510, "lease")]
    assert world.nodes["n1"].status == RUNNING


def test_crash_drops_messages_and_recover_keeps_only_durable_state() -> None:
    scenario = Scenario(nodes=("a", "b"), program=lambda n: Register(durable=(n == "a")))
    world = World(scenario, actions=[
        Action.make(1, "command", "a", name="set", args={"value": 41}),
        Action.make(10, "crash", "a"),
        Action.make(10, "crash", "b"),
        Action.make(11, "command", "b", name="set", args={"value": 99}),
        Action.make(20, "recover", "a"),
        Action.make(20, "recover", "b"),
    ])
    world.run_until(19)
    assert world.nodes["a"].status == CRASHED
    refused = [e for e in world.trace.of_kind("command") if e.data.get("refused")]
    assert len(refused) == 1 and refused[0].node == "b"
    world.run_until(30)
    assert world.nodes["a"].program.value == 41  # durable: kept
    assert world.nodes["b"].program.value is None  # volatile: lost
    assert world.nodes["b"].durable == {}


def test_messages_to_a_crashed_node_are_dropped() -> None:
    world = World(recorder_scenario(), actions=[
        Action.make(0, "crash", "n2"), send(1, "n1", "n2", "x"),
    ])
    world.run_until(50)
    drops = world.trace.of_kind("drop")
    assert [d.data["reason"] for d in drops] == ["node crashed"]


def test_crash_with_recover_after_restarts_the_node() -> None:
    world = World(recorder_scenario(), actions=[Action.make(5, "crash", "n3", recover_after=100)])
    world.run_until(104)
    assert world.nodes["n3"].status == CRASHED
    world.run_until(105)
    assert world.nodes["n3"].status == RUNNING


def test_partition_with_a_bridge_node() -> None:
    world = World(recorder_scenario(nodes=5), actions=[
        Action.make(0, "partition", groups=[["n1", "n2", "n3"], ["n3", "n4", "n5"]]),
    ] + [send(1, a, b, f"{a}{b}") for a in ("n1", "n3", "n5") for b in ("n2", "n4")])
    world.run_until(50)
    got = {(src, dst) for dst in ("n2", "n4") for src, _ in received(world, dst)}
    assert got == {("n1", "n2"), ("n3", "n2"), ("n3", "n4"), ("n5", "n4")}


def test_bad_input_raises_specific_errors() -> None:
    world = World(recorder_scenario())
    with pytest.raises(UnknownNodeError, match="'n9'"):
        world.act(Action.make(1, "crash", "n9"))
    with pytest.raises(UnknownNodeError, match="'n7'"):
        world.act(Action.make(1, "cut", "n1->n7"))
    with pytest.raises(UnknownLinkError, match="only for heal, set_link and release"):
        world.act(Action.make(1, "cut", "*"))
    with pytest.raises(InvalidTickError):
        Action.make(-1, "crash", "n1")
    with pytest.raises(MalformedActionError, match="unknown tool"):
        Action.make(1, "explode", "n1")
    with pytest.raises(MalformedActionError, match="missing required parameter 'delta_ms'"):
        Action.make(1, "step_clock", "n1")
    with pytest.raises(MalformedActionError, match="must be"):
        Action.make(1, "step_clock", "n1", delta_ms="soon")
    with pytest.raises(MalformedActionError, match="strategy"):
        Action.make(1, "lie", "n1", strategy="gossip")
    with pytest.raises(InvalidTickError):
        world.run_until(-5)
    world.run_until(100)
    with pytest.raises(InvalidTickError, match="too late"):
        world.act(Action.make(100, "crash", "n1"))
    with pytest.raises(InvalidTickError):
        world.run_until(50)
    assert issubclass(UnknownNodeError, SimError)


def test_program_misuse_is_a_program_error() -> None:
    world = World(recorder_scenario(), actions=[send(1, "n1", "nobody", 1)])
    with pytest.raises(ProgramError, match="unknown node 'nobody'"):
        world.run_until(5)


def test_action_dict_round_trip() -> None:
    actions = [
        Action.make(3, "lie", "n1", strategy="equivocate", values=["x", "y"]),
        Action.make(4, "command", "n2", name="set", args={"value": [1, 2]}),
        Action.make(5, "partition", groups=[["n1"], ["n2", "n3"]]),
    ]
    for action in actions:
        assert Action.from_dict(action.to_dict()) == action
    with pytest.raises(MalformedActionError, match="missing 'tick'"):
        Action.from_dict({"tool": "cut"})


def test_a_crash_while_catching_up_drops_what_was_waiting_and_says_so() -> None:
    world = World(recorder_scenario(link=LinkSpec(latency=Latency.constant(1))), actions=[
        Action.make(1, "freeze", "n2"),
        send(50, "n1", "n2", "early"),
        Action.make(100, "unfreeze", "n2"),
        Action.make(100, "crash", "n2"),  # after the unfreeze, before the catch-up runs
    ])
    world.run_until(200)
    unfreeze = next(e for e in world.trace.of_kind("fault") if e.data["tool"] == "unfreeze")
    assert unfreeze.data["effect"] == "1 pending"
    assert world.nodes["n2"].status == CRASHED and not world.trace.of_kind("deliver")
    drops = [e for e in world.trace.of_kind("drop") if e.data["reason"] == "node crashed"]
    assert [e.data["id"] for e in drops] == [1]  # "early" is reported lost, not forgotten
