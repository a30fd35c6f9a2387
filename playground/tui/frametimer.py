"""The play screen's frame timer: one shot, late perhaps on a busy machine, never lost.

Textual's ``set_timer`` reads the time twice before it sleeps and, when the second reading
is already past the deadline, skips its only tick, so its callback never runs. A loaded
server can pause a game between any two lines for longer than a frame, and a chain of
frames built on ``set_timer`` then stops while the game still says "playing". This timer
waits with the event loop's own ``call_later`` and then hands the callback to the screen's
message queue, where it runs like any other handler.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.message_pump import MessagePump


class FrameTimer:
    """Calls ``callback`` on ``target``'s message queue once, ``delay`` seconds after
    :meth:`start`; a later :meth:`start` or :meth:`stop` cancels a call still to come."""

    def __init__(self, target: MessagePump, callback: Callable[[], object]) -> None:
        self._target = target
        self._callback = callback
        self._handle: asyncio.TimerHandle | None = None
        self._generation = 0  # which start a queued call belongs to

    def start(self, delay: float) -> None:
        """Call back once after ``delay`` seconds (replacing any call still to come)."""
        self.stop()
        self._handle = asyncio.get_running_loop().call_later(
            delay, self._due, self._generation)

    def stop(self) -> None:
        """Cancel the call still to come, also one already queued on the target."""
        self._generation += 1
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _due(self, generation: int) -> None:
        self._handle = None
        if generation == self._generation:
            self._target.call_later(self._run, generation)

    def _run(self, generation: int) -> None:
        if generation == self._generation:
            self._callback()
