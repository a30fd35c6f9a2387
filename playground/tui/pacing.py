"""How often the play screen paints while time runs: as often as looks smooth, or, on a shared
server, no more often than a CPU budget allows.

Locally a frame is drawn every :data:`FRAME_SECONDS`. A workshop server runs dozens of games
on a few cores, and a painted frame costs the same whatever the speed, so the server gives
each game a budget: a fraction of one core, fixed (``PLAYGROUND_FRAME_BUDGET``) or, by
default, a fair share of the machine in a file it rewrites as players come and go
(``PLAYGROUND_FRAME_BUDGET_FILE``, :class:`SharedBudget`), so a small room plays at full
frame rate. The pacer measures what a frame really costs — the process CPU time between two
frames, which counts the simulation, the painting and the writing out — and stretches the
gap between frames until frames fit the budget. Simulated time is unaffected: the stepper
turns whatever real time passed into ticks, so a paced game runs at the same speed in fewer,
larger steps. Keys are not paced: Textual answers them as soon as they arrive.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path

from playground.errors import PlaygroundError
from playground.tui.stepper import FRAME_SECONDS

#: The longest gap a budget may stretch it to (a busy game still moves once a second).
SLOWEST_FRAME_SECONDS = 1.0
#: Environment variable with a fixed budget, a fraction of one core (``0.03`` = 3%).
BUDGET_ENV = "PLAYGROUND_FRAME_BUDGET"
#: Environment variable naming a file with the budget, which the server rewrites as players
#: come and go (its fair share of the machine); re-read every :data:`RECHECK_SECONDS`.
BUDGET_FILE_ENV = "PLAYGROUND_FRAME_BUDGET_FILE"
RECHECK_SECONDS = 2.0
#: The estimate of a frame's cost is the mean of the last this many frames' costs, less the
#: dearest one: a one-off (the level's first frame, a burst of keys) does not hold the next
#: frames back for seconds, as it would at one frame a second with a slowly moving average.
COST_WINDOW = 8

BudgetSource = Callable[[], "float | None"]


class BudgetError(PlaygroundError, ValueError):
    """A frame budget that is not a fraction of a core."""


def parse_budget(text: str) -> float:
    """A budget from text such as ``0.03``; raises :class:`BudgetError` if not in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise BudgetError(f"frame budget {text!r} is not a number") from None
    if not 0 < value <= 1:
        raise BudgetError(f"frame budget {text!r} must be a fraction of a core in (0, 1]")
    return value


class SharedBudget:
    """The budget in a file the server keeps up to date, read at most every
    :data:`RECHECK_SECONDS`; an unreadable or malformed file keeps the last good value."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self._clock = clock
        self._checked: float | None = None
        self._value: float | None = None

    def __call__(self) -> float | None:
        now = self._clock()
        if self._checked is None or now - self._checked >= RECHECK_SECONDS:
            self._checked = now
            with contextlib.suppress(OSError, UnicodeDecodeError, BudgetError):
                self._value = parse_budget(self.path.read_text(encoding="utf-8").strip())
        return self._value


def budget_from_env(environ: Mapping[str, str] | None = None) -> float | BudgetSource | None:
    """The budget the server set: a file to follow, a fixed fraction, or ``None`` (unpaced).
    A malformed value means unpaced: the game must start whatever its environment says."""
    environ = os.environ if environ is None else environ
    path = environ.get(BUDGET_FILE_ENV, "").strip()
    if path:
        return SharedBudget(Path(path))
    text = environ.get(BUDGET_ENV, "").strip()
    if not text:
        return None
    try:
        return parse_budget(text)
    except BudgetError:
        return None


class FramePacer:
    """The gap to leave before the next frame.

    Call :meth:`frame_done` after each frame; :attr:`interval` is then the gap to wait.
    ``budget`` is a fraction of a core, something that returns one (a :class:`SharedBudget`),
    or ``None`` for unpaced. ``cpu_clock`` is injectable for tests (default: this process's
    CPU time).
    """

    def __init__(self, budget: float | BudgetSource | None = None, *,
                 cpu_clock: Callable[[], float] = time.process_time) -> None:
        self.budget = budget
        self._cpu_clock = cpu_clock
        self._last_cpu: float | None = None
        self._costs: deque[float] = deque(maxlen=COST_WINDOW)
        self.cost: float | None = None  # estimated CPU seconds per frame cycle
        self.interval = FRAME_SECONDS

    def restart(self) -> None:
        """Forget the last reading (time was paused; the gap since then is not a frame's)."""
        self._last_cpu = None

    def frame_done(self) -> float:
        """Record that a frame cycle ended now; return the gap until the next one."""
        now = self._cpu_clock()
        if self._last_cpu is not None:
            self._costs.append(max(0.0, now - self._last_cpu))
            costs = self._costs
            self.cost = costs[0] if len(costs) == 1 else (sum(costs) - max(costs)) / (
                len(costs) - 1)
        self._last_cpu = now
        self.interval = self._gap()
        return self.interval

    def current_budget(self) -> float | None:
        """The budget now (a shared one changes as players come and go)."""
        return self.budget() if callable(self.budget) else self.budget

    def _gap(self) -> float:
        budget = self.current_budget()
        if budget is None or self.cost is None:
            return FRAME_SECONDS
        return min(SLOWEST_FRAME_SECONDS, max(FRAME_SECONDS, self.cost / budget))

    @property
    def frames_per_second(self) -> float:
        return 1.0 / self.interval

    @property
    def held_back(self) -> bool:
        """True if the share of a server, not the frame's own cost, sets the pace: the budget
        is less than a core and a frame at full speed would overspend it. (A lone player on a
        server has a whole core: slow frames there are the game's, not the room's.)"""
        budget = self.current_budget()
        return (budget is not None and budget < 1.0 and self.cost is not None
                and self.cost / budget > FRAME_SECONDS)
