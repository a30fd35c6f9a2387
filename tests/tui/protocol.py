"""A small lease-and-leader protocol for the UI tests ("tui-lease").

Real protocols (playground/protocols) are written elsewhere; the UI must work with any of
them, so its tests use this one, which publishes many of the belief keys the screen knows
(role, term, leader, lease_until, token, value, commit_index) and can be broken the ways the
chapter describes: a paused lease holder, a stepped-back time-of-day clock, a partition that
splits the brain, and an equivocating leader.

Nodes elect a leader for a term by majority. The leader holds a lease measured on its
time-of-day clock (or monotonic, knob ``clock``), renewed by a majority of heartbeat acks.
Every ``write_every_ms`` the leader checks its lease; if valid it spends ``work_ms`` and then
writes (the gap between check and act is where a pause hurts). Writes carry the term as a
fencing token; followers store them (rejecting older tokens when ``fencing`` is on).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from playground.protocols.registry import Build, Knob, ProtocolSpec, register
from playground.sim import Invariant, Program, ProgressWithin, World
from playground.sim.program import Context
from playground.sim.trace import Event


class LeaseNode(Program):
    """One node of the test protocol."""

    def __init__(self, knobs: Mapping[str, Any], size: int) -> None:
        self.k = dict(knobs)
        self.size = size
        self.term = 0
        self.role = "follower"
        self.leader: str | None = None
        self.voted: dict[int, str] = {}
        self.votes: set[str] = set()
        self.acks: set[str] = set()
        self.lease_until: float | None = None
        self.index = 0
        self.best_token = 0

    # helpers ------------------------------------------------------------------------
    def _now(self, ctx: Context) -> float:
        return ctx.monotonic() if self.k["clock"] == "mono" else ctx.time_of_day()

    def _majority(self, count: int) -> bool:
        return count * 2 > self.size

    def _publish(self, ctx: Context) -> None:
        ctx.believe(role=self.role, term=self.term, leader=self.leader,
                    lease_until=None if self.lease_until is None else round(self.lease_until),
                    token=self.term if self.role == "leader" else None)

    def _arm_election(self, ctx: Context) -> None:
        low = self.k["election_ms"]
        ctx.set_timer("election", low + ctx.rng.random() * low)

    def _step_down(self, ctx: Context, term: int, leader: str | None) -> None:
        self.term = term
        self.role = "follower"
        self.leader = leader
        self.lease_until = None
        ctx.cancel_timer("heartbeat")
        ctx.cancel_timer("write")
        ctx.cancel_timer("commit")
        self._arm_election(ctx)
        self._publish(ctx)

    # events -------------------------------------------------------------------------
    def on_start(self, ctx: Context) -> None:
        self._publish(ctx)
        self._arm_election(ctx)

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name == "election" and self.role != "leader":
            self.term += 1
            self.role = "candidate"
            self.leader = None
            self.voted[self.term] = ctx.name
            self.votes = {ctx.name}
            ctx.broadcast({"type": "vote?", "term": self.term})
            self._arm_election(ctx)
            self._publish(ctx)
        elif name == "heartbeat" and self.role == "leader":
            self.acks = {ctx.name}
            ctx.broadcast({"type": "hb", "term": self.term, "sent": self._now(ctx)})
            ctx.set_timer("heartbeat", self.k["heartbeat_ms"])
        elif name == "write" and self.role == "leader":
            if self.lease_until is not None and self._now(ctx) < self.lease_until:
                ctx.set_timer("commit", self.k["work_ms"])
            ctx.set_timer("write", self.k["write_every_ms"])
        elif name == "commit" and self.role == "leader":
            self.index += 1
            value = f"v{self.index}"
            ctx.decide("write", value, token=self.term, index=self.index)
            ctx.broadcast({"type": "write", "value": value, "index": self.index,
                           "token": self.term})
            ctx.believe(value=value, commit_index=self.index)

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        kind = payload["type"]
        term = payload.get("term", payload.get("token", 0))
        if kind == "vote?":
            if term > self.term:
                self._step_down(ctx, term, None)
            if term == self.term and self.voted.get(term, src) == src:
                self.voted[term] = src
                ctx.send(src, {"type": "vote", "term": term})
        elif kind == "vote":
            if self.role == "candidate" and term == self.term:
                self.votes.add(src)
                if self._majority(len(self.votes)):
                    self.role = "leader"
                    self.leader = ctx.name
                    self.lease_until = self._now(ctx) + self.k["lease_ms"]
                    self.acks = {ctx.name}
                    ctx.cancel_timer("election")
                    ctx.broadcast({"type": "hb", "term": self.term, "sent": self._now(ctx)})
                    ctx.set_timer("heartbeat", self.k["heartbeat_ms"])
                    ctx.set_timer("write", 1)
                    self._publish(ctx)
        elif kind == "hb":
            if term >= self.term and (self.role != "follower" or self.leader != src
                                      or term > self.term):
                self._step_down(ctx, term, src)
            if term >= self.term:
                self._arm_election(ctx)
                ctx.send(src, {"type": "ack", "term": term, "sent": payload["sent"]})
            else:
                ctx.send(src, {"type": "nack", "term": self.term})
        elif kind == "ack":
            if self.role == "leader" and term == self.term:
                self.acks.add(src)
                if self._majority(len(self.acks)):
                    until = payload["sent"] + self.k["lease_ms"]
                    if self.lease_until is None or until > self.lease_until:
                        self.lease_until = until
                        self._publish(ctx)
        elif kind == "nack":
            if term > self.term:
                self._step_down(ctx, term, None)
        elif kind == "write":
            token = payload["token"]
            if self.k["fencing"] and token < self.best_token:
                ctx.observe("rejected", token=token, best=self.best_token)
                return
            self.best_token = max(self.best_token, token)
            ctx.decide("replica", payload["value"], index=payload["index"], token=token,
                       src=src)
            ctx.believe(value=payload["value"], commit_index=payload["index"])


class OneWriter(Invariant):
    """Split brain: a leader writes with a token older than a write already made."""

    name = "one-writer"
    kinds = frozenset({"decide"})

    def __init__(self) -> None:
        self.best: tuple[int, str, int] | None = None  # token, node, seq

    def observe(self, event: Event, world: World) -> Any:
        if event.data.get("key") != "write":
            return None
        token = event.data["token"]
        if self.best is not None and token < self.best[0] and event.node != self.best[1]:
            return (f"{event.node} wrote with token {token} after {self.best[1]} wrote with "
                    f"token {self.best[0]}", [self.best[2], event.seq])
        if self.best is None or token >= self.best[0]:
            self.best = (token, event.node or "", event.seq)
        return None


class Agreement(Invariant):
    """Every replica stores the same value for a (token, index)."""

    name = "agreement"
    kinds = frozenset({"decide"})

    def __init__(self) -> None:
        self.seen: dict[tuple[int, int], tuple[Any, str, int]] = {}

    def observe(self, event: Event, world: World) -> Any:
        if event.data.get("key") != "replica":
            return None
        slot = (event.data["token"], event.data["index"])
        value = event.data["value"]
        first = self.seen.setdefault(slot, (value, event.node or "", event.seq))
        if first[0] != value:
            return (f"{event.node} stored {value!r} at index {slot[1]} but {first[1]} stored "
                    f"{first[0]!r}", [first[2], event.seq])
        return None


def _build(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> Build:
    program = functools.partial(_make, dict(knobs), len(nodes))
    progress = ProgressWithin("writes-continue", knobs["progress_window_ms"],
                              lambda e: e.kind == "decide" and e.data.get("key") == "write",
                              start_tick=0, repeat=True)
    return Build(program=program, checks=(OneWriter(), Agreement(), progress))


def _make(knobs: dict[str, Any], size: int, name: str) -> LeaseNode:
    return LeaseNode(knobs, size)


def _metrics(world: World) -> dict[str, Any]:
    writes = [e for e in world.trace.events if e.kind == "decide" and e.data.get("key") == "write"]
    return {"writes": len(writes)}


SPEC = ProtocolSpec(
    name="tui-lease",
    title="Test lease: a leader with a lease and fencing tokens",
    source="tests/tui (a fixture for the UI tests)",
    summary="Nodes elect a leader by majority; the leader holds a lease on its own clock, "
            "renewed by a majority of acks, and writes with its term as a fencing token.",
    knobs=(
        Knob("lease_ms", "int", 200, "lease length", low=10, high=5000),
        Knob("election_ms", "int", 300, "election timeout (randomised up to 2x)", low=50,
             high=5000),
        Knob("heartbeat_ms", "int", 50, "heartbeat interval", low=5, high=1000),
        Knob("write_every_ms", "int", 100, "the leader writes this often", low=10, high=2000),
        Knob("work_ms", "int", 40, "time between the lease check and the write", low=1,
             high=1000),
        Knob("clock", "str", "tod", "which clock measures the lease", choices=("tod", "mono")),
        Knob("fencing", "bool", False, "followers reject older tokens"),
        Knob("progress_window_ms", "int", 3000, "writes must continue within this window",
             low=100, high=600000),
    ),
    build=_build,
    invariants={"one-writer": "no leader writes with an older token after a newer one wrote",
                "agreement": "replicas agree on each (token, index)"},
    liveness={"writes-continue": "the cluster keeps writing"},
    metrics=_metrics,
    min_nodes=1,
)
register(SPEC)
