"""SVG snapshots of what the game shows from the solver's record (``levels/solutions/
<id>.solver.json``): the pointer hint before the exact move, and the debrief of a win beside
the solver's best (gc-pause won with its reference solution, which breaks it sooner).

Update with ``pytest tests/tui/test_solver_snapshots.py --snapshot-update`` and look at them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.game.actionfile import load_attempt
from playground.tui.screens.debrief import DebriefScreen
from playground.tui.screens.play import PlayScreen
from tests.tui.conftest import make_app

LEVELS = Path(__file__).resolve().parents[2] / "levels"
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


def real_app(data_dir: Path):
    return make_app(data_dir, levels_dir=LEVELS)


async def won_debrief(pilot) -> None:
    """gc-pause played with its reference solution to the end; the debrief scrolled to the
    comparison with the solver."""
    app = pilot.app
    code = load_attempt(LEVELS / "solutions" / "gc-pause.toml").to_share_code()
    app.start_level(app.campaign().get("gc-pause"), replace=False, share_code=code)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, PlayScreen)
    screen.action_seek(screen.level.ticks)
    await pilot.pause()
    assert isinstance(app.screen, DebriefScreen) and app.screen.debrief.won
    comparison = app.screen.query_one("#debrief-solver")
    app.screen.query_one("#debrief-body").scroll_to_widget(comparison, animate=False,
                                                           top=True)
    await pilot.pause()


async def pointer_hint(pilot) -> None:
    """gc-pause at its start, with three hints asked for: the third is the solver's pointer."""
    app = pilot.app
    app.start_level(app.campaign().get("gc-pause"), replace=False)
    await pilot.pause()
    for _ in range(3):
        await pilot.press("i")
    screen = app.screen
    assert isinstance(screen, PlayScreen)
    assert screen.hint.startswith("3/4 The solver's pointer: a freeze on client-1 at the right "
                                 "moment between t=")


@SIZES
def test_debrief_against_the_solver(snap_compare, data_dir: Path,
                                    size: tuple[int, int]) -> None:
    assert snap_compare(real_app(data_dir), terminal_size=size, run_before=won_debrief)


@SIZES
def test_the_solvers_pointer_hint(snap_compare, data_dir: Path, size: tuple[int, int]) -> None:
    assert snap_compare(real_app(data_dir), terminal_size=size, run_before=pointer_hint)
