"""SVG snapshots of the play screen's starts, knobs, tool dialogs and rewinds, at both sizes.

Deterministic as ``test_snapshots.py`` is (``autoplay=False``, seeded levels, explicit theme).
Update with ``pytest tests/tui/test_snapshots_play.py --snapshot-update`` and look at them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.conftest import make_app
from tests.tui.test_snapshots import SIZES, jumps, opening

#: Every tool that asks for something before it acts: (tool, keys that open its dialog).
#: (cut, heal, release, unfreeze, recover and honest ask nothing: they act on the selection.)
DIALOGS = {
    "freeze": ["2", "f"],
    "crash": ["2", "x"],
    "step_clock": ["2", "t"],
    "set_drift": ["2", "g"],
    "set_rate": ["2", "m"],
    "lie": ["2", "y", "tab"],  # focus on the second field: the first is a list
    "hold": ["2", "l", "o"],
    "set_link": ["2", "l", "w", "tab", "tab"],
    "partition": ["2", "p"],
    "freeze-not-a-number": ["2", "f", "ctrl+u", "a", "b", "c", "enter"],  # the refusal
}


@SIZES
def test_keep_level_opens_paused_on_its_knobs(snap_compare, data_dir: Path,
                                              size: tuple[int, int]) -> None:
    assert snap_compare(make_app(data_dir, autoplay=True), terminal_size=size,
                        run_before=opening("keep-lease"))


@SIZES
def test_knob_value_typed_and_checked(snap_compare, data_dir: Path,
                                      size: tuple[int, int]) -> None:
    """lease (ms) typed as 320: between the knob's steps of 50, the dialog says which fit."""
    keys = ["down", "e", "ctrl+u", "3", "2", "0", "enter"]
    assert snap_compare(make_app(data_dir), press=keys, terminal_size=size,
                        run_before=opening("keep-lease"))


@SIZES
@pytest.mark.parametrize("tool", list(DIALOGS))
def test_tool_dialog_shows_its_focused_field(snap_compare, data_dir: Path,
                                             size: tuple[int, int], tool: str) -> None:
    assert snap_compare(make_app(data_dir), press=[*jumps(1), *DIALOGS[tool]],
                        terminal_size=size, run_before=opening("sandbox"))


@SIZES
def test_rewound_screen_keeps_the_later_move(snap_compare, data_dir: Path,
                                             size: tuple[int, int]) -> None:
    """n2 crashed at t=401, then Home: the toolbox names the kept move, which replays."""
    keys = [*jumps(1), "2", "x", "enter", *jumps(3), "home", *jumps(1)]
    assert snap_compare(make_app(data_dir), press=keys, terminal_size=size,
                        run_before=opening("sandbox"))
