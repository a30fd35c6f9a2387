"""Practical Byzantine Fault Tolerance, normal-case operation.

Source: M. Castro and B. Liskov, "Practical Byzantine Fault Tolerance", OSDI 1999, section 4.2
(normal-case operation) and 4.1 (the client); Kleppmann, DDIA ch. 8 "Byzantine Faults".

``n`` replicas (every node that is not a client) tolerate ``f`` Byzantine replicas when
``n >= 3f + 1``. A client signs a request ``{client, t, op}`` (``t`` its timestamp) and sends it
to the primary. The primary assigns the next sequence number and multicasts a PRE-PREPARE
(view 0, sequence, the request) to the backups. A backup accepts it if the request's signature
verifies and it has not accepted a different request for that view and sequence number; it then
multicasts a PREPARE with the request's digest. A replica is *prepared* once it has the
pre-prepare and ``2f`` matching prepares from different backups (its own included); it then
multicasts a COMMIT, and is *committed-local* once it has ``2f + 1`` matching commits (its own
included). Committed requests are executed in sequence order on the state machine (an
append-only log of operations; the result of an operation is ``"op@position"``) and each replica
replies to the client, which accepts a result once ``f + 1`` replicas sent the same one. A client
that hears nothing in ``retry_ms`` broadcasts its request to every replica; a backup relays it to
the primary and a replica that already executed it re-sends its reply.

Not modelled (on purpose): view changes, checkpoints and watermarks, batching. Without view
changes a faulty primary that stays silent halts progress: the ``pbft_progress`` liveness check
flags it. Replicas keep their log in ``ctx.durable`` (a disk), so a crash loses only timers and
messages in flight.

Knobs can make the protocol unsafe: ``quorum`` overrides ``2f + 1`` (prepared then needs
``quorum - 1`` prepares, committed ``quorum`` commits) and ``reply_quorum`` overrides the
client's ``f + 1``. Lies: the generic strategies rewrite ``payload["value"]`` (the request in a
pre-prepare, the digest in a prepare or commit, the result in a reply). An *equivocating
primary* does what the paper guards against: to every other backup (in node order) it sends,
for each sequence number, a different genuine client request than the one it gives the others
(the previous request it ordered), and commits matching each story.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from typing import Any

import attrs

from playground.protocols.registry import Build, Knob, KnobError, ProtocolSpec
from playground.sim.checks import Finding, Invariant, ProgressWithin
from playground.sim.program import Context, Program, Signed
from playground.sim.trace import Event, canonical_json
from playground.sim.world import World

SOURCE = ("Castro and Liskov, 'Practical Byzantine Fault Tolerance' (OSDI 1999), section 4.2 "
          "normal-case operation; Kleppmann, DDIA ch. 8 'Byzantine Faults'")

VIEW = 0


def digest(request: Any) -> str:
    """The digest of a request (any JSON-like value or Signed)."""
    return hashlib.sha256(canonical_json(request).encode()).hexdigest()[:12]


@attrs.frozen
class PbftConfig:
    """What every PBFT node is built with (validated by :data:`PBFT_SPEC`)."""

    replicas: tuple[str, ...]
    clients: tuple[str, ...]
    primary: str
    f: int
    quorum: int
    reply_quorum: int
    requests: int = 3
    request_every_ms: int = 100
    start_ms: int = 10
    retry_ms: int = 300

    @property
    def backups(self) -> tuple[str, ...]:
        return tuple(r for r in self.replicas if r != self.primary)


def request_fields(config: PbftConfig, ctx: Context, request: Any) -> dict[str, Any] | None:
    """The fields of a valid client request (signed by a client, well formed), else None."""
    if not isinstance(request, Signed) or request.signer not in config.clients:
        return None
    if not ctx.verify(request):
        return None
    body = request.value
    if (not isinstance(body, dict) or body.get("client") != request.signer
            or not isinstance(body.get("t"), int) or not isinstance(body.get("op"), str)):
        return None
    return body


class PbftReplica(Program):
    """A PBFT replica (primary or backup) in view 0."""

    def __init__(self, name: str, config: PbftConfig) -> None:
        self.name = name
        self.config = config
        self.st: dict[str, Any] = {}
        self.alt: dict[int, list[Any]] = {}  # equivocating primary: seq -> [request, digest]

    @property
    def is_primary(self) -> bool:
        return self.name == self.config.primary

    def on_start(self, ctx: Context) -> None:
        self.st = ctx.durable.setdefault("pbft", {
            "next_seq": 1, "assigned": {}, "log": {}, "last_exec": 0, "ops": [],
            "last_reply": {},
        })
        ctx.believe(role="primary" if self.is_primary else "backup",
                    leader=self.config.primary, term=VIEW, commit_index=self.st["last_exec"])

    def others(self) -> tuple[str, ...]:
        return tuple(r for r in self.config.replicas if r != self.name)

    def multicast(self, ctx: Context, payload: dict[str, Any]) -> None:
        for dst in self.others():
            ctx.send(dst, payload)

    def entry(self, seq: int) -> dict[str, Any]:
        return self.st["log"].setdefault(seq, {
            "pp": None, "req": None, "prepares": {}, "commits": {}, "prepared": False,
            "committed": False, "conflict": False,
        })

    # messages ---------------------------------------------------------------------------
    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if not isinstance(payload, dict):
            return
        kind = payload.get("type")
        if kind == "request":
            self.on_request(ctx, src, payload.get("value"))
            return
        seq = payload.get("seq")
        if (src not in self.config.replicas or payload.get("view") != VIEW
                or not isinstance(seq, int) or isinstance(seq, bool) or seq < 1):
            return
        if kind == "pre-prepare":
            self.on_pre_prepare(ctx, src, seq, payload.get("value"))
        elif kind == "prepare":
            if src != self.config.primary and isinstance(payload.get("value"), str):
                self.entry(seq)["prepares"].setdefault(src, payload["value"])
                self.progress(ctx, seq)
        elif kind == "commit" and isinstance(payload.get("value"), str):
            self.entry(seq)["commits"].setdefault(src, payload["value"])
            self.progress(ctx, seq)

    def on_request(self, ctx: Context, src: str, request: Any) -> None:
        body = request_fields(self.config, ctx, request)
        if body is None:
            return
        client, t = body["client"], body["t"]
        last = self.st["last_reply"].get(client)
        if last is not None and t <= last[0]:
            if t == last[0]:  # executed already: re-send the reply
                self.reply(ctx, client, t, last[1])
            return
        if not self.is_primary:
            ctx.send(self.config.primary, {"type": "request", "value": request})
            return
        key = f"{client}:{t}"
        if key in self.st["assigned"]:
            return  # ordered already, still in progress
        seq = self.st["next_seq"]
        self.st["next_seq"] = seq + 1
        self.st["assigned"][key] = seq
        d = digest(request)
        entry = self.entry(seq)
        entry["pp"], entry["req"] = d, request
        ctx.observe("pre-prepare", seq=seq, op=body["op"], client=client, t=t)
        self.multicast(ctx, {"type": "pre-prepare", "view": VIEW, "seq": seq, "value": request})
        self.progress(ctx, seq)

    def on_pre_prepare(self, ctx: Context, src: str, seq: int, request: Any) -> None:
        if src != self.config.primary or self.is_primary:
            return
        body = request_fields(self.config, ctx, request)
        if body is None:
            ctx.observe("bad pre-prepare", seq=seq, src=src)
            return
        d = digest(request)
        entry = self.entry(seq)
        if entry["pp"] is not None:
            if entry["pp"] != d and not entry["conflict"]:
                entry["conflict"] = True
                ctx.observe("conflicting pre-prepare", seq=seq, src=src, op=body["op"])
            return
        entry["pp"], entry["req"] = d, request
        entry["prepares"].setdefault(self.name, d)
        self.multicast(ctx, {"type": "prepare", "view": VIEW, "seq": seq, "value": d})
        self.progress(ctx, seq)

    def progress(self, ctx: Context, seq: int) -> None:
        """Check prepared and committed-local for ``seq``; execute what can be."""
        entry = self.entry(seq)
        d = entry["pp"]
        if d is None:
            return
        quorum = self.config.quorum
        if not entry["prepared"]:
            backups = self.config.backups
            matching = sum(1 for r, x in entry["prepares"].items() if x == d and r in backups)
            if matching < quorum - 1:
                return
            entry["prepared"] = True
            entry["commits"].setdefault(self.name, d)
            self.multicast(ctx, {"type": "commit", "view": VIEW, "seq": seq, "value": d})
        if not entry["committed"]:
            if sum(1 for x in entry["commits"].values() if x == d) < quorum:
                return
            entry["committed"] = True
            body = entry["req"].value
            ctx.decide("commit", d, seq=seq, op=body["op"], client=body["client"],
                       t=body["t"])
            self.execute(ctx)

    def execute(self, ctx: Context) -> None:
        st = self.st
        while True:
            entry = st["log"].get(st["last_exec"] + 1)
            if entry is None or not entry["committed"]:
                break
            st["last_exec"] += 1
            body = entry["req"].value
            client, t = body["client"], body["t"]
            last = st["last_reply"].get(client)
            if last is None or t > last[0]:
                st["ops"].append(body["op"])
                result = f"{body['op']}@{len(st['ops'])}"
                st["last_reply"][client] = [t, result]
                self.reply(ctx, client, t, result)
            elif t == last[0]:
                self.reply(ctx, client, t, last[1])
        ctx.believe(commit_index=st["last_exec"], value=len(st["ops"]))

    def reply(self, ctx: Context, client: str, t: int, result: str) -> None:
        ctx.send(client, {"type": "reply", "view": VIEW, "t": t, "client": client,
                          "value": result})

    # Byzantine primary --------------------------------------------------------------------
    def lie(self, ctx: Context, strategy: str, dst: str, payload: Any,
            params: dict[str, Any]) -> Any:
        """An equivocating primary tells every other backup a different request for the same
        sequence number (a genuine one it ordered before) and commits to match; and it tells
        clients a result of its own making, which only a client trusting one reply believes."""
        if strategy != "equivocate" or not self.is_primary or not isinstance(payload, dict):
            return NotImplemented
        if payload.get("type") == "reply":
            return {**payload, "value": f"{payload.get('value')}?forged-by-{self.name}"}
        backups = self.config.backups
        if dst not in backups or backups.index(dst) % 2 == 0:
            return payload
        seq = payload.get("seq")
        if payload.get("type") == "pre-prepare" and isinstance(seq, int):
            if seq not in self.alt:
                mine = digest(payload["value"])
                earlier = [e["req"] for s, e in sorted(self.st["log"].items(), reverse=True)
                           if s != seq and e["req"] is not None and e["pp"] != mine]
                if not earlier:
                    return payload
                self.alt[seq] = [earlier[0], digest(earlier[0])]
            return {**payload, "value": self.alt[seq][0]}
        if payload.get("type") == "commit" and seq in self.alt:
            return {**payload, "value": self.alt[seq][1]}
        return payload


class PbftClient(Program):
    """A client: issues signed requests, retries, accepts ``reply_quorum`` matching replies."""

    def __init__(self, name: str, config: PbftConfig) -> None:
        self.name = name
        self.config = config
        self.outstanding: dict[int, dict[str, Any]] = {}

    def on_start(self, ctx: Context) -> None:
        st = ctx.durable.setdefault("client", {"t": 0, "auto": 0, "accepted": []})
        ctx.believe(role="client", leader=self.config.primary)
        if st["auto"] < self.config.requests:
            first = self.config.start_ms if st["t"] == 0 else self.config.request_every_ms
            ctx.set_timer("auto", first)

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        st = ctx.durable["client"]
        if name == "auto":
            st["auto"] += 1
            self.issue(ctx, f"{self.name}-op{st['t'] + 1}")
            if st["auto"] < self.config.requests:
                ctx.set_timer("auto", self.config.request_every_ms)
        elif name.startswith("retry:"):
            t = data["t"]
            if t in self.outstanding:
                for replica in self.config.replicas:
                    ctx.send(replica, {"type": "request", "value": self.outstanding[t]["req"]})
                ctx.set_timer(name, self.config.retry_ms, data)

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name != "request":
            super().on_command(ctx, name, args)
            return
        st = ctx.durable["client"]
        op = args.get("op")
        self.issue(ctx, op if isinstance(op, str) and op else f"{self.name}-op{st['t'] + 1}")

    def issue(self, ctx: Context, op: str) -> None:
        st = ctx.durable["client"]
        st["t"] += 1
        t = st["t"]
        request = ctx.sign({"client": self.name, "t": t, "op": op})
        self.outstanding[t] = {"req": request, "op": op, "sent": ctx.monotonic(),
                               "replies": {}}
        ctx.observe("request", t=t, op=op)
        ctx.send(self.config.primary, {"type": "request", "value": request})
        if self.config.retry_ms:
            ctx.set_timer(f"retry:{t}", self.config.retry_ms, {"t": t})

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if (not isinstance(payload, dict) or payload.get("type") != "reply"
                or src not in self.config.replicas or payload.get("client") != self.name):
            return
        t = payload.get("t")
        if not isinstance(t, int):
            return
        pending = self.outstanding.get(t)
        if pending is None:
            return
        result = payload.get("value")
        pending["replies"].setdefault(src, result)
        votes = sum(1 for r in pending["replies"].values() if r == result)
        if votes < self.config.reply_quorum:
            return
        latency = ctx.monotonic() - pending["sent"]
        del self.outstanding[t]
        ctx.cancel_timer(f"retry:{t}")
        ctx.durable["client"]["accepted"].append([t, latency])
        ctx.believe(value=result)
        ctx.decide("accept", result, t=t, op=pending["op"], latency=latency,
                   replicas=sorted(r for r, x in pending["replies"].items() if x == result))


def make_program(name: str, config: PbftConfig) -> Program:
    """The program factory: a client program for clients, a replica for everyone else."""
    if name in config.clients:
        return PbftClient(name, config)
    return PbftReplica(name, config)


# ------------------------------------------------------------------------------ checks
class _LiarsAware(Invariant):
    """Tracks which nodes have lied so far (they are the Byzantine ones)."""

    def __init__(self) -> None:
        self.liars: dict[str, int] = {}  # node -> seq of its first lie action

    def note_fault(self, event: Event) -> None:
        if event.kind == "fault" and event.data.get("tool") == "lie":
            self.liars.setdefault(event.data["target"], event.seq)


class PbftAgreement(_LiarsAware):
    """No two correct replicas commit different requests at one sequence number."""

    name = "pbft_agreement"
    kinds = frozenset({"fault", "decide"})

    def __init__(self, replicas: tuple[str, ...], f: int, quorum: int) -> None:
        super().__init__()
        self.replicas = replicas
        self.f = f
        self.quorum = quorum
        self.commits: dict[int, dict[str, tuple[str, str, int]]] = {}

    def observe(self, event: Event, world: World) -> Finding:
        self.note_fault(event)
        data = event.data
        if event.kind != "decide" or data.get("key") != "commit" or event.node is None:
            return None
        me = event.node
        seq = data["seq"]
        mine = (data["value"], f"{data['op']} from {data['client']}", event.seq)
        table = self.commits.setdefault(seq, {})
        table[me] = mine
        if me in self.liars:
            return None
        for other, (d, what, other_seq) in sorted(table.items()):
            if other != me and other not in self.liars and d != mine[0]:
                n = len(self.replicas)
                liars = ", ".join(sorted(self.liars)) or "nobody"
                overlap = max(2 * self.quorum - n, 0)
                return (f"correct replicas {other} and {me} committed different requests at "
                        f"sequence {seq}: {what} vs {mine[1]} (Byzantine: {liars}; two quorums "
                        f"of {self.quorum} out of {n} replicas may overlap in only {overlap}, "
                        f"not enough to always include a correct replica when "
                        f"{len(self.liars)} lie: PBFT needs n >= 3f+1 and quorums of 2f+1)",
                        sorted([other_seq, event.seq, *self.liars.values()]))
        return None


class PbftValidResult(_LiarsAware):
    """A client never accepts a result that no correct replica computed."""

    name = "pbft_valid_result"
    kinds = frozenset({"fault", "send", "decide"})

    def __init__(self, reply_quorum: int) -> None:
        super().__init__()
        self.reply_quorum = reply_quorum
        self.correct: dict[tuple[str, int], set[str]] = {}

    def observe(self, event: Event, world: World) -> Finding:
        self.note_fault(event)
        data = event.data
        if event.kind == "send":
            payload = data.get("payload")
            if (isinstance(payload, dict) and payload.get("type") == "reply"
                    and event.node not in self.liars):
                t: Any = payload.get("t")
                key = (str(payload.get("client")), t)
                self.correct.setdefault(key, set()).add(str(payload.get("value")))
            return None
        if event.kind != "decide" or data.get("key") != "accept" or event.node is None:
            return None
        key = (event.node, data["t"])
        good = self.correct.get(key, set())
        if data["value"] in good:
            return None
        said = ", ".join(sorted(good)) or "nothing yet"
        return (f"{event.node} accepted {data['value']!r} for its request {data['t']} after "
                f"{self.reply_quorum} matching replies from {', '.join(data['replicas'])}, but "
                f"no correct replica computed it (correct replicas replied: {said})",
                sorted([event.seq, *self.liars.values()]))


def _is_request(event: Event) -> bool:
    return event.kind == "observe" and event.data.get("what") == "request"


def _is_accept(event: Event) -> bool:
    return event.kind == "decide" and event.data.get("key") == "accept"


class PbftProgress(ProgressWithin):
    """Liveness: every client request is accepted within ``window`` ms of being issued.

    Unlike a plain :class:`ProgressWithin`, each request is its own obligation, so one client's
    accepted request does not excuse another client's stuck one."""

    kinds = frozenset({"observe", "decide"})

    def __init__(self, window: int) -> None:
        super().__init__("pbft_progress", window, progress=_is_accept, start=_is_request,
                         start_tick=None)
        self.pending: dict[tuple[str, int], tuple[int, int]] = {}  # -> (issued tick, seq)

    def observe(self, event: Event, world: World) -> Finding:
        if event.node is None:
            return None
        if _is_request(event):
            self.pending.setdefault((event.node, event.data["t"]), (event.tick, event.seq))
        elif _is_accept(event):
            self.pending.pop((event.node, event.data["t"]), None)
        return None

    def deadline(self) -> int | None:
        if not self.pending:
            return None
        return min(tick for tick, _ in self.pending.values()) + self.window

    def at_deadline(self, now: int, world: World) -> Finding:
        late = sorted((tick, key, seq) for key, (tick, seq) in self.pending.items()
                      if tick + self.window <= now)
        if not late:
            return None
        tick, (client, t), seq = late[0]
        return (f"request {t} of {client} (issued at tick {tick}) was not accepted within "
                f"{self.window} ms: without view changes a faulty primary or too few "
                f"replicas answering halts progress", [seq])


# ------------------------------------------------------------------------------ SPEC
KNOBS = (
    Knob("primary", "node", "n1", "the primary of view 0 (assigns sequence numbers)",
         safe="any replica (there are no view changes: a faulty primary halts progress)"),
    Knob("clients", "nodes", ("c1",), "the client nodes; every other node is a replica",
         safe="any"),
    Knob("f", "int", -1, "Byzantine replicas tolerated; -1 derives floor((n-1)/3)",
         low=-1, high=10, safe="-1, or any f with n >= 3f+1"),
    Knob("quorum", "int", 0, "prepare/commit quorum; 0 means 2f+1 (prepared needs quorum-1 "
         "prepares, committed needs quorum commits)", low=0, high=50,
         safe="0 (2f+1) with n >= 3f+1: two quorums share f+1 replicas, one of them correct"),
    Knob("reply_quorum", "int", 0, "matching replies a client waits for; 0 means f+1",
         low=0, high=50, safe="0 (f+1) or more: at least one reply is from a correct replica"),
    Knob("requests", "int", 3, "requests each client issues by itself", low=0, high=200,
         safe="any"),
    Knob("request_every_ms", "int", 100, "time between a client's automatic requests",
         low=1, high=100_000, safe="any"),
    Knob("start_ms", "int", 10, "when clients issue their first request", low=0,
         high=100_000, safe="any"),
    Knob("retry_ms", "int", 300, "client timeout before broadcasting a request again; "
         "0 never retries", low=0, high=100_000, safe="a few round trips"),
    Knob("progress_ms", "int", 1000, "liveness window: a request must be accepted within it",
         low=10, high=1_000_000, safe="several round trips"),
)


def config_from(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> PbftConfig:
    """Validate the knobs against the cluster and derive f and the quorums."""
    clients = tuple(knobs["clients"])
    for c in clients:
        if c not in nodes:
            raise KnobError("clients", f"unknown node {c!r} (nodes: {', '.join(nodes)})")
    if knobs["primary"] in clients:
        raise KnobError("primary", f"{knobs['primary']} is a client, not a replica")
    replicas = tuple(n for n in nodes if n not in clients)
    n = len(replicas)
    f = (n - 1) // 3 if knobs["f"] == -1 else knobs["f"]
    quorum = knobs["quorum"] or 2 * f + 1
    reply_quorum = knobs["reply_quorum"] or f + 1
    if quorum > n:
        raise KnobError("quorum" if knobs["quorum"] else "f",
                        f"a quorum of {quorum} needs at least {quorum} replicas, there are {n}")
    if reply_quorum > n:
        raise KnobError("reply_quorum" if knobs["reply_quorum"] else "f",
                        f"{reply_quorum} matching replies need {reply_quorum} replicas, "
                        f"there are {n}")
    return PbftConfig(replicas=replicas, clients=clients, primary=knobs["primary"], f=f,
                      quorum=quorum, reply_quorum=reply_quorum, requests=knobs["requests"],
                      request_every_ms=knobs["request_every_ms"], start_ms=knobs["start_ms"],
                      retry_ms=knobs["retry_ms"])


def build(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> Build:
    config = config_from(nodes, knobs)
    checks = (
        PbftAgreement(config.replicas, config.f, config.quorum),
        PbftValidResult(config.reply_quorum),
        PbftProgress(knobs["progress_ms"]),
    )
    return Build(program=functools.partial(make_program, config=config), checks=checks)


def metrics(world: World) -> dict[str, Any]:
    """Messages, requests issued and accepted, client latency, commits per replica, and
    sequence numbers where correct replicas committed different requests."""
    out: dict[str, Any] = {"messages_sent": world.messages_sent}
    requests = 0
    latencies: list[float] = []
    logs: dict[str, dict[int, Any]] = {}
    for name, node in world.nodes.items():
        client = node.durable.get("client")
        if client is not None:
            requests += client["t"]
            latencies.extend(lat for _, lat in client["accepted"])
        replica = node.durable.get("pbft")
        if replica is not None:
            logs[name] = replica["log"]
            out[f"commits_{name}"] = sum(1 for e in replica["log"].values() if e["committed"])
            out[f"executed_{name}"] = replica["last_exec"]
    out["requests"] = requests
    out["accepted"] = len(latencies)
    out["mean_latency_ms"] = sum(latencies) / len(latencies) if latencies else 0.0
    out["max_latency_ms"] = max(latencies, default=0.0)
    correct = [n for n in logs if world.nodes[n].lie is None]
    conflicts = 0
    for seq in sorted({s for n in correct for s in logs[n]}):
        committed = {logs[n][seq]["pp"] for n in correct
                     if seq in logs[n] and logs[n][seq]["committed"]}
        conflicts += len(committed) > 1
    out["committed"] = max((out[f"commits_{n}"] for n in correct), default=0)
    out["conflicting_sequences"] = conflicts
    return out


PBFT_SPEC = ProtocolSpec(
    name="pbft",
    title="PBFT normal case (Castro & Liskov)",
    source=SOURCE,
    summary=(
        "A primary orders client requests; replicas pre-prepare, prepare (2f matching) and "
        "commit (2f+1 matching) before executing, and the client waits for f+1 matching "
        "replies. With n >= 3f+1 any two quorums of 2f+1 share a correct replica, so f "
        "Byzantine replicas cannot make correct ones commit different requests at one "
        "sequence number. View changes are left out: a silent primary stops progress."
    ),
    knobs=KNOBS,
    build=build,
    commands={"request": "to a client: {op: text (optional)}, issue one request now"},
    invariants={
        "pbft_agreement": "no two correct replicas commit different requests at one sequence "
                          "number",
        "pbft_valid_result": "a client never accepts a result no correct replica computed",
    },
    liveness={"pbft_progress": "a client request is accepted within progress_ms"},
    metrics=metrics,
    min_nodes=2,
    default_nodes=("n1", "n2", "n3", "n4", "c1"),
)

SPEC = PBFT_SPEC
