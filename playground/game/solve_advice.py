"""What the game tells the player from a level's solver record: a pointer hint (shown before
the hint that gives the move away) and, after a win, how the run compares with the solver's
best. A record that no longer matches its level is not used."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from playground.game import words
from playground.game.level import Level
from playground.game.solve_record import level_sha256, read_record


def fresh_record(level: Level) -> dict[str, Any] | None:
    """The level's solver record if it still describes the level, else None."""
    record = read_record(level)
    if record is None or record.get("level_sha256") != level_sha256(level):
        return None
    return record


def pointer(level: Level, record: Mapping[str, Any]) -> str:
    """A hint that points at the answer without giving the move away."""
    if record.get("mode") == "keep":
        optimum = record.get("optimum")
        if not optimum:
            return ""
        changed = [_knob(level, k) for k, v in sorted(optimum["knobs"].items())
                   if level.knobs.get(k) != v]
        if not changed:
            return ""
        return ("The solver's best setting moves these knobs from where they start: "
                + "; ".join(changed) + ".")
    hint = str(record.get("hint") or "")
    return f"The solver's pointer: {hint.replace('_', ' ')}." if hint else ""


def hints_with_pointer(level: Level) -> tuple[str, ...]:
    """The level's hints, with the solver's pointer before the last one (the exact move)."""
    record = fresh_record(level)
    found = pointer(level, record) if record else ""
    if not found or not level.hints:
        return level.hints
    return (*level.hints[:-1], found, level.hints[-1])


def _knob(level: Level, name: str) -> str:
    knob = level.player_knobs.get(name)
    return knob.title if knob else words.name(name)


def _actions(count: int) -> str:
    return f"{count} action{'' if count == 1 else 's'}"


def versus_solver(level: Level, actions: int, tick: int | None,
                  metrics: Mapping[str, Any]) -> tuple[str, ...]:
    """Lines comparing a won run (its action count, break tick, metrics) with the solver's
    best; empty when the level has no up-to-date record or the solver found nothing."""
    record = fresh_record(level)
    if record is None:
        return ()
    if record.get("mode") == "keep":
        return _versus_setting(level, record, metrics)
    solutions = record.get("solutions") or []
    if not solutions or tick is None:
        return ()
    best = solutions[0]
    theirs, at = len(best["actions"]), int(best["violation_tick"])
    if actions != theirs:
        verdict = (f"You used {_actions(actions)}, "
                   + ("fewer than" if actions < theirs else "more than")
                   + f" the solver's best ({theirs}).")
    elif tick == at:
        verdict = f"You matched the solver's best: {_actions(actions)}, broken at t={tick}."
    else:
        gap = abs(tick - at)
        verdict = (f"Same number of actions as the solver's best, and you broke it {gap} ms "
                   + ("earlier" if tick < at else "later") + f" (t={tick}, the solver t={at}).")
    moves = "; ".join(best["words"]).replace("_", " ")  # tool and setting names in words
    return (verdict, f"The solver's best: {moves}, broken at t={at}.")


def _versus_setting(level: Level, record: Mapping[str, Any],
                    metrics: Mapping[str, Any]) -> tuple[str, ...]:
    optimum = record.get("optimum")
    if not optimum:
        return ()
    measures = {**optimum["metrics"], "messages": optimum["messages"]}
    parts = []
    better = worse = 0
    for name, best in measures.items():
        yours = metrics.get(name)
        if not isinstance(yours, int | float):
            continue
        better += yours < best
        worse += yours > best
        parts.append(f"{words.name(name)} {words.value(yours)} (solver "
                     f"{words.value(best)})")
    if not parts:
        return ()
    if worse == 0:
        verdict = "better than" if better else "as good as"
    else:
        verdict = "a different trade-off from" if better else "behind"
    settings = ", ".join(f"{_knob(level, k)} {words.value(v)}"
                         for k, v in sorted(optimum["knobs"].items()))
    return (f"Your run is {verdict} the solver's best setting: {'; '.join(parts)}.",
            f"The solver's best setting: {settings}.")
