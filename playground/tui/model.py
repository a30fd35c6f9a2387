"""What the play screen shows, computed from the world: plain data, no Textual.

The screen never reads the engine while painting: after each simulation step the play screen
asks this module for :class:`NodeView` and :class:`LinkView` values (small, frozen, hashable:
a widget repaints a card only when its view changed) and the widgets draw those.

:class:`EventCursor` follows a trace incrementally and notices rewinds; :class:`History`
remembers, per node, what the current state alone does not say (the last decision, when a
pause started, the highest time-of-day reading before a backwards step).
"""
# ruff: noqa: RUF001  (the game draws with these symbols on purpose)

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeGuard

import attrs

from playground.game import words
from playground.sim import CRASHED, FROZEN, RUNNING, TOOLS, World
from playground.sim.actions import HONEST, LYING, PROCESS_STATES
from playground.sim.network import Link
from playground.sim.trace import Event, Trace

#: Belief keys the node card knows how to show; any other key is shown as ``key=value``.
KNOWN_BELIEFS = ("role", "term", "round", "leader", "lease_until", "token", "value",
                 "suspects", "commit_index", "offset_ms", "status")

STATUS_SYMBOL = {RUNNING: "●", FROZEN: "❄", CRASHED: "✖"}
STATUS_WORD = {RUNNING: "up", FROZEN: "FROZEN", CRASHED: "CRASHED"}
LEADER_SYMBOL = "♛"
DETAIL_LIMIT = 60  # a belief longer than this is cut even in the detail line
JUMP_BACK = "↶"
JUMP_FORWARD = "↷"


def fmt_ms(value: float | None, digits: int = 1) -> str:
    """A clock reading or duration: ``1234.5``, ``12``; ``—`` for ``None``."""
    if value is None:
        return words.NONE
    if abs(value - round(value)) < 1e-6 or abs(value) >= 10_000:
        return str(round(value))
    return f"{value:.{digits}f}"


def fmt_value(value: Any, limit: int = 14) -> str:
    """A belief value in words, cut to ``limit`` characters with ``…``."""
    if isinstance(value, float):
        return words.fit(fmt_ms(value), limit)
    return words.fit(words.value(value), limit)


class EventCursor:
    """Follows a trace: each call returns the events added since the last call, or says the
    trace was rewound (then every event is returned again). The events are made for the
    reader (:meth:`Trace.events_since`): following a run never makes the trace keep an event
    object per record."""

    __slots__ = ("count", "epoch", "kinds", "trace")

    def __init__(self, kinds: frozenset[str] | None = None) -> None:
        self.kinds = kinds  # the event kinds wanted (None: all)
        self.count = 0
        self.epoch = 0
        self.trace: Trace | None = None  # the trace followed so far (a restart makes another)

    def take(self, trace: Trace) -> tuple[bool, list[Event]]:
        """``(reset, new_events)``; ``reset`` means start over from the returned events."""
        reset = self.trace is not None and (trace is not self.trace or trace.epoch != self.epoch)
        new = trace.events_since(0 if reset else self.count, self.kinds)
        self.trace, self.count, self.epoch = trace, trace.count, trace.epoch
        return reset, new


@attrs.define
class NodeHistory:
    """What happened to one node that its current state does not show."""

    decision: tuple[int, str, Any] | None = None  # tick, key, value
    status_since: int = 0
    peak_tod: float | None = None  # the highest time-of-day reading before a step back
    last_step: tuple[int, float] | None = None  # tick, delta
    decisions: int = 0
    lie_strategy: str | None = None


class History:
    """Per-node history, fed incrementally from the trace."""

    #: The event kinds it reads.
    FED = frozenset({"decide", "fault", "state"})

    def __init__(self, nodes: Sequence[str]) -> None:
        self.nodes = tuple(nodes)
        self.cursor = EventCursor(self.FED)
        self.per_node: dict[str, NodeHistory] = {n: NodeHistory() for n in nodes}

    def sync(self, trace: Trace) -> None:
        reset, events = self.cursor.take(trace)
        if reset:
            self.per_node = {n: NodeHistory() for n in self.nodes}
        for event in events:
            self._feed(event)

    def _feed(self, event: Event) -> None:
        kind = event.kind
        if kind == "decide" and event.node in self.per_node:
            h = self.per_node[event.node]
            h.decision = (event.tick, str(event.data.get("key")), event.data.get("value"))
            h.decisions += 1
        elif kind == "fault":
            data = event.data
            target = data.get("target")
            victim = self.per_node.get(target) if isinstance(target, str) else None
            if victim is None:
                return
            tool = data.get("tool")
            spec = TOOLS.get(tool) if isinstance(tool, str) else None
            leaves = spec.leaves if spec is not None else None
            if leaves in PROCESS_STATES:
                if "no effect" not in str(data.get("effect", "")):
                    victim.status_since = event.tick
            elif tool == "step_clock" and event.tod is not None:
                delta = float(data.get("delta_ms", 0))
                before = event.tod - delta
                if delta < 0:
                    peak = victim.peak_tod
                    victim.peak_tod = before if peak is None else max(peak, before)
                victim.last_step = (event.tick, delta)
            elif leaves == LYING:
                victim.lie_strategy = str(data.get("strategy"))
            elif leaves == HONEST:
                victim.lie_strategy = None
        elif kind == "state" and event.node in self.per_node \
                and event.data.get("why") == "recovered":
            self.per_node[event.node].status_since = event.tick


@attrs.frozen
class NodeView:
    """One node card's content: what the node believes and what is true."""

    name: str
    index: int
    status: str
    status_since: int
    lying: str | None
    role: str | None
    term: Any
    term_label: str
    leader: str | None
    tod: float
    mono: float
    offset: float
    jumped: float | None  # how far behind its own earlier reading the clock is (ms, < 0)
    stepped: float | None  # a recent forward step (ms)
    lease_until: Any
    lease_over: bool  # in true time the lease has ended
    token: Any
    value: Any
    commit_index: Any
    suspects: Any
    offset_belief: Any
    status_belief: Any
    extra: tuple[tuple[str, str], ...]
    decision: str | None
    truths: tuple[str, ...]
    stale_leader: bool

    @property
    def is_leader(self) -> bool:
        return self.role == "leader"


@attrs.frozen
class ClusterTruth:
    """The facts the UI can state that no node knows: who really leads, the newest term."""

    leader: str | None
    term: Any
    leaders: tuple[str, ...]


def cluster_truth(world: World) -> ClusterTruth:
    """The leader of the newest term among nodes that believe they lead (if any)."""
    best_term: Any = None
    leader: str | None = None
    leaders = []
    for name in world.node_names:
        node = world.nodes[name]
        beliefs = node.beliefs
        term = beliefs.get("term", beliefs.get("round"))
        if isinstance(term, int | float) and not isinstance(term, bool) \
                and (best_term is None or term > best_term):
            best_term = term
        if beliefs.get("role") == "leader" and node.status != CRASHED:
            leaders.append(name)
    for name in leaders:
        term = world.nodes[name].beliefs.get("term", world.nodes[name].beliefs.get("round"))
        if leader is None or (term is not None and best_term is not None and term == best_term):
            leader = name
    return ClusterTruth(leader, best_term, tuple(leaders))


def hashable(value: Any) -> Any:
    """``value`` with lists, sets and dicts turned into tuples (views must be hashable)."""
    if isinstance(value, list | tuple):
        return tuple(hashable(v) for v in value)
    if isinstance(value, set | frozenset):
        return tuple(sorted((hashable(v) for v in value), key=repr))
    if isinstance(value, dict):
        return tuple((str(k), hashable(v)) for k, v in value.items())
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def node_view(world: World, name: str, index: int, history: NodeHistory,
              truth: ClusterTruth) -> NodeView:
    """The card of node ``name`` (``index`` is its 1-based number key)."""
    node = world.nodes[name]
    now = world.now
    beliefs = node.beliefs
    clock = node.clock
    tod = clock.time_of_day(now)
    mono = clock.monotonic(now)
    offset = tod - now
    jumped = None
    if history.peak_tod is not None and tod < history.peak_tod - 1e-6:
        jumped = tod - history.peak_tod
    stepped = None
    if history.last_step and history.last_step[1] > 0 and now - history.last_step[0] < 1000:
        stepped = history.last_step[1]
    role = beliefs.get("role")
    term_key = "term" if "term" in beliefs else ("round" if "round" in beliefs else "term")
    term = beliefs.get(term_key)
    lease_until = beliefs.get("lease_until")
    lease_over = _is_number(lease_until) and now > lease_until
    truths: list[str] = []
    status = node.status
    if status == FROZEN:
        truths.append(f"paused {now - history.status_since}ms")
    elif status == CRASHED:
        truths.append(f"down {now - history.status_since}ms")
    stale = False
    if role == "leader" and status != CRASHED and truth.term is not None and _is_number(term) \
            and term < truth.term:
        stale = True
        who = f"{truth.leader} leads" if truth.leader and truth.leader != name else "newer"
        truths.append(f"deposed ({who} t{fmt_value(truth.term)})")
    if lease_until is not None and lease_over and role == "leader":
        truths.append(f"lease over {fmt_ms(now - lease_until, 0)}ms ago")
    if jumped is not None:
        truths.append(f"clock ran back {fmt_ms(-jumped, 0)}ms")
    if abs(offset) >= 1:
        truths.append(f"tod off {'+' if offset > 0 else ''}{fmt_ms(offset, 0)}ms")
    lying = history.lie_strategy if node.lie is not None else None
    if node.lie is not None and lying is None:
        lying = node.lie.strategy
    if lying:
        truths.append(f"lies: {lying}")
    extra = tuple((k, fmt_value(v, DETAIL_LIMIT)) for k, v in sorted(beliefs.items())
                  if k not in KNOWN_BELIEFS)
    decision = None
    if history.decision is not None:
        tick, key, value = history.decision
        decision = f"{words.name(key)}={fmt_value(value, DETAIL_LIMIT)} @{tick}"
    return NodeView(
        name=name, index=index, status=status, status_since=history.status_since, lying=lying,
        role=None if role is None else str(role), term=hashable(term), term_label="r" if
        term_key == "round" else "t", leader=None if beliefs.get("leader") is None else
        str(beliefs.get("leader")), tod=round(tod, 1), mono=round(mono, 1),
        offset=round(offset, 1), jumped=None if jumped is None else round(jumped),
        stepped=stepped, lease_until=hashable(lease_until), lease_over=lease_over,
        token=hashable(beliefs.get("token")), value=hashable(beliefs.get("value")),
        commit_index=hashable(beliefs.get("commit_index")),
        suspects=hashable(beliefs.get("suspects")),
        offset_belief=hashable(beliefs.get("offset_ms")),
        status_belief=hashable(beliefs.get("status")),
        extra=extra, decision=decision, truths=tuple(truths), stale_leader=stale,
    )


def node_views(world: World, history: History) -> list[NodeView]:
    """Every node's card, in the level's node order."""
    truth = cluster_truth(world)
    return [node_view(world, name, i + 1, history.per_node[name], truth)
            for i, name in enumerate(world.node_names)]


# ------------------------------------------------------------------------------ links
@attrs.frozen
class LinkView:
    """The state of one pair of nodes (both directions), when it is not simply "up"."""

    a: str
    b: str
    symbol: str
    text: str
    target: str  # what selecting this row selects: "a<->b" or "a->b"
    severity: str  # "cut", "held", "slow", "lossy", "up"
    state: str = ""  # the words after the pair, e.g. "slow 150 ms" (links sharing it group)
    pair: str = ""  # the pair with its symbol, both ways or one way


def _direction_state(link: Link, base_latency: float) -> list[tuple[str, str, str]]:
    """(severity, symbol, words) facts about one direction."""
    facts = []
    if link.cut:
        facts.append(("cut", "╳", "cut"))
    if link.holding or link.held:
        facts.append(("held", "‖", f"holding {len(link.held)}"))
    latency = link.spec.latency.base
    if latency > base_latency * 2 + 1:
        facts.append(("slow", "≈", f"slow {fmt_ms(latency, 0)} ms"))
    if link.spec.service_ms:
        facts.append(("slow", "≈", f"wire time {fmt_ms(link.spec.service_ms, 0)} ms a message"))
    if link.spec.loss > 0:
        facts.append(("lossy", "~", f"loses {link.spec.loss:.0%}"))
    if link.spec.duplicate > 0:
        facts.append(("lossy", "⁑", f"dups {link.spec.duplicate:.0%}"))
    return facts


_ORDER = {"cut": 0, "held": 1, "slow": 2, "lossy": 3, "up": 4}


def link_views(world: World) -> list[LinkView]:
    """Every pair whose links are not plainly up, the worst first."""
    names = world.node_names
    out: list[LinkView] = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            ab = world.links[(a, b)]
            ba = world.links[(b, a)]
            base_ab = world.scenario.link_spec(a, b).latency.base
            base_ba = world.scenario.link_spec(b, a).latency.base
            fa = _direction_state(ab, base_ab)
            fb = _direction_state(ba, base_ba)
            if not fa and not fb:
                continue
            if fa == fb:
                severity, symbol, _ = fa[0]
                words_ = ", ".join(w for _, _, w in fa)
                pair = f"{a} {symbol} {b}"
                out.append(LinkView(a, b, symbol, f"{pair} {words_}", f"{a}<->{b}", severity,
                                    words_, pair))
                continue
            for src, dst, facts in ((a, b, fa), (b, a, fb)):
                if not facts:
                    continue
                severity, symbol, _ = facts[0]
                words_ = ", ".join(w for _, _, w in facts)
                one_way = " (one way)" if severity == "cut" else ""
                pair = f"{src} ─{symbol}→ {dst}"
                out.append(LinkView(src, dst, symbol, f"{pair} {words_}{one_way}",
                                    f"{src}->{dst}", severity, words_ + one_way, pair))
    out.sort(key=lambda v: _ORDER.get(v.severity, 9))
    return out


def link_count(world: World) -> int:
    """Pairs of nodes (each pair is two directed links)."""
    n = len(world.node_names)
    return n * (n - 1) // 2


def describe_link(world: World, target: str) -> str:
    """A one-line state of a selected link target (``a->b`` or ``a<->b``)."""
    from playground.sim.network import parse_link

    try:
        a, b, both = parse_link(target)
        pairs = [(a, b), (b, a)] if both else [(a, b)]
        parts = []
        for src, dst in pairs:
            link = world.links[(src, dst)]
            facts = _direction_state(link, world.scenario.link_spec(src, dst).latency.base)
            words = ", ".join(w for _, _, w in facts) or "up"
            parts.append(f"{src}→{dst} {words}")
        return "; ".join(parts)
    except (ValueError, KeyError):
        return target


# ------------------------------------------------------------------------------ meters
@attrs.frozen
class Meters:
    """Safety and liveness at this moment."""

    safety_ok: bool
    safety_text: str
    liveness_ok: bool
    liveness_text: str
    liveness_fill: float  # 0..1: how much of the current progress window is used up
    invariants: tuple[tuple[str, bool], ...]


def meters(world: World, invariants: Mapping[str, str], liveness: Mapping[str, str]) -> Meters:
    """The live safety and liveness meters."""
    broken = {v.invariant: v for v in world.violations}
    inv = tuple((name, name not in broken) for name in invariants)
    safety_broken = [v for v in world.violations if v.kind == "safety"]
    if safety_broken:
        first = safety_broken[0]
        safety_text = f"✗ {words.name(first.invariant)} @{first.tick}"
    else:
        count = len(invariants)
        safety_text = f"✓ {count}/{count} hold" if count else "✓ holds"
    live_broken = [v for v in world.violations if v.kind == "liveness"]
    fill = 0.0
    for check in _liveness_checks(world):
        due = check.deadline()
        window = getattr(check, "window", None)
        if due is not None and window:
            fill = max(fill, min(1.0, max(0.0, (world.now - (due - window)) / window)))
    if live_broken:
        liveness_text = f"✗ {words.name(live_broken[0].invariant)} @{live_broken[0].tick}"
        fill = 1.0
    elif liveness:
        liveness_text = "✓ progressing" if fill < 0.5 else "◔ waiting for progress"
    else:
        liveness_text = "✓ no liveness check"
    return Meters(not safety_broken, safety_text, not live_broken, liveness_text, fill, inv)


def _liveness_checks(world: World) -> Iterable[Any]:
    checks = getattr(world, "_checks", ())
    retired: set[int] = getattr(world, "_retired", set())
    for index, check in enumerate(checks):
        if getattr(check, "kind", None) == "liveness" and index not in retired:
            yield check
