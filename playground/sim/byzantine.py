"""Generic Byzantine behaviour: how a lying node rewrites what it sends.

A node switched to lie (the ``lie`` tool) passes every outgoing payload through
:func:`rewrite`. Its program may override :meth:`Program.lie` for protocol-specific lies; when
it returns ``NotImplemented`` the generic strategy applies to the payload's ``field``
(default ``"value"``):

- ``silent``: send nothing (the message is recorded as dropped, reason "liar silent");
- ``forge``: replace the field with ``value``;
- ``equivocate``: tell each peer something different: ``values[i % len(values)]`` for the
  i-th peer in name order (default ``["attack", "retreat"]``);
- ``replay``: with ``probability`` (default 1), send an earlier payload instead, preferably
  one previously sent to the same peer. Replays are bounded: at most :data:`REPLAY_BUDGET`
  per :data:`REPLAY_WINDOW_MS` of true time per liar; past that, the liar sends what its
  program sent until the next window. (Unbounded, every replayed request provokes a reply
  that the liar answers with another replay: chains that never die, a message count growing
  with the square of the time, one player's move eating the machine.)
- ``clock``: lie about the time: clock readings the program makes are off by ``offset_ms``.

Signatures cannot be forged: a liar may re-sign a value it signed itself, but a rewritten value
signed by someone else keeps its old signature and fails verification.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from playground.sim.program import Signed


@attrs.frozen
class LieSpec:
    """How a node lies: a strategy and its parameters."""

    strategy: str
    params: tuple[tuple[str, Any], ...] = ()

    def get(self, name: str, default: Any = None) -> Any:
        for k, v in self.params:
            if k == name:
                return v
        return default


DEFAULT_EQUIVOCATION = ("attack", "retreat")
REPLAY_WINDOW_MS = 100
REPLAY_BUDGET = 10


class ReplayBudget:
    """How many replays a liar has left in the current window of true time."""

    __slots__ = ("left", "window")

    def __init__(self) -> None:
        self.window = -1
        self.left = REPLAY_BUDGET

    def take(self, now: int) -> bool:
        """Spend one replay at tick ``now``; ``False`` if the window's budget is spent."""
        window = now // REPLAY_WINDOW_MS
        if window != self.window:
            self.window = window
            self.left = REPLAY_BUDGET
        if self.left <= 0:
            return False
        self.left -= 1
        return True


def rewrite(
    lie: LieSpec,
    liar: str,
    peers: Sequence[str],
    dst: str,
    payload: Any,
    rng: random.Random,
    history: Sequence[tuple[str, Any]],
    sign: Callable[[str, Any], Signed],
) -> Any:
    """The payload a liar sends instead of ``payload``, or ``None`` to send nothing."""
    strategy = lie.strategy
    if strategy == "silent":
        return None
    if strategy == "clock":
        return payload
    if strategy == "replay":
        probability = lie.get("probability", 1.0)
        if rng.random() >= probability:
            return payload
        earlier = [p for d, p in history if d == dst] or [p for _, p in history]
        return earlier[rng.randrange(len(earlier))] if earlier else payload
    field = lie.get("field", "value")
    if not isinstance(payload, dict) or field not in payload:
        return payload
    if strategy == "forge":
        new_value = lie.get("value", f"forged-by-{liar}")
    else:  # equivocate
        values = lie.get("values") or DEFAULT_EQUIVOCATION
        index = peers.index(dst) if dst in peers else 0
        new_value = values[index % len(values)]
    out = dict(payload)
    old = out[field]
    if isinstance(old, Signed):
        if old.signer == liar:
            out[field] = sign(liar, new_value)
        else:
            out[field] = Signed(old.signer, new_value, old.signature)
    else:
        out[field] = new_value
    return out
