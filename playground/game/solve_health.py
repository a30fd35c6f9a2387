"""A level's health as the solver sees it (``playground verify`` runs it on every level).

Healthy: the solver confirms the level's answer (a breakable level breaks, an unbreakable one
does not, a KEEP IT level has a winning setting); par is achievable, i.e. no better than the
best the solver or the reference solution reached; and the level is not brute-forceable (most
random budget-respecting attacks must lose). A par looser than the optimum is a note, not a
problem: three stars then do not yet mean an optimal run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from playground.game.actionfile import Attempt
from playground.game.campaign import Campaign
from playground.game.errors import GameFileError
from playground.game.level import Level
from playground.game.solve import BreakReport, solve
from playground.game.solve_keep import KeepReport
from playground.game.solve_report import to_json, verdict
from playground.game.sweep import Job, JobResult, run_many

HEALTH_BUDGET = 150  # runs per level: enough to confirm every shipped answer
HEALTH_SEEDS = 1
TRIVIAL = 0.75  # a level that this share of random attacks wins is brute-forceable


def add_health(campaign: Campaign, levels: Sequence[Level], reports: list[dict[str, Any]], *,
               workers: int | None = 1, cluster: str | None = None) -> None:
    """Check each level's health (not the sandbox's) and fold it into its verify report:
    ``report["health"]``, and the solver's problems added to ``report["problems"]``."""
    for level, report in zip(levels, reports, strict=True):
        if level.mode == "sandbox":
            continue
        try:
            reference: Attempt | None = campaign.solution(level.id)
        except GameFileError:
            reference = None
        health = level_health(level, level.path, reference, workers=workers, cluster=cluster)
        report["health"] = health
        report["problems"] = [*report["problems"], *(f"solver: {p}" for p in health["problems"])]
        report["ok"] = not report["problems"]


def level_health(level: Level, ref: str, reference: Attempt | None, *,
                 budget: int = HEALTH_BUDGET, seeds: int = HEALTH_SEEDS,
                 workers: int | None = 1, cluster: str | None = None) -> dict[str, Any]:
    """The solver's verdict on ``level`` (``ref``: its id or file) and its ``reference``
    solution: ``{"ok", "problems", "notes", "difficulty", "solver"}``."""
    report = solve(level, ref, budget=budget, seeds=seeds, workers=workers, cluster=cluster)
    problems: list[str] = []
    if not report.confirmed:
        problems.append(f"the solver does not confirm the level's answer: {verdict(report)}")
    ref_run = _run_reference(ref, reference)
    notes: list[str] = []
    if isinstance(report, BreakReport) and not level.unbreakable:
        _break_par(level, report, ref_run, problems, notes)
        if report.winning_fraction >= TRIVIAL:
            problems.append(f"brute-forceable: {report.winning_fraction:.0%} of random attacks "
                            "win")
    elif isinstance(report, KeepReport):
        _keep_par(level, report, ref_run, problems, notes)
    found = {k: v for k, v in to_json(report).items() if k != "seconds"}  # same in any run
    return {"ok": not problems, "problems": problems, "notes": notes,
            "difficulty": round(report.winning_fraction, 4), "solver": found}


def _run_reference(ref: str, attempt: Attempt | None) -> JobResult | None:
    if attempt is None:
        return None
    job = Job(ref, attempt.seed, attempt.actions, attempt.knobs or None, claim=attempt.claim,
                 reason=attempt.reason)
    result = run_many([job], workers=1)[0]
    return result if result.outcome == "won" else None


def _compare(name: str, par: float | None, best: float | None, problems: list[str],
             notes: list[str]) -> None:
    """Par must be reachable (not below the best known); say so when it is looser."""
    if par is None or best is None:
        return
    if par < best:
        problems.append(f"par {name} {par:g} is better than any win found ({best:g})")
    elif par > best:
        notes.append(f"par {name} {par:g} could be {best:g}")


def _break_par(level: Level, report: BreakReport, ref_run: JobResult | None,
               problems: list[str], notes: list[str]) -> None:
    wins = [(len(s.actions), s.violation_tick) for s in report.solutions]
    if ref_run is not None:
        wins.append((len(ref_run.job.actions), ref_run.end_tick))
    if not wins:
        return
    _compare("actions", level.par.get("actions"), min(w[0] for w in wins), problems, notes)
    _compare("ticks", level.par.get("ticks"), min(w[1] for w in wins), problems, notes)


def _keep_par(level: Level, report: KeepReport, ref_run: JobResult | None,
              problems: list[str], notes: list[str]) -> None:
    best: dict[str, float] = {b.metric: b.value for b in report.best}
    if ref_run is not None:
        for metric, value in ref_run.metrics.items():
            if isinstance(value, int | float) and (metric not in best or value < best[metric]):
                best[metric] = value
    _compare("messages", level.par.get("messages"), best.get("messages"), problems, notes)
    for metric, par in level.par.get("metrics", {}).items():
        _compare(metric, par, best.get(metric), problems, notes)
