"""The KEEP IT half of the solver: run the knob grid over several seeds.

The grid is every combination of the player's knob values (choices, or ``low..high`` by
``step``). When it is bigger than the budget allows, the longest numeric axes are thinned
evenly (their ends always kept), the rest of the budget goes to the full-resolution values
around the best settings found, and the report says how much of the grid was covered.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from playground.game.actionfile import Attempt
from playground.game.level import KnobRange, Level
from playground.game.solve_space import DEFAULT_BUDGET, SMALL_BATCH, Progress
from playground.game.sweep import Job, JobResult, run_many

MAX_SHOWN = 3


@dataclass(frozen=True)
class Setting:
    """A knob setting that won on the level's seed, and on how many of the seeds tried."""

    knobs: Mapping[str, Any]
    seeds_won: int
    stars: int
    messages: int
    share_code: str


@dataclass(frozen=True)
class Best:
    """The lowest value of a metric reached by a setting that won on the level's seed."""

    metric: str
    value: float
    knobs: Mapping[str, Any]
    par: float | None


@dataclass(frozen=True)
class Optimum:
    """The best winning setting on the level's seed: the lowest par metrics first (in the
    level's order), then the fewest messages; its values are the level's honest par."""

    knobs: Mapping[str, Any]
    messages: int
    metrics: Mapping[str, float]


@dataclass(frozen=True)
class KeepReport:
    """What the knob grid showed."""

    level: str
    seeds: tuple[int, ...]
    grid: int
    tried: int
    sampled: int  # settings of the evenly spread (unzoomed) grid
    sampled_won: int  # of those, the ones that win on the level's seed
    runs: int
    won_home: int
    won_everywhere: int
    winners: tuple[Setting, ...]
    best: tuple[Best, ...]
    optimum: Optimum | None = None
    seconds: float = 0.0

    @property
    def winning_fraction(self) -> float:
        """The share of an evenly spread grid of settings that win the level as played (its
        own seed): the chance a setting picked at random wins."""
        return self.sampled_won / self.sampled if self.sampled else 0.0

    @property
    def confirmed(self) -> bool:
        """Some setting wins on the level's own seed (the one the player plays)."""
        return self.won_home > 0


def axis(knob: KnobRange) -> list[Any]:
    """Every value the player may give ``knob``."""
    if knob.choices:
        return list(knob.choices)
    low = knob.low if knob.low is not None else 0
    high = knob.high if knob.high is not None else low
    step = knob.step or (high - low) / 10 or 1
    whole = all(float(v).is_integer() for v in (low, step))
    count = round((high - low) / step) + 1
    values = [low + i * step for i in range(count) if low + i * step <= high + 1e-9]
    return [int(v) if whole else round(v, 9) for v in values]


def thin(axes: dict[str, list[Any]], numeric: set[str], limit: int) -> dict[str, list[Any]]:
    """Halve the longest numeric axis (keeping both ends) until the grid has at most
    ``limit`` points or no numeric axis has more than two values."""
    axes = {name: list(values) for name, values in axes.items()}
    while _size(axes) > limit:
        longest = max(sorted(numeric), key=lambda n: len(axes[n]), default=None)
        if longest is None or len(axes[longest]) <= 2:
            break
        values = axes[longest]
        axes[longest] = values[::2] + ([values[-1]] if (len(values) - 1) % 2 else [])
    return axes


def _size(axes: Mapping[str, list[Any]]) -> int:
    size = 1
    for values in axes.values():
        size *= len(values)
    return size


def _key(setting: Mapping[str, Any]) -> str:
    return repr(sorted(setting.items()))


def zoom(settings: Sequence[Mapping[str, Any]], full: Mapping[str, list[Any]],
         coarse: Mapping[str, list[Any]], numeric: set[str]) -> list[dict[str, Any]]:
    """The full-resolution neighbours of ``settings`` along each thinned numeric axis: every
    value of the full axis between a setting's coarse neighbours."""
    out: dict[str, dict[str, Any]] = {}
    for setting in settings:
        for name in sorted(numeric):
            if len(coarse[name]) == len(full[name]):
                continue
            values = full[name]
            here = values.index(setting[name])
            at = coarse[name].index(setting[name])
            low = values.index(coarse[name][max(0, at - 1)])
            high = values.index(coarse[name][min(len(coarse[name]) - 1, at + 1)])
            for value in values[low:high + 1]:
                if value != values[here]:
                    near = {**setting, name: value}
                    out.setdefault(_key(near), near)
    return list(out.values())


def solve_keep(level: Level, ref: str, *, seeds: Sequence[int], budget: int = DEFAULT_BUDGET,
               workers: int | None = None, cluster: str | None = None,
               progress: Progress | None = None) -> KeepReport:
    """Run the knob grid of ``level`` on every seed in ``seeds``; a grid too big for the budget
    is thinned, and half the budget then zooms in around the best settings found."""
    started = time.perf_counter()
    full = {name: axis(knob) for name, knob in level.player_knobs.items()}
    numeric = {name for name, knob in level.player_knobs.items() if not knob.choices}
    per_seed = max(1, budget // len(seeds))
    axes = thin(full, numeric, per_seed)
    if _size(axes) < _size(full):
        axes = thin(full, numeric, max(1, per_seed // 2))
    names = sorted(axes)
    settings = [dict(zip(names, combo, strict=True))
                for combo in itertools.product(*(axes[n] for n in names))]
    where = _Where(ref, workers, cluster, progress)
    runs = where.run(settings, seeds, "knob grid")
    sampled = (len(runs), sum(1 for r in runs.values() if r[0].outcome == "won"))
    spare = per_seed - len(settings)
    if spare > 0 and _size(axes) < _size(full):
        ranked = sorted(runs, key=lambda k: (_merit(level, runs[k]), k))
        top = [runs[k][0].job.knobs or {} for k in ranked[:3]]
        near = [s for s in zoom(top, full, axes, numeric) if _key(s) not in runs][:spare]
        runs.update(where.run(near, seeds, "zooming in"))
    return _report(level, seeds, _size(full), sampled, runs, time.perf_counter() - started)


@dataclass(frozen=True)
class _Where:
    """Where and how the grid's runs go: the level's reference for the runner, the workers
    or cluster, and the progress callback."""

    ref: str
    workers: int | None
    cluster: str | None
    progress: Progress | None

    def run(self, settings: Sequence[Mapping[str, Any]], seeds: Sequence[int],
            phase: str) -> dict[str, list[JobResult]]:
        jobs = [Job(self.ref, seed, (), setting) for setting in settings for seed in seeds]
        report = self.progress
        small = len(jobs) < SMALL_BATCH and self.cluster is None
        results = run_many(jobs, workers=1 if small else self.workers, cluster=self.cluster,
                           progress=(lambda d, t: report(phase, d, t)) if report else None)
        n = len(seeds)
        return {_key(setting): results[i * n:(i + 1) * n] for i, setting in enumerate(settings)}


def _shortfall(level: Level, result: JobResult) -> float:
    """How far a run's metrics miss the level's requirements (0: all met), relative to each."""
    total = 0.0
    for req in level.requirements:
        value = result.metrics.get(req.metric)
        if not isinstance(value, int | float):
            total += 1.0
        elif req.max is not None and value > req.max:
            total += (value - req.max) / max(abs(req.max), 1)
        elif req.min is not None and value < req.min:
            total += (req.min - value) / max(abs(req.min), 1)
    return total


def _merit(level: Level, runs: Sequence[JobResult]
           ) -> tuple[int, bool, float, tuple[float, ...], int]:
    """Sort key, best first: seeds won, no violation, closest to the requirements, the lowest
    par metrics, fewest messages. Par's values play no part (par is set from the result)."""
    home = runs[0]
    metrics = tuple(float(v) if isinstance(v := home.metrics.get(m), int | float)
                    else float("inf") for m in level.par.get("metrics", {}))
    return (-sum(1 for r in runs if r.outcome == "won"), home.violation_tick is not None,
            _shortfall(level, home), metrics, int(home.metrics.get("messages", 0)))


def _report(level: Level, seeds: Sequence[int], grid: int, sampled: tuple[int, int],
            runs: Mapping[str, list[JobResult]], seconds: float) -> KeepReport:
    winners: list[Setting] = []
    best: dict[str, Best] = {}
    metric_names = list(level.par.get("metrics", {}))
    tracked = ["messages", *metric_names]
    optimum: tuple[tuple[float, ...], Optimum] | None = None
    for key in sorted(runs):
        results = runs[key]
        home = results[0]
        setting = dict(home.job.knobs or {})
        if home.outcome != "won":
            continue
        for metric in tracked:
            value = home.metrics.get(metric)
            if isinstance(value, int | float) and (
                    metric not in best or value < best[metric].value):
                par = (level.par.get("messages") if metric == "messages"
                       else level.par.get("metrics", {}).get(metric))
                best[metric] = Best(metric, value, setting, par)
        found = Optimum(setting, int(home.metrics.get("messages", 0)),
                        {m: float(home.metrics.get(m, float("inf"))) for m in metric_names})
        rank = (*found.metrics.values(), found.messages)
        if optimum is None or rank < optimum[0]:
            optimum = (rank, found)
        code = Attempt(level.id, None, setting).to_share_code()
        winners.append(Setting(setting, sum(1 for r in results if r.outcome == "won"),
                               home.stars, int(home.metrics.get("messages", 0)), code))
    winners.sort(key=lambda s: (-s.seeds_won, -s.stars, s.messages, _key(s.knobs)))
    return KeepReport(
        level=level.id, seeds=tuple(seeds), grid=grid, tried=len(runs),
        sampled=sampled[0], sampled_won=sampled[1],
        runs=len(runs) * len(seeds), won_home=len(winners),
        won_everywhere=sum(1 for s in winners if s.seeds_won == len(seeds)),
        winners=tuple(winners[:MAX_SHOWN]),
        best=tuple(best[m] for m in tracked if m in best),
        optimum=optimum[1] if optimum else None, seconds=seconds,
    )
