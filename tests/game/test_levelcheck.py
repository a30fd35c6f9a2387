"""check-level plays the level once: what only running reveals is reported at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.game.errors import LevelError
from playground.game.level import load_level
from playground.game.levelcheck import check_level_file
from tests.game.fixtures import BREAK_LEVEL


def test_a_scripted_command_the_protocol_lacks_is_named_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "split.toml"
    path.write_text(BREAK_LEVEL.replace('name = "set"', 'name = "nope"'))
    assert load_level(path).script[0].kwargs["name"] == "nope"  # the file itself is well formed
    with pytest.raises(LevelError) as info:
        check_level_file(path)
    line = BREAK_LEVEL.splitlines().index("[[script]]") + 1
    assert str(info.value).startswith(f"{path}:{line}: script[0]: ")
    assert "no command 'nope'" in str(info.value) and "at tick 100" in str(info.value)


def test_a_good_level_passes(tmp_path: Path) -> None:
    path = tmp_path / "split.toml"
    path.write_text(BREAK_LEVEL)
    assert check_level_file(path).id == "split"
