"""The campaign: every level file under ``levels/``, in the order of ``levels/campaign.toml``,
with the reference solutions under ``levels/solutions/``."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from playground.game.errors import LevelError
from playground.game.tomlpos import key_lines, line_of
from playground.shipped import levels_folder

if TYPE_CHECKING:  # imported when levels are loaded: the title reads only the index
    from playground.game.actionfile import Attempt
    from playground.game.level import Level

LEVELS_ENV = "PLAYGROUND_LEVELS_DIR"


def levels_dir() -> Path:
    """The campaign folder (``$PLAYGROUND_LEVELS_DIR`` overrides the shipped one)."""
    override = os.environ.get(LEVELS_ENV)
    if override:
        return Path(override)
    return levels_folder()


@dataclass(frozen=True, slots=True)
class Campaign:
    levels: tuple[Level, ...]
    folder: Path

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(level.id for level in self.levels if level.mode != "sandbox")

    def get(self, level_id: str) -> Level:
        for level in self.levels:
            if level.id == level_id:
                return level
        raise KeyError(level_id)

    def solution_path(self, level_id: str) -> Path:
        return self.folder / "solutions" / f"{level_id}.toml"

    def solution(self, level_id: str) -> Attempt:
        from playground.game.actionfile import load_attempt

        return load_attempt(self.solution_path(level_id))


def _read_index(index: Path) -> tuple[list[str], object, int | None]:
    """``campaign.toml``'s order, its sandbox entry, and the line of ``order``."""
    try:
        text = index.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise LevelError(index, None, f"cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LevelError(index, None, f"invalid TOML: {exc}") from None
    line = line_of(key_lines(text), ("order",))
    order = data.get("order")
    if not isinstance(order, list) or not all(isinstance(i, str) for i in order):
        raise LevelError(index, line, "order: must be a list of level ids")
    return order, data.get("sandbox"), line


def campaign_order(folder: Path | None = None) -> tuple[str, ...]:
    """The ids of the campaign's levels in order, from ``campaign.toml`` alone: no level file
    is read (the title screen counts the player's wins with it). Raises :class:`LevelError`
    for the same index problems as :func:`load_campaign`."""
    order, _, _ = _read_index((folder or levels_dir()) / "campaign.toml")
    return tuple(order)


def load_campaign(folder: Path | None = None) -> Campaign:
    """Load every level named in ``campaign.toml``. Raises :class:`LevelError`."""
    from playground.game.level import load_level

    folder = folder or levels_dir()
    index = folder / "campaign.toml"
    order, sandbox, order_line = _read_index(index)
    levels = []
    seen: set[str] = set()
    for level_id in [*order, *([sandbox] if isinstance(sandbox, str) else [])]:
        if level_id in seen:
            raise LevelError(index, order_line, f"order: {level_id!r} twice")
        seen.add(level_id)
        path = folder / f"{level_id}.toml"
        if not path.exists():
            raise LevelError(index, order_line,
                             f"order: no level file {path.name} for {level_id!r}")
        levels.append(load_level(path))  # its id matches its file name
    strays = sorted(p.stem for p in folder.glob("*.toml")
                    if p.name != "campaign.toml" and p.stem not in seen)
    _check_acts(levels, index, order_line)
    if strays:
        raise LevelError(index, order_line,
                         f"order: level files not in the campaign: {', '.join(strays)}")
    return Campaign(tuple(levels), folder)


def _check_acts(levels: list[Level], index: Path, line: int | None) -> None:
    """Act I comes first in the order, then act II: the map and the unlocking rely on it."""
    played = [level for level in levels if level.mode != "sandbox"]
    for before, level in pairwise(played):
        if level.act < before.act:
            raise LevelError(index, line, f"order: {level.id} (act {level.act}) comes after "
                                          f"{before.id} (act {before.act}); put act "
                                          f"{level.act} first")
