"""What a node program sees: the :class:`Program` base class and its :class:`Context`.

A program reacts to three things: start (or restart after a crash), a message, a timer. It acts
only through its context: send, set or cancel a timer (measured on the node's own *monotonic*
clock), read its own clocks, keep durable state, record decisions and beliefs for the checker
and the screen, and sign or verify values. It never sees true time or other nodes' state.

Programs must be deterministic functions of what they are given (use ``ctx.rng`` for
randomness) and deep-copyable (plain attributes), so that runs replay and snapshots restore.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from playground.sim.world import Node, World


@attrs.frozen
class Signed:
    """A value signed by ``signer``. Only the signer's context can make a valid signature."""

    signer: str
    value: Any
    signature: str


class Program:
    """Base class for node programs. Override the ``on_*`` methods you need."""

    def on_start(self, ctx: Context) -> None:
        """Called at tick 0, and again (on a fresh instance) after crash-recovery."""

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        """Called when a message from ``src`` is delivered."""

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        """Called when timer ``name`` fires."""

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        """Called for a ``command`` action (client requests, scripted workload)."""
        from playground.sim.errors import ProgramError

        raise ProgramError(f"{type(self).__name__} has no command {name!r}")

    def lie(
        self, ctx: Context, strategy: str, dst: str, payload: Any, params: dict[str, Any]
    ) -> Any:
        """Hook for protocol-specific Byzantine behaviour.

        Return the payload to send instead, or ``NotImplemented`` to let the engine's generic
        strategy rewrite the ``field`` of the payload (see :mod:`playground.sim.byzantine`).
        """
        return NotImplemented


class Context:
    """A node program's only window on the world."""

    __slots__ = ("_node", "_world", "name", "nodes", "peers", "rng")

    def __init__(self, world: World, node: Node, rng: random.Random) -> None:
        self._world = world
        self._node = node
        self.name: str = node.name
        self.nodes: tuple[str, ...] = world.node_names
        self.peers: tuple[str, ...] = tuple(n for n in world.node_names if n != node.name)
        self.rng = rng

    # messaging ---------------------------------------------------------------------------
    def send(self, dst: str, payload: Any) -> int | None:
        """Send ``payload`` to ``dst``; returns the message id (``None`` if nothing was sent)."""
        return self._world._send(self._node, dst, payload)

    def broadcast(self, payload: Any) -> None:
        """Send ``payload`` to every peer, in name order."""
        send = self._world._send
        node = self._node
        for dst in self.peers:
            send(node, dst, payload)

    # timers (on the node's monotonic clock) ------------------------------------------------
    def set_timer(self, name: str, delay_ms: float, data: Any = None) -> None:
        """Fire ``on_timer(name)`` once the node's monotonic clock advanced ``delay_ms``.
        Setting a timer that is already set replaces it."""
        self._world._set_timer(self._node, name, delay_ms, data)

    def cancel_timer(self, name: str) -> None:
        """Cancel timer ``name`` if it is set."""
        self._node.timers.pop(name, None)

    def has_timer(self, name: str) -> bool:
        return name in self._node.timers

    # clocks -----------------------------------------------------------------------------
    def monotonic(self) -> float:
        """This node's monotonic clock in ms (only differences are meaningful)."""
        since, at, rate = self._node.clock.line[:3]
        return at + (self._world.now - since) * rate

    def time_of_day(self) -> float:
        """This node's time-of-day clock in ms (can jump, even backwards)."""
        return self._node.clock.time_of_day(self._world.now) + self._node.clock_lie_ms

    def interval(self) -> tuple[float, float]:
        """TrueTime-style ``(earliest, latest)``. Raises if the node has no interval clock."""
        iv = self._node.clock.interval(self._world.now)
        if iv is None:
            from playground.sim.errors import ProgramError

            raise ProgramError(f"node {self.name} has no interval clock (set error_ms)")
        lie = self._node.clock_lie_ms
        return (iv[0] + lie, iv[1] + lie)

    # state ------------------------------------------------------------------------------
    @property
    def durable(self) -> dict[str, Any]:
        """Storage that survives a crash (a disk). Everything else on the program is lost."""
        return self._node.durable

    def believe(self, **beliefs: Any) -> None:
        """Publish what this node believes (role, term, leader, lease...) for the screen and
        the checker. Only changed values are recorded."""
        self._world._believe(self._node, beliefs)

    def decide(self, key: str, value: Any, /, **info: Any) -> None:
        """Record a decision (a commit, an accepted write, a chosen value) for the checker."""
        self._world._record_node_event(self._node, "decide", {"key": key, "value": value, **info})

    def observe(self, what: str, /, **data: Any) -> None:
        """Record an observation (a client saw a reply, a detector suspected a node...)."""
        self._world._record_node_event(self._node, "observe", {"what": what, **data})

    # signatures -------------------------------------------------------------------------
    def sign(self, value: Any) -> Signed:
        """Sign ``value`` as this node."""
        return self._world._sign(self.name, value)

    def verify(self, signed: Any) -> bool:
        """True if ``signed`` is a :class:`Signed` whose signature matches its signer and value."""
        return isinstance(signed, Signed) and self._world._sign(
            signed.signer, signed.value
        ).signature == signed.signature

    @property
    def is_lying(self) -> bool:
        """Whether the engine has switched this node to Byzantine behaviour."""
        return self._node.lie is not None
