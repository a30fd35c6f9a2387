"""Player interventions (and scripted events) as immutable data.

An :class:`Action` is ``(tick, tool, target, params)``. A solution, a replay and a share code
are all lists of actions; a run is a pure function of (scenario, seed, actions).

:data:`TOOLS` is the catalogue: for each tool, what its target is (a node, a link, or the whole
cluster) and which parameters it takes. :meth:`Action.make` checks the shape of an action;
:meth:`playground.sim.world.World.validate` also checks its names against a scenario.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs

from playground.sim.errors import InvalidTickError, MalformedActionError
from playground.sim.network import parse_link

TargetKind = Literal["node", "link", "cluster"]
LIE_STRATEGIES = ("equivocate", "forge", "silent", "replay", "clock")


#: A rule on a parameter's value: ``None`` if it is fine, else what is wrong (``"must be ..."``).
Rule = Callable[[Any], "str | None"]


@attrs.frozen
class Param:
    """One parameter of a tool: its accepted Python types, whether it must be given, and the
    rule its value must follow (numbers must also be finite)."""

    types: tuple[type, ...]
    required: bool = False
    doc: str = ""
    rule: Rule | None = None


def _at_least(low: float) -> Rule:
    return lambda v: None if v >= low else f"must be >= {low:g}, got {v:g}"


def _above(low: float) -> Rule:
    return lambda v: None if v > low else f"must be > {low:g}, got {v:g}"


def _within(low: float, high: float) -> Rule:
    return lambda v: (None if low <= v <= high
                      else f"must be between {low:g} and {high:g}, got {v:g}")


def _ppm(value: float) -> str | None:
    if -1_000_000 < value < 1_000_000:
        return None
    return f"must be strictly between -1000000 and 1000000 ppm, got {value:g}"


def _non_empty(value: Any) -> str | None:
    return None if len(value) else "must not be empty"


def _groups(value: Any) -> str | None:
    if not value or not all(isinstance(g, list | tuple) and all(isinstance(n, str) for n in g)
                            for g in value):
        return 'must be a list of groups of node names, such as [["n1", "n2"], ["n3"]]'
    return None


@attrs.frozen
class Tool:
    """A tool in the catalogue: what it targets, its parameters and what it does."""

    name: str
    target: TargetKind
    params: Mapping[str, Param]
    doc: str
    category: str


_NUM = (int, float)
_ANY = (object,)


def _tool(tool: str, target: TargetKind, category: str, doc: str, **params: Param) -> Tool:
    return Tool(tool, target, params, doc, category)


TOOLS: dict[str, Tool] = {
    t.name: t
    for t in (
        _tool("cut", "link", "network", "Cut a link ('a->b' one way, 'a<->b' both ways)."),
        _tool("heal", "link", "network", "Heal a cut link; target '*' heals every link."),
        _tool(
            "partition", "cluster", "network",
            "Split the cluster: nodes talk only within a group. A node in two groups bridges "
            "them; a node in no group is isolated.",
            groups=Param((list, tuple), True, "list of lists of node names", _groups),
        ),
        _tool(
            "set_link", "link", "network",
            "Change a link's behaviour (latency, loss, ...); target '*' changes every link.",
            latency=Param(_NUM, rule=_at_least(0)), loss=Param(_NUM, rule=_within(0, 1)),
            duplicate=Param(_NUM, rule=_within(0, 1)), jitter=Param(_NUM, rule=_at_least(0)),
            service_ms=Param(_NUM, rule=_at_least(0)), queue_limit=Param((int,), rule=_at_least(0)),
        ),
        _tool("hold", "link", "network",
              "Hold messages arriving over a link (unbounded delay) until released.",
              count=Param((int,), doc="hold only the next N messages", rule=_at_least(1))),
        _tool("release", "link", "network", "Deliver every held message on a link now."),
        _tool("freeze", "node", "process",
              "Stop-the-world pause: nothing runs, inbox and timers pile up, clocks move on.",
              duration=Param(_NUM, doc="unfreeze after this many ms", rule=_above(0))),
        _tool("unfreeze", "node", "process", "End a pause."),
        _tool("crash", "node", "process",
              "Crash a node: it stops; volatile state is lost.",
              recover_after=Param(_NUM, doc="restart after this many ms (crash-recover)",
                                  rule=_above(0))),
        _tool("recover", "node", "process",
              "Restart a crashed node from its durable state (crash-recover)."),
        _tool("step_clock", "node", "clock",
              "Jump the node's time-of-day clock by delta_ms (negative goes backwards).",
              delta_ms=Param(_NUM, True)),
        _tool("set_drift", "node", "clock", "Set the time-of-day clock's drift in ppm.",
              ppm=Param(_NUM, True, rule=_ppm)),
        _tool("set_rate", "node", "clock", "Set the monotonic clock's rate error in ppm.",
              ppm=Param(_NUM, True, rule=_ppm)),
        _tool("lie", "node", "byzantine",
              "Make a node Byzantine: equivocate, forge, silent, replay or clock.",
              strategy=Param((str,), True), field=Param((str,)), value=Param(_ANY),
              values=Param((list, tuple), rule=_non_empty), offset_ms=Param(_NUM),
              probability=Param(_NUM, rule=_within(0, 1))),
        _tool("honest", "node", "byzantine", "Make a lying node honest again."),
        _tool("command", "node", "workload",
              "Deliver a command to a node's program (client requests, scripted workloads).",
              name=Param((str,), True), args=Param((dict, tuple, list))),
    )
}


_KIND_WORDS = {int: "a whole number", float: "a number", str: "text", list: "a list",
               tuple: "a list", dict: "a table"}


def _kind_words(types: tuple[type, ...]) -> str:
    """``(int, float)`` as ``a number``, ``(dict, tuple, list)`` as ``a table or a list``."""
    if set(types) == {int, float}:
        return "a number"
    words = dict.fromkeys(_KIND_WORDS.get(t, t.__name__) for t in types)
    return " or ".join(words)


def _shown(value: Any) -> str:
    """A value as a level author wrote it (JSON-like, not a Python repr)."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return str(value)


def _value_problem(value: Any, param: Param) -> str | None:
    """What is wrong with a parameter value of the right type, or ``None``."""
    if isinstance(value, int | float) and not isinstance(value, bool) and not math.isfinite(value):
        return f"must be a finite number, got {value}"
    return param.rule(value) if param.rule is not None else None


def freeze_value(value: Any) -> Any:
    """Make a parameter value hashable and immutable (lists become tuples, dicts sorted pairs)."""
    if isinstance(value, list | tuple):
        return tuple(freeze_value(v) for v in value)
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), freeze_value(v)) for k, v in value.items()))
    return value


def thaw_value(value: Any, as_mapping: bool = False) -> Any:
    """Inverse of :func:`freeze_value` for export (tuples become lists)."""
    if isinstance(value, tuple):
        if as_mapping:
            return {k: thaw_value(v) for k, v in value}
        return [thaw_value(v) for v in value]
    return value


@attrs.frozen(order=True)
class Action:
    """One intervention: at ``tick``, apply ``tool`` to ``target`` with ``params``.

    ``params`` is stored as sorted ``(name, value)`` pairs so actions are hashable and compare
    by value; use :attr:`kwargs` for a dict.
    """

    tick: int
    tool: str
    target: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def make(cls, tick: int, tool: str, target: str = "*", **params: Any) -> Action:
        """Build and check an action's shape. Raises :class:`MalformedActionError` or
        :class:`InvalidTickError`."""
        if isinstance(tick, bool) or not isinstance(tick, int):
            raise InvalidTickError(f"tick must be a whole number, got {tick!r}")
        if tick < 0:
            raise InvalidTickError(f"tick must be >= 0, got {tick}")
        spec = TOOLS.get(tool) if isinstance(tool, str) else None
        if spec is None:
            raise MalformedActionError(
                f"unknown tool {tool!r} (tools: {', '.join(sorted(TOOLS))})"
            )
        if not isinstance(target, str) or not target:
            raise MalformedActionError(f"{tool}: target must be a non-empty string")
        if spec.target == "link" and target != "*":
            try:
                parse_link(target)
            except ValueError as exc:
                raise MalformedActionError(f"{tool}: {exc}") from None
        for name, value in params.items():
            p = spec.params.get(name)
            if p is None:
                known = ", ".join(spec.params) or "none"
                raise MalformedActionError(
                    f"{tool}: unknown parameter {name!r} (parameters: {known})"
                )
            if isinstance(value, bool) and bool not in p.types and object not in p.types:
                raise MalformedActionError(f"{tool}: {name} must not be a boolean")
            if not isinstance(value, p.types):
                raise MalformedActionError(f"{tool}: {name} must be {_kind_words(p.types)}, "
                                           f"got {_shown(value)}")
            problem = _value_problem(value, p)
            if problem:
                raise MalformedActionError(f"{tool}: {name} {problem}")
        for name, p in spec.params.items():
            if p.required and name not in params:
                raise MalformedActionError(f"{tool}: missing required parameter {name!r}")
        if tool == "lie" and params["strategy"] not in LIE_STRATEGIES:
            raise MalformedActionError(
                f"lie: strategy must be one of {', '.join(LIE_STRATEGIES)}, "
                f"got {params['strategy']!r}"
            )
        frozen = tuple(sorted((k, freeze_value(v)) for k, v in params.items()))
        return cls(tick, tool, target, frozen)

    @property
    def kwargs(self) -> dict[str, Any]:
        """The parameters as a plain dict (tuples stay tuples)."""
        return dict(self.params)

    def to_dict(self) -> dict[str, Any]:
        """A JSON/TOML-friendly dict; :meth:`from_dict` reverses it."""
        out: dict[str, Any] = {"tick": self.tick, "tool": self.tool, "target": self.target}
        for k, v in self.params:
            out[k] = thaw_value(v, as_mapping=(k == "args"))
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Action:
        """Build an action from ``{"tick", "tool", "target", **params}``."""
        if not isinstance(data, Mapping):
            raise MalformedActionError(f"an action must be a table, got {data!r}")
        rest = dict(data)
        try:
            tick = rest.pop("tick")
            tool = rest.pop("tool")
        except KeyError as exc:
            raise MalformedActionError(f"action is missing {exc.args[0]!r}") from None
        target = rest.pop("target", "*")
        return cls.make(tick, tool, target, **rest)

    def describe(self) -> str:
        """Short human text, e.g. ``t=120 cut n1->n2``."""
        extra = " ".join(f"{k}={thaw_value(v)!r}" for k, v in self.params)
        return f"t={self.tick} {self.tool} {self.target}" + (f" {extra}" if extra else "")
