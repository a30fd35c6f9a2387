"""A stand-in for the shared batch runner (``playground.game.sweep``) until it lands.

Same names and signatures as the real one (:class:`Job`, :class:`JobResult`, :func:`run_many`),
so the solver switches to it by changing one import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from playground.game.level import Level, load_level
from playground.game.session import Refused, Session
from playground.sim import Action


@dataclass(frozen=True)
class Job:
    """One run: a level (campaign id or file path), a seed, actions and knobs."""

    level: str
    seed: int | None = None
    actions: tuple[Action, ...] = ()
    knobs: Mapping[str, Any] | None = None
    keep_trace: bool = False


@dataclass(frozen=True)
class JobResult:
    """How one run went."""

    job: Job
    outcome: str
    reason: str
    stars: int
    metrics: Mapping[str, Any]
    trace_sha256: str
    violation_tick: int | None
    end_tick: int


@lru_cache(maxsize=16)
def _level(ref: str) -> Level:
    if ref.endswith(".toml"):
        return load_level(ref)
    from playground.game.campaign import load_campaign

    return load_campaign().get(ref)


def run_job(job: Job) -> JobResult:
    """Run one job in this process."""
    level = _level(job.level)
    try:
        session = Session(level, job.seed, job.knobs, job.actions)
    except Refused as exc:
        return JobResult(job, "refused", str(exc), 0, {}, "", None, 0)
    session.run_to_end()
    outcome = session.outcome()
    world = session.world
    first = world.violations[0].tick if world.violations else None
    return JobResult(job, outcome.state, outcome.reason, session.score().stars,
                     session.metrics(), world.trace.sha256(), first, world.now)


def _run_chunk(jobs: list[Job]) -> list[JobResult]:
    return [run_job(job) for job in jobs]


def run_many(jobs: Sequence[Job], *, workers: int | None = None, cluster: str | None = None,
             progress: Callable[[int, int], None] | None = None) -> list[JobResult]:
    """Run ``jobs`` (results in job order) on ``workers`` processes (1: in this process)."""
    del cluster
    jobs = list(jobs)
    if workers == 1 or len(jobs) < 8:
        out = []
        for done, job in enumerate(jobs, start=1):
            out.append(run_job(job))
            if progress:
                progress(done, len(jobs))
        return out
    size = max(1, len(jobs) // ((workers or 2) * 4))
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    results: list[JobResult] = []
    with ProcessPoolExecutor(max_workers=workers or 2) as pool:
        for chunk in pool.map(_run_chunk, chunks):
            results.extend(chunk)
            if progress:
                progress(len(results), len(jobs))
    return results
