"""How fast simulated time runs on screen, separate from how often the screen is painted.

At 1x, :data:`TICKS_PER_SECOND` milliseconds of simulated time pass per real second (slow
motion, so single messages can be followed); 4x, 16x and 64x multiply that. A wall-clock
timer calls :meth:`Stepper.due` with the real time elapsed; it returns how many ticks to
advance, carrying fractions over so speed is exact whatever the frame rate.
"""

from __future__ import annotations

SPEEDS = (1, 4, 16, 64)
TICKS_PER_SECOND = 50.0
FRAME_SECONDS = 1 / 30
#: Never simulate more than this much real time in one frame (after a stall); above the
#: slowest paced frame (:data:`playground.tui.pacing.SLOWEST_FRAME_SECONDS`).
MAX_FRAME_SECONDS = 1.25


class Stepper:
    """Speed and the fractional tick carried between frames."""

    def __init__(self, speed: int = 4) -> None:
        self.speed = speed if speed in SPEEDS else 4
        self._carry = 0.0

    @property
    def ticks_per_second(self) -> float:
        return TICKS_PER_SECOND * self.speed

    def due(self, elapsed: float) -> int:
        """Whole ticks to simulate for ``elapsed`` real seconds."""
        elapsed = min(max(elapsed, 0.0), MAX_FRAME_SECONDS)
        self._carry += elapsed * self.ticks_per_second
        whole = int(self._carry)
        self._carry -= whole
        return whole

    def faster(self) -> int:
        index = SPEEDS.index(self.speed)
        self.speed = SPEEDS[min(index + 1, len(SPEEDS) - 1)]
        return self.speed

    def slower(self) -> int:
        index = SPEEDS.index(self.speed)
        self.speed = SPEEDS[max(index - 1, 0)]
        return self.speed

    def set(self, speed: int) -> int:
        if speed not in SPEEDS:
            raise ValueError(f"speed must be one of {SPEEDS}")
        self.speed = speed
        self._carry = 0.0
        return speed
