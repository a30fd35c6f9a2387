"""Raft: leader election and a replicated log.

Source: Diego Ongaro and John Ousterhout, "In Search of an Understandable Consensus Algorithm"
(USENIX ATC 2014), Figure 2 (the whole algorithm), §5.2 (leader election with randomised
timeouts), §5.3 (log replication and the consistency check), §5.4 (safety: the up-to-date vote
restriction and the Figure 8 commit rule) and §8 (a no-op entry at the start of each term).
In DDIA chapter 8 it is the example of "the truth is defined by the majority": a node is the
leader only while a quorum says so, and terms act as fencing tokens.

Every node runs :class:`RaftNode`. Two knobs can make it unsafe on purpose: ``quorum`` below a
majority (two sides of a partition both elect and commit) and ``durable_state = false``
(currentTerm, votedFor and the log live in memory, so a node that crashes and recovers forgets
its vote and can vote twice in one term).

Clients: the ``submit`` command hands a value to any node. A leader appends it to its log; a
follower that knows a leader forwards it there (one hop, no retry); a node that knows no leader
drops it (observed as ``dropped``). With ``client_every_ms > 0`` the node that believes it is
the leader also appends a fresh value every ``client_every_ms`` ms (a steady client workload).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import attrs

from playground.protocols.registry import Build, Knob, KnobError, ProtocolSpec
from playground.sim import RUNNING, Context, Event, Invariant, Program, ProgramError
from playground.sim.checks import Finding, ProgressWithin
from playground.sim.world import World

FOLLOWER = "follower"
CANDIDATE = "candidate"
LEADER = "leader"

#: At most this many entries travel in one AppendEntries.
MAX_BATCH = 64


@attrs.frozen
class RaftConfig:
    """The knobs a :class:`RaftNode` runs with (validated by :data:`SPEC`)."""

    quorum: int
    election_timeout_min_ms: int = 150
    election_timeout_max_ms: int = 300
    heartbeat_ms: int = 50
    durable_state: bool = True
    client_every_ms: int = 0


class RaftNode(Program):
    """One Raft server (Ongaro & Ousterhout 2014, Figure 2).

    Persistent state (in ``ctx.durable`` when ``durable_state``): ``current_term``,
    ``voted_for`` and ``log`` (entries ``{"term", "value"}``, index 1 is ``log[0]``).
    Volatile state: ``commit_index``, the role, the known leader, and on a leader
    ``next_index``/``match_index`` per follower.
    """

    def __init__(self, config: RaftConfig) -> None:
        self.config = config
        self.current_term = 0
        self.voted_for: str | None = None
        self.log: list[dict[str, Any]] = []
        self.commit_index = 0
        self.role = FOLLOWER
        self.leader: str | None = None
        self.votes: list[str] = []
        self.next_index: dict[str, int] = {}
        self.match_index: dict[str, int] = {}
        self.client_seq = 0

    # ------------------------------------------------------------------ helpers
    def last_index(self) -> int:
        return len(self.log)

    def term_at(self, index: int) -> int:
        """The term of the entry at ``index`` (0 for index 0, -1 if there is none)."""
        if index == 0:
            return 0
        if 1 <= index <= len(self.log):
            return int(self.log[index - 1]["term"])
        return -1

    def _persist(self, ctx: Context) -> None:
        if self.config.durable_state:
            ctx.durable["current_term"] = self.current_term
            ctx.durable["voted_for"] = self.voted_for
            ctx.durable["log"] = self.log

    def _publish(self, ctx: Context) -> None:
        ctx.believe(role=self.role, term=self.current_term, leader=self.leader,
                    commit_index=self.commit_index)

    def _reset_election_timer(self, ctx: Context) -> None:
        low = self.config.election_timeout_min_ms
        high = self.config.election_timeout_max_ms
        ctx.set_timer("election", low + (high - low) * ctx.rng.random())

    def _adopt_term(self, ctx: Context, term: int) -> None:
        """Rule for all servers: a higher term in any message makes us a follower of it."""
        self.current_term = term
        self.voted_for = None
        self.leader = None
        if self.role != FOLLOWER:
            self.role = FOLLOWER
            ctx.cancel_timer("heartbeat")
            self._reset_election_timer(ctx)
        self._persist(ctx)
        self._publish(ctx)

    # ------------------------------------------------------------------ lifecycle
    def on_start(self, ctx: Context) -> None:
        if self.config.durable_state:
            stored = ctx.durable
            self.current_term = int(stored.get("current_term", 0))
            self.voted_for = stored.get("voted_for")
            self.log = list(stored.get("log", []))
        self._persist(ctx)
        self._publish(ctx)
        self._reset_election_timer(ctx)
        if self.config.client_every_ms > 0:
            ctx.set_timer("client", self.config.client_every_ms)

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name == "election":
            if self.role != LEADER:
                self._start_election(ctx)
        elif name == "heartbeat":
            if self.role == LEADER:
                self._replicate(ctx, heartbeat=True)
                ctx.set_timer("heartbeat", self.config.heartbeat_ms)
        elif name == "client":
            if self.role == LEADER:
                self.client_seq += 1
                self._append(ctx, f"{ctx.name}-t{self.current_term}-{self.client_seq}")
            ctx.set_timer("client", self.config.client_every_ms)

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name != "submit":
            super().on_command(ctx, name, args)
            return
        if args.get("value") is None:
            raise ProgramError("submit needs a value: args = {value = ...}")
        self._client_value(ctx, args["value"], hops=0)

    def _client_value(self, ctx: Context, value: Any, hops: int) -> None:
        if self.role == LEADER:
            self._append(ctx, value)
        elif self.leader is not None and hops == 0:
            ctx.send(self.leader, {"type": "forward", "value": value, "term": self.current_term})
        else:
            reason = "no known leader" if self.leader is None else "forwarded to a non-leader"
            ctx.observe("dropped", value=value, reason=reason)

    # ------------------------------------------------------------------ election (§5.2)
    def _start_election(self, ctx: Context) -> None:
        self.role = CANDIDATE
        self.current_term += 1
        self.voted_for = ctx.name
        self.leader = None
        self.votes = [ctx.name]
        self._persist(ctx)
        self._publish(ctx)
        ctx.observe("campaign", term=self.current_term)
        self._reset_election_timer(ctx)
        if len(self.votes) >= self.config.quorum:
            self._become_leader(ctx)
            return
        ctx.broadcast({"type": "request_vote", "term": self.current_term,
                       "last_log_index": self.last_index(),
                       "last_log_term": self.term_at(self.last_index())})

    def _on_request_vote(self, ctx: Context, src: str, msg: Mapping[str, Any]) -> None:
        term = msg["term"]
        granted = False
        if term >= self.current_term:
            mine = (self.term_at(self.last_index()), self.last_index())
            theirs = (msg["last_log_term"], msg["last_log_index"])
            if self.voted_for in (None, src) and theirs >= mine:
                granted = True
                self.voted_for = src
                self._persist(ctx)
                ctx.observe("voted", candidate=src, term=term)
                self._reset_election_timer(ctx)
        ctx.send(src, {"type": "vote_reply", "term": self.current_term, "granted": granted})

    def _on_vote_reply(self, ctx: Context, src: str, msg: Mapping[str, Any]) -> None:
        if self.role != CANDIDATE or msg["term"] != self.current_term or not msg["granted"]:
            return
        if src not in self.votes:
            self.votes.append(src)
        if len(self.votes) >= self.config.quorum:
            self._become_leader(ctx)

    def _become_leader(self, ctx: Context) -> None:
        self.role = LEADER
        self.leader = ctx.name
        ctx.cancel_timer("election")
        self.next_index = {p: self.last_index() + 1 for p in ctx.peers}
        self.match_index = {p: 0 for p in ctx.peers}
        self._publish(ctx)
        ctx.observe("elected", term=self.current_term, votes=sorted(self.votes))
        # §8: a blank no-op entry lets the new leader commit (and so learn) what is committed.
        self._append(ctx, None)
        ctx.set_timer("heartbeat", self.config.heartbeat_ms)

    # ------------------------------------------------------------------ replication (§5.3)
    def _append(self, ctx: Context, value: Any) -> None:
        self.log.append({"term": self.current_term, "value": value})
        self._persist(ctx)
        ctx.observe("appended", index=self.last_index(), term=self.current_term, value=value)
        self._replicate(ctx, heartbeat=False)
        self._advance_commit(ctx)

    def _replicate(self, ctx: Context, heartbeat: bool) -> None:
        """Send AppendEntries to every follower (only those behind, unless a heartbeat)."""
        for peer in ctx.peers:
            if heartbeat or self.next_index[peer] <= self.last_index():
                self._send_append(ctx, peer)

    def _send_append(self, ctx: Context, peer: str) -> None:
        nxt = max(1, min(self.next_index[peer], self.last_index() + 1))
        prev = nxt - 1
        entries = [dict(e) for e in self.log[prev:prev + MAX_BATCH]]
        ctx.send(peer, {"type": "append_entries", "term": self.current_term,
                        "prev_log_index": prev, "prev_log_term": self.term_at(prev),
                        "entries": entries, "leader_commit": self.commit_index})

    def _on_append_entries(self, ctx: Context, src: str, msg: Mapping[str, Any]) -> None:
        term = msg["term"]
        if term < self.current_term:
            self._append_reply(ctx, src, False, 0)
            return
        # a current leader exists: candidates (and confused leaders cannot exist) step down
        if self.role != FOLLOWER:
            self.role = FOLLOWER
            ctx.cancel_timer("heartbeat")
        self.leader = src
        self._reset_election_timer(ctx)
        prev = msg["prev_log_index"]
        if self.term_at(prev) != msg["prev_log_term"]:
            self._publish(ctx)
            self._append_reply(ctx, src, False, 0)
            return
        index = prev
        changed = False
        for entry in msg["entries"]:
            index += 1
            have = self.term_at(index)
            if have == entry["term"]:
                continue
            if have != -1:  # a conflicting entry: delete it and all that follow (§5.3)
                self._truncate(ctx, index)
            self.log.append(dict(entry))
            changed = True
        if changed:
            self._persist(ctx)
        last_new = prev + len(msg["entries"])
        if msg["leader_commit"] > self.commit_index:
            self._commit_to(ctx, min(msg["leader_commit"], last_new))
        self._publish(ctx)
        self._append_reply(ctx, src, True, last_new)

    def _truncate(self, ctx: Context, index: int) -> None:
        removed = self.log[index - 1:]
        del self.log[index - 1:]
        ctx.observe("truncated", index=index, count=len(removed),
                    values=[e["value"] for e in removed], terms=[e["term"] for e in removed])
        if index <= self.commit_index:
            # Only reachable with unsafe knobs: this node loses entries it had committed.
            ctx.observe("lost-committed", index=index, commit_index=self.commit_index)
            self.commit_index = index - 1

    def _append_reply(self, ctx: Context, src: str, success: bool, match: int) -> None:
        ctx.send(src, {"type": "append_reply", "term": self.current_term, "success": success,
                       "match_index": match, "last_log_index": self.last_index()})

    def _on_append_reply(self, ctx: Context, src: str, msg: Mapping[str, Any]) -> None:
        if self.role != LEADER or msg["term"] != self.current_term:
            return
        if msg["success"]:
            match = msg["match_index"]
            if match > self.match_index[src]:
                self.match_index[src] = match
            self.next_index[src] = max(self.next_index[src], match + 1)
            self._advance_commit(ctx)
            if self.next_index[src] <= self.last_index():
                self._send_append(ctx, src)
        else:
            # decrement nextIndex and retry; skip straight past the end of a short log
            self.next_index[src] = max(1, min(self.next_index[src] - 1,
                                              msg["last_log_index"] + 1))
            self._send_append(ctx, src)

    def _advance_commit(self, ctx: Context) -> None:
        """Commit the highest N stored on a quorum whose entry is of the current term
        (Figure 8: entries of earlier terms are committed only indirectly)."""
        if self.role != LEADER:
            return
        for n in range(self.last_index(), self.commit_index, -1):
            if self.term_at(n) != self.current_term:
                break
            replicas = 1 + sum(1 for p in ctx.peers if self.match_index[p] >= n)
            if replicas >= self.config.quorum:
                self._commit_to(ctx, n)
                self._publish(ctx)
                return

    def _commit_to(self, ctx: Context, index: int) -> None:
        index = min(index, self.last_index())
        while self.commit_index < index:
            self.commit_index += 1
            entry = self.log[self.commit_index - 1]
            ctx.decide("commit", entry["value"], index=self.commit_index, term=entry["term"],
                       in_term=self.current_term, by_leader=self.role == LEADER)

    # ------------------------------------------------------------------ dispatch
    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if not isinstance(payload, Mapping) or not isinstance(payload.get("term"), int):
            return
        kind = payload.get("type")
        if payload["term"] > self.current_term:
            self._adopt_term(ctx, payload["term"])
        if kind == "request_vote":
            self._on_request_vote(ctx, src, payload)
        elif kind == "vote_reply":
            self._on_vote_reply(ctx, src, payload)
        elif kind == "append_entries":
            self._on_append_entries(ctx, src, payload)
        elif kind == "append_reply":
            self._on_append_reply(ctx, src, payload)
        elif kind == "forward":
            self._client_value(ctx, payload.get("value"), hops=1)


# ---------------------------------------------------------------------- invariants
class ElectionSafety(Invariant):
    """At most one leader can be elected in a given term (§5.2, Figure 3)."""

    name = "election-safety"
    kinds = frozenset({"observe"})

    def __init__(self) -> None:
        self.leaders: dict[int, tuple[str, int, list[str]]] = {}

    def observe(self, event: Event, world: World) -> Finding:
        data = event.data
        if data.get("what") != "elected":
            return None
        term = data["term"]
        first = self.leaders.get(term)
        if first is None:
            self.leaders[term] = (event.node or "?", event.seq, list(data.get("votes", ())))
            return None
        if first[0] == event.node:
            return None
        return (f"{first[0]} and {event.node} both led term {term} ({first[0]} with votes "
                f"from {', '.join(first[2])}; {event.node} with votes from "
                f"{', '.join(data.get('votes', ()))})", [first[1], event.seq])


class StateMachineSafety(Invariant):
    """No two nodes commit different entries at the same log index (Log Matching + State
    Machine Safety, Figure 3)."""

    name = "state-machine-safety"
    kinds = frozenset({"decide"})

    def __init__(self) -> None:
        self.committed: dict[int, tuple[int, Any, str, int]] = {}

    def observe(self, event: Event, world: World) -> Finding:
        data = event.data
        if data.get("key") != "commit":
            return None
        index = data["index"]
        first = self.committed.get(index)
        if first is None:
            self.committed[index] = (data["term"], data["value"], event.node or "?", event.seq)
            return None
        if (first[0], first[1]) == (data["term"], data["value"]):
            return None
        return (f"{first[2]} committed {_show(first[1])} (term {first[0]}) at index {index} "
                f"but {event.node} committed {_show(data['value'])} (term {data['term']})",
                [first[3], event.seq])


class LeaderCompleteness(Invariant):
    """An entry committed in a term is in the log of every leader of every higher term
    (Leader Completeness, Figure 3): committed entries are never lost."""

    name = "leader-completeness"
    kinds = frozenset({"decide", "observe"})

    def __init__(self) -> None:
        # index -> (entry term, value, term it was committed in, node, seq)
        self.committed: dict[int, tuple[int, Any, int, str, int]] = {}

    def observe(self, event: Event, world: World) -> Finding:
        data = event.data
        if event.kind == "decide":
            if data.get("key") == "commit" and data["index"] not in self.committed:
                self.committed[data["index"]] = (data["term"], data["value"],
                                                 data.get("in_term", data["term"]),
                                                 event.node or "?", event.seq)
            return None
        if data.get("what") != "elected" or event.node is None:
            return None
        program = world.nodes[event.node].program
        log = getattr(program, "log", None)
        if log is None:
            return None
        term = data["term"]
        for index in sorted(self.committed):
            e_term, value, c_term, node, seq = self.committed[index]
            if c_term >= term:
                continue
            have = log[index - 1] if index <= len(log) else None
            if have is None or (have["term"], have["value"]) != (e_term, value):
                got = "nothing" if have is None else \
                    f"{_show(have['value'])} (term {have['term']})"
                return (f"{event.node} became leader of term {term} without index {index}: "
                        f"{node} had committed {_show(value)} (term {e_term}) there in term "
                        f"{c_term}, {event.node} has {got}", [seq, event.seq])
        return None


def _show(value: Any) -> str:
    return "a no-op" if value is None else repr(value)


def _leader_progress(event: Event) -> bool:
    """A leader was elected, or a leader committed an entry (a quorum followed it)."""
    if event.kind == "decide":
        return bool(event.data.get("by_leader"))
    return event.kind == "observe" and event.data.get("what") == "elected"


def _is_heal(event: Event, nodes: tuple[str, ...] = ()) -> bool:
    """A fault that ends every partition: ``heal *`` or a partition with everyone together."""
    if event.kind != "fault":
        return False
    data = event.data
    if data.get("tool") == "heal":
        return data.get("target") == "*"
    if data.get("tool") == "partition":
        return any(set(nodes) <= set(group) for group in data.get("groups", ()))
    return False


def stable_leader(world: World, quorum: int) -> str | None:
    """The node that truly leads now: running, in role leader, and recognised (same term,
    same leader) by at least ``quorum`` running nodes counting itself; else ``None``."""
    for name in world.node_names:
        node = world.nodes[name]
        program = node.program
        if node.status != RUNNING or getattr(program, "role", None) != LEADER:
            continue
        term = program.current_term  # type: ignore[union-attr]  # a Raft leader's program
        backers = sum(
            1 for other in world.node_names
            if world.nodes[other].status == RUNNING
            and getattr(world.nodes[other].program, "current_term", None) == term
            and getattr(world.nodes[other].program, "leader", None) == name
        )
        if backers >= quorum:
            return name
    return None


class LeaderAfterHeal(ProgressWithin):
    """Liveness: within ``window`` ms after the network heals (``heal *`` or a partition that
    puts everyone together) a leader is elected or commits an entry, or at the end of the
    window one leads a quorum (an old leader that kept leading and had nothing to commit)."""

    kinds = frozenset({"observe", "fault", "decide"})

    def __init__(self, window: int, nodes: tuple[str, ...], quorum: int) -> None:
        super().__init__("leader-after-heal", window, _leader_progress,
                         start=functools.partial(_is_heal, nodes=nodes), start_tick=None)
        self.quorum = quorum

    def at_deadline(self, now: int, world: World) -> Finding:
        due = self.deadline()
        if due is None or now < due:
            return None
        if stable_leader(world, self.quorum) is not None:
            self.opened_at = None  # an existing leader kept leading: that is progress
            return None
        roles = []
        for name in world.node_names:
            node = world.nodes[name]
            if node.status != RUNNING:
                roles.append(f"{name} {node.status}")
            else:
                program = node.program
                roles.append(f"{name} {getattr(program, 'role', '?')} of term "
                             f"{getattr(program, 'current_term', '?')}")
        causes = () if self.open_cause is None else (self.open_cause,)
        return (f"no leader within {self.window} ms of the heal at tick {self.opened_at} "
                f"({'; '.join(roles)})", causes)


# ---------------------------------------------------------------------- metrics
def metrics(world: World) -> dict[str, Any]:
    """Numbers for scoring and the debrief (computed from the trace)."""
    programs = [n.program for n in world.nodes.values() if n.program is not None]
    out: dict[str, Any] = {
        "elections": 0, "split_votes": 0, "leaders_elected": 0, "leader_changes": 0,
        "time_without_leader_ms": 0, "committed_entries": 0, "commit_latency_ms": 0.0,
        "commit_latency_max_ms": 0, "entries_overwritten": 0,
        "max_term": max((getattr(p, "current_term", 0) for p in programs), default=0),
    }
    if not world.trace.retain:
        out["committed_entries"] = max((getattr(p, "commit_index", 0) for p in programs),
                                       default=0)
        return out
    campaigned: set[int] = set()
    led: set[int] = set()
    last_leader: str | None = None
    appended: dict[tuple[int, int], int] = {}  # (index, term) -> tick appended by its leader
    latencies: list[int] = []
    committed: set[int] = set()
    seen_commit: set[tuple[int, int]] = set()
    # time without leader: no running node leads with a majority of running nodes agreeing
    # (same term, same leader), as far as their beliefs tell
    beliefs: dict[str, dict[str, Any]] = {name: {} for name in world.node_names}
    down: set[str] = set()
    need = majority(len(world.node_names))
    gap_from: int | None = 0
    gap_total = 0

    def leading() -> bool:
        for name, mine in beliefs.items():
            if mine.get("role") != LEADER or name in down:
                continue
            backers = sum(1 for other, b in beliefs.items() if other not in down
                          and b.get("term") == mine.get("term") and b.get("leader") == name)
            if backers >= need:
                return True
        return False

    for event in world.trace.events:
        kind = event.kind
        data = event.data
        node = event.node
        if kind == "observe":
            what = data.get("what")
            if what == "campaign":
                campaigned.add(data["term"])
                out["elections"] += 1
            elif what == "elected":
                led.add(data["term"])
                out["leaders_elected"] += 1
                if last_leader is not None and node != last_leader:
                    out["leader_changes"] += 1
                last_leader = node
            elif what == "appended":
                appended.setdefault((data["index"], data["term"]), event.tick)
            elif what == "truncated":
                out["entries_overwritten"] += data["count"]
        elif kind == "decide" and data.get("key") == "commit":
            committed.add(data["index"])
            key = (data["index"], data["term"])
            if key not in seen_commit:
                seen_commit.add(key)
                if key in appended:
                    latencies.append(event.tick - appended[key])
        elif kind == "state" and node is not None:
            beliefs[node].update(data)
        elif kind == "fault" and node is not None:
            tool = data.get("tool")
            if tool in ("crash", "freeze"):
                down.add(node)
                if tool == "crash":
                    beliefs[node] = {}
            elif tool in ("recover", "unfreeze"):
                down.discard(node)
        if kind in ("observe", "state", "fault"):
            has = leading()
            if has and gap_from is not None:
                gap_total += event.tick - gap_from
                gap_from = None
            elif not has and gap_from is None:
                gap_from = event.tick
    if gap_from is not None:
        gap_total += world.now - gap_from
    out["split_votes"] = sum(1 for t in campaigned if t not in led and t < max(campaigned))
    out["time_without_leader_ms"] = gap_total
    out["committed_entries"] = len(committed)
    if latencies:
        out["commit_latency_ms"] = round(sum(latencies) / len(latencies), 1)
        out["commit_latency_max_ms"] = max(latencies)
    return out


# ---------------------------------------------------------------------- the spec
KNOBS = (
    Knob("election_timeout_min_ms", "int", 150,
         "Shortest election timeout: a follower that hears no leader for a random time in "
         "[min, max] ms starts an election.", low=5, high=10_000,
         safe="well above the round trip and the heartbeat; the paper uses 150"),
    Knob("election_timeout_max_ms", "int", 300,
         "Longest election timeout (must be >= the minimum). min == max removes the "
         "randomisation, and split votes repeat.", low=5, high=20_000,
         safe="about twice the minimum (150-300 ms in the paper)"),
    Knob("heartbeat_ms", "int", 50,
         "How often a leader sends AppendEntries (empty ones are heartbeats).",
         low=1, high=10_000, safe="well below the election timeout minimum"),
    Knob("quorum", "int", 0,
         "Votes needed to win an election and replicas needed to commit an entry; 0 means a "
         "majority (n // 2 + 1).", low=0, high=99,
         safe="0 (a majority) or any value above n / 2; below that two leaders split the brain"),
    Knob("durable_state", "bool", True,
         "Keep currentTerm, votedFor and the log on disk (ctx.durable). Off, a node that "
         "crashes and recovers forgets its vote and can vote twice in one term.",
         safe="true"),
    Knob("client_every_ms", "int", 250,
         "The node that believes it leads appends a client write every this many ms (0: no "
         "steady workload; use the submit command).", low=0, high=600_000, safe="any"),
    Knob("leader_window_ms", "int", 2000,
         "leader-after-heal: how long after the network heals a leader must exist.",
         low=50, high=600_000, safe="several election timeouts (the default: 2000)"),
)


def majority(n: int) -> int:
    return n // 2 + 1


def build(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> Build:
    n = len(nodes)
    quorum = knobs["quorum"] or majority(n)
    if quorum > n:
        raise KnobError("quorum", f"cannot be more than the {n} nodes, got {quorum}")
    low, high = knobs["election_timeout_min_ms"], knobs["election_timeout_max_ms"]
    if high < low:
        raise KnobError("election_timeout_max_ms",
                        f"must be >= election_timeout_min_ms ({low}), got {high}")
    config = RaftConfig(
        quorum=quorum, election_timeout_min_ms=low, election_timeout_max_ms=high,
        heartbeat_ms=knobs["heartbeat_ms"], durable_state=knobs["durable_state"],
        client_every_ms=knobs["client_every_ms"],
    )
    checks = (
        ElectionSafety(),
        StateMachineSafety(),
        LeaderCompleteness(),
        LeaderAfterHeal(knobs["leader_window_ms"], nodes, quorum),
    )
    return Build(program=functools.partial(_make_node, config), checks=checks)


def _make_node(config: RaftConfig, name: str) -> RaftNode:
    return RaftNode(config)


SPEC = ProtocolSpec(
    name="raft",
    title="Raft: leader election and a replicated log",
    source="Ongaro & Ousterhout, \"In Search of an Understandable Consensus Algorithm\" "
           "(USENIX ATC 2014); DDIA ch. 8, \"The Truth Is Defined by the Majority\"",
    summary=(
        "Nodes elect a leader for a numbered term by majority vote, with randomised election "
        "timeouts so that split votes do not repeat. The leader appends client writes to its "
        "log and replicates them with AppendEntries; an entry is committed once a quorum "
        "stores it. A vote is granted only to a candidate whose log is at least as up to date, "
        "so every later leader holds every committed entry. A leader cut off from the majority "
        "still believes it leads, but it cannot commit: the majority elects a new leader in a "
        "higher term and the old leader's uncommitted entries are overwritten."
    ),
    knobs=KNOBS,
    build=build,
    commands={
        "submit": "{value}: a client write. A leader appends it; a follower forwards it once "
                  "to the leader it knows; a node that knows no leader drops it.",
    },
    invariants={
        "election-safety": "at most one leader is elected in a term",
        "state-machine-safety": "no two nodes commit different entries at the same index",
        "leader-completeness": "an entry committed in a term is in every later leader's log",
    },
    liveness={
        "leader-after-heal": "a leader exists within leader_window_ms after the network heals",
    },
    metrics=metrics,
    min_nodes=1,
    default_nodes=("n1", "n2", "n3", "n4", "n5"),
)
