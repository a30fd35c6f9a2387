"""Sweep throughput: runs per second of ``run_many`` in one process, on a local pool and on a
Dask LocalCluster, measured in the same run.

Workload: every campaign level but the sandbox, each with its reference solution on seeds
1..--seeds (a verify-like batch of short runs of uneven length). The one-process run is the
baseline; scaling efficiency on N workers is ``rate(N) / (N * rate(1))``. Every executor must
return the same results (trace hashes, order) as the baseline, or the benchmark fails.

    python benchmarks/sweep.py [--seeds 4] [--repeat 3] [--no-cluster] [--json]

Prints a table (or, with --json, one object: jobs, cores, runs_per_s_1, runs_per_s_2,
runs_per_s_all, runs_per_s_cluster, efficiency_2, efficiency_all, efficiency_cluster, ...).
Best of --repeat runs per executor; the cluster's start-up is not counted, its connection is.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.game.campaign import load_campaign
from playground.game.sweep import Job, JobResult, local_workers, run_many


def workload(seeds: int) -> list[Job]:
    campaign = load_campaign()
    jobs = []
    for level in campaign.levels:
        if level.mode == "sandbox":
            continue
        attempt = campaign.solution(level.id)
        jobs += [Job(level.id, seed, attempt.actions, attempt.knobs, claim=attempt.claim)
                 for seed in range(1, seeds + 1)]
    return jobs


@dataclass
class Measured:
    """One executor's best run: its wall time, the CPU it took, and its results."""

    wall_s: float
    cpu_s: float                    # this process and its finished children
    results: list[JobResult]

    def dedicated_wall_s(self, costs: list[float], workers: int, outside_known: bool) -> float:
        """The wall time had each worker a core of its own: the busiest worker's jobs (each
        costing what it cost in one process, so a crowded machine does not inflate it), plus
        the CPU spent outside jobs (start-up, IPC) shared out over the workers."""
        busy: dict[int, float] = defaultdict(float)
        for result, cost in zip(self.results, costs, strict=True):
            busy[result.worker] += cost
        outside = self.cpu_s - sum(r.cpu_s for r in self.results) if outside_known else 0.0
        return max(busy.values()) + max(0.0, outside) / workers


def _cpu_now() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def best_of(repeat: int, run: Callable[[], list[JobResult]], expected: list[JobResult] | None
            ) -> Measured:
    best: Measured | None = None
    for _ in range(repeat):
        cpu, start = _cpu_now(), time.perf_counter()
        results = run()
        wall, cpu = time.perf_counter() - start, _cpu_now() - cpu
        if expected is not None and results != expected:
            raise SystemExit("sweep benchmark: results differ from the one-process run")
        if best is None or wall < best.wall_s:
            best = Measured(wall, cpu, results)
    assert best is not None
    return best


def measure(seeds: int, repeat: int, cluster: bool) -> dict[str, object]:
    jobs = workload(seeds)
    cores = local_workers()
    load_before = os.getloadavg()[0]
    one = best_of(repeat, lambda: run_many(jobs, workers=1), None)
    result: dict[str, object] = {
        "jobs": len(jobs), "cores": cores, "wall_s_1": round(one.wall_s, 3),
        "runs_per_s_1": round(len(jobs) / one.wall_s, 1), "cpu_s_1": round(one.cpu_s, 3),
        "cpu_share_1": round(one.cpu_s / one.wall_s, 2)}

    costs = [r.cpu_s for r in one.results]

    def record(name: str, workers: int, run: Measured, cpu_known: bool = True) -> None:
        """``cpu_known``: the workers are our children (a cluster's are not: its CPU outside
        jobs is not counted)."""
        result[f"wall_s_{name}"] = round(run.wall_s, 3)
        result[f"runs_per_s_{name}"] = round(len(jobs) / run.wall_s, 1)
        result[f"efficiency_{name}"] = round(one.wall_s / (workers * run.wall_s), 3)
        if cpu_known:
            result[f"cpu_overhead_{name}"] = round(run.cpu_s / one.cpu_s - 1, 3)
        dedicated = run.dedicated_wall_s(costs, workers, cpu_known)
        result[f"workers_used_{name}"] = len({r.worker for r in run.results})
        result[f"efficiency_{name}_dedicated"] = round(one.cpu_s / (workers * dedicated), 3)

    two = min(2, cores)
    record("2", two, best_of(repeat, lambda: run_many(jobs, workers=two), one.results))
    if cores == two:  # all local cores are these two: the same figures
        result.update({key.replace("_2", "_all"): value for key, value in list(result.items())
                       if key.endswith("_2") or "_2_" in key})
    else:
        record("all", cores, best_of(repeat, lambda: run_many(jobs, workers=cores),
                                     one.results))
    if cluster:
        from distributed import LocalCluster

        with LocalCluster(n_workers=cores, threads_per_worker=1, processes=True,
                          dashboard_address=":0") as local:
            address = local.scheduler_address
            on_cluster = best_of(repeat, lambda: run_many(jobs, cluster=address), one.results)
        record("cluster", cores, on_cluster, cpu_known=False)
    result["load_average"] = round((load_before + os.getloadavg()[0]) / 2, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4, help="seeds per level (default 4)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--no-cluster", action="store_true", help="skip the Dask LocalCluster")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = measure(args.seeds, args.repeat, not args.no_cluster)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{result['jobs']} runs (campaign solutions x {args.seeds} seeds), "
          f"{result['cores']} local cores, best of {args.repeat}, load average "
          f"{result['load_average']}; this process got {result['cpu_share_1']} of a core")
    print(f"{'executor':<20}{'wall s':>9}{'runs/s':>9}{'efficiency':>12}"
          f"{'if own cores':>14}{'CPU overhead':>14}")
    rows = [("1 process", "1"), ("pool of 2", "2"), ("Dask LocalCluster", "cluster")]
    if result["cores"] != 2:
        rows.insert(2, (f"pool of {result['cores']}", "all"))
    for label, key in rows:
        if f"wall_s_{key}" not in result:
            continue
        cells = [result.get(f"efficiency_{key}", 1.0),
                 result.get(f"efficiency_{key}_dedicated", 1.0),
                 result.get(f"cpu_overhead_{key}", "-" if key == "cluster" else 0.0)]
        print(f"{label:<20}{result[f'wall_s_{key}']:>9.3f}{result[f'runs_per_s_{key}']:>9}"
              f"{cells[0]:>12}{cells[1]:>14}{cells[2]:>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
