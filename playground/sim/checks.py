"""Checks evaluated as a run goes: safety invariants and liveness (progress within a window).

A check looks at each event of the kinds it names and may report a *finding*: a detail string,
or ``(detail, causes)`` where ``causes`` are the sequence numbers of the events that led to the
problem. The engine records the first finding of each check as a :class:`Violation` (with its
tick), adds a ``violation`` event to the trace and stops evaluating that check.

Checks are stateful (a leader-per-term table, the highest token seen); a scenario holds
prototypes and every run deep-copies them, so runs never share state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import attrs

from playground.sim.trace import Event

if TYPE_CHECKING:
    from playground.sim.world import World

Finding = str | tuple[str, Sequence[int]] | None


@attrs.frozen
class Violation:
    """The first time a check failed: which, when, why, and the events that caused it."""

    invariant: str
    kind: Literal["safety", "liveness"]
    tick: int
    detail: str
    causes: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "invariant": self.invariant,
            "kind": self.kind,
            "tick": self.tick,
            "detail": self.detail,
            "causes": list(self.causes),
        }


class Check:
    """Base class of invariants and liveness checks."""

    name: ClassVar[str] = "check"
    kind: ClassVar[Literal["safety", "liveness"]] = "safety"
    #: Event kinds this check wants to see; ``None`` means every event.
    kinds: ClassVar[frozenset[str] | None] = None

    def observe(self, event: Event, world: World) -> Finding:
        """Look at one event; return a finding if the property is broken."""
        return None

    def deadline(self) -> int | None:
        """The tick by which something must have happened (liveness), or ``None``."""
        return None

    def at_deadline(self, now: int, world: World) -> Finding:
        """Called at :meth:`deadline`; return a finding if the progress did not happen."""
        return None


class Invariant(Check):
    """A safety property: something bad never happens."""

    kind = "safety"


class PredicateInvariant(Invariant):
    """An invariant from a function ``(event, world) -> finding``; handy in tests and levels."""

    def __init__(
        self, name: str, predicate: Callable[[Event, World], Finding],
        kinds: Sequence[str] | None = None,
    ) -> None:
        self.name = name  # type: ignore[misc]  # this instance's own, over the ClassVar
        self.kinds = None if kinds is None else frozenset(kinds)  # type: ignore[misc]  # same
        self._predicate = predicate

    def observe(self, event: Event, world: World) -> Finding:
        return self._predicate(event, world)


class ProgressWithin(Check):
    """Liveness: after ``start`` (an event predicate, or tick ``start_tick``), an event
    matching ``progress`` must happen within ``window`` ticks.

    Each progress event discharges the obligation; a ``start`` event opens a new one if none
    is open. ``repeat=True`` re-arms the obligation after each progress (e.g. "the cluster
    keeps committing").
    """

    kind = "liveness"

    def __init__(
        self,
        name: str,
        window: int,
        progress: Callable[[Event], bool],
        start: Callable[[Event], bool] | None = None,
        start_tick: int | None = 0,
        repeat: bool = False,
    ) -> None:
        self.name = name  # type: ignore[misc]  # this instance's own, over the ClassVar
        self.window = window
        self._progress = progress
        self._start = start
        self.repeat = repeat
        self.opened_at: int | None = start_tick if start is None else None
        self.open_cause: int | None = None

    def observe(self, event: Event, world: World) -> Finding:
        if self.opened_at is not None and self._progress(event):
            self.opened_at = event.tick if self.repeat else None
        elif self.opened_at is None and self._start is not None and self._start(event):
            self.opened_at = event.tick
            self.open_cause = event.seq
        return None

    def deadline(self) -> int | None:
        return None if self.opened_at is None else self.opened_at + self.window

    def at_deadline(self, now: int, world: World) -> Finding:
        due = self.deadline()
        if due is not None and now >= due:
            causes = () if self.open_cause is None else (self.open_cause,)
            return (f"no progress within {self.window} ms of tick {self.opened_at}", causes)
        return None
