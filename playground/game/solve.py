"""The solver: does a level have the answer its author says, and how hard is it to find?

BREAK IT (:func:`solve_break`): try every move the toolbox allows at the moments the
do-nothing run marks as telling (a grid), then seeded random budget-respecting attacks at any
tick (their winning share is the level's difficulty), then shrink every win to a minimal one
(fewest actions, then earliest violation) and replay the best on other seeds. KEEP IT
(:func:`solve_keep`): run the knob grid over several seeds; which settings win on every seed,
what share win, and the best metric values reached. Deterministic for a given ``search_seed``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from playground.errors import PlaygroundError
from playground.game.actionfile import Attempt
from playground.game.level import Level
from playground.game.session import Session
from playground.game.solve_keep import KeepReport, solve_keep
from playground.game.solve_space import (
    DEFAULT_BUDGET,
    SMALL_BATCH,
    UNDOES,
    Move,
    Progress,
    alphabet,
    candidate_ticks,
    max_actions,
    space_size,
    tool_count,
)
from playground.game.sweep import Job, JobResult, run_many
from playground.sim import Action

GRID_SHARE = 0.6  # of the budget, for moves at telling moments (the rest: random attacks)
SINGLES_SHARE = 0.35  # of it, single moves, when an attack may have several (the rest: combos)
MAX_SHOWN = 3  # minimal solutions reported
TIGHTEN_RUNS = 24  # runs spent moving the best win earlier


@dataclass(frozen=True)
class Solution:
    """A minimal winning attack and how it fares on other seeds."""

    actions: tuple[Action, ...]
    violation_tick: int
    share_code: str
    wins_on: tuple[int, ...] = ()
    seeds: tuple[int, ...] = ()


@dataclass(frozen=True)
class BreakReport:
    """What the search of a BREAK IT level found."""

    level: str
    unbreakable: bool
    seed: int
    space: int
    moves: int
    ticks_tried: int
    tried: int
    random_tried: int
    random_won: int
    solutions: tuple[Solution, ...]
    hint: str = ""
    seconds: float = 0.0

    @property
    def winning_fraction(self) -> float:
        return self.random_won / self.random_tried if self.random_tried else 0.0

    @property
    def confirmed(self) -> bool:
        """The author's answer holds: broken if breakable, not broken if unbreakable."""
        return not self.solutions if self.unbreakable else bool(self.solutions)


@dataclass
class Search:
    """The state shared by the phases of one BREAK IT search."""

    level: Level
    ref: str
    workers: int | None
    progress: Progress | None
    cluster: str | None = None
    tried: int = 0
    wins: list[JobResult] = field(default_factory=list)

    def run(self, phase: str, attacks: Sequence[tuple[Action, ...]],
            seeds: Sequence[int | None] = (None,)) -> list[JobResult]:
        """Run every attack on every seed (``None``: the level's); small batches stay in
        this process, where a pool would cost more than it saves."""
        jobs = [Job(self.ref, seed, attack) for attack in attacks for seed in seeds]
        report = self.progress
        workers = 1 if len(jobs) < SMALL_BATCH and self.cluster is None else self.workers
        results = run_many(jobs, workers=workers, cluster=self.cluster,
                           progress=(lambda d, t: report(phase, d, t)) if report else None)
        self.tried += len(jobs)
        self.wins += [r for r in results if r.outcome == "won"]
        return results


def seeds_for(level: Level, count: int) -> list[int]:
    """The level's own seed and the ``count - 1`` after it."""
    return [level.seed + i for i in range(max(1, count))]


def grid_attacks(moves: Sequence[Move], ticks: Sequence[int],
                 limit: int) -> list[tuple[Action, ...]]:
    """Single moves at candidate ticks, most telling ticks first, at most ``limit``."""
    out: list[tuple[Action, ...]] = []
    for tick in ticks:
        for move in moves:
            if len(out) >= limit:
                return out
            out.append((move.at(tick),))
    return out


def random_attack(level: Level, moves: Sequence[Move], rng: random.Random,
                  telling: Sequence[int] = ()) -> tuple[Action, ...]:
    """A uniformly drawn budget-respecting attack: 1..max actions at any ticks (or, given
    ``telling`` ticks, 2..max actions at those); an undoing move (heal, release, ...) follows
    the move it undoes when the attack has one."""
    left = {tool: tool_count(budget) for tool, budget in level.toolbox.items()}
    most = sum(left.values())
    wanted = rng.randint(min(2, most) if telling else 1, most)
    chosen: list[Action] = []
    for _ in range(wanted):
        usable = [m for m in moves if left[m.tool] > 0]
        if not usable:
            break
        move = rng.choice(usable)
        left[move.tool] -= 1
        undone = [a for a in chosen if a.tool == UNDOES.get(move.tool)]
        if undone and move.target != "*":
            first = rng.choice(undone)
            move = Move(move.tool, first.target, move.params)
            tick = _tick_after(rng, min(first.tick + 1, level.ticks - 1), level.ticks, telling)
        else:
            tick = _tick_after(rng, 0, level.ticks, telling)
        chosen.append(move.at(tick))
    return tuple(sorted(chosen, key=lambda a: (a.tick, a.tool, a.target)))


def _tick_after(rng: random.Random, low: int, end: int, telling: Sequence[int]) -> int:
    """A tick in ``low..end-1``: one of the ``telling`` ones there if any, else any."""
    later = [t for t in telling if low <= t < end]
    return rng.choice(later) if later else rng.randint(low, end - 1)


def _rank(result: JobResult) -> tuple[int, int, tuple[int, ...], str]:
    """Sort key of a win, best first: fewest actions, earliest violation, earliest moves."""
    tick = result.end_tick  # a win's end is the tick of the goal's violation
    actions = result.job.actions
    return (len(actions), tick, tuple(a.tick for a in actions), repr(actions))


def shrink(search: Search, win: JobResult) -> JobResult:
    """Drop actions one at a time while the attack still wins (the earliest-violating variant
    each round), until no single action can go: a 1-minimal attack."""
    while len(win.job.actions) > 1:
        actions = win.job.actions
        variants = [actions[:i] + actions[i + 1:] for i in range(len(actions))]
        won = [r for r in search.run("shrinking", variants) if r.outcome == "won"]
        if not won:
            break
        win = min(won, key=_rank)
    return win


def _minimal(wins: Sequence[JobResult]) -> list[JobResult]:
    best: dict[tuple[Action, ...], JobResult] = {}
    for win in sorted(wins, key=_rank):
        best.setdefault(win.job.actions, win)
    return list(best.values())


def solve_break(level: Level, ref: str, *, search_seed: int = 0, seeds: int = 3,
                budget: int = DEFAULT_BUDGET, workers: int | None = None,
                cluster: str | None = None, progress: Progress | None = None) -> BreakReport:
    """Search the toolbox's attacks on ``level`` (``ref``: its id or file, for the runner)."""
    started = time.perf_counter()
    rng = random.Random(search_seed)
    idle = Session(level)
    idle.run_to_end()
    ticks = candidate_ticks(idle.world.trace, level.ticks)
    moves = alphabet(level)
    search = Search(level, ref, workers, progress, cluster)
    several = max_actions(level) > 1
    grid = grid_attacks(moves, ticks, max(1, int(budget * (SINGLES_SHARE if several
                                                            else GRID_SHARE))))
    combos = [random_attack(level, moves, rng, ticks)
              for _ in range(int(budget * GRID_SHARE) - len(grid) if several else 0)]
    randoms = [random_attack(level, moves, rng)
               for _ in range(max(1, budget - len(grid) - len(combos)))]
    results = search.run("searching", grid + combos + randoms)
    random_won = sum(1 for r in results[len(grid) + len(combos):] if r.outcome == "won")
    found = _minimal(search.wins)
    fewest = len(found[0].job.actions) if found else 0
    if fewest > 1:
        found = _minimal([shrink(search, w) for w in found[:MAX_SHOWN]])
    if found:
        tighten(search, found[0], ticks)
        size = len(found[0].job.actions)
        found = _minimal([w for w in search.wins if len(w.job.actions) <= size])
    home_wins = list(search.wins)
    solutions = _replay_elsewhere(search, level, found[:MAX_SHOWN], seeds)
    tried_ticks = len({a.tick for attack in grid for a in attack})
    return BreakReport(
        level=level.id, unbreakable=level.unbreakable, seed=search_seed,
        space=space_size(level, moves), moves=len(moves), ticks_tried=tried_ticks,
        tried=search.tried, random_tried=len(randoms), random_won=random_won,
        solutions=tuple(solutions), hint=window_hint(home_wins),
        seconds=time.perf_counter() - started,
    )


def tighten(search: Search, win: JobResult, ticks: Sequence[int]) -> None:
    """Try a win's first move earlier, at up to :data:`TIGHTEN_RUNS` telling ticks spread
    over the time before it (the other moves keep their distance): an earlier violation."""
    first, *rest = win.job.actions
    earlier = sorted(t for t in set(ticks) if t < first.tick)
    step = max(1, len(earlier) // TIGHTEN_RUNS)
    attacks = []
    for tick in earlier[::step][:TIGHTEN_RUNS]:
        shift = tick - first.tick
        moved = [Move(a.tool, a.target, a.params).at(a.tick + shift) for a in (first, *rest)]
        attacks.append(tuple(moved))
    search.run("tightening", attacks)


def window_hint(wins: Sequence[JobResult]) -> str:
    """A hint that points without giving the move away: the tool, the target and the span of
    ticks in which the best single move found wins (not every tick in it need win), e.g. ``a
    freeze on client-1 at the right moment between t=601 and t=1210 wins``."""
    if not wins:
        return ""
    first, *rest = min(wins, key=_rank).job.actions
    if rest:
        moves = ", then ".join(f"a {a.tool}{_on(a.target)}" for a in (first, *rest))
        return f"{len(rest) + 1} moves win: {moves}, the last around t={rest[-1].tick}"
    best = first
    ticks = sorted(w.job.actions[0].tick for w in wins if len(w.job.actions) == 1
                   and (w.job.actions[0].tool, w.job.actions[0].target)
                   == (best.tool, best.target))
    where = _on(best.target)
    if len(ticks) < 2:
        return f"a {best.tool}{where} around t={best.tick} wins"
    return (f"a {best.tool}{where} at the right moment between t={ticks[0]} and "
            f"t={ticks[-1]} wins")


def _on(target: str) -> str:
    return "" if target == "*" else f" on {target}"


def _replay_elsewhere(search: Search, level: Level, wins: Sequence[JobResult],
                      count: int) -> list[Solution]:
    """Each win as a :class:`Solution`, replayed on the ``count - 1`` seeds after the level's."""
    others = seeds_for(level, count)[1:]
    won = {(r.job.actions, r.job.seed)
           for r in search.run("other seeds", [w.job.actions for w in wins], others)
           if r.outcome == "won"}
    out = []
    for win in wins:
        code = Attempt(level.id, None, {}, win.job.actions).to_share_code()
        tick = win.end_tick
        wins_on = (level.seed, *(s for s in others if (win.job.actions, s) in won))
        out.append(Solution(win.job.actions, tick, code, wins_on, (level.seed, *others)))
    return out


def solve(level: Level, ref: str, *, search_seed: int = 0, seeds: int = 3,
          budget: int = DEFAULT_BUDGET, workers: int | None = None, cluster: str | None = None,
          progress: Progress | None = None) -> BreakReport | KeepReport:
    """Solve a BREAK IT or KEEP IT level (the sandbox has nothing to solve)."""
    if level.mode == "keep":
        return solve_keep(level, ref, seeds=seeds_for(level, seeds), budget=budget,
                          workers=workers, cluster=cluster, progress=progress)
    if level.mode == "break":
        return solve_break(level, ref, search_seed=search_seed, seeds=seeds, budget=budget,
                           workers=workers, cluster=cluster, progress=progress)
    raise PlaygroundError(f"{level.path}: mode: the sandbox has no goal to solve")
