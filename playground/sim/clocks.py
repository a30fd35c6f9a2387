"""Per-node clocks: a monotonic clock, a time-of-day clock and an optional interval clock.

True time is the tick (1 tick = 1 ms). A node never sees true time, only its own readings:

- the **monotonic** clock never goes backwards; it may run fast or slow (``rate_ppm``);
- the **time-of-day** clock has an offset, drifts (``drift_ppm``) and can be *stepped*, so it can
  jump backwards (an NTP correction, a manual skew);
- the **interval** clock (TrueTime-style) reports ``[earliest, latest]`` around the time-of-day
  reading with a half-width ``error_ms``. It is only as honest as its error bound: if the clock
  was skewed by more than the bound, true time lies outside the interval.

Readings are piecewise linear in true time; a change of rate or a step re-anchors the line, so
the reading is continuous (monotonic) or jumps only by the step (time-of-day).
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from playground.sim.errors import ScenarioError
from playground.sim.trace import ClockLine


def _finite(instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not math.isfinite(value):
        raise ScenarioError(f"{attribute.name} must be a finite number, got {value!r}")


def _error_bound(instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise ScenarioError(f"{attribute.name} must be a finite number >= 0, got {value!r}")


def _finite_ppm(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not -1_000_000 < value < 1_000_000:
        raise ScenarioError(f"{attribute.name} must be between -1e6 and 1e6 ppm, got {value!r}")


@attrs.frozen
class ClockSpec:
    """Initial clock settings of one node.

    ``offset_ms``: time-of-day minus true time at tick 0. ``drift_ppm``: time-of-day rate error
    (200 ppm = 0.2 ms gained per second). ``rate_ppm``: monotonic rate error.
    ``error_ms``: half-width of the interval clock, or ``None`` for no interval clock.
    ``mono_origin_ms``: the monotonic clock's arbitrary starting value (it is meaningless
    across nodes, as on a real machine).
    """

    offset_ms: float = attrs.field(default=0.0, validator=_finite)
    drift_ppm: float = attrs.field(default=0.0, validator=_finite_ppm)
    rate_ppm: float = attrs.field(default=0.0, validator=_finite_ppm)
    error_ms: float | None = attrs.field(default=None, validator=_error_bound)
    mono_origin_ms: float = attrs.field(default=0.0, validator=_finite)


class NodeClock:
    """The mutable clocks of one node (true time in, readings out)."""

    __slots__ = (
        "_mono_anchor_true",
        "_mono_anchor_value",
        "_mono_factor",
        "_tod_anchor_true",
        "_tod_anchor_value",
        "_tod_factor",
        "drift_ppm",
        "error_ms",
        "line",
        "rate_ppm",
    )

    def __init__(self, spec: ClockSpec) -> None:
        self._mono_anchor_true = 0
        self._mono_anchor_value = float(spec.mono_origin_ms)
        self.rate_ppm = float(spec.rate_ppm)
        self._mono_factor = 1.0 + self.rate_ppm / 1e6
        self._tod_anchor_true = 0
        self._tod_anchor_value = float(spec.offset_ms)
        self.drift_ppm = float(spec.drift_ppm)
        self._tod_factor = 1.0 + self.drift_ppm / 1e6
        self.error_ms = None if spec.error_ms is None else float(spec.error_ms)
        self.line: ClockLine = self._line()

    def _line(self) -> ClockLine:
        return (self._mono_anchor_true, self._mono_anchor_value, self._mono_factor,
                self._tod_anchor_true, self._tod_anchor_value, self._tod_factor)

    # readings ---------------------------------------------------------------------------
    def monotonic(self, now: int) -> float:
        """Monotonic reading at true tick ``now``."""
        return self._mono_anchor_value + (now - self._mono_anchor_true) * self._mono_factor

    def time_of_day(self, now: int) -> float:
        """Time-of-day reading at true tick ``now`` (milliseconds since the epoch of the run)."""
        return self._tod_anchor_value + (now - self._tod_anchor_true) * self._tod_factor

    def interval(self, now: int) -> tuple[float, float] | None:
        """``(earliest, latest)`` at ``now``, or ``None`` if the node has no interval clock."""
        if self.error_ms is None:
            return None
        tod = self.time_of_day(now)
        return (tod - self.error_ms, tod + self.error_ms)

    def offset(self, now: int) -> float:
        """How far the time-of-day clock is from true time (for the checker and the UI)."""
        return self.time_of_day(now) - now

    # changes ----------------------------------------------------------------------------
    def step(self, now: int, delta_ms: float) -> None:
        """Jump the time-of-day clock by ``delta_ms`` (negative: backwards)."""
        self._tod_anchor_value = self.time_of_day(now) + delta_ms
        self._tod_anchor_true = now
        self.line = self._line()

    def set_drift(self, now: int, ppm: float) -> None:
        """Change the time-of-day drift from ``now`` on (the reading stays continuous)."""
        _finite_ppm(None, attrs.fields(ClockSpec).drift_ppm, ppm)
        self._tod_anchor_value = self.time_of_day(now)
        self._tod_anchor_true = now
        self.drift_ppm = float(ppm)
        self._tod_factor = 1.0 + self.drift_ppm / 1e6
        self.line = self._line()

    def set_rate(self, now: int, ppm: float) -> None:
        """Change the monotonic rate error from ``now`` on (the reading stays continuous)."""
        _finite_ppm(None, attrs.fields(ClockSpec).rate_ppm, ppm)
        self._mono_anchor_value = self.monotonic(now)
        self._mono_anchor_true = now
        self.rate_ppm = float(ppm)
        self._mono_factor = 1.0 + self.rate_ppm / 1e6
        self.line = self._line()

    def set_error(self, error_ms: float | None) -> None:
        """Change the interval clock's error bound."""
        self.error_ms = None if error_ms is None else float(error_ms)

    def true_delay(self, local_delay_ms: float) -> float:
        """True milliseconds until the monotonic clock has advanced by ``local_delay_ms``."""
        return local_delay_ms / self._mono_factor
