"""The batch runner: the same results (same trace hashes, same order) in this process and in a
pool of workers, refused moves reported as such, bad level files as one clean error."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from playground.game.campaign import Campaign, load_campaign
from playground.game.errors import LevelError
from playground.game.session import Session
from playground.game.solve_health import reference_job
from playground.game.sweep import Job, JobResult, run_many
from playground.game.sweep_cluster import ClusterError
from playground.game.verify import level_check, verify_campaign
from playground.sim import Action

CAMPAIGN = load_campaign()
PARTITION = Action.make(1000, "partition", "*", groups=[["n3", "n1"], ["n2", "n4", "n5"]])


def mixed_jobs() -> list[Job]:
    """Break and keep levels, several seeds and knob settings, a refused move among them."""
    jobs = [Job("split-brain", seed=seed, actions=(PARTITION,)) for seed in (1, 2, 3)]
    jobs += [Job("tune-the-timeout", seed=seed, knobs={"timeout_ms": timeout})
             for timeout in (120, 300) for seed in (1, 2, 3, 4)]
    jobs += [Job("split-brain", actions=(Action.make(5, "crash", "n1"),)),
             Job("three-generals"), Job(CAMPAIGN.get("stay-up").path, seed=7)]
    return jobs


def test_a_job_reports_what_playground_run_reports() -> None:
    level = CAMPAIGN.get("split-brain")
    session = Session.from_attempt(level, CAMPAIGN.solution("split-brain"))
    session.run_to_end()
    expected = session.result()
    [result] = run_many([Job("split-brain", actions=CAMPAIGN.solution("split-brain").actions)],
                        workers=1)
    assert result.outcome == expected["outcome"] == "won"
    assert result.reason == expected["reason"]
    assert result.trace_sha256 == expected["trace_sha256"]
    assert result.stars == expected["stars"] and result.score == expected["score"]
    assert result.violation_tick == expected["violations"][0]["tick"]
    assert result.end_tick == expected["ticks"]
    assert result.metrics["messages"] == expected["messages"]


def test_a_pool_gives_the_same_results_in_the_same_order_as_one_process() -> None:
    jobs = mixed_jobs()
    serial = run_many(jobs, workers=1)
    pooled = run_many(jobs, workers=2)
    assert pooled == serial
    assert [r.job for r in pooled] == jobs
    assert len({r.trace_sha256 for r in serial if r.outcome != "refused"}) == len(jobs) - 1
    again = run_many(list(reversed(jobs)), workers=2)
    assert again == list(reversed(serial))


def test_outcomes_follow_the_moves_and_knobs() -> None:
    by_job = {r.job: r for r in run_many(mixed_jobs(), workers=1)
              if r.job.level == "tune-the-timeout"}
    short = [r for r in by_job.values() if r.job.knobs == {"timeout_ms": 120}]
    assert all(r.outcome == "lost" and "suspected" in r.reason for r in short)
    assert all(r.violation_tick is not None and r.violation_tick < 1000 for r in short)
    generous = [r for r in by_job.values() if r.job.knobs == {"timeout_ms": 300}]
    assert all(r.metrics["false_suspicions"] == 0 for r in generous)
    assert [r.seed for r in generous] == [1, 2, 3, 4]


def test_moves_and_knobs_the_level_does_not_allow_are_refused_not_run() -> None:
    results = run_many([
        Job("split-brain", actions=(Action.make(5, "crash", "n1"),)),
        Job("tune-the-timeout", actions=(PARTITION,)),
        Job("tune-the-timeout", knobs={"timeout_ms": 5}),
        Job("split-brain", actions=(PARTITION,)),
    ], workers=2)
    assert [r.outcome for r in results] == ["refused", "refused", "refused", "won"]
    assert "no crash in this level's toolbox" in results[0].reason
    assert "KEEP IT" in results[1].reason
    assert "timeout_ms must be >= 50" in results[2].reason
    assert all(r.trace_sha256 == "" and r.stars == 0 for r in results[:3])


@pytest.mark.parametrize("workers", [1, 2])
def test_a_bad_level_is_one_clean_error_before_anything_runs(tmp_path: Path,
                                                             workers: int) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('id = "broken"\nticks = "many"\n')
    with pytest.raises(LevelError) as caught:
        run_many([Job("split-brain"), Job(str(broken))], workers=workers)
    assert str(caught.value).startswith(f"{broken}:")
    with pytest.raises(LevelError, match=r"missing\.toml: cannot read"):
        run_many([Job(str(tmp_path / "missing.toml"))], workers=workers)
    with pytest.raises(LevelError, match="no level 'no-such-level' in the campaign"):
        run_many([Job("no-such-level")], workers=workers)


def test_a_level_file_outside_the_campaign_runs_like_the_campaign_one(tmp_path: Path) -> None:
    copy = tmp_path / "my-level.toml"
    copy.write_text(Path(CAMPAIGN.get("split-brain").path).read_text())
    mine, shipped = run_many([Job(str(copy), actions=(PARTITION,)),
                              Job("split-brain", actions=(PARTITION,))], workers=2)
    assert mine.trace_sha256 == shipped.trace_sha256 and mine.outcome == "won"


def test_keep_trace_returns_the_jsonl_lines_of_the_run(tmp_path: Path) -> None:
    kept, bare = run_many([Job("three-generals", keep_trace=True), Job("three-generals")],
                          workers=2)
    assert bare.trace is None and kept.trace_sha256 == bare.trace_sha256
    assert kept.trace is not None
    events = [json.loads(line) for line in kept.trace]
    assert events[0]["kind"] == "start" and len(events) > 10
    session = Session(CAMPAIGN.get("three-generals"))
    session.run_to_end()
    assert len(events) == len(session.world.trace)


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_counts_every_job_once_up_to_the_total(workers: int) -> None:
    jobs = mixed_jobs()
    seen: list[tuple[int, int]] = []
    run_many(jobs, workers=workers, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(jobs), len(jobs))
    assert [d for d, _ in seen] == sorted({d for d, _ in seen})


def test_no_jobs_no_results() -> None:
    assert run_many([]) == []
    assert JobResult.__dataclass_fields__.keys() >= {
        "job", "outcome", "reason", "stars", "metrics", "trace_sha256", "violation_tick",
        "end_tick"}


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    """The address of a Dask cluster of two worker processes on this machine."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


def test_a_dask_cluster_gives_the_same_results_as_the_local_pool(dask_scheduler: str) -> None:
    jobs = [*mixed_jobs(), Job("three-generals", keep_trace=True)]
    seen: list[int] = []
    on_cluster = run_many(jobs, cluster=dask_scheduler,
                          progress=lambda done, _total: seen.append(done))
    assert on_cluster == run_many(jobs, workers=2)
    assert seen[-1] == len(jobs)


def test_an_unreachable_scheduler_is_one_clean_error() -> None:
    pytest.importorskip("distributed")
    with pytest.raises(ClusterError,
                       match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9: "):
        run_many([Job("three-generals")], cluster="tcp://127.0.0.1:9")


def test_without_the_cluster_extra_the_error_says_how_to_install_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    with pytest.raises(ClusterError, match=r"pip install 'distsys-playground\[cluster\]'"):
        run_many([Job("three-generals")], cluster="tcp://127.0.0.1:8786")


def test_verify_on_a_dask_cluster_reports_what_one_process_reports(dask_scheduler: str) -> None:
    some = Campaign(tuple(CAMPAIGN.get(i) for i in ("three-generals", "circuit", "stay-up")),
                    CAMPAIGN.folder)
    here = verify_campaign(some, workers=1)
    assert [r["ok"] for r in here] == [True, True, True]
    assert verify_campaign(some, cluster=dask_scheduler) == here


def test_each_result_tells_its_cost_and_which_process_ran_it() -> None:
    jobs = [Job("three-generals"), Job("split-brain", actions=(PARTITION,))]
    here = run_many(jobs, workers=1)
    assert {r.worker for r in here} == {os.getpid()}
    assert all(r.cpu_s > 0 for r in here)
    pooled = run_many(jobs, workers=2)
    assert pooled == here  # the cost and the process are not part of the result
    assert os.getpid() not in {r.worker for r in pooled}


def test_no_knobs_and_empty_knobs_are_one_job_with_one_result() -> None:
    empty, none = Job("tune-the-timeout", seed=2, knobs={}), Job("tune-the-timeout", seed=2)
    assert empty == none and hash(empty) == hash(none) and len({empty, none}) == 1
    first, second = run_many([empty, none], workers=1)
    assert first == second and first.outcome in ("won", "lost")


def test_verify_and_the_solver_health_run_the_same_job_for_each_reference_solution() -> None:
    for level in CAMPAIGN.levels:
        if level.mode == "sandbox":
            continue
        attempt = CAMPAIGN.solution(level.id)
        job = Job.from_attempt(level.path, attempt)
        assert (job.seed, job.actions, job.claim, job.reason) == (
            attempt.seed, attempt.actions, attempt.claim, attempt.reason)
        assert job.knobs == (attempt.knobs or None)
        assert level_check(CAMPAIGN, level).jobs[0] == job == reference_job(CAMPAIGN, level)
