"""The deterministic simulation engine (no UI imports here: a test enforces it).

Typical use::

    from playground.sim import Scenario, World, Action, Program

    world = World(scenario, seed=7, actions=[Action.make(100, "cut", "n1<->n2")])
    world.run_until(5_000)
    world.trace.sha256(), world.violations
"""

from playground.sim.actions import CRASHED, FROZEN, RUNNING, TOOLS, Action, Tool
from playground.sim.checks import Check, Invariant, PredicateInvariant, ProgressWithin, Violation
from playground.sim.clocks import ClockSpec, NodeClock
from playground.sim.errors import (
    InvalidTickError,
    MalformedActionError,
    ProgramError,
    ScenarioError,
    SimError,
    UnknownLinkError,
    UnknownNodeError,
)
from playground.sim.network import Latency, LinkSpec, Message
from playground.sim.program import Context, Program, Signed
from playground.sim.scenario import Scenario
from playground.sim.timeline import Timeline
from playground.sim.trace import Event, Trace, canonical_json, trace_hash
from playground.sim.world import World, run

__all__ = [
    "CRASHED",
    "FROZEN",
    "RUNNING",
    "TOOLS",
    "Action",
    "Check",
    "ClockSpec",
    "Context",
    "Event",
    "InvalidTickError",
    "Invariant",
    "Latency",
    "LinkSpec",
    "MalformedActionError",
    "Message",
    "NodeClock",
    "PredicateInvariant",
    "Program",
    "ProgramError",
    "ProgressWithin",
    "Scenario",
    "ScenarioError",
    "Signed",
    "SimError",
    "Timeline",
    "Tool",
    "Trace",
    "UnknownLinkError",
    "UnknownNodeError",
    "Violation",
    "World",
    "canonical_json",
    "run",
    "trace_hash",
]
