"""Level files: TOML in, a checked :class:`Level` out (errors name file, line and field).

See ``docs/levels.md`` for the format with examples. A level names its outline entry, the
cluster, the protocol and its knobs, the network, clocks, scripted events, the goal, the tick
limit, par values, hints and a debrief. BREAK IT levels carry a toolbox with budgets; KEEP IT
levels carry the knobs the player may turn; the sandbox carries both, unlimited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import attrs

from playground.game import words
from playground.game.errors import LevelError
from playground.game.outline import CHAPTERS, ENTRIES
from playground.game.reader import Reader, parse_toml, read_text
from playground.protocols.registry import KnobError, ProtocolSpec, get_protocol
from playground.sim import (
    TOOLS,
    Action,
    ClockSpec,
    Latency,
    LinkSpec,
    Program,
    Scenario,
    SimError,
)
from playground.sim.actions import PLAYER_TOOLS
from playground.sim.network import parse_link

Mode = Literal["break", "keep", "sandbox"]
LEVEL_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TICKS = 600_000
#: The campaign's acts: 1 teaches each outline entry in one move, 2 needs thought.
ACTS = (1, 2)
MAX_SEEDS = 100  # a KEEP IT verdict over more seeds would keep the player waiting
#: Why a BREAK IT level holds, offered when the player claims it: three, one of them right.
REASON_COUNT = 3
MAX_REASON = 70  # characters: one line of the claim dialog
#: The reasons offered on a BREAK IT level that gives none of its own (it can be broken, so
#: every reason is wrong; offering reasons everywhere keeps the dialog from giving that away).
DEFAULT_REASONS = (
    "every fault in the toolbox is one the protocol was built to survive",
    "the toolbox cannot reach the nodes that decide",
    "any violation would be undone before it counted",
)

TOP_KEYS = frozenset({
    "id", "title", "chapter", "section", "mode", "briefing", "ticks", "seed", "cluster",
    "protocol", "network", "clocks", "script", "goal", "toolbox", "knobs", "par", "hints",
    "debrief", "concepts", "unbreakable", "act", "seeds", "claim",
})
LINK_KEYS = frozenset({"latency", "loss", "duplicate", "jitter", "service_ms", "queue_limit",
                       "circuit"})
CLOCK_KEYS = frozenset({"offset_ms", "drift_ppm", "rate_ppm", "error_ms"})
BUDGET_KEYS = frozenset({"count", "targets", "max_duration", "max_delta", "max_ppm",
                         "strategies", "max_hold", "settings", "max_service_ms"})
KNOB_RANGE_KEYS = frozenset({"choices", "low", "high", "step", "label", "help"})
PAR_KEYS = frozenset({"actions", "ticks", "messages", "metrics"})
DEBRIEF_KEYS = frozenset({"idea", "real_world", "won", "lost"})


@attrs.frozen
class Budget:
    """How a BREAK IT player may use one tool. ``count=None`` means unlimited."""

    tool: str
    count: int | None = None
    targets: tuple[str, ...] = ()
    max_duration: float | None = None
    max_delta: float | None = None
    max_ppm: float | None = None
    strategies: tuple[str, ...] = ()
    max_hold: int | None = None
    settings: tuple[str, ...] = ()  # set_link: the only link settings the player may change
    max_service_ms: float | None = None  # set_link: the longest wire time the player may set


@attrs.frozen
class KnobRange:
    """A knob the KEEP IT player may set: a list of ``choices`` or a ``low``..``high`` range."""

    name: str
    choices: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    step: float | None = None
    label: str = ""
    help: str = ""  # what the knob does, for this level (the protocol's help by default)

    @property
    def title(self) -> str:
        """What the player reads: the level's label, else the name in words."""
        return self.label or words.name(self.name)

    def allows(self, value: Any) -> str | None:
        """``None`` if ``value`` is allowed, else why not (in the file's words: it names the
        knob as the file does)."""
        if self.choices:
            return None if value in self.choices else (
                f"{self.name} must be one of {', '.join(map(_toml_word, self.choices))}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{self.name} must be a number"
        if self.low is not None and value < self.low:
            return f"{self.name} must be >= {self.low:g}"
        if self.high is not None and value > self.high:
            return f"{self.name} must be <= {self.high:g}"
        return None


def _toml_word(value: Any) -> str:
    """A value as the file spells it (``true``, not Python's ``True``)."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


@attrs.frozen
class Requirement:
    """A KEEP IT goal on a metric: ``min <= metrics[metric] <= max``."""

    metric: str
    min: float | None = None
    max: float | None = None


@attrs.frozen
class Level:
    """A checked level."""

    id: str
    title: str
    chapter: str
    section: str
    mode: Mode
    briefing: str
    ticks: int
    seed: int
    nodes: tuple[str, ...]
    layout: Mapping[str, tuple[int, int]]
    protocol: ProtocolSpec
    knobs: Mapping[str, Any]
    link: LinkSpec
    links: Mapping[str, LinkSpec]
    clocks: Mapping[str, ClockSpec]
    script: tuple[Action, ...]
    goal_text: str
    goal_violation: str | None
    requirements: tuple[Requirement, ...]
    toolbox: Mapping[str, Budget]
    player_knobs: Mapping[str, KnobRange]
    par: Mapping[str, Any]
    hints: tuple[str, ...]
    debrief: Mapping[str, str]
    concepts: tuple[str, ...]
    unbreakable: bool
    path: str
    act: int = 1
    seeds: int = 1  # KEEP IT: the verdict runs on this many seeds, from ``seed`` on
    reasons: tuple[str, ...] = ()  # why it cannot be broken: the claim dialog's choices
    right_reason: int | None = None  # which of ``reasons`` is right (1-based), if unbreakable

    @property
    def claim_reasons(self) -> tuple[str, ...]:
        """The reasons the claim dialog offers: the level's own, else the default three."""
        return self.reasons or DEFAULT_REASONS

    @property
    def verdict_seeds(self) -> tuple[int, ...]:
        """The seeds a KEEP IT verdict runs on: the level's seed and the ones after it."""
        return tuple(range(self.seed, self.seed + self.seeds))

    def scenario(self, knobs: Mapping[str, Any] | None = None) -> Scenario:
        """The scenario to simulate, with the player's ``knobs`` over the level's."""
        merged = dict(self.knobs)
        merged.update(knobs or {})
        build = self.protocol.instantiate(self.nodes, merged)
        return Scenario(nodes=self.nodes, program=build.program, link=self.link,
                        links=dict(self.links), clocks=dict(self.clocks), checks=build.checks,
                        script=self.script, meta={"level": self.id})

    def check_player_knobs(self, knobs: Mapping[str, Any]) -> str | None:
        """Why these player knob settings are not allowed here, or ``None``."""
        problem = self.knob_problem(knobs)
        return problem[1] if problem else None

    def knob_problem(self, knobs: Mapping[str, Any]) -> tuple[str, str] | None:
        """``(knob, why)`` if these player knob settings are not allowed here, else ``None``."""
        for name, value in knobs.items():
            allowed = self.player_knobs.get(name)
            if allowed is None:
                return name, f"the knob {name} cannot be changed in this level"
            problem = allowed.allows(value)
            if problem:
                return name, problem
        try:
            self.protocol.instantiate(self.nodes, {**self.knobs, **knobs})
        except KnobError as exc:
            return exc.knob, str(exc)
        return None


def load_level(path: str | Path) -> Level:
    """Read and check a level file. Raises :class:`LevelError` (``FILE:LINE: message``).

    A level's id is its file name: ``split-brain`` lives in ``split-brain.toml``."""
    path = Path(path)
    text = read_text(path, LevelError)
    level = parse_level(text, path)
    if level.id != path.stem:
        raise Reader(path, text, LevelError).fail(
            ("id",), f"{level.id!r} does not match the file name {path.name!r}")
    return level


def parse_level(text: str, path: str | Path = "<level>") -> Level:
    """Parse level TOML ``text`` (``path`` is only used in messages)."""
    data = parse_toml(text, path, LevelError)
    r = Reader(path, text, LevelError)
    r.check_keys(data, (), TOP_KEYS, {"id", "title", "chapter", "section", "mode", "briefing",
                                      "ticks", "cluster", "protocol"})
    level_id = r.get(data, (), "id", str, check=lambda v: None if LEVEL_ID.match(v) else
                     "use lower-case letters, digits and single dashes")
    title = r.get(data, (), "title", str, check=_non_empty)
    chapter = r.get(data, (), "chapter", str, check=lambda v: None if v in CHAPTERS else
                    f"not a chapter section of the outline (one of: {'; '.join(CHAPTERS)})")
    section = r.get(data, (), "section", str)
    if (chapter, section) not in ENTRIES:
        entries = "; ".join(e for c, e in ENTRIES if c == chapter)
        raise r.fail(("section",), f"{section!r} is not an entry of {chapter!r} ({entries})")
    mode = r.get(data, (), "mode", str, check=lambda v: None if v in ("break", "keep", "sandbox")
                 else "must be break, keep or sandbox")
    briefing = r.get(data, (), "briefing", str, check=_non_empty).strip()
    ticks = r.get(data, (), "ticks", int, check=lambda v: None if 1 <= v <= MAX_TICKS else
                  f"must be between 1 and {MAX_TICKS}")
    seed = r.get(data, (), "seed", int, 1)
    act = r.get(data, (), "act", int, 1, check=lambda v: None if v in ACTS else
                "must be 1 (the chapter, one move a level) or 2 (for players who finished act 1)")

    cluster = r.table(data, (), "cluster", required=True)
    r.check_keys(cluster, ("cluster",), {"nodes", "layout"}, {"nodes"})
    nodes = r.get(cluster, ("cluster",), "nodes", list)
    if not nodes or not all(isinstance(n, str) for n in nodes):
        raise r.fail(("cluster", "nodes"), "must be a non-empty list of node names")
    try:
        Scenario(nodes=tuple(nodes), program=lambda _: Program())  # checks the names only
    except SimError as exc:
        raise r.fail(("cluster", "nodes"), str(exc)) from None
    nodes_t = tuple(nodes)
    layout = _layout(r, cluster, nodes_t)

    protocol_t = r.table(data, (), "protocol", required=True)
    r.check_keys(protocol_t, ("protocol",), {"name", "knobs"}, {"name"})
    try:
        protocol = get_protocol(r.get(protocol_t, ("protocol",), "name", str))
    except KnobError as exc:
        raise r.fail(("protocol", "name"), str(exc).split(": ", 1)[1]) from None
    knobs = r.table(protocol_t, ("protocol",), "knobs")
    try:
        resolved = protocol.resolve_knobs(nodes_t, knobs)
        protocol.build(nodes_t, resolved)  # the checks that need the whole cluster
    except KnobError as exc:
        where = ("protocol", "knobs", exc.knob) if exc.knob in knobs else ("protocol", "knobs")
        if exc.knob == "nodes":
            where = ("cluster", "nodes")
        raise r.fail(where, str(exc)) from None

    link, links = _network(r, r.table(data, (), "network"), nodes_t)
    clocks = _clocks(r, r.table(data, (), "clocks"), nodes_t)
    script = _actions(r, data.get("script", []), ("script",), nodes_t, ticks)
    if "script" in data and not isinstance(data["script"], list):
        raise r.fail(("script",), "must be an array of tables ([[script]])")

    goal = r.table(data, (), "goal", required=mode != "sandbox")
    r.check_keys(goal, ("goal",), {"text", "violation", "require"},
                 {"text"} if mode != "sandbox" else set())
    goal_text = r.get(goal, ("goal",), "text", str, "")
    goal_violation = r.get(goal, ("goal",), "violation", str, None)
    if mode == "break" and goal_violation is None:
        raise r.fail(("goal",), "a break level needs goal.violation: the invariant to break")
    if goal_violation is not None:
        known = {**protocol.invariants, **protocol.liveness}
        if goal_violation not in known:
            raise r.fail(("goal", "violation"),
                         f"unreachable goal: {protocol.name} checks no {goal_violation!r} "
                         f"(it checks: {', '.join(known) or 'nothing'})")
    requirements = _requirements(r, goal)

    toolbox = _toolbox(r, r.table(data, (), "toolbox"), nodes_t)
    if mode == "break" and not toolbox:
        raise r.fail(("toolbox",), "a break level needs at least one tool")
    player_knobs = _knob_ranges(r, r.table(data, (), "knobs"), protocol, nodes_t, knobs)
    if mode == "keep" and not player_knobs:
        raise r.fail(("knobs",), "a keep level needs at least one knob for the player")
    if mode == "sandbox":
        toolbox = toolbox or {name: Budget(name) for name in PLAYER_TOOLS}

    par = _par(r, r.table(data, (), "par"), ticks)

    hints = r.get(data, (), "hints", list, [])
    if mode != "sandbox" and (len(hints) != 3 or not all(isinstance(h, str) and h.strip()
                                                         for h in hints)):
        raise r.fail(("hints",), "must be three progressive hints (where to look, what kind "
                                 "of fault, the exact move)")
    debrief = r.table(data, (), "debrief", required=mode != "sandbox")
    r.check_keys(debrief, ("debrief",), DEBRIEF_KEYS,
                 {"idea", "real_world"} if mode != "sandbox" else set())
    for key in debrief:
        r.get(debrief, ("debrief",), key, str, check=_non_empty)
    concepts = r.get(data, (), "concepts", list, [])
    unbreakable = r.get(data, (), "unbreakable", bool, False)
    seeds = r.get(data, (), "seeds", int, 1, check=lambda v: None if 1 <= v <= MAX_SEEDS else
                  f"must be between 1 and {MAX_SEEDS}")
    if seeds > 1 and mode != "keep":
        raise r.fail(("seeds",), "only a keep level is judged over several seeds")
    reasons, right_reason = _claim(r, data, mode, unbreakable)
    return Level(
        id=level_id, title=title, chapter=chapter, section=section, mode=mode,
        briefing=briefing, ticks=ticks, seed=seed, nodes=nodes_t, layout=layout,
        protocol=protocol, knobs=resolved, link=link, links=links, clocks=clocks,
        script=script, goal_text=goal_text, goal_violation=goal_violation,
        requirements=requirements, toolbox=toolbox, player_knobs=player_knobs, par=par,
        hints=tuple(hints), debrief={k: v.strip() for k, v in debrief.items()},
        concepts=tuple(str(c) for c in concepts), unbreakable=unbreakable, path=str(path),
        act=act, seeds=seeds, reasons=reasons, right_reason=right_reason,
    )


def _claim(r: Reader, data: dict[str, Any], mode: str, unbreakable: bool
           ) -> tuple[tuple[str, ...], int | None]:
    """The ``[claim]`` table: three reasons why the level cannot be broken, and which is right
    (required on an ``unbreakable`` level, optional on another BREAK IT level)."""
    if unbreakable and mode != "break":
        raise r.fail(("unbreakable",), "only a break level can be unbreakable")
    if "claim" not in data:
        if unbreakable:
            raise r.fail(("unbreakable",), f"an unbreakable level needs a [claim] table: "
                                           f"reasons = [{REASON_COUNT} short reasons] and "
                                           f"right = the number of the right one")
        return (), None
    if mode != "break":
        raise r.fail(("claim",), "only a break level can be claimed unbreakable")
    table = r.table(data, (), "claim")
    r.check_keys(table, ("claim",), {"reasons", "right"},
                 {"reasons", "right"} if unbreakable else {"reasons"})
    reasons = r.get(table, ("claim",), "reasons", list)
    if len(reasons) != REASON_COUNT or not all(isinstance(x, str) and x.strip()
                                               for x in reasons):
        raise r.fail(("claim", "reasons"), f"must be {REASON_COUNT} short reasons (texts)")
    for text in reasons:
        if len(text.strip()) > MAX_REASON:
            raise r.fail(("claim", "reasons"), f"{text.strip()[:20]}…: at most {MAX_REASON} "
                                               f"characters, one line of the dialog")
    right = r.get(table, ("claim",), "right", int, None, check=lambda v: None
                  if 1 <= v <= REASON_COUNT else f"must be 1..{REASON_COUNT}: the right reason")
    if right is not None and not unbreakable:
        raise r.fail(("claim", "right"), "this level can be broken: no reason is right "
                                         "(leave out right, or mark it unbreakable)")
    return tuple(x.strip() for x in reasons), right


def _par(r: Reader, par: dict[str, Any], ticks: int) -> dict[str, Any]:
    r.check_keys(par, ("par",), PAR_KEYS)
    for key in ("actions", "ticks", "messages"):
        r.get(par, ("par",), key, int, None, check=_non_negative)
    if par.get("ticks", 0) > ticks:
        raise r.fail(("par", "ticks"), f"{par['ticks']} is after the level's end "
                                       f"(ticks = {ticks})")
    for name in r.table(par, ("par",), "metrics"):
        r.get(par["metrics"], ("par", "metrics"), name, float)
    return par


def _non_empty(value: str) -> str | None:
    return None if value.strip() else "must not be empty"


def _non_negative(value: int) -> str | None:
    return None if value >= 0 else "must be >= 0"


def _layout(r: Reader, cluster: dict[str, Any], nodes: tuple[str, ...]) -> dict[str, tuple[int, int]]:  # noqa: E501
    layout = r.table(cluster, ("cluster",), "layout")
    out: dict[str, tuple[int, int]] = {}
    for name, pos in layout.items():
        if name not in nodes:
            raise r.fail(("cluster", "layout", name), f"unknown node {name!r}")
        if (not isinstance(pos, list) or len(pos) != 2
                or not all(isinstance(p, int) and not isinstance(p, bool) and 0 <= p < 10
                           for p in pos)):
            raise r.fail(("cluster", "layout", name), "must be [column, row], each 0..9")
        out[name] = (pos[0], pos[1])
    for index, name in enumerate(nodes):
        out.setdefault(name, (index % 5, index // 5 + (10 if layout else 0)))
    return out


def _link_spec(r: Reader, table: dict[str, Any], where: tuple[str | int, ...],
               base: LinkSpec) -> LinkSpec:
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key not in LINK_KEYS:
            continue
        if key == "latency":
            changes["latency"] = _latency(r, value, (*where, key))
        elif key == "circuit":
            changes["circuit"] = r.get(table, where, key, bool)
        elif key == "queue_limit":
            changes[key] = r.get(table, where, key, int, check=_non_negative)
        else:
            changes[key] = float(r.get(table, where, key, float))
    try:
        return attrs.evolve(base, **changes)
    except SimError as exc:
        raise r.fail(where, str(exc)) from None


def _latency(r: Reader, value: Any, where: tuple[str | int, ...]) -> Latency:
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Latency.constant(float(value))
        if isinstance(value, dict):
            unknown = set(value) - {"kind", "base", "high", "mean"}
            if unknown:
                raise r.fail((*where, sorted(unknown)[0]), "unknown key (allowed: kind, base, "
                                                           "high, mean)")
            return Latency(value.get("kind", "constant"), value.get("base", 5.0),
                           high=value.get("high"), mean=value.get("mean"))
    except SimError as exc:
        raise r.fail(where, str(exc)) from None
    raise r.fail(where, "must be a number of ms or a table {kind, base, high, mean}")


def _network(r: Reader, network: dict[str, Any], nodes: tuple[str, ...]
             ) -> tuple[LinkSpec, dict[str, LinkSpec]]:
    r.check_keys(network, ("network",), LINK_KEYS | {"links"})
    link = _link_spec(r, network, ("network",), LinkSpec())
    links: dict[str, LinkSpec] = {}
    for target, table in r.table(network, ("network",), "links").items():
        where = ("network", "links", target)
        try:
            a, b, _ = parse_link(target)
        except ValueError as exc:
            raise r.fail(where, str(exc)) from None
        for n in (a, b):
            if n not in nodes:
                raise r.fail(where, f"unknown node {n!r}")
        if not isinstance(table, dict):
            raise r.fail(where, "must be a table of link settings")
        r.check_keys(table, where, LINK_KEYS)
        links[target] = _link_spec(r, table, where, link)
    return link, links


def _clocks(r: Reader, clocks: dict[str, Any], nodes: tuple[str, ...]) -> dict[str, ClockSpec]:
    out: dict[str, ClockSpec] = {}
    for name, table in clocks.items():
        where = ("clocks", name)
        if name not in nodes:
            raise r.fail(where, f"unknown node {name!r}")
        if not isinstance(table, dict):
            raise r.fail(where, "must be a table of clock settings")
        r.check_keys(table, where, CLOCK_KEYS)
        values = {k: float(r.get(table, where, k, float)) for k in table}
        try:
            out[name] = ClockSpec(**values)
        except SimError as exc:
            raise r.fail(where, str(exc)) from None
    return out


def _actions(r: Reader, items: Any, where: tuple[str | int, ...], nodes: tuple[str, ...],
             ticks: int) -> tuple[Action, ...]:
    if not isinstance(items, list):
        return ()
    out = []
    for index, item in enumerate(items):
        at = (*where, index)
        if not isinstance(item, dict):
            raise r.fail(at, "must be a table")
        out.append(parse_action(r, item, at, nodes, ticks))
    return tuple(out)


def parse_action(r: Reader, item: dict[str, Any], at: tuple[str | int, ...],
                 nodes: tuple[str, ...], ticks: int | None) -> Action:
    """One action table, checked against the cluster (errors at the action's line)."""
    try:
        action = Action.from_dict(item)
    except SimError as exc:
        message = str(exc)
        field = next((k for k in item if f" {k} " in f" {message} " or f"'{k}'" in message),
                     None)
        raise r.fail((*at, field) if field else at, message) from None
    spec = TOOLS[action.tool]
    unknown = unknown_node(action, nodes)
    if unknown:
        raise r.fail((*at, unknown[0]), unknown[1])
    if spec.target == "link" and action.target == "*" and not spec.every_link:
        raise r.fail((*at, "target"), f"{action.tool} needs a link such as 'n1->n2'")
    if ticks is not None and action.tick > ticks:
        raise r.fail((*at, "tick"), f"tick {action.tick} is after the level's end ({ticks})")
    return action


def unknown_node(action: Action, nodes: tuple[str, ...]) -> tuple[str, str] | None:
    """The field and ``unknown node 'x' (nodes: ...)`` if ``action`` names a node not in
    ``nodes`` (in its target or in a parameter naming nodes, such as a partition's groups)."""
    spec = TOOLS[action.tool]
    named: list[tuple[str, str]] = []
    if spec.target == "node":
        named = [("target", action.target)]
    elif spec.target == "link" and action.target != "*":
        a, b, _ = parse_link(action.target)
        named = [("target", a), ("target", b)]
    kwargs = action.kwargs
    named += [(field, n) for field, p in spec.params.items() if p.nodes and field in kwargs
              for group in kwargs[field] for n in group]
    for field, name in named:
        if name not in nodes:
            return field, f"unknown node {name!r} (nodes: {', '.join(nodes)})"
    return None


def _requirements(r: Reader, goal: dict[str, Any]) -> tuple[Requirement, ...]:
    items = goal.get("require", [])
    if not isinstance(items, list):
        raise r.fail(("goal", "require"), "must be an array of tables ([[goal.require]])")
    out = []
    for index, item in enumerate(items):
        where = ("goal", "require", index)
        if not isinstance(item, dict):
            raise r.fail(where, "must be a table")
        r.check_keys(item, where, {"metric", "min", "max"}, {"metric"})
        metric = r.get(item, where, "metric", str)
        low = r.get(item, where, "min", float, None)
        high = r.get(item, where, "max", float, None)
        if low is None and high is None:
            raise r.fail(where, "needs min or max")
        out.append(Requirement(metric, low, high))
    return tuple(out)


def _toolbox(r: Reader, toolbox: dict[str, Any], nodes: tuple[str, ...]) -> dict[str, Budget]:
    out: dict[str, Budget] = {}
    for tool, table in toolbox.items():
        where = ("toolbox", tool)
        if tool not in PLAYER_TOOLS:
            raise r.fail(where, f"unknown tool {tool!r} (tools: {', '.join(sorted(PLAYER_TOOLS))})")
        if not isinstance(table, dict):
            raise r.fail(where, "must be a table such as { count = 1 }")
        spec = TOOLS[tool]
        r.check_keys(table, where, BUDGET_KEYS)
        for key in table:
            if key not in spec.budget_keys:
                raise r.fail((*where, key), f"{tool} has no {key} to limit "
                                            f"(its limits: {', '.join(spec.budget_keys)})")
        count = r.get(table, where, "count", int, None, check=lambda v: None if 1 <= v <= 99
                      else "must be between 1 and 99")
        targets = tuple(r.get(table, where, "targets", list, []))
        for target in targets:
            names = [target]
            if spec.target == "link":
                try:
                    a, b, _ = parse_link(target)
                except ValueError as exc:
                    raise r.fail((*where, "targets"), str(exc)) from None
                names = [a, b]
            for name in names:
                if name not in nodes:
                    raise r.fail((*where, "targets"), f"unknown node {name!r}")
        strategies = tuple(r.get(table, where, "strategies", list, []))
        for strategy in strategies:
            if strategy not in spec.params["strategy"].choices:
                raise r.fail((*where, "strategies"), f"unknown lie strategy {strategy!r}")
        settings = tuple(r.get(table, where, "settings", list, []))
        for setting in settings:
            if setting not in spec.params:
                known = ", ".join(spec.params)
                raise r.fail((*where, "settings"),
                             f"unknown link setting {setting!r} (settings: {known})")
        budget = Budget(
            tool, count, targets,
            r.get(table, where, "max_duration", float, None, check=_positive),
            r.get(table, where, "max_delta", float, None, check=_positive),
            r.get(table, where, "max_ppm", float, None, check=_positive),
            strategies,
            r.get(table, where, "max_hold", int, None, check=_positive),
            settings,
            r.get(table, where, "max_service_ms", float, None, check=_positive),
        )
        out[tool] = budget
    return out


def _positive(value: float) -> str | None:
    return None if value > 0 else "must be > 0"


def _knob_ranges(r: Reader, knobs: dict[str, Any], protocol: ProtocolSpec,
                 nodes: tuple[str, ...], level_knobs: Mapping[str, Any]
                 ) -> dict[str, KnobRange]:
    out: dict[str, KnobRange] = {}
    for name, table in knobs.items():
        where = ("knobs", name)
        try:
            knob = protocol.knob(name)
        except KnobError as exc:
            raise r.fail(where, str(exc)) from None
        if not isinstance(table, dict):
            raise r.fail(where, "must be a table such as { low = 1, high = 9 } or "
                                "{ choices = [...] }")
        r.check_keys(table, where, KNOB_RANGE_KEYS)
        choices = tuple(r.get(table, where, "choices", list, []))
        low = r.get(table, where, "low", float, None)
        high = r.get(table, where, "high", float, None)
        if not choices and (low is None or high is None):
            raise r.fail(where, "needs choices, or low and high")
        if low is not None and high is not None and low > high:
            raise r.fail(where, "low must be <= high")
        for value in (*choices, *(v for v in (low, high) if v is not None)):
            setting = (int(value) if knob.kind == "int" and isinstance(value, float)
                       and value.is_integer() else value)
            try:
                protocol.instantiate(nodes, {**level_knobs, name: setting})
            except KnobError as exc:
                raise r.fail(where, f"range outside what the protocol accepts: {exc}") from None
        out[name] = KnobRange(name, choices, low, high,
                              r.get(table, where, "step", float, None),
                              r.get(table, where, "label", str, ""),
                              r.get(table, where, "help", str, "") or knob.doc)
    return out
