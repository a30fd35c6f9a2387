"""What every screen of the game shares: typed access to the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from playground.tui.app import PlaygroundApp


class GameMixin:
    """Gives a screen (or widget) ``self.game``: the app, typed as :class:`PlaygroundApp`."""

    @property
    def game(self) -> PlaygroundApp:
        return cast("PlaygroundApp", self.app)  # type: ignore[attr-defined]  # on a Screen
