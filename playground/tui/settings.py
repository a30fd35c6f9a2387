"""Player settings (theme, speed, colour), kept in the progress save."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from playground.tui.stepper import SPEEDS

DEFAULT_THEME = "textual-dark"


@dataclass(slots=True)
class Settings:
    """What the settings screen edits. ``colour=False`` draws in shades of grey."""

    theme: str = DEFAULT_THEME
    speed: int = 4
    colour: bool = True

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Settings:
        """Settings from a save, ignoring anything unknown or malformed."""
        out = cls()
        theme = data.get("theme")
        if isinstance(theme, str) and theme:
            out.theme = theme
        speed = data.get("speed")
        if isinstance(speed, int) and not isinstance(speed, bool) and speed in SPEEDS:
            out.speed = speed
        colour = data.get("colour")
        if isinstance(colour, bool):
            out.colour = colour
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"theme": self.theme, "speed": self.speed, "colour": self.colour}
