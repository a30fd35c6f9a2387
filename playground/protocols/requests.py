"""Request/response over an unreliable network: timeouts, retries and idempotency keys.

Source: Kleppmann, *Designing Data-Intensive Applications*, ch. 8, "Unreliable Networks" and
"Detecting Faults": a client that sends a request and gets no reply cannot tell whether

1. the request was lost (or is waiting in a queue),
2. the remote node has failed (crashed or paused),
3. the remote node processed the request but the reply was lost, or
4. the request or the reply is merely delayed ("slow").

"The usual way of handling this issue is a timeout", and retrying after a timeout is only safe
if the operation is idempotent: a retried "charge the account" whose first attempt did take
effect charges twice. The fix the chapter's exactly-once discussion points to (ch. 11, "Uniquely
identifying requests"; Stripe's idempotency keys) is an end-to-end request id: the client sends
the same key on every retry and the server remembers, durably, which keys it has applied and
what it answered.

Nodes: one *server* holds an account balance (durable); each *client* issues "charge" requests,
waits ``timeout_ms`` for the reply (on its monotonic clock) and retries up to ``max_retries``
times. The checker knows every request's identity even when the server does not, so the
invariant ``at-most-once`` can tell an honest retry from a double charge, and
:func:`explain_timeouts` says, for each client timeout, which of the four cases truly happened.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from playground.protocols.registry import Build, Knob, KnobError, ProtocolSpec
from playground.sim.checks import Check, Finding, Invariant, ProgressWithin
from playground.sim.program import Context, Program
from playground.sim.trace import Event
from playground.sim.world import World

SOURCE = ("Kleppmann, Designing Data-Intensive Applications, ch. 8 'Detecting Faults' and "
          "'Timeouts and Unbounded Delays'; idempotency keys: ch. 11 'Uniquely identifying "
          "requests'")

#: What truly happened to a request the client timed out on (the chapter's four cases).
TRUTHS = ("request lost", "server down", "reply lost", "slow")


def request_name(client: str, req: int) -> str:
    """How traces, details and the debrief name a logical request: ``n2#3``."""
    return f"{client}#{req}"


# ------------------------------------------------------------------------------ programs
class RequestServer(Program):
    """The server: applies each ``charge`` it receives to a durable balance and replies.

    With ``idempotency_keys`` it keeps ``key -> reply`` for every applied request (in
    ``ctx.durable`` when ``durable_keys``) and answers a repeated key with the stored reply
    instead of charging again; a key whose first attempt is still being processed
    (``service_ms > 0``) is not started twice. Without keys it cannot tell a retry from a new
    request: every copy that arrives is charged.
    """

    def __init__(self, idempotency_keys: bool, durable_keys: bool, service_ms: int) -> None:
        self.idempotency_keys = idempotency_keys
        self.durable_keys = durable_keys
        self.service_ms = service_ms
        self.balance = 0
        self.keys: dict[str, dict[str, Any]] = {}
        self.in_progress: dict[str, list[list[str]]] = {}  # key -> [[src, corr], ...] waiting
        self.jobs = 0

    def on_start(self, ctx: Context) -> None:
        self.balance = ctx.durable.get("balance", 0)
        if self.durable_keys:
            self.keys = ctx.durable.setdefault("keys", {})
        ctx.believe(role="server", value=self.balance)

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if not isinstance(payload, dict) or payload.get("type") != "charge":
            return
        key = payload.get("key") if self.idempotency_keys else None
        corr = payload.get("corr")
        amount = payload.get("amount")
        if (isinstance(amount, bool) or not isinstance(amount, int)
                or not isinstance(corr, str) or not isinstance(key, str | None)):
            ctx.observe("rejected", client=src, why="malformed request")
            return
        if key is not None:
            done = self.keys.get(key)
            if done is not None:
                ctx.observe("dedup", key=key, corr=corr, client=src)
                self._reply(ctx, src, corr, done["balance"], dedup=True)
                return
            if key in self.in_progress:
                ctx.observe("dedup", key=key, corr=corr, client=src, pending=True)
                self.in_progress[key].append([src, corr])
                return
            self.in_progress[key] = [[src, corr]]
        job = {"src": src, "corr": corr, "key": key, "amount": amount}
        if self.service_ms > 0:
            self.jobs += 1
            ctx.set_timer(f"work{self.jobs}", self.service_ms, job)
        else:
            self._apply(ctx, job)

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name.startswith("work"):
            self._apply(ctx, data)

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name == "charge":
            ctx.observe("refused", command=name, why="the server does not issue requests")
            return
        super().on_command(ctx, name, args)

    def _apply(self, ctx: Context, job: dict[str, Any]) -> None:
        amount = job["amount"]
        self.balance += amount
        ctx.durable["balance"] = self.balance
        key = job["key"]
        ctx.decide("charge", amount, corr=job["corr"], client=job["src"], idempotency_key=key,
                   balance=self.balance)
        ctx.believe(value=self.balance)
        if key is None:
            self._reply(ctx, job["src"], job["corr"], self.balance, dedup=False)
            return
        self.keys[key] = {"balance": self.balance}
        waiting = self.in_progress.pop(key, [[job["src"], job["corr"]]])
        for src, corr in waiting:
            self._reply(ctx, src, corr, self.balance, dedup=corr != job["corr"])

    def _reply(self, ctx: Context, dst: str, corr: Any, balance: int, dedup: bool) -> None:
        ctx.send(dst, {"type": "reply", "corr": corr, "balance": balance, "dedup": dedup})


class RequestClient(Program):
    """A client: one request outstanding at a time, a timeout per attempt, retries.

    Every attempt carries a fresh transport correlation id ``corr`` (so a reply can be matched
    to its attempt, like an RPC call id); with idempotency keys every attempt of one logical
    request also carries the same ``key``. After ``max_retries`` retries the client gives up
    without knowing whether the charge happened: the chapter's point.

    Observations (for the checker and the debrief): ``send`` (request, attempt, corr),
    ``timeout``, ``ok`` (with latency and attempts), ``gave up``, ``late reply``.
    """

    def __init__(self, server: str, timeout_ms: int, max_retries: int, idempotency_keys: bool,
                 request_every_ms: int, request_count: int, amount: int) -> None:
        self.server = server
        self.timeout_ms = timeout_ms
        self.max_retries = max_retries
        self.idempotency_keys = idempotency_keys
        self.request_every_ms = request_every_ms
        self.request_count = request_count
        self.amount = amount
        self.queue: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = None
        self.corrs: dict[str, list[int]] = {}  # corr -> [request number, attempt]
        self.finished: list[int] = []  # requests already answered or given up (this life)

    def on_start(self, ctx: Context) -> None:
        ctx.believe(role="client")
        if self.request_count > ctx.durable.get("periodic", 0):
            ctx.set_timer("workload", self.request_every_ms)

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name != "charge":
            super().on_command(ctx, name, args)
            return
        amount = args.get("amount", self.amount)
        if isinstance(amount, bool) or not isinstance(amount, int):
            ctx.observe("refused", command=name, why=f"amount must be a whole number: {amount!r}")
            return
        self._enqueue(ctx, amount)

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name == "workload":
            issued = ctx.durable.get("periodic", 0)
            if issued < self.request_count:
                ctx.durable["periodic"] = issued + 1
                self._enqueue(ctx, self.amount)
                if issued + 1 < self.request_count:
                    ctx.set_timer("workload", self.request_every_ms)
        elif name == "timeout":
            cur = self.current
            if cur is None or cur["corr"] != data:
                return
            ctx.observe("timeout", request=cur["name"], attempt=cur["attempt"], corr=cur["corr"],
                        waited_ms=self.timeout_ms)
            if cur["attempt"] <= self.max_retries:
                cur["attempt"] += 1
                self._transmit(ctx)
            else:
                ctx.observe("gave up", request=cur["name"], attempts=cur["attempt"],
                            outcome="unknown")
                self._finish(ctx, cur["req"])

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if not isinstance(payload, dict) or payload.get("type") != "reply":
            return
        corr = payload.get("corr")
        entry = self.corrs.get(corr) if isinstance(corr, str) else None
        if entry is None:
            return  # a reply for an attempt from before a crash: nobody is waiting for it
        req, attempt = entry
        cur = self.current
        if cur is not None and cur["req"] == req:
            ctx.observe("ok", request=cur["name"], attempt=attempt, attempts=cur["attempt"],
                        latency_ms=round(ctx.monotonic() - cur["started"], 3),
                        balance=payload.get("balance"), dedup=bool(payload.get("dedup")))
            ctx.believe(value=payload.get("balance"))
            ctx.cancel_timer("timeout")
            self._finish(ctx, req)
        elif req in self.finished:
            ctx.observe("late reply", request=request_name(ctx.name, req), attempt=attempt,
                        balance=payload.get("balance"))

    # internals ---------------------------------------------------------------------------
    def _enqueue(self, ctx: Context, amount: int) -> None:
        req = ctx.durable.get("next_req", 0) + 1
        ctx.durable["next_req"] = req
        self.queue.append({"req": req, "amount": amount})
        if self.current is None:
            self._next(ctx)

    def _next(self, ctx: Context) -> None:
        if not self.queue:
            self.current = None
            return
        item = self.queue.pop(0)
        name = request_name(ctx.name, item["req"])
        self.current = {"req": item["req"], "name": name, "amount": item["amount"],
                        "attempt": 1, "corr": "", "started": ctx.monotonic()}
        self._transmit(ctx)

    def _transmit(self, ctx: Context) -> None:
        cur = self.current
        assert cur is not None
        n = ctx.durable.get("next_corr", 0) + 1
        ctx.durable["next_corr"] = n
        corr = f"{ctx.name}.{n}"
        cur["corr"] = corr
        self.corrs[corr] = [cur["req"], cur["attempt"]]
        payload: dict[str, Any] = {"type": "charge", "amount": cur["amount"], "corr": corr}
        if self.idempotency_keys:
            payload["key"] = cur["name"]
        ctx.observe("send", request=cur["name"], attempt=cur["attempt"], corr=corr,
                    amount=cur["amount"], retry=cur["attempt"] > 1)
        ctx.send(self.server, payload)
        ctx.set_timer("timeout", self.timeout_ms, corr)

    def _finish(self, ctx: Context, req: int) -> None:
        self.finished.append(req)
        self.current = None
        self._next(ctx)


class Bystander(Program):
    """A node that is neither the server nor a client: it does nothing."""

    def on_start(self, ctx: Context) -> None:
        ctx.believe(role="idle")

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name == "charge":
            ctx.observe("refused", command=name, why="this node is not a client")
            return
        super().on_command(ctx, name, args)


# ------------------------------------------------------------------------------ checks
class AtMostOnce(Invariant):
    """Each client request takes effect at most once.

    The checker learns each attempt's logical request from the client's ``send`` observation
    (``corr -> request``) and counts the server's ``charge`` decisions per request: a second
    one is a double charge, whether it came from a retry or a duplicated packet."""

    name = "at-most-once"
    kinds = frozenset({"observe", "decide"})

    def __init__(self, server: str, clients: tuple[str, ...]) -> None:
        self.server = server
        self.clients = clients
        self.attempts: dict[str, list[Any]] = {}  # corr -> [request, attempt, amount]
        self.applied: dict[str, list[list[int]]] = {}  # request -> [[seq, tick, attempt], ...]

    def observe(self, event: Event, world: World) -> Finding:
        data = event.data
        if event.kind == "observe":
            if data.get("what") == "send" and event.node in self.clients:
                self.attempts[data["corr"]] = [data["request"], data["attempt"], data["amount"]]
            return None
        if event.node != self.server or data.get("key") != "charge":
            return None
        corr = data.get("corr")
        info = self.attempts.get(corr) if isinstance(corr, str) else None
        if info is None:
            return None
        request, attempt, amount = info
        seen = self.applied.setdefault(request, [])
        seen.append([event.seq, event.tick, attempt])
        if len(seen) < 2:
            return None
        (s1, t1, a1), (s2, t2, a2) = seen[0], seen[-1]
        how = (f"attempt {a2}, a retry" if a2 != a1
               else f"attempt {a2} again, a duplicated copy")
        return (f"{self.server} charged request {request} ({amount}) twice: at tick {t1} "
                f"(attempt {a1}) and at tick {t2} ({how})", [s1, s2])


def _is_first_send(event: Event) -> bool:
    return (event.kind == "observe" and event.data.get("what") == "send"
            and event.data.get("attempt") == 1)


def _is_ok(event: Event) -> bool:
    return event.kind == "observe" and event.data.get("what") == "ok"


# ------------------------------------------------------------------------------ debrief
def _trace_index(world: World) -> dict[str, Any]:
    """Fates of every message, and who did what, from the run's trace."""
    sends: dict[int, Event] = {}
    fates: dict[int, list[Event]] = {}  # message id (original) -> deliveries/drops/holds
    copies: dict[int, int] = {}  # duplicate id -> original id
    by_corr_request: dict[str, list[int]] = {}
    by_corr_reply: dict[str, list[int]] = {}
    applied: dict[str, list[Event]] = {}
    crashes: dict[str, list[int]] = {}
    observes: list[Event] = []
    for e in world.trace:
        kind, data = e.kind, e.data
        if kind == "send":
            sends[data["id"]] = e
            payload = data["payload"]
            if isinstance(payload, dict) and isinstance(payload.get("corr"), str):
                table = by_corr_request if payload.get("type") == "charge" else by_corr_reply
                table.setdefault(payload["corr"], []).append(data["id"])
        elif kind in ("deliver", "drop", "hold"):
            mid = data["id"]
            if data.get("dup_of") is not None:
                copies[mid] = data["dup_of"]
            fates.setdefault(copies.get(mid, mid), []).append(e)
        elif kind == "decide" and data.get("key") == "charge":
            corr: Any = data.get("corr")
            applied.setdefault(corr, []).append(e)
        elif kind == "fault" and data.get("tool") == "crash" and "effect" not in data:
            crashes.setdefault(data["target"], []).append(e.tick)
        elif kind == "observe":
            observes.append(e)
    return {"sends": sends, "fates": fates, "req": by_corr_request, "rep": by_corr_reply,
            "applied": applied, "crashes": crashes, "observes": observes}


def _fate(ix: dict[str, Any], ids: list[int]) -> tuple[str, Event | None]:
    """``delivered``/``dropped``/``held``/``in flight`` for the copies of a message."""
    events = [f for mid in ids for f in ix["fates"].get(mid, [])]
    for wanted in ("deliver", "hold", "drop"):
        for f in events:
            if f.kind == wanted:
                return {"deliver": "delivered", "hold": "held", "drop": "dropped"}[wanted], f
    return "in flight", None


def explain_timeouts(world: World, server: str | None = None) -> list[dict[str, Any]]:
    """What truly happened each time a client timed out: the checker's view for the debrief.

    Each entry: ``tick``, ``client``, ``request``, ``attempt``, ``truth`` (one of
    :data:`TRUTHS`), ``applied`` (did the server charge this attempt), ``detail`` (a sentence).
    Needs a world that retains its trace.
    """
    ix = _trace_index(world)
    out = []
    for ev in ix["observes"]:
        if ev.data.get("what") != "timeout":
            continue
        client, corr = ev.node, ev.data["corr"]
        request, attempt = ev.data["request"], ev.data["attempt"]
        req_ids = ix["req"].get(corr, [])
        dst = server or (ix["sends"][req_ids[0]].data["dst"] if req_ids else "the server")
        applied = bool(ix["applied"].get(corr))
        rep_ids = ix["rep"].get(corr, [])
        req_fate, req_ev = _fate(ix, req_ids)
        rep_fate, rep_ev = _fate(ix, rep_ids)
        what = f"attempt {attempt} of {request}"
        if rep_fate == "delivered" and rep_ev is not None:
            truth = "slow"
            detail = (f"{dst} {'charged' if applied else 'answered'} {what}, but the reply "
                      f"reached {client} at tick {rep_ev.tick}, {rep_ev.tick - ev.tick} ms "
                      "after it timed out")
        elif rep_ids:
            if rep_fate == "dropped" and rep_ev is not None:
                truth = "reply lost"
                detail = (f"{dst} {'charged' if applied else 'answered'} {what}, but the "
                          f"reply was dropped ({rep_ev.data.get('reason')}) on the way back "
                          f"to {client}")
            else:
                truth = "slow"
                where = "held on the link" if rep_fate == "held" else "still in flight"
                detail = (f"{dst} {'charged' if applied else 'answered'} {what}; the reply is "
                          f"{where} (unbounded delay)")
        elif req_fate == "dropped" and req_ev is not None:
            reason = req_ev.data.get("reason")
            if reason == "node crashed":
                truth = "server down"
                detail = f"{dst} had crashed: {what} arrived at a dead node"
            else:
                truth = "request lost"
                detail = f"{dst} never got {what}: the request was dropped ({reason})"
        elif req_fate == "delivered" and req_ev is not None:
            crashed = [t for t in ix["crashes"].get(dst, []) if t >= req_ev.tick]
            if crashed:
                truth = "server down"
                done = "after charging it" if applied else "before processing it"
                detail = (f"{dst} got {what} at tick {req_ev.tick} and crashed at tick "
                          f"{crashed[0]} {done}, so no reply was sent")
            else:
                truth = "slow"
                detail = (f"{dst} got {what} at tick {req_ev.tick} and is still processing it"
                          if req_ev.tick <= ev.tick else
                          f"{dst} got {what} only at tick {req_ev.tick}, "
                          f"{req_ev.tick - ev.tick} ms after {client} timed out")
        else:
            truth = "slow"
            where = "held on the link" if req_fate == "held" else "still on its way"
            detail = f"{what} is {where}: {dst} has not seen it yet (unbounded delay)"
        out.append({"tick": ev.tick, "client": client, "request": request, "attempt": attempt,
                    "truth": truth, "applied": applied, "detail": detail})
    return out


def metrics(world: World) -> dict[str, Any]:
    """Numbers for scoring and the debrief (computed from the retained trace).

    ``requests`` issued, ``attempts`` sent (first tries + ``retries``), ``applied`` charges,
    ``applied_twice`` (requests charged more than once), ``extra_charges``, ``dedups`` (retries
    the server recognised), client outcomes ``ok`` / ``gave_up`` (outcome unknown to the
    client) / ``late_replies``, ``timeouts`` and what truly caused them
    (``timeouts_request_lost``, ``timeouts_server_down``, ``timeouts_reply_lost``,
    ``timeouts_slow``), and ``mean_latency_ms`` / ``max_latency_ms`` of answered requests
    (``None`` if none was answered).
    """
    out: dict[str, Any] = {
        "requests": 0, "attempts": 0, "retries": 0, "applied": 0, "applied_twice": 0,
        "extra_charges": 0, "dedups": 0, "ok": 0, "gave_up": 0, "late_replies": 0,
        "timeouts": 0, "mean_latency_ms": None, "max_latency_ms": None,
    }
    for truth in TRUTHS:
        out[f"timeouts_{truth.replace(' ', '_')}"] = 0
    corr_request: dict[str, str] = {}
    per_request: dict[str, int] = {}
    latencies: list[float] = []
    for e in world.trace:
        data = e.data
        if e.kind == "observe":
            what = data.get("what")
            if what == "send":
                corr_request[data["corr"]] = data["request"]
                out["attempts"] += 1
                if data["attempt"] == 1:
                    out["requests"] += 1
                else:
                    out["retries"] += 1
            elif what == "ok":
                out["ok"] += 1
                latencies.append(data["latency_ms"])
            elif what == "gave up":
                out["gave_up"] += 1
            elif what == "late reply":
                out["late_replies"] += 1
            elif what == "timeout":
                out["timeouts"] += 1
            elif what == "dedup":
                out["dedups"] += 1
        elif e.kind == "decide" and data.get("key") == "charge":
            out["applied"] += 1
            corr: Any = data.get("corr")
            request = corr_request.get(corr, f"?{corr}")
            per_request[request] = per_request.get(request, 0) + 1
    out["applied_twice"] = sum(1 for n in per_request.values() if n > 1)
    out["extra_charges"] = sum(n - 1 for n in per_request.values() if n > 1)
    if latencies:
        out["mean_latency_ms"] = round(sum(latencies) / len(latencies), 3)
        out["max_latency_ms"] = max(latencies)
    for entry in explain_timeouts(world):
        out[f"timeouts_{entry['truth'].replace(' ', '_')}"] += 1
    return out


# ------------------------------------------------------------------------------ SPEC
def _program(name: str, *, server: str, clients: tuple[str, ...],
             knobs: Mapping[str, Any]) -> Program:
    if name == server:
        return RequestServer(knobs["idempotency_keys"], knobs["durable_keys"],
                             knobs["service_ms"])
    if name in clients:
        return RequestClient(server, knobs["timeout_ms"], knobs["max_retries"],
                             knobs["idempotency_keys"], knobs["request_every_ms"],
                             knobs["request_count"], knobs["amount"])
    return Bystander()


def build(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> Build:
    server = knobs["server"]
    clients = tuple(knobs["clients"]) or tuple(n for n in nodes if n != server)
    if server in clients:
        raise KnobError("clients", f"the server {server} cannot also be a client")
    if not clients:
        raise KnobError("clients", "needs at least one client node besides the server")
    program = functools.partial(_program, server=server, clients=clients, knobs=dict(knobs))
    checks: list[Check] = [AtMostOnce(server, clients)]
    if knobs["answer_within_ms"]:
        checks.append(ProgressWithin("answered", knobs["answer_within_ms"], _is_ok,
                                     start=_is_first_send))
    return Build(program=program, checks=tuple(checks))


SPEC = ProtocolSpec(
    name="requests",
    title="Requests, timeouts and retries",
    source=SOURCE,
    summary=(
        "Clients charge an account on a server over an unreliable network and retry when no "
        "reply comes within a timeout. A client cannot tell a lost request from a crashed "
        "server, a lost reply or a slow one; if the first attempt did take effect, a retry "
        "charges twice, unless every attempt carries the same idempotency key and the server "
        "durably remembers the keys it has applied."
    ),
    knobs=(
        Knob("server", "node", "n1", "The node that holds the account and applies charges.",
             safe="any node"),
        Knob("clients", "nodes", (), "Nodes that issue charge requests (empty: every node "
             "except the server).", safe="any"),
        Knob("timeout_ms", "int", 50, "How long a client waits for a reply before it retries "
             "(on its monotonic clock).", low=1, high=600_000,
             safe="any with idempotency keys (too short only costs retries); without keys no "
                  "timeout is safe, since a reply can always be lost"),
        Knob("max_retries", "int", 3, "Retries after the first attempt before the client "
             "gives up (outcome unknown).", low=0, high=100,
             safe="any with idempotency keys; 0 avoids double charges without keys but gives "
                  "up on every lost message"),
        Knob("idempotency_keys", "bool", True, "Every attempt of a request carries the same "
             "key; the server applies a key once and replays its reply.",
             safe="true (false: a retry after a lost or slow reply charges twice)"),
        Knob("durable_keys", "bool", True, "The server keeps applied keys on disk "
             "(ctx.durable), so a crash-recovery does not forget them.",
             safe="true (false: a retry after the server restarted charges twice)"),
        Knob("request_every_ms", "int", 200, "Period of each client's scripted workload.",
             low=1, high=600_000, safe="any"),
        Knob("request_count", "int", 10, "Scripted requests per client (0: only commands).",
             low=0, high=100_000, safe="any"),
        Knob("amount", "int", 10, "Amount of each scripted charge.", low=1, high=1_000_000,
             safe="any"),
        Knob("service_ms", "int", 0, "Time the server takes to process a request (a slow "
             "server).", low=0, high=600_000, safe="any"),
        Knob("answer_within_ms", "int", 5_000, "Liveness window: after a client sends a new "
             "request, some client must get an answer within this many ms (0: no check).",
             low=0, high=3_600_000, safe="any"),
    ),
    build=build,
    commands={"charge": "on a client: queue a charge request; args: amount (int, optional, "
                        "default the 'amount' knob)"},
    invariants={"at-most-once": "every client request is charged at most once, whatever the "
                                "retries and duplicated packets"},
    liveness={"answered": "after a client sends a new request, some client gets an answer "
                          "within answer_within_ms"},
    metrics=metrics,
    min_nodes=2,
    default_nodes=("n1", "n2", "n3"),
)
