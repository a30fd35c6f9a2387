"""A tiny protocol and level texts for testing the game layer on its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from playground.protocols.registry import Build, Knob, ProtocolSpec, register
from playground.sim import Invariant, World
from playground.sim.examples import Register
from playground.sim.trace import Event


class NoSplitValue(Invariant):
    """All nodes that decided a value decided the same one."""

    name = "one-value"
    kinds = frozenset({"decide"})

    def __init__(self) -> None:
        self.first: tuple[str, Any, int] | None = None

    def observe(self, event: Event, world: World):
        value = event.data["value"]
        if self.first is None:
            self.first = (event.node, value, event.seq)
        elif value != self.first[1]:
            return (f"{event.node} took {value!r} but {self.first[0]} took {self.first[1]!r}",
                    [self.first[2], event.seq])
        return None


def _build(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> Build:
    durable = knobs["durable"]
    return Build(program=lambda _: Register(durable=durable), checks=(NoSplitValue(),))


TEST_SPEC = ProtocolSpec(
    name="test-register", title="Test register", source="tests", summary="A register.",
    knobs=(Knob("durable", "bool", True, "keep the value on disk"),
           Knob("copies", "int", 3, "unused", low=1, high=9)),
    build=_build, commands={"set": "{value}"}, invariants={"one-value": "one value"},
    metrics=lambda world: {
        "decisions": len(world.trace.of_kind("decide")),
        "values_kept": sum(1 for n in world.nodes.values()
                           if n.program is not None and n.program.value is not None),
    },
)
register(TEST_SPEC)

BREAK_LEVEL = '''\
id = "split"
title = "Split the register"
chapter = "Knowledge, Truth, and Lies"
section = "Byzantine Faults"
mode = "break"
briefing = "Make two nodes take different values."
ticks = 500
seed = 3
hints = ["Look at a.", "A liar.", "Make a equivocate before tick 100."]

[cluster]
nodes = ["a", "b", "c"]

[protocol]
name = "test-register"

[network]
latency = 5

[[script]]
tick = 100
tool = "command"
target = "a"
name = "set"
args = { value = "x" }

[goal]
text = "Two nodes disagree."
violation = "one-value"

[toolbox]
lie = { count = 1, strategies = ["equivocate", "forge"] }
cut = { count = 1, targets = ["a->b"] }
freeze = { count = 1, max_duration = 100 }
set_link = { count = 1, settings = ["service_ms"], max_service_ms = 200 }

[par]
actions = 1
ticks = 120

[debrief]
idea = "A liar can tell each peer something different."
real_world = "Byzantine faults need 3f+1 nodes."
won = "At tick {violation_tick}: {violation_detail}."
'''

KEEP_LEVEL = '''\
id = "keep-it"
title = "Keep the value"
chapter = "Knowledge, Truth, and Lies"
section = "System Model and Reality"
mode = "keep"
briefing = "Keep the value through a crash."
ticks = 400
hints = ["a", "b", "c"]

[cluster]
nodes = ["a", "b", "c"]

[protocol]
name = "test-register"
knobs = { durable = false }

[[script]]
tick = 10
tool = "command"
target = "a"
name = "set"
args = { value = 1 }

[[script]]
tick = 50
tool = "crash"
target = "b"
recover_after = 10

[goal]
text = "Nothing breaks."

[[goal.require]]
metric = "values_kept"
min = 3

[knobs]
durable = { choices = [true, false] }

[par]
messages = 10

[debrief]
idea = "Durable state survives."
real_world = "fsync."
'''
