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
NodeState = Literal["running", "frozen", "crashed", "lying", "honest"]
RUNNING: NodeState = "running"
FROZEN: NodeState = "frozen"
CRASHED: NodeState = "crashed"
LYING: NodeState = "lying"
HONEST: NodeState = "honest"
PROCESS_STATES: tuple[NodeState, ...] = (RUNNING, FROZEN, CRASHED)
"""The states of a node's process; ``lying`` and ``honest`` are whether it lies, beside them."""
LIE_STRATEGIES = ("equivocate", "forge", "silent", "replay", "clock")


#: A rule on a parameter's value: ``None`` if it is fine, else what is wrong (``"must be ..."``).
Rule = Callable[[Any], "str | None"]


@attrs.frozen
class Param:
    """One parameter of a tool: its accepted Python types, whether it must be given, and the
    rule its value must follow (numbers must also be finite).

    What a dialog shows: ``label`` (the parameter is asked for only if it has one), ``hint``
    (always) and ``open_hint`` (when no budget bounds it), pre-filled with ``suggest``.
    ``bound`` is the toolbox budget key that limits it (``max_duration``: at most that many
    ms; ``strategies``: only those choices), ``signed`` that the limit holds either way (±),
    ``unit`` what the limit counts (``ms``). ``nodes`` that the value names nodes, in groups
    (a partition's ``groups``).
    """

    types: tuple[type, ...]
    required: bool = False
    doc: str = ""
    rule: Rule | None = None
    label: str = ""
    hint: str = ""
    open_hint: str = ""
    suggest: float | None = None
    bound: str | None = None
    signed: bool = False
    choices: tuple[str, ...] = ()
    unit: str = ""
    nodes: bool = False

    @property
    def words(self) -> str:
        """The label without its unit: ``pause for`` for ``pause for (ms)``."""
        return self.label.split(" (", 1)[0]


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
    """A tool in the catalogue: what it targets, its parameters and what it does.

    ``label`` is its short name on screen, ``uses`` its uses counted in words ("cuts");
    ``undoes`` names the tool whose effect it ends, ``ends_after`` the parameter after which
    the engine ends its effect itself (a freeze's ``duration``); ``settings`` that a level
    may restrict which of its parameters the player changes. ``leaves`` is the state it puts
    its target node in when it has an effect (a freeze: ``frozen``); ``every_link`` that the
    target ``'*'`` means every link.
    """

    name: str
    target: TargetKind
    params: Mapping[str, Param]
    doc: str
    category: str
    label: str
    uses: str
    undoes: str | None = None
    ends_after: str | None = None
    settings: bool = False
    leaves: NodeState | None = None
    every_link: bool = False

    @property
    def budget_keys(self) -> tuple[str, ...]:
        """The toolbox budget keys that apply to this tool."""
        bounds = [p.bound for p in self.params.values() if p.bound]
        return ("count", "targets", *bounds, *(("settings",) if self.settings else ()))

    @property
    def asked(self) -> dict[str, Param]:
        """The parameters a dialog asks for (those with a label), in order."""
        return {name: p for name, p in self.params.items() if p.label}


_NUM = (int, float)
_ANY = (object,)


def _tool(tool: str, target: TargetKind, category: str, label: str, uses: str, doc: str,
          undoes: str | None = None, ends_after: str | None = None, settings: bool = False,
          leaves: NodeState | None = None, every_link: bool = False, **params: Param) -> Tool:
    return Tool(tool, target, params, doc, category, label, uses, undoes, ends_after, settings,
                leaves, every_link)


def _link_setting(types: tuple[type, ...], rule: Rule, label: str, hint: str = "",
                  suggest: float | None = None, bound: str | None = None) -> Param:
    return Param(types, rule=rule, label=label, hint=hint, suggest=suggest, bound=bound,
                 unit="ms" if bound else "")


def _duration(doc: str, label: str, open_hint: str, suggest: float | None = None) -> Param:
    """A time after which the engine ends the tool's effect, bounded by ``max_duration``."""
    return Param(_NUM, doc=doc, rule=_above(0), label=label, open_hint=open_hint,
                 suggest=suggest, bound="max_duration", unit="ms")


_PPM = Param(_NUM, True, rule=_ppm, label="rate error (ppm)", suggest=200, bound="max_ppm",
             signed=True, open_hint="200 ppm = 0.2 ms per second", unit="ppm")


TOOLS: dict[str, Tool] = {
    t.name: t
    for t in (
        _tool("cut", "link", "network", "cut link", "cuts",
              "Cut a link ('a->b' one way, 'a<->b' both ways)."),
        _tool("heal", "link", "network", "heal link", "heals",
              "Heal a cut link; target '*' heals every link.", undoes="cut", every_link=True),
        _tool(
            "partition", "cluster", "network", "partition", "partitions",
            "Split the cluster: nodes talk only within a group. A node in two groups bridges "
            "them; a node in no group is isolated.",
            groups=Param((list, tuple), True, "list of lists of node names", _groups,
                         label="groups", hint="nodes in a group talk; '|' separates groups",
                         nodes=True),
        ),
        _tool(
            "set_link", "link", "network", "slow/lossy", "link changes",
            "Change a link's behaviour (latency, loss, ...); target '*' changes every link.",
            settings=True, every_link=True,
            latency=_link_setting(_NUM, _at_least(0), "latency (ms)", suggest=200),
            loss=_link_setting(_NUM, _within(0, 1), "loss (0..1)"),
            jitter=_link_setting(_NUM, _at_least(0), "jitter (ms)"),
            duplicate=_link_setting(_NUM, _within(0, 1), "duplicate (0..1)"),
            service_ms=_link_setting(_NUM, _at_least(0), "wire time per message (ms)",
                                     "messages queue behind each other",
                                     bound="max_service_ms"),
            queue_limit=_link_setting((int,), _at_least(0), "queue length (messages)",
                                      "a full queue drops what arrives"),
        ),
        _tool("hold", "link", "network", "hold msgs", "holds",
              "Hold messages arriving over a link (unbounded delay) until released.",
              count=Param((int,), doc="hold only the next N messages", rule=_at_least(1),
                          label="hold the next N messages", bound="max_hold",
                          open_hint="empty: hold until released")),
        _tool("release", "link", "network", "release", "releases",
              "Deliver every held message on a link now.", undoes="hold", every_link=True),
        _tool("freeze", "node", "process", "freeze", "freezes",
              "Stop-the-world pause: nothing runs, inbox and timers pile up, clocks move on.",
              ends_after="duration", leaves=FROZEN,
              duration=_duration("unfreeze after this many ms", "pause for (ms)",
                                 "empty: until you unfreeze it", suggest=1000)),
        _tool("unfreeze", "node", "process", "unfreeze", "unfreezes", "End a pause.",
              undoes="freeze", leaves=RUNNING),
        _tool("crash", "node", "process", "crash", "crashes",
              "Crash a node: it stops; volatile state is lost.", ends_after="recover_after",
              leaves=CRASHED,
              recover_after=_duration("restart after this many ms (crash-recover)",
                                      "restart after (ms)", "empty: it stays down (crash-stop)")),
        _tool("recover", "node", "process", "recover", "recoveries",
              "Restart a crashed node from its durable state (crash-recover).", undoes="crash",
              leaves=RUNNING),
        _tool("step_clock", "node", "clock", "step clock", "clock steps",
              "Jump the node's time-of-day clock by delta_ms (negative goes backwards).",
              delta_ms=Param(_NUM, True, label="step time-of-day by (ms)", suggest=-500,
                             bound="max_delta", signed=True, hint="negative goes back",
                             unit="ms")),
        _tool("set_drift", "node", "clock", "clock drift", "drift changes",
              "Set the time-of-day clock's drift in ppm.", ppm=_PPM),
        _tool("set_rate", "node", "clock", "mono rate", "rate changes",
              "Set the monotonic clock's rate error in ppm.", ppm=_PPM),
        _tool("lie", "node", "byzantine", "make lie", "lies",
              "Make a node Byzantine: equivocate, forge, silent, replay or clock.", leaves=LYING,
              strategy=Param((str,), True, label="how it lies", bound="strategies",
                             choices=LIE_STRATEGIES),
              field=Param((str,), label="field to rewrite", hint="payload field (default: value)"),
              value=Param(_ANY, label="forged value", hint="for forge"),
              values=Param((list, tuple), rule=_non_empty),
              offset_ms=Param(_NUM, label="clock lie (ms)", hint="for clock"),
              probability=Param(_NUM, rule=_within(0, 1))),
        _tool("honest", "node", "byzantine", "make honest", "honest turns",
              "Make a lying node honest again.", undoes="lie", leaves=HONEST),
        _tool("command", "node", "workload", "command", "commands",
              "Deliver a command to a node's program (client requests, scripted workloads).",
              name=Param((str,), True), args=Param((dict, tuple, list))),
    )
}
"""Every tool, by name."""
PLAYER_TOOLS: tuple[str, ...] = tuple(name for name in TOOLS if name != "command")
"""The tools a toolbox may give the player (``command`` belongs to a level's script)."""


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


def param_problem(param: Param, value: Any) -> str | None:
    """What is wrong with ``value`` for ``param`` (``must be ...``: its type, a finite number,
    its rule, one of its choices), or ``None``."""
    if isinstance(value, bool) and bool not in param.types and object not in param.types:
        return "must not be a boolean"
    if not isinstance(value, param.types):
        return f"must be {_kind_words(param.types)}, got {_shown(value)}"
    if isinstance(value, int | float) and not isinstance(value, bool) and not math.isfinite(value):
        return f"must be a finite number, got {value}"
    if param.choices and value not in param.choices:
        return f"must be one of {', '.join(param.choices)}, got {_shown(value)}"
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
            problem = param_problem(p, value)
            if problem:
                raise MalformedActionError(f"{tool}: {name} {problem}")
        for name, p in spec.params.items():
            if p.required and name not in params:
                raise MalformedActionError(f"{tool}: missing required parameter {name!r}")
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
