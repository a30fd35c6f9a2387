"""Small example programs: the engine's own tests and benchmark use them, and they show how
to write a node program. Real protocols live in :mod:`playground.protocols`."""

from __future__ import annotations

from typing import Any

from playground.sim.program import Context, Program


class HeartbeatCluster(Program):
    """Every node heartbeats all peers every ``interval`` ms and serves requests.

    A node also sends a request to one peer (round-robin) every ``request_every`` ms; the peer
    answers with a reply carrying a running counter. The node believes a peer is alive if it
    heard from it within ``3 * interval`` ms of its own monotonic clock.
    """

    def __init__(self, interval: float = 100.0, request_every: float = 50.0) -> None:
        self.interval = interval
        self.request_every = request_every
        self.last_heard: dict[str, float] = {}
        self.served = 0
        self.next_peer = 0
        self.replies = 0

    def on_start(self, ctx: Context) -> None:
        ctx.set_timer("heartbeat", self.interval * (1 + ctx.rng.random()))
        if self.request_every:
            ctx.set_timer("request", self.request_every * (1 + ctx.rng.random()))

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name == "heartbeat":
            ctx.broadcast({"type": "hb"})
            ctx.set_timer("heartbeat", self.interval)
        else:
            peer = ctx.peers[self.next_peer % len(ctx.peers)]
            self.next_peer += 1
            ctx.send(peer, {"type": "req", "n": self.next_peer})
            ctx.set_timer("request", self.request_every)

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        self.last_heard[src] = ctx.monotonic()
        kind = payload["type"]
        if kind == "req":
            self.served += 1
            ctx.send(src, {"type": "rep", "n": payload["n"], "served": self.served})
        elif kind == "rep":
            self.replies += 1

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name == "ping":
            ctx.broadcast({"type": "req", "n": -1})
        else:
            super().on_command(ctx, name, args)


class Register(Program):
    """A node that remembers the last value it was told, durably or not.

    ``set`` commands store a value (in ``ctx.durable`` if ``durable``) and tell every peer;
    peers adopt it. Used to test crash-recovery and Byzantine rewriting.
    """

    def __init__(self, durable: bool = True) -> None:
        self.durable = durable
        self.value: Any = None

    def on_start(self, ctx: Context) -> None:
        self.value = ctx.durable.get("value") if self.durable else None
        ctx.believe(value=self.value)

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name != "set":
            super().on_command(ctx, name, args)
        self._store(ctx, args["value"])
        ctx.broadcast({"type": "set", "value": args["value"]})

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if payload.get("type") == "set":
            self._store(ctx, payload["value"])
            ctx.decide("value", payload["value"], src=src)

    def _store(self, ctx: Context, value: Any) -> None:
        self.value = value
        if self.durable:
            ctx.durable["value"] = value
        ctx.believe(value=value)
