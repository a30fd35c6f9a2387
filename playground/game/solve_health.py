"""A level's health as the solver sees it (``playground verify`` checks it on every level).

The search itself is too slow for every verify, so the health check reads the level's solver
record (:mod:`playground.game.solve_record`) and checks cheaply that it is up to date: two runs
per level, the do-nothing run and a replay of the record's best. Healthy: the solver confirms
the level's answer (a breakable level breaks, an unbreakable one does not, a KEEP IT level has a
winning setting); par is achievable and no better than the solver's optimum; and the level is
not brute-forceable. Act II levels (``act = 2``) meet stricter rules (:func:`act_two_problems`):
the solver finds a solution, no single action wins, and at most 5% of random attacks win (a
share above 5% that the sample cannot tell from 5% is a note). A par
looser than the optimum is a note: three stars then do not mean an optimal run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from playground.game.actionfile import Attempt
from playground.game.campaign import Campaign
from playground.game.errors import GameFileError
from playground.game.level import Level
from playground.game.solve_record import best_job, check_record, idle_job, read_record
from playground.game.sweep import Job, JobResult, run_many

TRIVIAL = 0.75  # a level that this share of random attacks wins is brute-forceable
ACT_TWO_RANDOM = 0.05  # in act II, at most this share of random attacks may win


def act_two_problems(level: Level, found: Mapping[str, Any]) -> list[str]:
    """What keeps the solver's findings (``playground solve --json``'s fields) from meeting
    the act II rules; empty if they are met."""
    if found.get("mode") == "keep":
        return [] if found.get("confirmed") else ["the solver finds no winning setting"]
    if level.unbreakable:
        return []
    solutions = found.get("solutions") or []
    if not solutions:
        return ["the solver finds no solution"]
    problems = []
    if len(solutions[0]["actions"]) == 1:
        problems.append(f"a single action wins ({solutions[0]['words'][0]})")
    share = float(found.get("winning_fraction", 0.0))
    tried = int(found.get("random_attacks", 0))
    if share > ACT_TWO_RANDOM and lowest_share(share, tried) > ACT_TWO_RANDOM:
        problems.append(f"{share:.0%} of random attacks win (at most "
                        f"{ACT_TWO_RANDOM:.0%} may)")
    return problems


def act_two_notes(found: Mapping[str, Any]) -> list[str]:
    """A random share above the act II limit that the sample cannot tell from it."""
    share = float(found.get("winning_fraction", 0.0))
    tried = int(found.get("random_attacks", 0))
    if found.get("mode") == "keep" or share <= ACT_TWO_RANDOM or \
            lowest_share(share, tried) > ACT_TWO_RANDOM:
        return []
    return [f"{share:.1%} of {tried} random attacks win: above {ACT_TWO_RANDOM:.0%}, but "
            "within the sample's error (a bigger --budget decides)"]


def lowest_share(share: float, tried: int, z: float = 1.96) -> float:
    """The lower end of the 95% (Wilson) interval for a share measured on ``tried`` samples:
    a level fails the random-share rule only when even that is above the limit."""
    if tried <= 0:
        return 0.0
    centre = share + z * z / (2 * tried)
    spread = z * math.sqrt(share * (1 - share) / tried + z * z / (4 * tried * tried))
    return (centre - spread) / (1 + z * z / tried)


def add_health(campaign: Campaign, levels: Sequence[Level], reports: list[dict[str, Any]], *,
               workers: int | None = 1, cluster: str | None = None) -> None:
    """Check each level's health (not the sandbox's) and fold it into its verify report:
    ``report["health"]``, and the solver's problems added to ``report["problems"]``."""
    plans = []
    jobs: list[Job] = []
    for level, report in zip(levels, reports, strict=True):
        if level.mode == "sandbox":
            continue
        record = read_record(level)
        mine = [idle_job(level, level.path)]
        best = best_job(level, level.path, record) if record else None
        reference = reference_job(campaign, level)
        mine += [job for job in (best, reference) if job is not None]
        plans.append((level, report, record, best is not None, reference is not None,
                      len(jobs), len(mine)))
        jobs += mine
    results = run_many(jobs, workers=workers, cluster=cluster)
    for level, report, record, has_best, has_ref, start, count in plans:
        idle, *rest = results[start:start + count]
        replay = rest.pop(0) if has_best else None
        ref_run = rest.pop(0) if has_ref else None
        health = level_health(level, record, idle, replay,
                              ref_run if ref_run and ref_run.outcome == "won" else None)
        report["health"] = health
        report["problems"] = [*report["problems"], *(f"solver: {p}" for p in health["problems"])]
        report["ok"] = not report["problems"]


def reference_job(campaign: Campaign, level: Level) -> Job | None:
    """The run of ``level``'s reference solution (the one verify checks), if it has one."""
    try:
        attempt: Attempt = campaign.solution(level.id)
    except GameFileError:
        return None
    return Job.from_attempt(level.path, attempt)


def level_health(level: Level, record: Mapping[str, Any] | None, idle: JobResult,
                 best: JobResult | None, reference: JobResult | None) -> dict[str, Any]:
    """The solver's verdict on ``level`` from its ``record``, checked against the ``idle``
    run and the replay of its ``best``; ``reference`` is the reference solution's winning run:
    ``{"ok", "problems", "notes", "difficulty"}``."""
    stale = check_record(level, record, idle, best)
    if stale or record is None:
        return {"ok": False, "problems": stale, "notes": [], "difficulty": None}
    problems: list[str] = []
    notes: list[str] = []
    if not record.get("confirmed"):
        problems.append(f"the solver does not confirm the level's answer: {record['verdict']}")
    if record.get("mode") == "keep":
        _keep_par(level, record, reference, problems, notes)
    elif not level.unbreakable:
        _break_par(level, record, reference, problems, notes)
        if record["winning_fraction"] >= TRIVIAL:
            problems.append(f"brute-forceable: {record['winning_fraction']:.0%} of random "
                            "attacks win")
    if level.act == 2:
        problems += [f"act II: {p}" for p in act_two_problems(level, record)]
        notes += [f"act II: {n}" for n in act_two_notes(record)]
    return {"ok": not problems, "problems": problems, "notes": notes,
            "difficulty": record["winning_fraction"]}


def _compare(name: str, par: float | None, best: float | None, problems: list[str],
             notes: list[str]) -> None:
    """Par must be reachable (not below the best known); say so when it is looser."""
    if par is None or best is None:
        return
    if par < best:
        problems.append(f"par {name} {par:g} is better than the solver's optimum ({best:g})")
    elif par > best:
        notes.append(f"par {name} {par:g} could be {best:g}")


def _break_par(level: Level, record: Mapping[str, Any], reference: JobResult | None,
               problems: list[str], notes: list[str]) -> None:
    """Par is the best of the solver's optimum and the reference solution: fewest actions,
    then earliest violation."""
    wins = []
    if record.get("optimum"):
        wins.append((record["optimum"]["actions"], record["optimum"]["ticks"]))
    if reference is not None:
        wins.append((len(reference.job.actions), reference.end_tick))
    if not wins:
        return
    actions, ticks = min(wins)
    _compare("actions", level.par.get("actions"), actions, problems, notes)
    _compare("ticks", level.par.get("ticks"), ticks, problems, notes)


def _keep_par(level: Level, record: Mapping[str, Any], reference: JobResult | None,
              problems: list[str], notes: list[str]) -> None:
    """No par value below the lowest reached; all of them reachable by one winning run; a
    looser one is compared with the optimal setting's values."""
    runs: list[dict[str, float]] = []
    optimum = record.get("optimum")
    if optimum:
        runs.append({"messages": optimum["messages"], **optimum["metrics"]})
    if reference is not None:
        runs.append({k: float(v) for k, v in reference.metrics.items()
                     if isinstance(v, int | float)})
    if not runs:
        return
    lowest = {b["metric"]: float(b["value"]) for b in record.get("best", [])}
    for run in runs:
        for name, value in run.items():
            lowest[name] = min(lowest.get(name, value), value)
    pars = {**level.par.get("metrics", {})}
    if level.par.get("messages") is not None:
        pars["messages"] = level.par["messages"]
    for name, par in pars.items():
        if name in lowest and par < lowest[name]:
            problems.append(f"par {name} {par:g} is better than the solver's optimum "
                            f"({lowest[name]:g})")
    if not any(all(run.get(n, float("inf")) <= p for n, p in pars.items()) for run in runs):
        wanted = ", ".join(f"{n} ≤ {p:g}" for n, p in pars.items())
        problems.append(f"par is not achievable: no winning setting found has {wanted} "
                        "together")
    best = runs[0]
    for name, par in pars.items():
        if name in best and par > best[name]:
            notes.append(f"par {name} {par:g} could be {best[name]:g}")
