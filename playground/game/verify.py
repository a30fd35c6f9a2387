"""Verification of the campaign: every reference solution wins, doing nothing loses, two
runs of the same attempt give the same trace hash, and the solver finds the level healthy
(:mod:`playground.game.solve_health`)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from playground.game.actionfile import Attempt
from playground.game.campaign import Campaign, load_campaign
from playground.game.errors import GameFileError
from playground.game.session import Refused, Session
from playground.game.solve_health import level_health


def verify_level(folder: str, level_id: str) -> dict[str, Any]:
    """Check one level; returns a report dict with ``ok`` and the problems found."""
    campaign = load_campaign(Path(folder))
    level = campaign.get(level_id)
    problems: list[str] = []
    report: dict[str, Any] = {"level": level_id, "mode": level.mode}
    if level.mode == "sandbox":
        first = Session(level)
        first.run_to_end()
        again = Session(level)
        again.run_to_end()
        if first.world.trace.sha256() != again.world.trace.sha256():
            problems.append("two runs gave different trace hashes")
        report.update(ok=not problems, problems=problems)
        return report
    try:
        attempt = campaign.solution(level_id)
    except GameFileError as exc:
        report.update(ok=False, problems=[f"reference solution: {exc}"])
        return report
    hashes = []
    for _ in range(2):
        try:
            session = Session.from_attempt(level, attempt)
        except Refused as exc:
            report.update(ok=False, problems=[f"reference solution refused: {exc}"])
            return report
        session.run_to_end()
        hashes.append(session.world.trace.sha256())
    outcome = session.outcome()
    report["solution"] = {"outcome": outcome.state, "reason": outcome.reason,
                          "stars": session.score().stars, "trace_sha256": hashes[0]}
    if outcome.state != "won":
        problems.append(f"the reference solution does not win: {outcome.reason}")
    if hashes[0] != hashes[1]:
        problems.append("two runs of the solution gave different trace hashes")
    idle = Session.from_attempt(level, Attempt(level_id, attempt.seed))
    idle.run_to_end()
    idle_outcome = idle.outcome()
    report["empty"] = {"outcome": idle_outcome.state, "reason": idle_outcome.reason}
    if idle_outcome.state == "won":
        problems.append("doing nothing wins")
    report["health"] = level_health(level, level.path, attempt)
    problems += [f"solver: {p}" for p in report["health"]["problems"]]
    report.update(ok=not problems, problems=problems)
    return report


def verify_campaign(campaign: Campaign, jobs: int = 2,
                    progress: Callable[[int, int, dict[str, Any]], None] | None = None
                    ) -> list[dict[str, Any]]:
    """Verify every level (in ``jobs`` processes); ``progress(done, total, report)``."""
    ids = [level.id for level in campaign.levels]
    reports: dict[str, dict[str, Any]] = {}
    folder = str(campaign.folder)
    if jobs <= 1:
        for done, level_id in enumerate(ids, start=1):
            reports[level_id] = verify_level(folder, level_id)
            if progress:
                progress(done, len(ids), reports[level_id])
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(verify_level, folder, i): i for i in ids}
            for done, future in enumerate(as_completed(futures), start=1):
                report = future.result()
                reports[report["level"]] = report
                if progress:
                    progress(done, len(ids), report)
    return [reports[i] for i in ids]

