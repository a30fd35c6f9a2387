"""What every protocol module publishes: its knobs and how to build it for a cluster.

A protocol module defines ``SPEC = ProtocolSpec(...)``. The level loader (and the sandbox)
only ever talk to protocols through this: validate knobs, build the program factory and the
checks for a list of node names, list the commands the program accepts, compute metrics.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import attrs

from playground.sim.checks import Check
from playground.sim.errors import SimError
from playground.sim.scenario import ProgramFactory
from playground.sim.world import World


class KnobError(SimError):
    """A knob value that the protocol does not accept (unknown knob, wrong type, out of range).

    ``knob`` names the knob so file loaders can point at the right field."""

    def __init__(self, knob: str, message: str) -> None:
        self.knob = knob
        super().__init__(f"knob {knob!r}: {message}")


KnobKind = Literal["int", "float", "bool", "str", "node", "nodes"]


@attrs.frozen
class Knob:
    """One setting a level (or the player, in KEEP IT levels) can turn.

    ``kind`` is ``int``, ``float``, ``bool``, ``str`` (one of ``choices``) or ``node`` (a node
    name of the cluster) or ``nodes`` (a list of node names). Numbers may have ``low``/``high``
    bounds (inclusive). ``safe`` says which values are safe, in words, for the docs and UI.
    """

    name: str
    kind: KnobKind
    default: Any
    doc: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    safe: str = ""

    def check(self, value: Any, nodes: Sequence[str]) -> Any:
        """Return ``value`` converted to the knob's type, or raise :class:`KnobError`."""
        kind = self.kind
        if kind == "bool":
            if not isinstance(value, bool):
                raise KnobError(self.name, f"must be true or false, got {value!r}")
            return value
        if kind in ("int", "float"):
            ok = isinstance(value, int) if kind == "int" else isinstance(value, int | float)
            if isinstance(value, bool) or not ok:
                raise KnobError(self.name, f"must be {'a whole number' if kind == 'int' else 'a number'}, got {value!r}")  # noqa: E501
            if not math.isfinite(value):
                raise KnobError(self.name, f"must be a finite number, got {value}")
            if self.low is not None and value < self.low:
                raise KnobError(self.name, f"must be >= {self.low:g}, got {value!r}")
            if self.high is not None and value > self.high:
                raise KnobError(self.name, f"must be <= {self.high:g}, got {value!r}")
            return float(value) if kind == "float" else value
        if kind == "str":
            if value not in self.choices:
                raise KnobError(self.name, f"must be one of {', '.join(self.choices)}, got {value!r}")  # noqa: E501
            return value
        if kind == "node":
            if value not in nodes:
                raise KnobError(self.name, f"unknown node {value!r} (nodes: {', '.join(nodes)})")
            return value
        if kind == "nodes":
            if not isinstance(value, list | tuple) or any(v not in nodes for v in value):
                raise KnobError(self.name, f"must be a list of node names, got {value!r}")
            return tuple(value)
        raise KnobError(self.name, f"has an unknown kind {kind!r}")  # a bug in the SPEC


@attrs.frozen
class Build:
    """What a protocol builds for a cluster: the program factory and its checks."""

    program: ProgramFactory
    checks: tuple[Check, ...] = ()


@attrs.frozen
class ProtocolSpec:
    """A protocol as levels see it.

    - ``name``: the id levels use (``protocol = "raft"``); ``title``; ``source``: paper or
      chapter section; ``summary``: one paragraph for the codex.
    - ``knobs``: every setting with its safe default.
    - ``build(nodes, knobs)``: knobs are already validated and complete.
    - ``commands``: command name -> description of args (for ``command`` actions).
    - ``invariants`` / ``liveness``: names and one-line meanings of the checks it builds.
    - ``metrics(world)``: numbers for scoring and the debrief (e.g. detection time).
    - ``min_nodes`` / ``default_nodes``.
    """

    name: str
    title: str
    source: str
    summary: str
    knobs: tuple[Knob, ...]
    build: Callable[[tuple[str, ...], Mapping[str, Any]], Build]
    commands: Mapping[str, str] = attrs.field(factory=dict)
    invariants: Mapping[str, str] = attrs.field(factory=dict)
    liveness: Mapping[str, str] = attrs.field(factory=dict)
    metrics: Callable[[World], dict[str, Any]] = lambda world: {}
    min_nodes: int = 1
    default_nodes: tuple[str, ...] = ("n1", "n2", "n3")

    def knob(self, name: str) -> Knob:
        for k in self.knobs:
            if k.name == name:
                return k
        raise KnobError(name, f"unknown knob for {self.name} "
                              f"(knobs: {', '.join(k.name for k in self.knobs)})")

    def resolve_knobs(self, nodes: Sequence[str], given: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with ``given``, each checked. Raises :class:`KnobError`."""
        if len(nodes) < self.min_nodes:
            raise KnobError("nodes", f"{self.name} needs at least {self.min_nodes} nodes")
        out = {k.name: k.default for k in self.knobs}
        for name, value in given.items():
            out[name] = self.knob(name).check(value, nodes)
        for k in self.knobs:  # defaults name nodes too: check them against this cluster
            if k.kind in ("node", "nodes") and k.name not in given:
                out[k.name] = k.check(out[k.name], nodes)
        return out

    def instantiate(self, nodes: Sequence[str], given: Mapping[str, Any]) -> Build:
        """Validate ``given`` knobs and build for ``nodes``."""
        return self.build(tuple(nodes), self.resolve_knobs(nodes, given))


#: Every protocol module, in the chapter's order. Each defines ``SPEC`` (and may define more
#: specs in ``EXTRA_SPECS``).
PROTOCOL_MODULES: tuple[str, ...] = (
    "batch",
    "reliable",
    "requests",
    "failure_detector",
    "raft",
    "clocksync",
    "lww",
    "lease",
    "quorum",
    "bft",
)

_REGISTERED: dict[str, ProtocolSpec] = {}


def register(spec: ProtocolSpec) -> None:
    """Make an extra protocol available (plugins, tests)."""
    _REGISTERED[spec.name] = spec


def all_protocols() -> dict[str, ProtocolSpec]:
    """Every protocol by name."""
    specs: dict[str, ProtocolSpec] = {}
    for module_name in PROTOCOL_MODULES:
        module = importlib.import_module(f"playground.protocols.{module_name}")
        for spec in (module.SPEC, *getattr(module, "EXTRA_SPECS", ())):
            specs[spec.name] = spec
    specs.update(_REGISTERED)
    return specs


def get_protocol(name: str) -> ProtocolSpec:
    """The protocol called ``name``; raises :class:`KnobError` naming the known ones."""
    specs = all_protocols()
    if name not in specs:
        raise KnobError("protocol", f"unknown protocol {name!r} (known: {', '.join(specs)})")
    return specs[name]
