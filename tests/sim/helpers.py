"""Programs and scenarios the engine tests share."""

from __future__ import annotations

from typing import Any

from playground.sim import Context, LinkSpec, Program, Scenario
from playground.sim.examples import HeartbeatCluster


class Recorder(Program):
    """Records what it receives; sends on command: ``send`` (to, payload) or ``spam``."""

    def __init__(self) -> None:
        self.received: list[tuple[str, Any]] = []
        self.timers: list[tuple[str, float]] = []

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        self.received.append((src, payload))
        ctx.observe("got", src=src, payload=payload)

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        self.timers.append((name, ctx.monotonic()))
        if data and data.get("resend"):
            ctx.send(data["to"], data["payload"])

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name == "send":
            ctx.send(args["to"], args["payload"])
        elif name == "burst":
            for i in range(args["n"]):
                ctx.send(args["to"], {"i": i})
        elif name == "timer":
            ctx.set_timer(args["name"], args["delay"], args.get("data"))
        else:
            super().on_command(ctx, name, args)


def recorder_scenario(nodes: int = 3, link: LinkSpec | None = None, **kw: Any) -> Scenario:
    names = tuple(f"n{i}" for i in range(1, nodes + 1))
    return Scenario(nodes=names, program=lambda _: Recorder(), link=link or LinkSpec(), **kw)


def heartbeat_scenario(nodes: int = 3, link: LinkSpec | None = None, **kw: Any) -> Scenario:
    names = tuple(f"n{i}" for i in range(1, nodes + 1))
    return Scenario(
        nodes=names, program=lambda _: HeartbeatCluster(interval=50, request_every=30),
        link=link or LinkSpec(), **kw,
    )


def received(world: Any, node: str) -> list[tuple[str, Any]]:
    return world.nodes[node].program.received
