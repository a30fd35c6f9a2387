"""What the game derives from a level's solver record: the pointer hint before the exact move,
and the debrief's comparison of a won run with the solver's best."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from playground.game.campaign import load_campaign
from playground.game.debrief import build_debrief
from playground.game.level import load_level
from playground.game.session import Session
from playground.game.solve_advice import hints_with_pointer
from playground.game.solve_record import read_record
from playground.game.solve_space import alphabet
from playground.sim import Action

CAMPAIGN = load_campaign()


def finished(level_id: str, actions: tuple[Action, ...] = (),
             knobs: dict | None = None) -> Session:
    session = Session(CAMPAIGN.get(level_id), actions=actions, knobs=knobs)
    session.run_to_end()
    return session


def test_the_pointer_comes_before_the_exact_move_and_names_no_move() -> None:
    level = CAMPAIGN.get("gc-pause")
    hints = hints_with_pointer(level)
    assert hints[:2] == level.hints[:2] and hints[3] == level.hints[2]
    pointer = hints[2]
    found = re.fullmatch(r"The solver's pointer: a freeze on client-1 at the right moment "
                         r"between t=(\d+) and t=(\d+) wins\.", pointer)
    assert found, pointer
    assert "duration" not in pointer


def test_the_pointers_window_is_true_at_both_ends() -> None:
    """At each end of the window, some setting of the named tool on the named target wins."""
    level = CAMPAIGN.get("forgotten-votes")
    found = re.search(r"a (\w+) on (\S+) at the right moment between t=(\d+) and t=(\d+) wins",
                      hints_with_pointer(level)[2])
    assert found, "the pointer names a tool, a target and a window"
    tool, target = found.group(1), found.group(2)
    moves = [m for m in alphabet(level) if (m.tool, m.target) == (tool, target)]
    for tick in (int(found.group(3)), int(found.group(4))):
        outcomes = {finished(level.id, (m.at(tick),)).outcome().state for m in moves}
        assert "won" in outcomes, tick


def test_a_stale_record_gives_no_pointer(tmp_path: Path) -> None:
    source = CAMPAIGN.get("gc-pause")
    (tmp_path / "solutions").mkdir()
    shutil.copy(Path(source.path).parent / "solutions" / "gc-pause.solver.json",
                tmp_path / "solutions")
    text = Path(source.path).read_text()
    (tmp_path / "gc-pause.toml").write_text(text)
    assert len(hints_with_pointer(load_level(tmp_path / "gc-pause.toml"))) == 4
    (tmp_path / "gc-pause.toml").write_text(text.replace("work_ms = 20", "work_ms = 30"))
    changed = load_level(tmp_path / "gc-pause.toml")
    assert hints_with_pointer(changed) == changed.hints


def test_the_debrief_says_how_a_win_compares_with_the_solvers_best() -> None:
    record = read_record(CAMPAIGN.get("gc-pause"))
    assert record is not None
    best = record["solutions"][0]
    session = finished("gc-pause", (Action.make(601, "freeze", "client-1", duration=2000),))
    tick = session.outcome().tick
    assert session.outcome().state == "won" and tick is not None
    assert tick < best["violation_tick"], "the hand-written answer breaks it sooner"
    verdict, theirs = build_debrief(session).versus_solver
    assert verdict == (f"Same number of actions as the solver's best, and you broke it "
                       f"{best['violation_tick'] - tick} ms earlier (t={tick}, the solver "
                       f"t={best['violation_tick']}).")
    assert theirs == f"The solver's best: {best['words'][0]}, broken at " \
                     f"t={best['violation_tick']}."


def test_the_keep_it_debrief_compares_messages_and_metrics() -> None:
    record = read_record(CAMPAIGN.get("pbft-quorum"))
    assert record is not None
    session = finished("pbft-quorum", knobs=dict(record["optimum"]["knobs"]))
    lines = build_debrief(session).versus_solver
    assert lines[0].startswith("Your run is as good as the solver's best setting: ")
    assert "messages" in lines[0] and "(solver " in lines[0]
    assert lines[1].startswith("The solver's best setting: ")


def test_a_lost_run_gets_no_comparison() -> None:
    assert build_debrief(finished("gc-pause")).versus_solver == ()
