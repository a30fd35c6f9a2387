"""Multi-seed KEEP IT verdicts: do these knob settings hold on every seed, not just the level's?

One seed is one run of the network's randomness; a setting that wins on one seed may lose on
the next. :func:`verdict_over_seeds` runs the same knobs on many seeds (one
:func:`~playground.game.sweep.run_many` batch) and keeps each seed's outcome and metrics.
A level with ``seeds = N`` is judged this way by ``playground run``, ``verify`` and the game
(:func:`level_verdict`): it is won only if the knobs win on all N seeds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from playground.game import words
from playground.game.level import Level
from playground.game.sweep import Job, JobResult, Progress, run_many


@dataclass(frozen=True)
class SeedRun:
    """How one seed went."""

    seed: int
    outcome: str                    # "won" | "lost" | "refused"
    reason: str
    metrics: Mapping[str, Any]
    violation_tick: int | None

    @classmethod
    def of(cls, result: JobResult) -> SeedRun:
        return cls(result.seed, result.outcome, result.reason, result.metrics,
                   result.violation_tick)


@dataclass(frozen=True)
class SeedVerdict:
    """One knob setting of one level, judged over several seeds (in the order given)."""

    level: str
    knobs: Mapping[str, Any]
    runs: tuple[SeedRun, ...]

    @property
    def seeds(self) -> tuple[int, ...]:
        return tuple(run.seed for run in self.runs)

    @property
    def wins(self) -> int:
        return sum(run.outcome == "won" for run in self.runs)

    @property
    def won_all(self) -> bool:
        return bool(self.runs) and self.wins == len(self.runs)

    @property
    def lost(self) -> tuple[SeedRun, ...]:
        """The seeds that did not win (lost or refused)."""
        return tuple(run for run in self.runs if run.outcome != "won")

    def values(self, metric: str) -> tuple[Any, ...]:
        """``metric`` on each seed (``None`` where the run did not measure it)."""
        return tuple(run.metrics.get(metric) for run in self.runs)

    def summary(self) -> str:
        """One line in words, e.g. ``won on 7 of 8 seeds; seed 2 lost: …``."""
        line = f"won on {self.wins} of {len(self.runs)} seeds"
        if self.lost:
            first = self.lost[0]
            line += f"; seed {first.seed} {first.outcome}: {first.reason}"
        return line


def verdicts_over_seeds(level: str, settings: Sequence[Mapping[str, Any]], seeds: Iterable[int],
                        *, workers: int | None = None, cluster: str | None = None,
                        progress: Progress | None = None
                        ) -> list[SeedVerdict]:
    """A :class:`SeedVerdict` for each knob setting, all run in one batch."""
    seeds = tuple(seeds)
    jobs = [Job(level, seed, knobs=dict(knobs)) for knobs in settings for seed in seeds]
    results = run_many(jobs, workers=workers, cluster=cluster, progress=progress)
    return [SeedVerdict(level, dict(knobs),
                        tuple(SeedRun.of(r) for r in results[i * len(seeds):(i + 1) * len(seeds)]))
            for i, knobs in enumerate(settings)]


def verdict_over_seeds(level: str, knobs: Mapping[str, Any], seeds: Iterable[int], *,
                       workers: int | None = None, cluster: str | None = None,
                       progress: Progress | None = None
                       ) -> SeedVerdict:
    """How ``knobs`` fare on each of ``seeds`` of ``level`` (an id or a level file path)."""
    [verdict] = verdicts_over_seeds(level, [knobs], seeds, workers=workers, cluster=cluster,
                                    progress=progress)
    return verdict


def key_metric(level: Level) -> str:
    """The metric a KEEP IT level is about (the debrief's histogram shows it): its first
    requirement with an upper bound (a latency, a detection time), else its first
    requirement, else its first par metric, else ``messages``."""
    capped = [r.metric for r in level.requirements if r.max is not None]
    metrics = [*capped, *(r.metric for r in level.requirements), *level.par.get("metrics", {})]
    return next(iter(metrics), "messages")


def level_verdict(level: Level, knobs: Mapping[str, Any], *, workers: int | None = None,
                  progress: Progress | None = None) -> SeedVerdict:
    """How ``knobs`` fare on each of the level's verdict seeds (``seeds = N`` from ``seed``)."""
    return verdict_over_seeds(level.path, knobs, level.verdict_seeds, workers=workers,
                              progress=progress)


def verdict_reason(verdict: SeedVerdict) -> str:
    """The outcome's reason in words: ``held on all 20 seeds`` or which seeds lost and why."""
    if verdict.won_all:
        return f"held on all {len(verdict.runs)} seeds"
    lost = verdict.lost
    first = lost[0]
    seeds = words.value([run.seed for run in lost])
    return (f"lost on {len(lost)} of {len(verdict.runs)} seeds ({seeds}); "
            f"seed {first.seed}: {first.reason}")


def seeds_summary(level: Level, verdict: SeedVerdict) -> dict[str, Any]:
    """The verdict as ``run --json`` reports it under ``seeds``."""
    metric = key_metric(level)
    return {"first": verdict.seeds[0], "last": verdict.seeds[-1], "won": verdict.wins,
            "metric": metric,
            "runs": [{"seed": run.seed, "outcome": run.outcome, "reason": run.reason,
                      metric: run.metrics.get(metric)} for run in verdict.runs]}


def judge_over_seeds(level: Level, result: dict[str, Any], knobs: Mapping[str, Any], *,
                     workers: int | None = None) -> dict[str, Any]:
    """``result`` (one run's ``run --json``) judged over the level's seeds: lost, with no
    score, unless the knobs win on every one of them."""
    verdict = level_verdict(level, knobs, workers=workers)
    judged = {**result, "seeds": seeds_summary(level, verdict)}
    if verdict.won_all:
        judged["reason"] = f"{result['reason']}, on all {len(verdict.runs)} seeds"
    else:
        judged.update(outcome="lost", reason=verdict_reason(verdict), score=0, stars=0)
    return judged
