"""The player's action space in a BREAK IT level, as the solver sees it.

For each tool in the toolbox, :func:`alphabet` lists the moves the budget allows (targets times
a grid of parameter values drawn from the budget's limits); a move plus a tick is an action.
:func:`candidate_ticks` picks the ticks worth trying from the do-nothing run's trace: the
moments where something happens, and small offsets around them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from playground.game.level import Budget, Level
from playground.sim import TOOLS, Action
from playground.sim.actions import LIE_STRATEGIES
from playground.sim.trace import Event

# Tools that only undo an earlier move, and the move they undo.
UNDOES = {name: tool.undoes for name, tool in TOOLS.items() if tool.undoes}
# Values tried for a link setting when the budget does not bound it.
LINK_SETTINGS: dict[str, tuple[float, ...]] = {
    "latency": (20, 100, 200, 1000, 5000),
    "loss": (0.5, 1.0),
    "duplicate": (1.0,),
    "jitter": (50, 500),
    "service_ms": (20, 100, 400, 1000),
    "queue_limit": (0, 1),
}
# Kinds of trace events that mark a moment worth acting around, most telling first.
MOMENT_KINDS = ("command", "decide", "state", "observe", "timer", "deliver", "send")
OFFSETS = (-1, 0, 1, -10, 10, -50)
# Fractions of a budget's limit tried for a bounded duration or wire time.
LIMIT_FRACTIONS = (0.1, 0.25, 0.5, 0.8, 1.0)
Progress = Callable[[str, int, int], None]  # (phase, runs done, runs in the phase)
DEFAULT_BUDGET = 300  # runs one search may spend
SMALL_BATCH = 16  # batches of fewer runs stay in the caller's process


@dataclass(frozen=True)
class Move:
    """A tool, a target and parameters, not yet placed at a tick."""

    tool: str
    target: str
    params: tuple[tuple[str, Any], ...] = ()

    def at(self, tick: int) -> Action:
        return Action.make(tick, self.tool, self.target, **dict(self.params))


def _scaled(limit: float, fractions: Iterable[float], whole: bool = True) -> list[float]:
    values = sorted({max(1, round(limit * f)) if whole else limit * f for f in fractions})
    return [int(v) if whole else v for v in values]


def _link_targets(level: Level, budget: Budget, with_all: bool) -> list[str]:
    if budget.targets:
        return list(budget.targets)
    pairs = [f"{a}->{b}" for a, b in itertools.permutations(level.nodes, 2)]
    both = [f"{a}<->{b}" for a, b in itertools.combinations(level.nodes, 2)]
    return pairs + both + (["*"] if with_all else [])


def _bipartitions(nodes: tuple[str, ...]) -> list[tuple[tuple[str, ...], ...]]:
    first, rest = nodes[0], nodes[1:]
    out: list[tuple[tuple[str, ...], ...]] = []
    for size in range(len(rest)):
        for chosen in itertools.combinations(rest, size):
            side = (first, *chosen)
            other = tuple(n for n in nodes if n not in side)
            out.append((side, other))
    return out


def _param_grid(tool: str, budget: Budget) -> list[dict[str, Any]]:
    """Parameter settings tried for ``tool`` within ``budget``."""
    key = TOOLS[tool].ends_after
    if key is not None:
        if budget.max_duration is None:
            timed: list[dict[str, Any]] = [{key: d} for d in (100, 500, 1000, 2000)]
            return timed + ([{}] if tool == "crash" else [{key: 5000}])
        return [{key: d} for d in _scaled(budget.max_duration, LIMIT_FRACTIONS)]
    if tool == "step_clock":
        limit = budget.max_delta if budget.max_delta is not None else 10_000
        steps = _scaled(limit, (0.01, 0.1, 0.5, 1.0))
        return [{"delta_ms": sign * s} for s in steps for sign in (-1, 1)]
    if tool in ("set_drift", "set_rate"):
        limit = budget.max_ppm if budget.max_ppm is not None else 100_000
        steps = _scaled(limit, (0.01, 0.1, 1.0))
        return [{"ppm": sign * s} for s in steps for sign in (-1, 1)]
    if tool == "hold":
        limit = budget.max_hold if budget.max_hold is not None else 10
        return [{"count": c} for c in sorted({1, 2, 3, 5, limit}) if c <= limit]
    if tool == "lie":
        lies: list[dict[str, Any]] = []
        for strategy in budget.strategies or LIE_STRATEGIES:
            if strategy == "clock":
                lies += [{"strategy": "clock", "offset_ms": o} for o in (-1000, 1000)]
            else:
                lies.append({"strategy": strategy})
        return lies
    if tool == "set_link":
        names = budget.settings or tuple(LINK_SETTINGS)
        return [{name: value} for name in names for value in _link_values(name, budget)]
    return [{}]


def _link_values(setting: str, budget: Budget) -> tuple[float, ...]:
    """Values tried for one link setting: a grid below the budget's limit, if it sets one."""
    if setting == "service_ms" and budget.max_service_ms is not None:
        return tuple(_scaled(budget.max_service_ms, LIMIT_FRACTIONS))
    return LINK_SETTINGS[setting]


def alphabet(level: Level) -> list[Move]:
    """Every move the toolbox allows, in a fixed order (tools sorted by name)."""
    moves: list[Move] = []
    for tool in sorted(level.toolbox):
        budget = level.toolbox[tool]
        kind = TOOLS[tool].target
        if tool == "partition":
            targets = ["*"]
        elif kind == "link":
            targets = _link_targets(level, budget, tool in ("set_link", "heal"))
        elif kind == "node":
            targets = list(budget.targets or level.nodes)
        else:
            targets = ["*"]
        grids = ([{"groups": [list(g) for g in split]} for split in _bipartitions(level.nodes)]
                 if tool == "partition" else _param_grid(tool, budget))
        for target in targets:
            for params in grids:
                moves.append(Move(tool, target, Action.make(0, tool, target, **params).params))
    return moves


def max_actions(level: Level) -> int:
    """The most actions one attack may use (unlimited tools count as 3)."""
    return sum(tool_count(b) for b in level.toolbox.values())


def candidate_ticks(events: Iterable[Event], ticks: int) -> list[int]:
    """Ticks to try, most telling first: each moment of the idle run and offsets around it."""
    rank = {kind: i for i, kind in enumerate(MOMENT_KINDS)}
    best: dict[int, int] = {}
    for event in events:
        if event.kind in rank and event.tick < ticks:
            best[event.tick] = min(best.get(event.tick, 99), rank[event.kind])
    moments = sorted(best, key=lambda t: (best[t], t))
    out: dict[int, None] = {}
    for offset in OFFSETS:
        for moment in moments:
            tick = moment + offset
            if 0 <= tick < ticks:
                out.setdefault(tick, None)
    return list(out) or [0]


def tool_count(budget: Budget) -> int:
    """Uses of a tool one attack may make (an unlimited tool counts as 3)."""
    return 3 if budget.count is None else budget.count


def space_size(level: Level, moves: list[Move]) -> int:
    """How many budget-respecting attacks there are: sets of actions (a move at a tick), each
    tool used at most its count, at least one action."""
    total = 1
    for tool, budget in level.toolbox.items():
        choices = sum(1 for m in moves if m.tool == tool) * level.ticks
        total *= sum(math.comb(choices, c) for c in range(tool_count(budget) + 1))
    return total - 1
