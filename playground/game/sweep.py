"""One batch runner for every sweep (verify, solve, multi-seed verdicts): ``run_many(jobs)``.

A :class:`Job` is a level with a seed, player moves or knob settings; its :class:`JobResult` is
what ``playground run`` would report for it. The jobs run in this process (``workers=1``), in a
pool of local processes (the default: every core) or on a Dask cluster (``cluster=ADDRESS``,
the ``[cluster]`` extra); the results come back in job order and are the same — same trace
hashes — whichever runs them. Level files are read once here and sent with the jobs, so a
worker never needs the caller's files and parses each level once.
"""

from __future__ import annotations

import functools
import io
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playground.game.errors import LevelError
from playground.game.level import Level, parse_level
from playground.game.reader import read_text
from playground.game.session import Refused, Session
from playground.sim import Action, SimError, World
from playground.sim.actions import freeze_value

if TYPE_CHECKING:
    from playground.game.actionfile import Attempt

Progress = Callable[[int, int], None]

#: Chunks per worker: enough that a slow chunk does not leave the other workers idle at the
#: end, few enough that each chunk's IPC is small beside its simulation time.
CHUNKS_PER_WORKER = 8


@dataclass(frozen=True)
class Job:
    """One run to make: a level, a seed, and the player's moves or knobs.

    No knobs and empty knobs are the same run, so they are the same job: ``knobs={}`` is
    kept as ``None`` (equal jobs, equal hashes, equal results)."""

    level: str                      # a campaign level id, or a path to a level .toml file
    seed: int | None = None         # None: the level's own seed
    actions: tuple[Action, ...] = ()  # playground.sim.Action moves (BREAK IT)
    knobs: Mapping[str, Any] | None = None  # KEEP IT knob settings (None: the level's defaults)
    keep_trace: bool = False        # include the trace (jsonl lines) in the result
    claim: str | None = None        # "unbreakable": the player claims a BREAK IT level holds
    reason: int | None = None       # the claim's reason: a number among the level's reasons

    def __post_init__(self) -> None:
        if self.knobs is not None and not self.knobs:
            object.__setattr__(self, "knobs", None)

    @classmethod
    def from_attempt(cls, level: str, attempt: Attempt, seed: int | None = None) -> Job:
        """The run of a player's ``attempt`` (a reference solution, a share code) on
        ``level`` (an id or a file path): its seed, moves, knobs and claim; ``seed`` plays
        it on another seed instead."""
        return cls(level, attempt.seed if seed is None else seed, attempt.actions,
                   attempt.knobs, claim=attempt.claim, reason=attempt.reason)

    def __hash__(self) -> int:  # knobs is a mapping: hash its sorted pairs
        knobs = None if self.knobs is None else freeze_value(self.knobs)
        return hash((self.level, self.seed, self.actions, knobs, self.keep_trace, self.claim,
                     self.reason))


@dataclass(frozen=True)
class JobResult:
    """How one job went, as ``playground run --json`` would tell it."""

    job: Job
    outcome: str                    # "won" | "lost" | "refused" ("done" for the sandbox)
    reason: str                     # the outcome's reason in words (or why it was refused)
    stars: int
    metrics: Mapping[str, Any]
    trace_sha256: str
    violation_tick: int | None      # first violation's tick, if any
    end_tick: int                   # the tick the outcome was settled (else the level's end)
    seed: int = 0                   # the seed the run used
    score: int = 0
    trace: tuple[str, ...] | None = field(default=None, repr=False)  # jsonl lines if kept
    # What the run cost and where it ran (not part of the result: equal results may differ).
    cpu_s: float = field(default=0.0, compare=False, repr=False)  # CPU seconds of the run
    worker: int = field(default=0, compare=False, repr=False)  # id of the process that ran it


@dataclass(frozen=True)
class _Source:
    """A level file's text, read by the caller: workers parse it without the file."""

    path: str
    text: str


_Chunk = tuple[dict[str, _Source], list[tuple[str, Job]]]


def level_source_path(spec: str) -> Path:
    """The level file a job's ``level`` names. Raises :class:`LevelError` if there is none."""
    from playground.game.campaign import levels_dir

    if spec.endswith(".toml") or os.sep in spec:
        return Path(spec)
    folder = levels_dir()
    path = folder / f"{spec}.toml"
    if not path.is_file():
        raise LevelError(folder / "campaign.toml", None, f"no level {spec!r} in the campaign")
    return path


def _read_sources(jobs: Sequence[Job]) -> dict[str, _Source]:
    """Each distinct level of ``jobs`` read once (checked here, so a bad file fails early)."""
    sources: dict[str, _Source] = {}
    for job in jobs:
        if job.level not in sources:
            path = level_source_path(job.level)
            source = _Source(str(path), read_text(path, LevelError))
            _level(source)
            sources[job.level] = source
    return sources


@functools.lru_cache(maxsize=64)
def _level(source: _Source) -> Level:
    """The parsed level; each process parses each level text once (a few dozen kept)."""
    return parse_level(source.text, source.path)


def run_job(level: Level, job: Job) -> JobResult:
    """Run one job on an already loaded level, in this process."""
    started = time.process_time()
    seed = level.seed if job.seed is None else job.seed
    try:
        session = Session(level, seed, job.knobs, job.actions, job.claim, job.reason,
                          snapshot_every=level.ticks + 1, max_snapshots=2)
    except (Refused, SimError) as exc:
        return JobResult(job, "refused", str(exc), 0, {}, "", None, 0, seed,
                         cpu_s=time.process_time() - started, worker=os.getpid())
    session.run_to_end()
    world = session.world
    outcome = session.outcome()
    score = session.score()
    violations = world.violations
    trace = _jsonl_lines(world) if job.keep_trace else None
    return JobResult(
        job=job,
        outcome=outcome.state,
        reason=outcome.reason,
        stars=score.stars,
        metrics=session.metrics(),
        trace_sha256=world.trace.sha256(),
        violation_tick=violations[0].tick if violations else None,
        end_tick=outcome.tick if outcome.tick is not None else world.now,
        seed=seed,
        score=score.points,
        trace=trace,
        cpu_s=time.process_time() - started,
        worker=os.getpid(),
    )


def _jsonl_lines(world: World) -> tuple[str, ...]:
    out = io.StringIO()
    world.trace.write_jsonl(out)
    return tuple(out.getvalue().splitlines())


def _run_chunk(chunk: _Chunk) -> list[JobResult]:
    """A worker's task: run a chunk of jobs, parsing each level once per process."""
    sources, items = chunk
    return [run_job(_level(sources[key]), job) for key, job in items]


def _plan(jobs: Sequence[Job], sources: dict[str, _Source], workers: int
          ) -> list[tuple[int, _Chunk]]:
    """Consecutive jobs cut into about ``CHUNKS_PER_WORKER * workers`` chunks of similar cost
    (a run costs about its level's ticks), each with its levels; numbered in job order and
    listed costliest first, so a long chunk does not start last and keep the others waiting."""
    costs = [_level(sources[job.level]).ticks for job in jobs]
    share = sum(costs) / max(1, min(len(jobs), CHUNKS_PER_WORKER * workers))
    spans: list[tuple[int, int, int]] = []  # (cost, start, end)
    start, spent = 0, 0
    for index, cost in enumerate(costs):
        spent += cost
        if spent >= share * (len(spans) + 1) or index == len(jobs) - 1:
            spans.append((sum(costs[start:index + 1]), start, index + 1))
            start = index + 1
    chunks = []
    for number, (cost, first, end) in enumerate(spans):
        items = [(job.level, job) for job in jobs[first:end]]
        chunks.append((-cost, number, ({key: sources[key] for key, _ in items}, items)))
    return [(number, chunk) for _, number, chunk in sorted(chunks, key=lambda c: c[:2])]


def _in_process(jobs: Sequence[Job], sources: dict[str, _Source],
                progress: Progress | None) -> Iterator[list[JobResult]]:
    for index, job in enumerate(jobs):
        yield [run_job(_level(sources[job.level]), job)]
        if progress:
            progress(index + 1, len(jobs))


def _gather(chunk_count: int, results: Iterator[tuple[int, list[JobResult]]], total: int,
            progress: Progress | None) -> list[JobResult]:
    """Put chunk results back in job order, reporting progress as chunks finish."""
    by_chunk: dict[int, list[JobResult]] = {}
    done = 0
    for index, chunk_results in results:
        by_chunk[index] = chunk_results
        done += len(chunk_results)
        if progress:
            progress(done, total)
    return [result for index in range(chunk_count) for result in by_chunk[index]]


def _local_pool(plan: list[tuple[int, _Chunk]], workers: int
                ) -> Iterator[tuple[int, list[JobResult]]]:
    from concurrent.futures import ProcessPoolExecutor, as_completed  # not in the game

    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_run_chunk, chunk): number for number, chunk in plan}
        for future in as_completed(futures):
            yield futures[future], future.result()


def local_workers() -> int:
    """How many processes the default pool uses: every core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run_many(jobs: Sequence[Job], *, workers: int | None = None, cluster: str | None = None,
             progress: Progress | None = None) -> list[JobResult]:
    """Run ``jobs``; results in job order, the same whatever runs them.

    ``workers``: local processes (None: every core; 1: in this process). ``cluster``: a Dask
    scheduler address (``tcp://HOST:8786``) to send the jobs to instead. ``progress(done,
    total)`` is called as jobs finish. A level that cannot be read raises :class:`LevelError`
    before anything runs; a move or knob the level does not allow gives outcome ``refused``.
    """
    jobs = list(jobs)
    sources = _read_sources(jobs)
    if not jobs:
        return []
    if cluster is not None:
        from playground.game.sweep_cluster import cluster_results, connect, worker_threads

        with connect(cluster) as client:
            plan = _plan(jobs, sources, worker_threads(client))
            results = cluster_results(client, _run_chunk, plan)
            return _gather(len(plan), results, len(jobs), progress)
    count = local_workers() if workers is None else max(1, workers)
    count = min(count, len(jobs))
    if count == 1:
        return [r for rs in _in_process(jobs, sources, progress) for r in rs]
    plan = _plan(jobs, sources, count)
    return _gather(len(plan), _local_pool(plan, count), len(jobs), progress)
