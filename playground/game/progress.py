"""Player progress: completed levels, best scores and solutions, saved atomically.

The save is JSON at ``<data dir>/progress/<player>.json``. A corrupt save is moved aside
(``.corrupt-N``) with a warning and the player starts fresh — never a crash, never silently
overwritten.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from playground.game.storage import atomic_write_text, data_dir

SAVE_VERSION = 1
PLAYER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
PLAYER_RULE = "1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit"


@dataclass(slots=True)
class LevelRecord:
    stars: int = 0
    best_score: int = 0
    solution: str = ""  # share code of the best run
    won: bool = False


@dataclass(slots=True)
class Progress:
    """What one player has done. ``warning`` is set if the save was unreadable."""

    path: Path
    levels: dict[str, LevelRecord] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    warning: str | None = None

    @classmethod
    def load(cls, player: str = "local", directory: Path | None = None) -> Progress:
        if not PLAYER_NAME.match(player):
            raise ValueError(f"bad player name {player!r}")
        path = (directory or data_dir()) / "progress" / f"{player}.json"
        progress = cls(path)
        if not path.exists():
            return progress
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("version") != SAVE_VERSION:
                raise ValueError("unknown save format")
            for level_id, rec in data.get("levels", {}).items():
                progress.levels[str(level_id)] = LevelRecord(
                    stars=int(rec.get("stars", 0)), best_score=int(rec.get("best_score", 0)),
                    solution=str(rec.get("solution", "")), won=bool(rec.get("won", False)))
            settings = data.get("settings", {})
            progress.settings = dict(settings) if isinstance(settings, dict) else {}
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            aside = _set_aside(path)
            progress.levels.clear()
            progress.warning = (f"your save at {path} could not be read ({exc}); it was kept "
                                f"as {aside.name} and you start fresh")
        return progress

    def save(self) -> None:
        data = {
            "version": SAVE_VERSION,
            "levels": {k: asdict(v) for k, v in sorted(self.levels.items())},
            "settings": self.settings,
        }
        atomic_write_text(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")

    def record(self, level_id: str, won: bool, stars: int, score: int, share_code: str) -> bool:
        """Note a finished run; returns True if it improved the record (and saves)."""
        rec = self.levels.setdefault(level_id, LevelRecord())
        improved = False
        if won and not rec.won:
            rec.won = True
            improved = True
        if won and (score > rec.best_score or stars > rec.stars):
            rec.best_score = max(score, rec.best_score)
            rec.stars = max(stars, rec.stars)
            rec.solution = share_code
            improved = True
        if improved:
            self.save()
        return improved

    def won(self, level_id: str) -> bool:
        return self.levels.get(level_id, LevelRecord()).won

    def unlocked(self, campaign: Sequence[str],
                 sections: Mapping[str, tuple[int, str]] | None = None) -> set[str]:
        """Levels the player may open. ``sections`` gives each level's act and chapter
        section (a level not in it is in act I). Act I: the first level, and each one after a
        won level. Act II: a section's act II levels open one after another once every act I
        level of that section is won. A won level stays open."""
        sections = sections or {}
        act_one = [i for i in campaign if sections.get(i, (1, ""))[0] == 1]
        out = {i for i in campaign if self.won(i)}
        out |= _in_turn(act_one, self.won)
        for chapter in {c for act, c in sections.values() if act == 2}:
            if all(self.won(i) for i in act_one if sections[i][1] == chapter):
                out |= _in_turn([i for i in campaign if sections.get(i) == (2, chapter)],
                                self.won)
        return out


def _in_turn(order: Sequence[str], won: Callable[[str], bool]) -> set[str]:
    """The first of ``order`` and each one after a won one."""
    return {level_id for index, level_id in enumerate(order)
            if index == 0 or won(order[index - 1])}


def _set_aside(path: Path) -> Path:
    n = 1
    while (aside := path.with_name(f"{path.name}.corrupt-{n}")).exists():
        n += 1
    path.replace(aside)
    return aside
