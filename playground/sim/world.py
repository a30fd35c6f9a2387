"""The world: a deterministic, tick-based simulation of one run.

``World(scenario, seed, actions)`` builds the cluster; :meth:`World.run_until` advances true
time, jumping over idle ticks straight to the next due event. Within one tick, actions are
applied first (in list order), then engine events in the order they were scheduled.

The world records everything in :attr:`World.trace` and evaluates the scenario's checks as
events happen; :attr:`World.violations` lists the first failure of each check.
"""

from __future__ import annotations

import copy
import hashlib
import heapq
import math
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from heapq import heappush
from math import ceil
from typing import Any

from playground.sim.actions import CRASHED, FROZEN, RUNNING, TOOLS, Action
from playground.sim.byzantine import LieSpec, ReplayBudget, rewrite
from playground.sim.checks import Check, Finding, Violation
from playground.sim.clocks import NodeClock
from playground.sim.errors import (
    InvalidTickError,
    MalformedActionError,
    ProgramError,
    UnknownLinkError,
    UnknownNodeError,
)
from playground.sim.network import Link, Message, parse_link
from playground.sim.program import Context, Program, Signed
from playground.sim.rng import stream
from playground.sim.scenario import Scenario
from playground.sim.trace import EVENT_KINDS, Event, Record, Trace, canonical_json

# engine event kinds in the heap
_DELIVER = 0
_TIMER = 1
_INTERNAL = 2  # an action the engine scheduled itself (auto-unfreeze, recover_after)
_DEADLINE = 3
_BOOT = 4  # in a node's pending list: start the program (it was frozen at tick 0)
_RELEASED = 5  # a message released from a hold: delivered, not held again

_HISTORY = 32  # payloads a node remembers for the replay lie


class Node:
    """One node's runtime state. The program sees none of this except through its context."""

    __slots__ = ("beliefs", "clock", "clock_lie_ms", "ctx", "durable", "incarnation", "lie",
                 "name", "out", "pending", "program", "replays", "resuming", "sent", "status",
                 "timers")

    def __init__(self, name: str, clock: NodeClock) -> None:
        self.name = name
        self.clock = clock
        self.status = RUNNING
        self.program: Program | None = None
        self.ctx: Context | None = None
        self.durable: dict[str, Any] = {}
        self.timers: dict[str, tuple[int, Any]] = {}
        self.pending: list[tuple[int, Any]] = []
        # Unfrozen, with what piled up not replayed yet: what arrives meanwhile waits its turn.
        self.resuming: _Resume | None = None
        self.beliefs: dict[str, Any] = {}
        self.lie: LieSpec | None = None
        self.clock_lie_ms = 0.0
        self.incarnation = 0
        self.sent: deque[tuple[str, Any]] = deque(maxlen=_HISTORY)
        self.out: dict[str, Link] = {}  # outgoing links by destination
        self.replays = ReplayBudget()


class World:
    """One run of a scenario. See the module docstring."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 0,
        actions: Iterable[Action] = (),
        *,
        retain_trace: bool = True,
    ) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise MalformedActionError(f"seed must be a whole number, got {seed!r}")
        self.scenario = scenario
        self.seed = seed
        self.now = 0
        self.node_names: tuple[str, ...] = tuple(scenario.nodes)
        self.trace = Trace(retain=retain_trace)
        self.violations: list[Violation] = []
        self.messages_sent = 0
        self._order = 0  # heap tie-breaker
        self._msg_ids = 0
        self._heap: list[tuple[int, int, int, Any]] = []
        self._secrets = {
            n: hashlib.sha256(f"{seed}:secret:{n}".encode()).hexdigest() for n in self.node_names
        }
        self.nodes: dict[str, Node] = {}
        for name in self.node_names:
            self.nodes[name] = Node(name, NodeClock(scenario.clock_spec(name)))
        self.links: dict[tuple[str, str], Link] = {}
        for a in self.node_names:
            for b in self.node_names:
                if a != b:
                    self.links[(a, b)] = self.nodes[a].out[b] = Link(
                        a, b, scenario.link_spec(a, b), stream(seed, "link", f"{a}->{b}")
                    )
        self._lie_rng = {n: stream(seed, "lie", n) for n in self.node_names}
        self._checks: list[Check] = [copy.deepcopy(c) for c in scenario.checks]
        self._retired: set[int] = set()  # indices of checks that already failed
        self._checks_by_kind: dict[str, list[int]] = {}  # event kind -> check indices
        self._watched: frozenset[str] = frozenset()  # kinds some check wants to see
        self._watch()
        self._deadlines: dict[int, int] = {}  # check index -> scheduled deadline tick
        self._actions: list[Action] = []
        self._scripted: list[bool] = []  # parallel to _actions: from the scenario's script?
        self._cursor = 0
        self._done_through = -1  # every event at or before this tick has been processed
        self._schedule(scenario.script, scripted=True)
        self.schedule(actions)
        self._record("start", None, {"seed": seed, "nodes": list(self.node_names)})
        for index, check in enumerate(self._checks):
            due = check.deadline()
            if due is not None and index not in self._deadlines:
                self._deadlines[index] = due
                self._push(due, _DEADLINE, index)
        # Programs start at tick 0 after the actions of tick 0 (actions come first in a tick).
        for name in self.node_names:
            self._push(0, _INTERNAL, _Start(name))

    # ------------------------------------------------------------------ public API
    def validate(self, action: Action) -> Action:
        """Check an action's names against this world (unknown node or link raise)."""
        if not isinstance(action, Action):
            raise MalformedActionError(f"not an action: {action!r}")
        spec = TOOLS[action.tool]
        if spec.target == "node":
            self._node(action.target)
        elif spec.target == "link":
            if action.target == "*":
                if not spec.every_link:
                    every = [t.name for t in TOOLS.values() if t.every_link]
                    raise UnknownLinkError(f"{action.tool}: target '*' is only for "
                                           f"{', '.join(every[:-1])} and {every[-1]}")
            else:
                self._link_pairs(action.target)
        for name in (n for n, p in spec.params.items() if p.nodes):
            groups = action.kwargs[name]
            if not groups or any(not isinstance(g, tuple) for g in groups):
                raise MalformedActionError(
                    f"{action.tool}: {name} must be a list of lists of nodes")
            for group in groups:
                for node in group:
                    self._node(node)
        return action

    def schedule(self, actions: Iterable[Action]) -> None:
        """Add actions to the run. Their ticks must not be in the past."""
        self._schedule(actions, scripted=False)

    def _schedule(self, actions: Iterable[Action], scripted: bool) -> None:
        new = [self.validate(a) for a in actions]
        for a in new:
            if a.tick <= self._done_through:
                raise InvalidTickError(
                    f"action at tick {a.tick} is too late: tick {self._done_through} has been "
                    "simulated already (act at a later tick, or rewind to fork)"
                )
        cursor = self._cursor
        pending = list(zip(self._actions[cursor:], self._scripted[cursor:], strict=True))
        pending += [(a, scripted) for a in new]
        pending.sort(key=lambda pair: pair[0].tick)  # stable: same-tick order is kept
        self._actions[cursor:] = [a for a, _ in pending]
        self._scripted[cursor:] = [flag for _, flag in pending]

    @property
    def simulated_through(self) -> int:
        """The last tick whose events have all been processed (``-1`` before the first run);
        an action must come after it."""
        return self._done_through

    @property
    def actions(self) -> tuple[Action, ...]:
        """Every action of this run (scripted and player's), applied or pending, in order."""
        return tuple(self._actions)

    @property
    def player_actions(self) -> tuple[Action, ...]:
        """The actions that did not come from the scenario's script."""
        return tuple(a for a, s in zip(self._actions, self._scripted, strict=True) if not s)

    def next_event_tick(self) -> int | None:
        """The tick of the next thing that will happen, or ``None`` if nothing is due."""
        ticks = []
        if self._cursor < len(self._actions):
            ticks.append(self._actions[self._cursor].tick)
        if self._heap:
            ticks.append(self._heap[0][0])
        return min(ticks) if ticks else None

    def run_until(self, tick: int) -> None:
        """Process everything due at or before ``tick``; then ``now == tick``."""
        if isinstance(tick, bool) or not isinstance(tick, int):
            raise InvalidTickError(f"tick must be a whole number, got {tick!r}")
        if tick < self.now:
            raise InvalidTickError(f"cannot run back to tick {tick} from {self.now}; rewind")
        heap = self._heap
        actions = self._actions
        pop = heapq.heappop
        nodes = self.nodes
        fire = self._fire_timer
        trace = self.trace
        pending = trace.pending
        flush_at = trace.FLUSH_EVERY
        a_tick = actions[self._cursor].tick if self._cursor < len(actions) else math.inf
        while True:
            if heap and heap[0][0] < a_tick:
                if heap[0][0] > tick:
                    break
                due, _, kind, obj = pop(heap)
                self.now = due
                if kind == _DELIVER:
                    link = obj[1]
                    node = nodes[link.dst]
                    if (link.cut or link.holding or node.status != RUNNING
                            or node.resuming is not None):
                        self._deliver(obj, held=False)
                    else:  # the common case, inline: a healthy link to a running node
                        src = link.src
                        record = (due, "deliver", node.name, node.clock.line,
                                  obj[0], src, obj[3], obj[4])
                        if "deliver" in self._watched:
                            self._run_checks(trace.add_event(record))
                        else:
                            pending.append(record)
                        node.program.on_message(node.ctx, src, obj[2])  # type: ignore[union-attr, arg-type]
                elif kind == _TIMER:
                    fire(obj[0], obj[1], obj[2])
                elif kind == _RELEASED:
                    self._deliver(obj, held=True)
                elif kind == _INTERNAL:
                    if type(obj) is Action:
                        self._apply(obj)
                    elif type(obj) is _Resume:
                        self._resume(obj)
                    else:
                        self._start(obj.node)
                else:
                    self._check_deadline(obj, due)
                if len(pending) >= flush_at:
                    trace.flush()
            elif a_tick <= tick:
                action = actions[self._cursor]
                self._cursor += 1
                self.now = action.tick
                self._apply(action)
                a_tick = actions[self._cursor].tick if self._cursor < len(actions) else math.inf
            else:
                break
        trace.flush_if_full()
        self.now = tick
        self._done_through = tick

    def run_for(self, ticks: int) -> None:
        """Advance ``ticks`` milliseconds of true time."""
        self.run_until(self.now + ticks)

    def step(self) -> bool:
        """Advance to the next due event's tick and process everything at that tick.
        Returns ``False`` if nothing is due."""
        nxt = self.next_event_tick()
        if nxt is None:
            return False
        self.run_until(max(nxt, self.now))
        return True

    def act(self, action: Action) -> None:
        """Schedule one action (tick >= now) — the player's hand on the world."""
        self.schedule([action])

    # snapshots ---------------------------------------------------------------------
    def snapshot(self) -> WorldSnapshot:
        """A full copy of the state (the trace is kept by reference and a mark)."""
        trace = self.trace
        mark = trace.mark()
        self.trace = None  # type: ignore[assignment]  # not pickled; put back below
        try:
            state = self._freeze()
        finally:
            self.trace = trace
        return WorldSnapshot(self.now, state, mark)

    def _freeze(self) -> bytes | World:
        """The state as pickled bytes (about twice as fast as a deep copy, and a quarter of
        its memory), or as a deep copy if some part does not pickle (a program class defined
        inside a function, say); then this world stops trying."""
        if self.__dict__.get("_pickles", True):
            try:
                return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, AttributeError, TypeError):
                self._pickles = False
        return copy.deepcopy(self)

    @classmethod
    def restore(cls, snap: WorldSnapshot, trace: Trace) -> World:
        """A world in the state of ``snap``, continuing ``trace`` truncated to that point."""
        state = snap.state
        world = pickle.loads(state) if isinstance(state, bytes) else copy.deepcopy(state)
        trace.truncate(snap.trace_mark)
        world.trace = trace
        return world

    def replace_future_actions(self, actions: Iterable[Action]) -> None:
        """Drop every player action not applied yet and schedule ``actions`` instead
        (forking). The scenario's scripted actions stay."""
        cursor = self._cursor
        kept = [(a, s) for a, s in zip(self._actions[cursor:], self._scripted[cursor:],
                                       strict=True) if s]
        self._actions[cursor:] = [a for a, _ in kept]
        self._scripted[cursor:] = [True] * len(kept)
        self.schedule(actions)

    # views for the checker and the screen ------------------------------------------------
    def link(self, src: str, dst: str) -> Link:
        self._node(src)
        self._node(dst)
        if src == dst:
            raise UnknownLinkError(f"no link from {src!r} to itself")
        return self.links[(src, dst)]

    def clock_readings(self, name: str) -> dict[str, Any]:
        """Both clocks (and the interval) of a node at the current true time."""
        node = self._node(name)
        clock = node.clock
        now = self.now
        return {
            "true": now,
            "monotonic": clock.monotonic(now),
            "time_of_day": clock.time_of_day(now),
            "interval": clock.interval(now),
            "offset": clock.offset(now),
        }

    @property
    def checks(self) -> tuple[Check, ...]:
        """This run's check instances (their state can feed metrics)."""
        return tuple(self._checks)

    @property
    def safety_ok(self) -> bool:
        return not any(v.kind == "safety" for v in self.violations)

    @property
    def liveness_ok(self) -> bool:
        return not any(v.kind == "liveness" for v in self.violations)

    # ------------------------------------------------------------------ internals
    def _node(self, name: str) -> Node:
        try:
            return self.nodes[name]
        except (KeyError, TypeError):
            raise UnknownNodeError(name, self.node_names) from None

    def _link_pairs(self, target: str) -> list[tuple[str, str]]:
        try:
            a, b, both = parse_link(target)
        except ValueError as exc:
            raise UnknownLinkError(str(exc)) from None
        self._node(a)
        self._node(b)
        return [(a, b), (b, a)] if both else [(a, b)]

    def _push(self, tick: int, kind: int, obj: Any) -> None:
        self._order += 1
        heapq.heappush(self._heap, (tick, self._order, kind, obj))

    def _record(self, kind: str, node: Node | None, data: dict[str, Any]) -> None:
        if node is None:
            self._add((self.now, kind, None, None, data))
        else:
            self._add((self.now, kind, node.name, node.clock.line, data))

    def _add(self, record: Record) -> None:
        """Add a record to the trace; checks that watch its kind see it as an event."""
        kind = record[1]
        if kind in self._watched:
            self._run_checks(self.trace.add_event(record))
        else:
            self.trace.pending.append(record)

    def _record_node_event(self, node: Node, kind: str, data: dict[str, Any]) -> None:
        self._record(kind, node, data)

    def _watch(self) -> None:
        """Which checks see which event kinds (checks subscribe by kind; failed ones leave)."""
        by_kind: dict[str, list[int]] = {}
        for index, check in enumerate(self._checks):
            if index in self._retired:
                continue
            for kind in EVENT_KINDS if check.kinds is None else sorted(check.kinds):
                by_kind.setdefault(kind, []).append(index)
        self._checks_by_kind = by_kind
        self._watched = frozenset(by_kind)

    def _run_checks(self, event: Event) -> None:
        for index in self._checks_by_kind[event.kind]:
            if index in self._retired:
                continue
            check = self._checks[index]
            finding = check.observe(event, self)
            if finding:
                self._violate(check, finding)
                continue
            due = check.deadline()
            if due is not None and self._deadlines.get(index) != due:
                self._deadlines[index] = due
                self._push(max(due, self.now), _DEADLINE, index)

    def _check_deadline(self, index: int, due: int) -> None:
        check = self._checks[index]
        if index in self._retired or self._deadlines.get(index) != due:
            return
        finding = check.at_deadline(self.now, self)
        if finding:
            self._violate(check, finding)
            return
        nxt = check.deadline()  # the check may have re-armed itself
        if nxt is not None and nxt != due:
            self._deadlines[index] = nxt
            self._push(max(nxt, self.now), _DEADLINE, index)

    def _violate(self, check: Check, finding: Finding) -> None:
        if isinstance(finding, tuple):
            detail, causes = finding
        else:
            detail, causes = str(finding), ()
        violation = Violation(check.name, check.kind, self.now, detail, tuple(causes))
        self.violations.append(violation)
        self._retired.add(self._checks.index(check))
        self._watch()
        self._record("violation", None, violation.to_dict())

    # nodes -----------------------------------------------------------------------------
    def _start(self, name: str) -> None:
        """First start of a node's program at tick 0 (unless a tick-0 action crashed or froze
        it first; commands that arrived before the start are handled right after it)."""
        node = self.nodes[name]
        if node.status == CRASHED:
            return  # `recover` starts it
        if node.status == FROZEN:
            node.pending.insert(0, (_BOOT, None))
            return
        early, node.pending = node.pending, []
        self._boot(node, "start")
        for _, obj in early:
            self._run_command(node, obj[0], obj[1])

    def _boot(self, node: Node, why: str) -> None:
        node.program = self.scenario.program(node.name)
        if not isinstance(node.program, Program):
            raise ProgramError(f"program factory returned {node.program!r}, not a Program")
        node.ctx = Context(self, node, stream(self.seed, f"node{node.incarnation}", node.name))
        if why != "start":
            self._record("state", node, {"status": RUNNING, "why": why})
        node.program.on_start(node.ctx)

    def _believe(self, node: Node, beliefs: dict[str, Any]) -> None:
        old = node.beliefs
        changed = {k: v for k, v in beliefs.items() if k not in old or old[k] != v}
        if changed:
            old.update(changed)
            self._record("state", node, changed)

    def _send(self, node: Node, dst: str, payload: Any) -> int | None:
        link = node.out.get(dst)
        if link is None:
            if dst == node.name:
                raise ProgramError(f"{node.name} sent a message to itself")
            raise ProgramError(f"{node.name} sent to unknown node {dst!r}")
        if node.lie is not None:
            payload = self._lie(node, dst, payload)
        else:
            node.sent.append((dst, payload))
        self._msg_ids = msg_id = self._msg_ids + 1
        self.messages_sent += 1
        now = self.now
        if payload is None:
            self._record("drop", node, {"id": msg_id, "dst": dst, "reason": "liar silent"})
            return None
        record = (now, "send", node.name, node.clock.line, msg_id, dst, payload)
        if "send" in self._watched:
            self._run_checks(self.trace.add_event(record))
        else:
            self.trace.pending.append(record)
        delay, reason, dup_delay = link.transmit(now)
        if delay is None:
            self._record("drop", None, {"id": msg_id, "link": link.name, "reason": reason})
            return msg_id
        self._order = order = self._order + 1
        heappush(self._heap, (now + (ceil(delay) if delay > 1 else 1), order, _DELIVER,
                              (msg_id, link, payload, now, None)))
        if dup_delay is not None:
            self._msg_ids += 1
            self._push(now + max(1, ceil(dup_delay)), _DELIVER,
                       (self._msg_ids, link, payload, now, msg_id))
        return msg_id

    def _lie(self, node: Node, dst: str, payload: Any) -> Any:
        assert node.lie is not None and node.program is not None and node.ctx is not None
        if node.lie.strategy == "replay" and not node.replays.take(self.now):
            return payload  # this window's replays are spent
        params = dict(node.lie.params)
        custom = node.program.lie(node.ctx, node.lie.strategy, dst, payload, params)
        if custom is not NotImplemented:
            return custom
        return rewrite(node.lie, node.name, node.ctx.peers, dst, payload,
                       self._lie_rng[node.name], tuple(node.sent), self._sign)

    def _deliver(self, msg: Message, held: bool) -> None:
        """A message reaches the end of its link (``held``: released from a hold)."""
        msg_id, link = msg[0], msg[1]
        if link.cut:
            self._record("drop", None, {"id": msg_id, "link": link.name, "reason": "link cut"})
            return
        if link.holding and not held:
            link.held.append(msg)
            self._record("hold", None, {"id": msg_id, "link": link.name, "held": len(link.held)})
            if link.hold_remaining is not None:
                link.hold_remaining -= 1
                if link.hold_remaining <= 0:
                    link.holding = False
                    link.hold_remaining = None
            return
        self._arrive(self.nodes[link.dst], msg)

    def _arrive(self, node: Node, msg: Message) -> None:
        msg_id, link, payload, sent, dup_of = msg
        status = node.status
        if status == RUNNING and node.resuming is None:
            self._add((self.now, "deliver", node.name, node.clock.line,
                       msg_id, link.src, sent, dup_of))
            node.program.on_message(node.ctx, link.src, payload)  # type: ignore[union-attr, arg-type]
        elif status != CRASHED:  # frozen, or still catching up on what piled up
            node.pending.append((_DELIVER, msg))
        else:
            self._record("drop", None, {"id": msg_id, "link": link.name,
                                        "reason": "node crashed"})

    def _set_timer(self, node: Node, name: str, delay_ms: float, data: Any) -> None:
        if not isinstance(delay_ms, int | float) or delay_ms < 0 or delay_ms != delay_ms:
            raise ProgramError(f"{node.name}: timer {name!r} needs a delay >= 0, got {delay_ms!r}")
        fire_at = self.now + max(1, ceil(node.clock.true_delay(delay_ms) - 1e-9))
        self._order = token = self._order + 1
        node.timers[name] = (token, data)
        heappush(self._heap, (fire_at, token, _TIMER, (node, name, token)))

    def _fire_timer(self, node: Node, name: str, token: int) -> None:
        entry = node.timers.get(name)
        if entry is None or entry[0] != token:
            return  # cancelled or replaced
        if node.status == FROZEN or node.resuming is not None:
            node.pending.append((_TIMER, (name, token)))
            return
        del node.timers[name]
        self._add((self.now, "timer", node.name, node.clock.line, name))
        node.program.on_timer(node.ctx, name, entry[1])  # type: ignore[union-attr, arg-type]

    def _sign(self, signer: str, value: Any) -> Signed:
        secret = self._secrets[signer]
        digest = hashlib.sha256(f"{secret}:{canonical_json(value)}".encode()).hexdigest()
        return Signed(signer, value, digest[:16])

    # actions -----------------------------------------------------------------------------
    def _apply(self, action: Action) -> None:
        tool = action.tool
        params = action.kwargs
        data: dict[str, Any] = {"tool": tool, "target": action.target}
        for k, v in action.params:
            data[k] = v
        effect = TOOL_HANDLERS[tool](self, action.target, params)
        if effect:
            data["effect"] = effect
        node = self.nodes.get(action.target) if TOOLS[tool].target == "node" else None
        if tool != "command":
            self._record("fault", node, data)

    def _links_of(self, target: str) -> list[Link]:
        if target == "*":
            return [self.links[k] for k in sorted(self.links)]
        return [self.links[p] for p in self._link_pairs(target)]

    def _tool_cut(self, target: str, params: dict[str, Any]) -> None:
        for link in self._links_of(target):
            link.cut = True

    def _tool_heal(self, target: str, params: dict[str, Any]) -> None:
        for link in self._links_of(target):
            link.cut = False

    def _tool_partition(self, target: str, params: dict[str, Any]) -> None:
        groups = [set(g) for g in params["groups"]]
        for (a, b), link in self.links.items():
            link.cut = not any(a in g and b in g for g in groups)

    def _tool_set_link(self, target: str, params: dict[str, Any]) -> None:
        for link in self._links_of(target):
            changes = dict(params)
            if "latency" in changes:
                changes["latency"] = link.spec.latency.__class__.constant(changes["latency"])
            try:
                link.spec = link.spec.evolve(**changes)
            except (ValueError, TypeError) as exc:
                raise MalformedActionError(f"set_link: {exc}") from None

    def _tool_hold(self, target: str, params: dict[str, Any]) -> None:
        for link in self._links_of(target):
            link.holding = True
            link.hold_remaining = params.get("count")

    def _tool_release(self, target: str, params: dict[str, Any]) -> str:
        released = 0
        for link in self._links_of(target):
            link.holding = False
            link.hold_remaining = None
            held, link.held = link.held, []
            for msg in held:
                self._push(self.now, _RELEASED, msg)
            released += len(held)
        return f"released {released}"

    def _tool_freeze(self, target: str, params: dict[str, Any]) -> str | None:
        node = self.nodes[target]
        if node.status != RUNNING:
            return f"no effect: node is {node.status}"
        node.status = FROZEN
        if "duration" in params:
            end = self.now + max(1, math.ceil(params["duration"]))
            self._push(end, _INTERNAL, Action(end, "unfreeze", target))
        return None

    def _tool_unfreeze(self, target: str, params: dict[str, Any]) -> str | None:
        node = self.nodes[target]
        if node.status != FROZEN:
            return f"no effect: node is {node.status}"
        node.status = RUNNING
        pending, node.pending = node.pending, []
        if node.resuming is not None:  # unfrozen again before the last catch-up ran
            node.resuming.pending.extend(pending)
        else:
            node.resuming = _Resume(target, pending, node.incarnation)
            self._push(self.now, _INTERNAL, node.resuming)
        return f"{len(pending)} pending"

    def _tool_crash(self, target: str, params: dict[str, Any]) -> str | None:
        node = self.nodes[target]
        if node.status == CRASHED:
            return "no effect: already crashed"
        node.status = CRASHED
        node.timers = {}
        waiting = [*(node.resuming.pending if node.resuming is not None else ()), *node.pending]
        for kind, obj in waiting:
            if kind == _DELIVER:
                self._record("drop", None, {"id": obj[0], "link": obj[1].name,
                                            "reason": "node crashed"})
        node.pending = []
        node.resuming = None
        node.program = None
        node.ctx = None
        node.beliefs = {}
        node.incarnation += 1
        if "recover_after" in params:
            at = self.now + max(1, math.ceil(params["recover_after"]))
            self._push(at, _INTERNAL, Action(at, "recover", target))
        return None

    def _tool_recover(self, target: str, params: dict[str, Any]) -> str | None:
        node = self.nodes[target]
        if node.status != CRASHED:
            return f"no effect: node is {node.status}"
        node.status = RUNNING
        self._boot(node, "recovered")
        return None

    def _tool_step_clock(self, target: str, params: dict[str, Any]) -> None:
        self.nodes[target].clock.step(self.now, params["delta_ms"])

    def _tool_set_drift(self, target: str, params: dict[str, Any]) -> None:
        try:
            self.nodes[target].clock.set_drift(self.now, params["ppm"])
        except ValueError as exc:
            raise MalformedActionError(f"set_drift: {exc}") from None

    def _tool_set_rate(self, target: str, params: dict[str, Any]) -> None:
        try:
            self.nodes[target].clock.set_rate(self.now, params["ppm"])
        except ValueError as exc:
            raise MalformedActionError(f"set_rate: {exc}") from None

    def _tool_lie(self, target: str, params: dict[str, Any]) -> None:
        node = self.nodes[target]
        node.lie = LieSpec(params["strategy"], tuple(sorted(params.items())))
        node.clock_lie_ms = float(params.get("offset_ms", 0.0)) if params["strategy"] == "clock" \
            else 0.0

    def _tool_honest(self, target: str, params: dict[str, Any]) -> None:
        node = self.nodes[target]
        node.lie = None
        node.clock_lie_ms = 0.0

    def _tool_command(self, target: str, params: dict[str, Any]) -> None:
        node = self.nodes[target]
        name = params["name"]
        args = dict(params.get("args") or ())
        if node.status == CRASHED:
            self._record("command", node, {"name": name, "args": args, "refused": "crashed"})
            return
        if node.status == FROZEN or node.program is None or node.resuming is not None:
            # paused, not started yet, or still catching up on what piled up
            node.pending.append((_INTERNAL, (name, args)))
            return
        self._run_command(node, name, args)

    def _run_command(self, node: Node, name: str, args: dict[str, Any]) -> None:
        self._record("command", node, {"name": name, "args": args})
        node.program.on_command(node.ctx, name, args)  # type: ignore[union-attr, arg-type]

    def _resume(self, resume: _Resume) -> None:
        node = self.nodes[resume.node]
        if node.incarnation != resume.incarnation or node.resuming is not resume:
            return
        node.resuming = None
        # What piled up while frozen, then what arrived since the unfreeze: in order.
        queue, node.pending = [*resume.pending, *node.pending], []
        for kind, obj in queue:
            if node.status != RUNNING:  # frozen or crashed again while catching up
                if node.status == FROZEN:
                    node.pending.append((kind, obj))
                continue
            if kind == _DELIVER:
                self._arrive(node, obj)
            elif kind == _TIMER:
                self._fire_timer(node, obj[0], obj[1])
            elif kind == _BOOT:
                self._boot(node, "start")
            else:
                self._run_command(node, obj[0], obj[1])


ToolHandler = Callable[[World, str, dict[str, Any]], "str | None"]
TOOL_HANDLERS: dict[str, ToolHandler] = {
    "cut": World._tool_cut,
    "heal": World._tool_heal,
    "partition": World._tool_partition,
    "set_link": World._tool_set_link,
    "hold": World._tool_hold,
    "release": World._tool_release,
    "freeze": World._tool_freeze,
    "unfreeze": World._tool_unfreeze,
    "crash": World._tool_crash,
    "recover": World._tool_recover,
    "step_clock": World._tool_step_clock,
    "set_drift": World._tool_set_drift,
    "set_rate": World._tool_set_rate,
    "lie": World._tool_lie,
    "honest": World._tool_honest,
    "command": World._tool_command,
}
"""How the engine applies each tool of :data:`~playground.sim.actions.TOOLS` (one entry each)."""


class _Start:
    """Internal heap item: start a node's program at tick 0."""

    __slots__ = ("node",)

    def __init__(self, node: str) -> None:
        self.node = node


class _Resume:
    """Internal heap item: replay what piled up while a node was frozen."""

    __slots__ = ("incarnation", "node", "pending")

    def __init__(self, node: str, pending: list[tuple[int, Any]], incarnation: int) -> None:
        self.node = node
        self.pending = pending
        self.incarnation = incarnation


class WorldSnapshot:
    """A restorable copy of a world at :attr:`tick`."""

    __slots__ = ("state", "tick", "trace_mark")

    def __init__(self, tick: int, state: World | bytes,
                 trace_mark: tuple[int, Any]) -> None:
        self.tick = tick
        self.state = state
        self.trace_mark = trace_mark


def run(
    scenario: Scenario, seed: int = 0, actions: Sequence[Action] = (), until: int = 10_000,
    *, retain_trace: bool = True,
) -> World:
    """Convenience: build a world and run it to ``until``."""
    world = World(scenario, seed, actions, retain_trace=retain_trace)
    world.run_until(until)
    return world
