"""Verification of the campaign: every reference solution wins, doing nothing loses, two
runs of the same attempt give the same trace hash, and the solver finds the level healthy
(:mod:`playground.game.solve_health`). All runs go through
:func:`~playground.game.sweep.run_many`, so they share the local cores or a cluster."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from playground.game.campaign import Campaign, load_campaign
from playground.game.errors import GameFileError
from playground.game.level import Level
from playground.game.solve_health import add_health
from playground.game.sweep import Job, JobResult, Progress, run_many
from playground.game.verdict import SeedRun, SeedVerdict, verdict_reason


@attrs.frozen
class LevelCheck:
    """The runs that check one level, and how to judge their results."""

    level: Level
    jobs: tuple[Job, ...]
    judge: Callable[[Sequence[JobResult]], dict[str, Any]]


def _sandbox_check(level: Level) -> LevelCheck:
    def judge(results: Sequence[JobResult]) -> dict[str, Any]:
        first, again = results
        same = first.trace_sha256 == again.trace_sha256
        return {"problems": [] if same else ["two runs gave different trace hashes"]}

    job = Job(level.path)
    return LevelCheck(level, (job, job), judge)


def level_check(campaign: Campaign, level: Level) -> LevelCheck:
    """Run the reference solution twice (it must win, both times alike) and nothing once."""
    if level.mode == "sandbox":
        return _sandbox_check(level)
    try:
        attempt = campaign.solution(level.id)
    except GameFileError as exc:
        problem = f"reference solution: {exc}"
        return LevelCheck(level, (), lambda _results: {"problems": [problem]})
    if attempt.level != level.id:
        problem = (f"reference solution refused: these actions are for level "
                   f"{attempt.level!r}, not {level.id!r}")
        return LevelCheck(level, (), lambda _results: {"problems": [problem]})
    solution = Job.from_attempt(level.path, attempt)
    idle = Job(level.path, attempt.seed)
    # A KEEP IT level stated over N seeds: the solution must hold on all of them.
    over_seeds = tuple(Job.from_attempt(level.path, attempt, seed)
                       for seed in level.verdict_seeds) if level.seeds > 1 else ()

    def judge(results: Sequence[JobResult]) -> dict[str, Any]:
        first, again, empty, *seed_runs = results
        if first.outcome == "refused":
            return {"problems": [f"reference solution refused: {first.reason}"]}
        problems = []
        if first.outcome != "won":
            problems.append(f"the reference solution does not win: {first.reason}")
        if first.trace_sha256 != again.trace_sha256:
            problems.append("two runs of the solution gave different trace hashes")
        if empty.outcome == "won":
            problems.append("doing nothing wins")
        seeds = SeedVerdict(level.id, attempt.knobs, tuple(SeedRun.of(r) for r in seed_runs))
        if seed_runs and not seeds.won_all:
            problems.append(f"the reference solution does not hold on every seed: "
                            f"{verdict_reason(seeds)}")
        return {
            "solution": {"outcome": first.outcome, "reason": first.reason,
                         "stars": first.stars, "trace_sha256": first.trace_sha256},
            "empty": {"outcome": empty.outcome, "reason": empty.reason},
            "problems": problems,
        }

    return LevelCheck(level, (solution, solution, idle, *over_seeds), judge)


def _verify(campaign: Campaign, levels: Sequence[Level], *, workers: int | None,
            cluster: str | None, progress: Progress | None) -> list[dict[str, Any]]:
    checks = [level_check(campaign, level) for level in levels]
    results = run_many([job for check in checks for job in check.jobs], workers=workers,
                       cluster=cluster, progress=progress)
    reports = []
    start = 0
    for check in checks:
        verdict = check.judge(results[start:start + len(check.jobs)])
        start += len(check.jobs)
        reports.append({"level": check.level.id, "mode": check.level.mode, **verdict,
                        "ok": not verdict["problems"]})
    add_health(campaign, levels, reports, workers=workers, cluster=cluster)
    return reports


def verify_level(folder: str, level_id: str) -> dict[str, Any]:
    """Check one level in this process; returns a report dict with ``ok`` and the problems."""
    campaign = load_campaign(Path(folder))
    [report] = _verify(campaign, [campaign.get(level_id)], workers=1, cluster=None,
                       progress=None)
    return report


def verify_campaign(campaign: Campaign, *, workers: int | None = None, cluster: str | None = None,
                    progress: Progress | None = None) -> list[dict[str, Any]]:
    """Verify every level, on ``workers`` local processes (None: every core) or a Dask
    ``cluster``; ``progress(done, total)`` counts runs."""
    return _verify(campaign, campaign.levels, workers=workers, cluster=cluster,
                   progress=progress)
