"""The text agrees with the level: every number the player reads in a briefing, goal, hint or
knob help is one the level really uses.

A quantity (``200 ms``, ``1.5 s``, ``2000 ppm``, ``30%``, ``tick 8000``) must be a number of
the level file (its ticks, network, clocks, script, knobs, goal, par), of the protocol knobs
it sets, or of its reference solution (hints quote it). A number said to be approximate
(``about``, ``~``, ``≈``, ``near``) or worked out in the text (``= 16 ms``, ``2 × 100``) is
the text's own arithmetic and is not checked. A knob's help may not explain a value the
level's range excludes (``0 means 2f+1`` for a range starting at 1).
"""
# ruff: noqa: RUF001, RUF002  (the level texts use the multiplication sign)

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import attrs
import pytest

from playground.game.actionfile import load_attempt
from playground.game.campaign import load_campaign
from playground.game.level import Level
from playground.game.session import Session

LEVELS = Path(__file__).resolve().parents[2] / "levels"
CAMPAIGN = load_campaign(LEVELS)

#: A quantity: ``N ms``/``N s``/``N ppm``/``N%`` or ``tick N``; ``approx`` catches the words
#: that make it approximate, ``worked`` a sum the text works out itself.
QUANTITY = re.compile(
    r"(?P<approx>(?:about|~|≈|near|around|roughly|some)(?:\s+every)?\s*)?"
    r"(?P<worked>[=×+·]\s*)?"
    r"(?:\btick\s+(?P<tick>\d+)\b|(?<![\w.^/])(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>ms\b|s\b|ppm\b|%))"
)
MEANS = re.compile(r"(?<![\w.])(-?\d+) means\b")


def _numbers(value: Any, out: set[float]) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        out.add(float(value))
    elif isinstance(value, dict):
        for item in value.values():
            _numbers(item, out)
    elif isinstance(value, list):
        for item in value:
            _numbers(item, out)


def level_numbers(level: Level) -> set[float]:
    """Every number the level file and its reference solution state (texts aside)."""
    data = tomllib.loads((LEVELS / f"{level.id}.toml").read_text())
    out: set[float] = set()
    _numbers({k: v for k, v in data.items() if k not in ("debrief", "hints")}, out)
    solution = LEVELS / "solutions" / f"{level.id}.toml"
    if solution.exists():
        _numbers(tomllib.loads(solution.read_text()), out)
    return out


#: Events whose tick a text may name ("wakes at tick 3601"); sends and deliveries are too many.
NOTABLE = frozenset({"fault", "decide", "state", "observe", "violation", "command"})


def run_ticks(level: Level) -> set[float]:
    """Ticks of the notable events of the level's runs: with no moves and with its reference
    solution."""
    solution = LEVELS / "solutions" / f"{level.id}.toml"
    sessions = [Session(level)] if level.mode != "keep" or not solution.exists() else []
    if solution.exists():
        sessions.append(Session.from_attempt(level, load_attempt(solution)))
    out: set[float] = set()
    for session in sessions:
        session.run_to_end()
        out |= {float(e.tick) for e in session.world.trace.events if e.kind in NOTABLE}
    return out


def texts(level: Level) -> dict[str, str]:
    """What the player reads before and while playing, by where it is."""
    out = {"briefing": level.briefing, "goal": level.goal_text}
    out.update({f"hint {i + 1}": hint for i, hint in enumerate(level.hints)})
    out.update({f"knob {name} help": knob.help for name, knob in level.player_knobs.items()})
    return out


def unknown_quantities(level: Level) -> list[str]:
    known = level_numbers(level)
    ticks: set[float] | None = None
    problems = []
    for where, text in texts(level).items():
        for match in QUANTITY.finditer(text):
            if match["approx"] or match["worked"]:
                continue
            number = float(match["tick"] or match["n"])
            if match["unit"] == "s":
                number *= 1000
            candidates = {number, number / 100} if match["unit"] == "%" else {number}
            if match["tick"] and not candidates & known:
                ticks = run_ticks(level) if ticks is None else ticks
                candidates &= ticks
                if candidates:
                    continue
            if not candidates & known:
                problems.append(f"{where}: {match.group(0).strip()!r} is not in the level")
    return problems


@pytest.mark.parametrize("level_id", [level.id for level in CAMPAIGN.levels])
def test_every_quantity_in_the_text_is_the_levels(level_id: str) -> None:
    assert unknown_quantities(CAMPAIGN.get(level_id)) == []


@pytest.mark.parametrize("level_id", [level.id for level in CAMPAIGN.levels])
def test_knob_help_explains_only_values_in_the_range(level_id: str) -> None:
    level = CAMPAIGN.get(level_id)
    for name, knob in level.player_knobs.items():
        for match in MEANS.finditer(knob.help):
            value = int(match.group(1))
            allowed = value in knob.choices if knob.choices else (
                (knob.low is None or value >= knob.low)
                and (knob.high is None or value <= knob.high))
            assert allowed, f"{name}: the help explains {value}, which the range excludes"


def test_the_checks_catch_a_briefing_that_disagrees_with_the_goal() -> None:
    level = CAMPAIGN.get("phi-accrual")
    assert "within 180 ms" in level.briefing
    wrong = attrs.evolve(level, briefing=level.briefing.replace("180 ms", "200 ms"))
    assert unknown_quantities(wrong) == ["briefing: '200 ms' is not in the level"]
