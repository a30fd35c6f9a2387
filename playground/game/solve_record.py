"""The solver's checked-in record of a level: ``levels/solutions/ID.solver.json``.

The full search takes seconds per level, too slow for every ``playground verify`` and for the
game, so ``playground solve LEVEL --write`` stores what it found: the minimal solutions (or the
best knob setting), the winning fraction, the hint it derives, and two fingerprints: the level
file's hash and the do-nothing run's trace hash. :func:`check_record` checks cheaply that a
record still describes its level (same file, same idle trace, the best solution still wins the
same way); a stale record is a problem that names the command which regenerates it.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playground.game.actionfile import parse_share_code
from playground.game.campaign import levels_dir
from playground.game.level import Level
from playground.game.sweep import Job

if TYPE_CHECKING:  # the game reads records for its hints without importing the solver
    from playground.game.solve import BreakReport
    from playground.game.solve_keep import KeepReport
    from playground.game.sweep import JobResult

SUFFIX = ".solver.json"


def record_path(level: Level) -> Path:
    """Where ``level``'s record lives: ``solutions/ID.solver.json`` beside its file."""
    return Path(level.path).parent / "solutions" / f"{level.id}{SUFFIX}"


def regenerate_command(level: Level) -> str:
    """The command that writes ``level``'s record afresh."""
    shipped = Path(level.path).resolve().parent == levels_dir().resolve()
    return f"playground solve {level.id if shipped else level.path} --write"


# What the search does not depend on: words, the act, and par's values (only its metric
# names count).
UNSEARCHED = ("title", "briefing", "hints", "concepts", "debrief", "act")


def level_sha256(level: Level) -> str:
    """The hash of what in the level's file the search depends on: its data without the
    words, and par without its values (par is set from the record)."""
    data = tomllib.loads(Path(level.path).read_text(encoding="utf-8"))
    for key in UNSEARCHED:
        data.pop(key, None)
    data["par"] = sorted(data.get("par", {}).get("metrics", {}))
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def idle_job(level: Level, ref: str) -> Job:
    """The do-nothing run whose trace hash fingerprints the level's behaviour."""
    return Job(ref, level.seed)


def best_job(level: Level, ref: str, record: Mapping[str, Any]) -> Job | None:
    """The run that replays the record's best: its first solution, or its optimal setting."""
    if record.get("mode") == "keep":
        optimum = record.get("optimum")
        return None if optimum is None else Job(ref, level.seed, (), optimum["knobs"])
    solutions = record.get("solutions") or []
    if not solutions:
        return None
    attempt = parse_share_code(solutions[0]["share_code"], level)
    return Job.from_attempt(ref, attempt, level.seed)


def build_record(level: Level, report: BreakReport | KeepReport, idle: JobResult,
                 settings: Mapping[str, int]) -> dict[str, Any]:
    """The record of ``report``: the solver's findings (not its timing) and the fingerprints."""
    from playground.game.solve_report import to_json

    found = {k: v for k, v in to_json(report).items() if k != "seconds"}
    return {"regenerate": regenerate_command(level), "level_sha256": level_sha256(level),
            "idle_trace_sha256": idle.trace_sha256, "settings": dict(settings), **found}


def write_record(level: Level, record: Mapping[str, Any]) -> Path:
    path = record_path(level)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_record(level: Level) -> dict[str, Any] | None:
    """The level's record, or None if it has none (or it cannot be read as one)."""
    try:
        data = json.loads(record_path(level).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("level") == level.id else None


def check_record(level: Level, record: Mapping[str, Any] | None, idle: JobResult,
                 best: JobResult | None) -> list[str]:
    """Why ``record`` no longer describes ``level`` (empty: it does), given the idle run and
    the replay of the record's best."""
    again = f"run `{regenerate_command(level)}`"
    if record is None:
        return [f"no solver record ({record_path(level).name}): {again}"]
    if record.get("level_sha256") != level_sha256(level):
        return [f"the solver record is stale (the level changed): {again}"]
    if record.get("idle_trace_sha256") != idle.trace_sha256:
        return [f"the solver record is stale (the do-nothing run changed): {again}"]
    if best is None:
        return []
    if record.get("mode") == "keep":
        optimum = record["optimum"]
        same = best.outcome == "won" and int(best.metrics.get("messages", 0)) == \
            optimum["messages"] and all(float(best.metrics.get(m, float("nan"))) == v
                                         for m, v in optimum["metrics"].items())
    else:
        same = best.outcome == "won" and \
            best.end_tick == record["solutions"][0]["violation_tick"]
    return [] if same else [f"the solver record is stale (its best run no longer gives the "
                            f"same result): {again}"]
