"""Lying nodes and signatures."""

from __future__ import annotations

from typing import Any

from playground.sim import Action, Context, Program, Scenario, Signed, World
from playground.sim.examples import Register


class Signer(Program):
    """Broadcasts a signed value on command; records what it receives and whether it verifies."""

    def __init__(self) -> None:
        self.got: list[tuple[str, Any, bool]] = []

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        ctx.broadcast({"type": "order", "value": ctx.sign(args["value"])})

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        signed = payload["value"]
        self.got.append((src, signed.value, ctx.verify(signed)))
        if payload.get("relay"):
            return
        # relay what we got (lieutenants pass on the commander's signed order)
        ctx.broadcast({"type": "order", "value": signed, "relay": True})


def register_world(*lie: Action, until: int = 100) -> World:
    scenario = Scenario(nodes=("c", "l1", "l2", "l3"), program=lambda _: Register())
    world = World(scenario, actions=[*lie,
                                     Action.make(10, "command", "c", name="set",
                                                 args={"value": "attack"})])
    world.run_until(until)
    return world


def values(world: World) -> dict[str, Any]:
    return {n: world.nodes[n].program.value for n in ("l1", "l2", "l3")}


def test_equivocation_tells_each_peer_something_different() -> None:
    world = register_world(Action.make(0, "lie", "c", strategy="equivocate",
                                       values=["attack", "retreat"]))
    assert values(world) == {"l1": "attack", "l2": "retreat", "l3": "attack"}


def test_forge_replaces_the_value() -> None:
    world = register_world(Action.make(0, "lie", "c", strategy="forge", value="surrender"))
    assert set(values(world).values()) == {"surrender"}


def test_silent_liar_sends_nothing() -> None:
    world = register_world(Action.make(0, "lie", "c", strategy="silent"))
    assert set(values(world).values()) == {None}
    assert not world.trace.of_kind("send")
    assert {d.data["reason"] for d in world.trace.of_kind("drop")} == {"liar silent"}


def test_replay_sends_an_old_message_instead() -> None:
    scenario = Scenario(nodes=("c", "l1"), program=lambda _: Register())
    world = World(scenario, actions=[
        Action.make(1, "command", "c", name="set", args={"value": "v1"}),
        Action.make(5, "lie", "c", strategy="replay"),
        Action.make(10, "command", "c", name="set", args={"value": "v2"}),
    ])
    world.run_until(50)
    assert world.nodes["l1"].program.value == "v1"
    assert world.nodes["c"].program.value == "v2"


def test_honest_again_stops_lying() -> None:
    world = register_world(Action.make(0, "lie", "c", strategy="forge", value="x"),
                           Action.make(5, "honest", "c"))
    assert set(values(world).values()) == {"attack"}


def test_clock_lie_shifts_what_the_program_reads_not_the_true_clock() -> None:
    scenario = Scenario(nodes=("a", "b"), program=lambda _: Register())
    world = World(scenario, actions=[Action.make(0, "lie", "a", strategy="clock", offset_ms=500)])
    world.run_until(100)
    ctx = world.nodes["a"].ctx
    assert ctx.time_of_day() == 600
    assert world.clock_readings("a")["time_of_day"] == 100


def test_signatures_verify_and_cannot_be_forged_by_others() -> None:
    scenario = Scenario(nodes=("c", "l1", "l2"), program=lambda _: Signer())
    world = World(scenario, actions=[
        Action.make(0, "lie", "l1", strategy="forge", value="retreat"),
        Action.make(1, "command", "c", name="order", args={"value": "attack"}),
    ])
    world.run_until(100)
    got = world.nodes["l2"].program.got
    # from c directly: valid; relayed by l1 with a rewritten value: invalid; by l2: n/a
    assert ("c", "attack", True) in got
    assert ("l1", "retreat", False) in got


def test_a_liar_can_re_sign_its_own_values() -> None:
    scenario = Scenario(nodes=("c", "l1", "l2"), program=lambda _: Signer())
    world = World(scenario, actions=[
        Action.make(0, "lie", "c", strategy="equivocate", values=["attack", "retreat"]),
        Action.make(1, "command", "c", name="order", args={"value": "attack"}),
    ])
    world.run_until(100)
    direct = {(n, v, ok) for n in ("l1", "l2")
              for src, v, ok in world.nodes[n].program.got if src == "c"}
    assert direct == {("l1", "attack", True), ("l2", "retreat", True)}
    # ...and the lieutenants can prove the commander equivocated by comparing signed orders
    assert {v for n in ("l1", "l2") for _, v, ok in world.nodes[n].program.got if ok} == {
        "attack", "retreat"}


def test_signed_values_are_bound_to_their_signer() -> None:
    world = World(Scenario(nodes=("a", "b"), program=lambda _: Register()))
    world.run_until(0)
    ctx = world.nodes["a"].ctx
    s = ctx.sign({"v": 1})
    assert ctx.verify(s)
    assert not ctx.verify(Signed("b", {"v": 1}, s.signature))
    assert not ctx.verify({"v": 1})
