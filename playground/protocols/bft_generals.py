"""The Byzantine Generals: algorithms OM(m) (oral messages) and SM(m) (signed messages).

Source: L. Lamport, R. Shostak and M. Pease, "The Byzantine Generals Problem", ACM TOPLAS 4(3),
1982: section 3 (impossibility with three generals, Fig. 1 and 2), section 4 (algorithm OM(m)),
section 5 (algorithm SM(m)) and section 6 (assumptions A1-A4, line failures); Kleppmann, DDIA
ch. 8 "Byzantine Faults".

A commander sends an order (``attack`` or ``retreat``) to ``n - 1`` lieutenants; some generals
may be traitors. Interactive consistency asks that

- **IC1**: all loyal lieutenants obey the same order;
- **IC2**: if the commander is loyal, every loyal lieutenant obeys the order it sends.

Both algorithms run as real message exchange over synchronous rounds of ``round_ms`` on every
node's monotonic clock, starting ``start_ms`` after boot. Instance ``k`` (there are
``instances`` of them, one after the other) begins at ``start_ms + k * (m + 2) * round_ms``; a
lieutenant decides at the end of round ``m + 1``.

**OM(m)**: in round 1 the commander sends its order to every lieutenant (path ``[c]``). In round
``r + 1`` (``r = 1..m``) every lieutenant relays, for every path ``p`` of length ``r`` it could
have received, the value it got along ``p`` (or the default ``retreat`` if none arrived in
time) to every general not on ``p``, with path ``p + [itself]``: that is lieutenant ``i`` acting
as commander in OM(m-1). After round ``m + 1`` it resolves the recursion bottom up: the value of
the sub-run along ``p`` is the majority of what it got along ``p`` and the values of the
sub-runs ``p + [j]``; no majority gives the default. It sends
``(n-1) + (n-1)(n-2) + ... + (n-1)(n-2)...(n-m-1)`` messages; it works if ``n >= 3m + 1``.

**SM(m)**: the commander signs its order (with the instance number). A lieutenant keeps the set
``V`` of orders that reached it with a valid chain of signatures starting with the commander's
(``v:0:j1:...:jk``, nested :class:`~playground.sim.Signed` values, the outermost by the sender);
the first time it sees an order it adds it to ``V`` and, if the chain has fewer than ``m + 1``
signatures, relays it with its own signature appended to every lieutenant not yet on the chain.
A chain of ``k`` signatures must arrive by the end of round ``k``. After round ``m + 1`` it
obeys ``choice(V)``: the single order in ``V``, otherwise the default. Nobody can forge a
signature, so SM(m) copes with ``m`` traitors among any number of generals (``n >= m + 2``).

Lies. The engine's generic strategies act on ``payload["value"]`` (the order). OM adds one of
its own: ``forge`` without a ``value`` makes a traitor send the *opposite* of the order (a
lieutenant relaying "he said retreat"). In SM a traitorous commander's ``equivocate`` and
``forge`` re-sign different orders (it may sign anything itself), while a traitorous
lieutenant's rewritten relays fail verification and are ignored.

Fault accounting (what "loyal" means to the checks). The paper's guarantees assume A1-A3: every
message sent is delivered, on time, and its sender is known. It counts a failed communication
line as a failure of one of its two generals. The checks do the same for each instance: a
general is faulty if it lied, crashed or was frozen during the instance; a line between two such
non-faulty generals failed if one of their messages of the instance was dropped, held, still in
flight at the decision, or arrived outside its round; the failed lines are then blamed on the
fewest generals that cover them (a minimum vertex cover). Everybody else is loyal. OM(m) and
SM(m) guarantee IC1 and IC2 while at most ``m`` generals are faulty in that sense; more faults
may break them, and the checks say so.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from playground.protocols.registry import Build, Knob, KnobError, ProtocolSpec
from playground.sim.checks import Finding, Invariant
from playground.sim.program import Context, Program, Signed
from playground.sim.trace import Event
from playground.sim.world import World

SOURCE = ("Lamport, Shostak, Pease, 'The Byzantine Generals Problem' (ACM TOPLAS 1982), "
          "sections 3-6; Kleppmann, DDIA ch. 8 'Byzantine Faults'")

ATTACK = "attack"
RETREAT = "retreat"
ORDERS = (ATTACK, RETREAT)


def opposite(order: Any) -> str:
    """The other order (``attack`` <-> ``retreat``)."""
    return RETREAT if order == ATTACK else ATTACK


def majority(values: Sequence[str], default: str) -> str:
    """The value held by more than half of ``values``; ``default`` if there is none."""
    for value in ORDERS:
        if 2 * sum(1 for v in values if v == value) > len(values):
            return value
    return default


def om_messages(n: int, m: int) -> int:
    """Messages OM(m) sends with ``n`` generals: sum over rounds r = 1..m+1 of
    (n-1)(n-2)...(n-r)."""
    total, level = 0, 1
    for r in range(1, m + 2):
        level *= n - r
        total += level
    return total


# ------------------------------------------------------------------------------ programs
class _General(Program):
    """What OM and SM generals share: the round schedule on the node's monotonic clock.

    Boundary ``b`` (``b = 0, 1, ...``) is at ``start_ms + b * round_ms`` after boot; boundary
    ``k * (m + 2) + r`` is step ``r`` of instance ``k``: ``r = 0`` starts it (the commander
    sends), ``r = 1..m`` end rounds ``1..m``, ``r = m + 1`` ends round ``m + 1`` (decide).
    The boot reading of the monotonic clock is kept in ``ctx.durable`` so that a general that
    crashes and recovers finds the schedule again; it takes part from the next instance on.
    """

    def __init__(
        self, name: str, *, commander: str, generals: tuple[str, ...], m: int, order: str,
        default: str, round_ms: int, start_ms: int, instances: int,
    ) -> None:
        self.name = name
        self.commander = commander
        self.generals = generals
        self.lieutenants = tuple(g for g in generals if g != commander)
        self.m = m
        self.order = order
        self.default = default
        self.round_ms = round_ms
        self.start_ms = start_ms
        self.instances = instances
        self.epoch = 0.0
        self.next_b = 0
        self.active: dict[int, dict[str, Any]] = {}  # instance -> state (seen from its start)

    # schedule ---------------------------------------------------------------------------
    @property
    def steps(self) -> int:
        return self.m + 2

    def boundary(self, b: int) -> float:
        return self.start_ms + b * self.round_ms

    def on_start(self, ctx: Context) -> None:
        self.epoch = ctx.durable.setdefault("epoch", ctx.monotonic())
        self.order = ctx.durable.get("order", self.order)
        elapsed = ctx.monotonic() - self.epoch
        if elapsed < self.start_ms:
            self.next_b = 0
        else:  # recovering: the next boundary strictly ahead
            self.next_b = int((elapsed - self.start_ms) // self.round_ms) + 1
        ctx.believe(role=self.role(ctx), leader=self.commander)
        self._arm(ctx)

    def role(self, ctx: Context) -> str:
        if ctx.is_lying:
            return "traitor"
        return "commander" if self.name == self.commander else "lieutenant"

    def _arm(self, ctx: Context) -> None:
        if self.next_b // self.steps >= self.instances:
            return
        delay = self.boundary(self.next_b) - (ctx.monotonic() - self.epoch)
        ctx.set_timer("round", max(0.0, delay))

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name != "round":
            return
        elapsed = ctx.monotonic() - self.epoch
        while (self.next_b // self.steps < self.instances
               and self.boundary(self.next_b) <= elapsed + 1e-6):
            k, r = divmod(self.next_b, self.steps)
            self.next_b += 1
            ctx.believe(role=self.role(ctx))
            if r == 0:
                self.active = {k: self._fresh()}  # earlier instances are over
                if self.name == self.commander:
                    ctx.believe(value=self.order)
                    ctx.decide("command", self.order, instance=k)
                    self._command(ctx, k)
            elif k in self.active and self.name != self.commander:
                if r <= self.m:
                    self._end_round(ctx, k, r)
                else:
                    value, info = self._decide(ctx, k)
                    ctx.believe(value=value)
                    ctx.durable.setdefault("decisions", {})[k] = value
                    ctx.decide("order", value, instance=k, **info)
        self._arm(ctx)

    def position(self) -> int:
        """The last boundary processed (-1 before the first)."""
        return self.next_b - 1

    def _untimely(self, ctx: Context, src: str, k: int, rnd: int, early: bool) -> None:
        ctx.observe("untimely", src=src, instance=k, round=rnd, early=early)

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name != "order":
            super().on_command(ctx, name, args)
            return
        value = args.get("value")
        if self.name != self.commander or value not in ORDERS:
            ctx.observe("ignored", command=name, reason="only the commander takes an order "
                        "of attack or retreat")
            return
        self.order = ctx.durable["order"] = value
        ctx.believe(value=value)

    # per protocol -------------------------------------------------------------------------
    def _fresh(self) -> dict[str, Any]:
        raise NotImplementedError

    def _command(self, ctx: Context, k: int) -> None:
        raise NotImplementedError

    def _end_round(self, ctx: Context, k: int, r: int) -> None:
        """End of round r (1 <= r <= m) at a lieutenant."""

    def _decide(self, ctx: Context, k: int) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError


class OralMessagesGeneral(_General):
    """A general running OM(m) (Lamport, Shostak, Pease 1982, section 4).

    Messages: ``{"type": "om", "instance": k, "path": [c, j1, ..., jr], "value": order}``; the
    path says who relayed what: ``jr`` tells the receiver that ``j(r-1)`` told it that ... the
    commander ``c`` ordered ``value``.
    """

    def _fresh(self) -> dict[str, Any]:
        return {"vals": {}}

    def _command(self, ctx: Context, k: int) -> None:
        for lt in self.lieutenants:
            ctx.send(lt, {"type": "om", "instance": k, "path": [self.name], "value": self.order})

    def paths(self, length: int) -> list[tuple[str, ...]]:
        """Every path of ``length`` this lieutenant may receive, in node order."""
        out: list[tuple[str, ...]] = [(self.commander,)]
        for _ in range(length - 1):
            out = [(*p, g) for p in out for g in self.lieutenants
                   if g not in p and g != self.name]
        return out

    def _end_round(self, ctx: Context, k: int, r: int) -> None:
        vals = self.active[k]["vals"]
        for path in self.paths(r):
            value = vals.get(path, self.default)
            relay = [*path, self.name]
            for dst in self.lieutenants:
                if dst not in relay:
                    ctx.send(dst, {"type": "om", "instance": k, "path": relay, "value": value})

    def resolve(self, vals: Mapping[tuple[str, ...], str], path: tuple[str, ...]) -> str:
        """Lieutenant's result of the sub-run OM(m + 1 - len(path)) along ``path``."""
        own = vals.get(path, self.default)
        if len(path) == self.m + 1:
            return own
        subs = [self.resolve(vals, (*path, j)) for j in self.lieutenants
                if j not in path and j != self.name]
        return majority([own, *subs], self.default)

    def _decide(self, ctx: Context, k: int) -> tuple[str, dict[str, Any]]:
        vals = self.active[k]["vals"]
        direct = vals.get((self.commander,), self.default)
        return self.resolve(vals, (self.commander,)), {"direct": direct}

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if self.name == self.commander or not isinstance(payload, dict):
            return
        if payload.get("type") != "om":
            return
        k, path = payload.get("instance"), payload.get("path")
        if (not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < self.instances
                or not isinstance(path, list) or not 1 <= len(path) <= self.m + 1
                or path[0] != self.commander or path[-1] != src or self.name in path
                or len(set(map(str, path))) != len(path)
                or any(g not in self.generals for g in path)):
            return  # malformed: only a traitor sends that
        key = tuple(path)
        state = self.active.get(k)
        if state is not None and key in state["vals"]:
            return  # a duplicate
        due = k * self.steps + len(path) - 1  # round len(path) is open after this boundary
        if state is None or self.position() != due:
            self._untimely(ctx, src, k, len(path), early=self.position() < due)
            return
        value = payload.get("value")
        state["vals"][key] = value if value in ORDERS else self.default

    def lie(self, ctx: Context, strategy: str, dst: str, payload: Any,
            params: dict[str, Any]) -> Any:
        """``forge`` without a ``value``: send the opposite of the true order."""
        if (strategy == "forge" and "value" not in params and isinstance(payload, dict)
                and payload.get("value") in ORDERS):
            return {**payload, "value": opposite(payload["value"])}
        return NotImplemented


def unwrap_chain(ctx: Context, chain: Any) -> tuple[list[str], Any] | None:
    """``(signers from the commander outwards, signed value)`` if every signature of the
    nested chain verifies, else ``None``."""
    signers: list[str] = []
    while isinstance(chain, Signed):
        if not ctx.verify(chain):
            return None
        signers.append(chain.signer)
        chain = chain.value
        if len(signers) > 64:
            return None
    if not signers:
        return None
    signers.reverse()
    return signers, chain


class SignedMessagesGeneral(_General):
    """A general running SM(m) (Lamport, Shostak, Pease 1982, section 5).

    Messages: ``{"type": "sm", "instance": k, "value": chain}`` where ``chain`` is
    ``Signed(jk, Signed(..., Signed(j1, Signed(c, {"order": v, "instance": k}))))``.
    """

    def _fresh(self) -> dict[str, Any]:
        return {"V": [], "chains": 0}

    def _signed_order(self, ctx: Context, order: Any, k: int) -> Signed:
        return ctx.sign({"order": order, "instance": k})

    def _command(self, ctx: Context, k: int) -> None:
        signed = self._signed_order(ctx, self.order, k)
        for lt in self.lieutenants:
            ctx.send(lt, {"type": "sm", "instance": k, "value": signed})

    def _decide(self, ctx: Context, k: int) -> tuple[str, dict[str, Any]]:
        seen = sorted(self.active[k]["V"])
        value = seen[0] if len(seen) == 1 else self.default
        return value, {"V": seen}

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if self.name == self.commander or not isinstance(payload, dict):
            return
        if payload.get("type") != "sm":
            return
        k = payload.get("instance")
        if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < self.instances:
            return
        chain = payload.get("value")
        found = unwrap_chain(ctx, chain)
        if found is None:
            ctx.observe("bad signature", src=src, instance=k)
            return
        signers, inner = found
        if (not isinstance(inner, dict) or inner.get("instance") != k
                or inner.get("order") not in ORDERS or signers[0] != self.commander
                or signers[-1] != src or self.name in signers
                or len(set(signers)) != len(signers) or len(signers) > self.m + 1
                or any(s not in self.generals for s in signers)):
            ctx.observe("bad signature", src=src, instance=k)
            return
        state = self.active.get(k)
        pos, start = self.position(), k * self.steps
        if state is None or not start <= pos <= start + len(signers) - 1:
            self._untimely(ctx, src, k, len(signers), early=pos < start)
            return
        order = inner["order"]
        state["chains"] += 1
        if order in state["V"]:
            return
        state["V"].append(order)
        if len(state["V"]) > 1:
            ctx.observe("equivocation", instance=k, orders=sorted(state["V"]),
                        commander=self.commander)
        if len(signers) <= self.m:
            relay = ctx.sign(chain)
            for dst in self.lieutenants:
                if dst != self.name and dst not in signers:
                    ctx.send(dst, {"type": "sm", "instance": k, "value": relay})

    def lie(self, ctx: Context, strategy: str, dst: str, payload: Any,
            params: dict[str, Any]) -> Any:
        """A traitorous commander signs different orders: ``equivocate`` tells the i-th peer
        ``values[i % len(values)]`` (default attack, retreat), ``forge`` signs ``value`` (by
        default the opposite of its order). Anyone else: the generic strategies."""
        if (self.name != self.commander or strategy not in ("equivocate", "forge")
                or not isinstance(payload, dict) or payload.get("type") != "sm"):
            return NotImplemented
        if strategy == "equivocate":
            values = list(params.get("values") or ORDERS)
            index = ctx.peers.index(dst) if dst in ctx.peers else 0
            order = values[index % len(values)]
        else:
            order = params.get("value", opposite(self.order))
        return {**payload, "value": self._signed_order(ctx, order, payload["instance"])}


# ------------------------------------------------------------------------------ checks
class GeneralsLedger:
    """The checker's account of one run of OM or SM (see the module docstring).

    Fed every relevant event; :meth:`faulty` says which generals count as faulty in an
    instance and why; :meth:`evaluate` gives an instance's decisions split by loyalty.
    """

    def __init__(self, msg_type: str, commander: str, generals: tuple[str, ...], m: int,
                 start_ms: int, round_ms: int, instances: int) -> None:
        self.msg_type = msg_type
        self.commander = commander
        self.generals = generals
        self.m = m
        self.start_ms = start_ms
        self.round_ms = round_ms
        self.instances = instances
        # node -> [kind, start tick, end tick or None, event seq]
        self.faults: dict[str, list[list[Any]]] = {}
        # message id -> [src, dst, instance, status]; status: sent/delivered/failed/held
        self.messages: dict[int, list[Any]] = {}
        self.untimely: dict[int, set[tuple[str, str]]] = {}
        self.decisions: dict[int, dict[str, tuple[str, int]]] = {}
        self.commands: dict[int, tuple[str, int]] = {}
        self.sent: dict[int, int] = {}  # instance -> messages sent

    # schedule in true time (nominal clocks)
    def window(self, k: int) -> tuple[int, int]:
        start = self.start_ms + k * (self.m + 2) * self.round_ms
        return start, start + (self.m + 1) * self.round_ms

    def feed(self, event: Event) -> None:
        kind, data = event.kind, event.data
        if kind == "fault":
            self._fault(event)
        elif kind == "send":
            payload = data.get("payload")
            if isinstance(payload, dict) and payload.get("type") == self.msg_type:
                k = payload.get("instance")
                if isinstance(k, int) and event.node is not None:
                    self.messages[data["id"]] = [event.node, data["dst"], k, "sent"]
                    self.sent[k] = self.sent.get(k, 0) + 1
        elif kind == "deliver":
            msg = self.messages.get(data.get("dup_of") or data["id"])
            if msg is not None:
                msg[3] = "delivered"
        elif kind == "drop":
            msg = self.messages.get(data["id"])
            if msg is not None and msg[3] != "delivered":
                msg[3] = "failed"
        elif kind == "hold":
            msg = self.messages.get(data["id"])
            if msg is not None:
                msg[3] = "held"
        elif kind == "observe" and data.get("what") == "untimely" and event.node is not None:
            self.untimely.setdefault(data["instance"], set()).add((data["src"], event.node))
        elif kind == "decide" and event.node is not None:
            instance: Any = data.get("instance")
            if data.get("key") == "order":
                self.decisions.setdefault(instance, {})[event.node] = (data["value"], event.seq)
            elif data.get("key") == "command":
                self.commands[instance] = (data["value"], event.seq)

    def _fault(self, event: Event) -> None:
        data = event.data
        tool, target = data.get("tool"), data.get("target")
        if target not in self.generals:
            return
        if str(data.get("effect", "")).startswith("no effect"):
            return
        spans = self.faults.setdefault(target, [])
        opens = {"lie": "lied", "crash": "crashed", "freeze": "was frozen"}
        closes = {"honest": "lied", "recover": "crashed", "unfreeze": "was frozen"}
        if tool in opens:
            if not any(s[0] == opens[tool] and s[2] is None for s in spans):
                spans.append([opens[tool], event.tick, None, event.seq])
        elif tool in closes:
            for span in spans:
                if span[0] == closes[tool] and span[2] is None:
                    span[2] = event.tick

    def process_faults(self, k: int) -> dict[str, tuple[str, int]]:
        """Generals that lied, crashed or were frozen during instance ``k``: why, event."""
        start, end = self.window(k)
        out: dict[str, tuple[str, int]] = {}
        for node in self.generals:
            for why, a, b, seq in self.faults.get(node, ()):
                if a <= end and (b is None or b >= start):
                    out.setdefault(node, (why, seq))
        return out

    def failed_lines(self, k: int, process: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Lines between process-correct generals that lost, held, delayed or mistimed a
        message of instance ``k`` (as ``(src, dst)``, sorted)."""
        lines = set(self.untimely.get(k, ()))
        for src, dst, inst, status in self.messages.values():
            if inst == k and status != "delivered":
                lines.add((src, dst))
        return sorted((a, b) for a, b in lines if a not in process and b not in process)

    def faulty(self, k: int) -> dict[str, str]:
        """Every general counted faulty in instance ``k``, with the reason in words."""
        process = self.process_faults(k)
        out = {node: why for node, (why, _) in process.items()}
        lines = self.failed_lines(k, process)
        if lines:
            order = {g: i for i, g in enumerate(self.generals)}
            nodes = sorted({n for line in lines for n in line}, key=order.__getitem__)
            for size in range(1, len(nodes) + 1):
                cover = next((c for c in itertools.combinations(nodes, size)
                              if all(a in c or b in c for a, b in lines)), None)
                if cover is not None:
                    break
            for node in cover or ():
                mine = [f"{a}->{b}" for a, b in lines if node in (a, b)]
                out[node] = "lost messages on " + ", ".join(mine)
        return out

    def causes(self, k: int) -> list[int]:
        return sorted(seq for _, seq in self.process_faults(k).values())

    def describe_faulty(self, faulty: Mapping[str, str]) -> str:
        n = len(self.generals)
        if not faulty:
            text = "no faulty generals"
        else:
            text = "faulty: " + "; ".join(f"{g} {why}" for g, why in sorted(faulty.items()))
        notes = []
        if len(faulty) > self.m:
            notes.append(f"{len(faulty)} faulty > m={self.m}")
        if self.msg_type == "om" and n < 3 * self.m + 1:
            notes.append(f"OM({self.m}) needs n >= 3m+1 = {3 * self.m + 1} generals, "
                         f"this army has {n}")
        return text + (f" ({'; '.join(notes)})" if notes else "")


class _GeneralsCheck(Invariant):
    kinds = frozenset({"fault", "send", "deliver", "drop", "hold", "observe", "decide"})

    def __init__(self, msg_type: str, commander: str, generals: tuple[str, ...], m: int,
                 start_ms: int, round_ms: int, instances: int) -> None:
        self.ledger = GeneralsLedger(msg_type, commander, generals, m, start_ms, round_ms,
                                     instances)
        self.next_eval = 0  # first instance not evaluated at its deadline yet

    def deadline(self) -> int | None:
        if self.next_eval >= self.ledger.instances:
            return None
        return self.ledger.window(self.next_eval)[1] + 1

    def observe(self, event: Event, world: World) -> Finding:
        self.ledger.feed(event)
        if event.kind == "decide" and event.data.get("key") == "order":
            k = event.data.get("instance")
            if isinstance(k, int) and k < self.next_eval:  # a late decision
                return self.evaluate(k)
        return None

    def at_deadline(self, now: int, world: World) -> Finding:
        while self.next_eval < self.ledger.instances:
            k = self.next_eval
            if self.ledger.window(k)[1] + 1 > now:
                break
            self.next_eval += 1
            finding = self.evaluate(k)
            if finding:
                return finding
        return None

    def evaluate(self, k: int) -> Finding:
        raise NotImplementedError


class AgreementIC1(_GeneralsCheck):
    """IC1: all loyal lieutenants obey the same order (checked at the end of each instance)."""

    name = "IC1"

    def evaluate(self, k: int) -> Finding:
        led = self.ledger
        faulty = led.faulty(k)
        loyal = {n: d for n, d in led.decisions.get(k, {}).items()
                 if n not in faulty and n != led.commander}
        if len({v for v, _ in loyal.values()}) <= 1:
            return None
        parts = ", ".join(f"{n} {v}" for n, (v, _) in sorted(loyal.items()))
        detail = (f"loyal lieutenants disagree in instance {k}: {parts}; "
                  f"{led.describe_faulty(faulty)}")
        return detail, sorted([seq for _, seq in loyal.values()] + led.causes(k))


class ValidityIC2(_GeneralsCheck):
    """IC2: if the commander is loyal, every loyal lieutenant obeys its order."""

    name = "IC2"

    def evaluate(self, k: int) -> Finding:
        led = self.ledger
        faulty = led.faulty(k)
        if led.commander in faulty or k not in led.commands:
            return None
        order, cmd_seq = led.commands[k]
        wrong = {n: d for n, d in led.decisions.get(k, {}).items()
                 if n not in faulty and n != led.commander and d[0] != order}
        if not wrong:
            return None
        parts = ", ".join(f"{n} {v}" for n, (v, _) in sorted(wrong.items()))
        detail = (f"loyal commander {led.commander} ordered {order} in instance {k} but loyal "
                  f"{parts}; {led.describe_faulty(faulty)}")
        return detail, sorted([cmd_seq, *(s for _, s in wrong.values()), *led.causes(k)])


# ------------------------------------------------------------------------------ SPECs
def _knobs(m_default: int, safe_m: str) -> tuple[Knob, ...]:
    return (
        Knob("commander", "node", "n1", "the general who gives the order", safe="any node"),
        Knob("m", "int", m_default, "rounds of relaying (the number of traitors tolerated)",
             low=0, high=4, safe=safe_m),
        Knob("order", "str", ATTACK, "the loyal commander's order", choices=ORDERS,
             safe="either"),
        Knob("default", "str", RETREAT,
             "the order assumed when none arrived (and when there is no majority / choice)",
             choices=(RETREAT, ATTACK), safe="either, the same at every general"),
        Knob("round_ms", "int", 20, "length of a synchronous round (ms, monotonic clock)",
             low=2, high=5000,
             safe="longer than the worst message delay (default links: 5 ms)"),
        Knob("start_ms", "int", 10, "when the first instance starts (ms after boot)",
             low=1, high=100_000, safe="any"),
        Knob("instances", "int", 1, "how many times the commander gives an order", low=1,
             high=50, safe="any"),
    )


def _build(cls: type[_General], msg_type: str, nodes: tuple[str, ...],
           knobs: Mapping[str, Any]) -> Build:
    m = knobs["m"]
    if len(nodes) < m + 2:
        raise KnobError("m", f"{msg_type.upper()}({m}) needs at least m+2 = {m + 2} generals, "
                             f"the army has {len(nodes)}")
    params = {
        "commander": knobs["commander"], "generals": nodes, "m": m, "order": knobs["order"],
        "default": knobs["default"], "round_ms": knobs["round_ms"],
        "start_ms": knobs["start_ms"], "instances": knobs["instances"],
    }
    check_args = (msg_type, knobs["commander"], nodes, m, knobs["start_ms"], knobs["round_ms"],
                  knobs["instances"])
    return Build(program=functools.partial(cls, **params),
                 checks=(AgreementIC1(*check_args), ValidityIC2(*check_args)))


def _ledger(world: World, msg_type: str) -> GeneralsLedger | None:
    """The run's ledger: from a live check if the world exposes one that is still running (a
    check stops seeing events once it reported), else rebuilt from the trace."""
    stopped = {v.invariant for v in world.violations}
    for check in getattr(world, "checks", ()):
        if (isinstance(check, _GeneralsCheck) and check.ledger.msg_type == msg_type
                and check.name not in stopped):
            return check.ledger
    for proto in world.scenario.checks:
        if isinstance(proto, _GeneralsCheck) and proto.ledger.msg_type == msg_type:
            old = proto.ledger
            ledger = GeneralsLedger(msg_type, old.commander, old.generals, old.m,
                                    old.start_ms, old.round_ms, old.instances)
            for event in world.trace:
                ledger.feed(event)
            return ledger
    return None


def _metrics(msg_type: str, world: World) -> dict[str, Any]:
    out: dict[str, Any] = {"messages_sent": world.messages_sent}
    ledger = _ledger(world, msg_type)
    if ledger is None:
        return out
    done = [k for k in range(ledger.instances) if ledger.window(k)[1] < world.now]
    out["instances"] = len(done)
    out["rounds"] = len(done) * (ledger.m + 1)
    out["decisions"] = sum(len(ledger.decisions.get(k, {})) for k in done)
    for g in ledger.generals:
        if g != ledger.commander:
            out[f"decisions_{g}"] = sum(1 for k in done if g in ledger.decisions.get(k, {}))
    disagreements = broken_orders = 0
    loyal_agreed = loyal_total = faulty_max = 0
    for k in done:
        faulty = ledger.faulty(k)
        faulty_max = max(faulty_max, len(faulty))
        loyal = [v for n, (v, _) in sorted(ledger.decisions.get(k, {}).items())
                 if n not in faulty]
        values = sorted(set(loyal))
        disagreements += len(values) > 1
        if ledger.commander not in faulty and k in ledger.commands:
            broken_orders += any(v != ledger.commands[k][0] for v in loyal)
        loyal_total = len(loyal)
        loyal_agreed = max((loyal.count(v) for v in values), default=0)
    out["loyal_lieutenants"] = loyal_total  # in the last instance
    out["loyal_agreed"] = loyal_agreed  # loyal lieutenants in the largest agreeing group
    out["ic1_broken"] = disagreements  # instances where loyal lieutenants disagreed
    out["ic2_broken"] = broken_orders  # instances where a loyal commander was disobeyed
    out["faulty_max"] = faulty_max
    return out


_INVARIANTS = {
    "IC1": "all loyal lieutenants obey the same order",
    "IC2": "if the commander is loyal, every loyal lieutenant obeys its order",
}

OM_SPEC = ProtocolSpec(
    name="oral_messages",
    title="Byzantine generals with oral messages: OM(m)",
    source=SOURCE,
    summary=(
        "A commander sends attack or retreat; lieutenants relay what they heard for m rounds "
        "and take majorities, a missing message counting as retreat. With oral messages a "
        "traitor can lie about what others said, so OM(m) needs n >= 3m+1 generals to survive "
        "m traitors: with three generals and one traitor a loyal lieutenant cannot tell who "
        "is lying."
    ),
    knobs=_knobs(1, "at least the number of traitors, with n >= 3m+1"),
    build=functools.partial(_build, OralMessagesGeneral, "om"),
    commands={"order": "to the commander: {value: attack|retreat}, the order of the next "
                       "instances"},
    invariants=_INVARIANTS,
    metrics=functools.partial(_metrics, "om"),
    min_nodes=2,
    default_nodes=("n1", "n2", "n3", "n4"),
)

SM_SPEC = ProtocolSpec(
    name="signed_messages",
    title="Byzantine generals with signed messages: SM(m)",
    source=SOURCE,
    summary=(
        "The commander signs its order and every lieutenant appends its signature when it "
        "relays. Nobody can forge a signature, so a lying lieutenant can only stay silent and "
        "a commander that equivocates is caught: the loyal lieutenants see both signed orders "
        "and all fall back to the same default. SM(m) copes with m traitors among any number "
        "of generals, even three."
    ),
    knobs=_knobs(1, "at least the number of traitors (any n >= m+2)"),
    build=functools.partial(_build, SignedMessagesGeneral, "sm"),
    commands={"order": "to the commander: {value: attack|retreat}, the order of the next "
                       "instances"},
    invariants=_INVARIANTS,
    metrics=functools.partial(_metrics, "sm"),
    min_nodes=2,
    default_nodes=("n1", "n2", "n3"),
)

SPEC = OM_SPEC
EXTRA_SPECS = (SM_SPEC,)
