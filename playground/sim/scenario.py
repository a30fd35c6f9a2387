"""A scenario: the cluster to simulate (nodes, programs, network, clocks, checks, script).

A run is a pure function of (scenario, seed, actions). The scenario is immutable; everything
mutable (checks, programs) is created or deep-copied fresh for each run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from playground.sim.actions import Action
from playground.sim.checks import Check
from playground.sim.clocks import ClockSpec
from playground.sim.errors import ScenarioError
from playground.sim.network import LinkSpec, parse_link
from playground.sim.program import Program

NODE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*(?:-[A-Za-z0-9_.]+)*$")

ProgramFactory = Callable[[str], Program]


def _names(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _checks(items: Iterable[Check]) -> tuple[Check, ...]:
    return tuple(items)


def _actions(items: Iterable[Action]) -> tuple[Action, ...]:
    return tuple(items)


def _check_nodes(
    instance: object, attribute: attrs.Attribute[tuple[str, ...]], nodes: tuple[str, ...]
) -> None:
    if not nodes:
        raise ScenarioError("a scenario needs at least one node")
    for name in nodes:
        if not isinstance(name, str) or not NODE_NAME.match(name):
            raise ScenarioError(
                f"bad node name {name!r}: use letters, digits, '_', '.', and single '-' "
                "between them, starting with a letter"
            )
    if len(set(nodes)) != len(nodes):
        raise ScenarioError(f"duplicate node names in {list(nodes)}")


@attrs.frozen
class Scenario:
    """What to simulate.

    - ``nodes``: node names, in display order.
    - ``program``: ``factory(node_name) -> Program``; called at start and on crash-recovery.
    - ``link``: the default :class:`LinkSpec`; ``links`` overrides it per ``'a->b'`` (one way)
      or ``'a<->b'`` (both ways).
    - ``clocks``: per-node :class:`ClockSpec` (default: perfect clocks).
    - ``checks``: invariant and liveness prototypes (deep-copied per run).
    - ``script``: scripted actions (workload, the adversary of a KEEP IT level).
    """

    nodes: tuple[str, ...] = attrs.field(converter=_names, validator=_check_nodes)
    program: ProgramFactory
    link: LinkSpec = attrs.field(factory=LinkSpec)
    links: Mapping[str, LinkSpec] = attrs.field(factory=dict)
    clocks: Mapping[str, ClockSpec] = attrs.field(factory=dict)
    checks: tuple[Check, ...] = attrs.field(default=(), converter=_checks)
    script: tuple[Action, ...] = attrs.field(default=(), converter=_actions)
    meta: Mapping[str, Any] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        known = set(self.nodes)
        for name in self.clocks:
            if name not in known:
                raise ScenarioError(f"clocks: unknown node {name!r}")
        for target in self.links:
            try:
                a, b, _ = parse_link(target)
            except ValueError as exc:
                raise ScenarioError(f"links: {exc}") from None
            for n in (a, b):
                if n not in known:
                    raise ScenarioError(f"links: unknown node {n!r} in {target!r}")

    def link_spec(self, src: str, dst: str) -> LinkSpec:
        """The configured spec of directed link ``src->dst``."""
        one_way = self.links.get(f"{src}->{dst}")
        if one_way is not None:
            return one_way
        for key in (f"{src}<->{dst}", f"{dst}<->{src}", f"{src}-{dst}", f"{dst}-{src}"):
            spec = self.links.get(key)
            if spec is not None:
                return spec
        return self.link

    def clock_spec(self, node: str) -> ClockSpec:
        return self.clocks.get(node, ClockSpec())
