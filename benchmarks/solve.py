"""The solver on every shipped level: what it finds and what it costs.

For each level: the space searched, the winning fraction (difficulty), the minimal solution
(BREAK IT) or the best robust setting (KEEP IT), and the cost: wall seconds, CPU seconds
(this process and its workers) and, as the same-run baseline, that CPU time divided by the
CPU time of one do-nothing run of the level ("idle runs"), which does not depend on how busy
the machine is.

    python benchmarks/solve.py [LEVEL ...] [--workers 2] [--budget N] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.game.campaign import load_campaign
from playground.game.level import Level
from playground.game.session import Session
from playground.game.solve import BreakReport, solve
from playground.game.solve_report import action_words, knob_words
from playground.game.solve_space import DEFAULT_BUDGET


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def idle_run_cpu(level: Level, repeat: int = 3) -> float:
    """The CPU seconds of one do-nothing run (best of ``repeat``)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        session = Session(level)
        session.run_to_end()
        best = min(best, time.process_time() - start)
    return best


def measure(level: Level, workers: int, budget: int) -> dict[str, Any]:
    baseline = idle_run_cpu(level)
    cpu, wall = cpu_seconds(), time.perf_counter()
    report = solve(level, level.id, workers=workers, budget=budget)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    row: dict[str, Any] = {"level": level.id, "mode": level.mode,
                           "confirmed": report.confirmed,
                           "winning_fraction": round(report.winning_fraction, 4),
                           "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                           "idle_run_cpu_s": round(baseline, 4),
                           "idle_runs": round(cpu / baseline) if baseline else None}
    if isinstance(report, BreakReport):
        best = report.solutions[0] if report.solutions else None
        row.update(space=report.space, runs=report.tried, unbreakable=report.unbreakable,
                   answer="; ".join(action_words(a) for a in best.actions) if best
                   else "no attack found",
                   violation_tick=best.violation_tick if best else None)
    else:
        top = report.winners[0] if report.winners else None
        row.update(space=report.grid, runs=report.runs,
                   answer=knob_words(top.knobs) + f" ({top.seeds_won}/{len(report.seeds)} "
                   "seeds)" if top else "no winning setting",
                   best={b.metric: b.value for b in report.best},
                   par={b.metric: b.par for b in report.best})
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("levels", nargs="*", help="level ids (default: every shipped level)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--budget", type=int, default=DEFAULT_BUDGET)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    campaign = load_campaign()
    ids = args.levels or [lv.id for lv in campaign.levels if lv.mode != "sandbox"]
    rows = []
    for level_id in ids:
        rows.append(measure(campaign.get(level_id), args.workers, args.budget))
        if not args.json:
            r = rows[-1]
            space = f"{r['space']:,}" if r["space"] < 10**6 else f"{r['space']:.1e}"
            print(f"{r['level']:<22} {r['mode']:<5} {space:>9} {r['runs']:>5} "
                  f"{r['winning_fraction']:>6.1%} {r['wall_s']:>6.1f}s {r['cpu_s']:>6.1f}s "
                  f"{r['idle_runs']:>6} {'ok' if r['confirmed'] else 'NOT CONFIRMED'}  "
                  f"{r['answer']}", flush=True)
    if args.json:
        print(json.dumps({"workers": args.workers, "budget": args.budget, "levels": rows},
                         indent=2))
    return 0 if all(r["confirmed"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
