"""Command palette entries for every action: each screen lists its own commands.

A screen that defines ``palette_commands()`` returning :class:`PaletteCommand` values gets
them in the palette (Ctrl+P); :class:`ScreenCommands` is the one provider that asks it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from textual.command import DiscoveryHit, Hit, Hits, Provider


class PaletteCommand(NamedTuple):
    """One palette entry: a title, a line of help, and what to do."""

    title: str
    help: str
    callback: Callable[[], object]


def screen_commands(screen: object) -> list[PaletteCommand]:
    """The commands a screen offers (none if it offers none)."""
    getter = getattr(screen, "palette_commands", None)
    if getter is None:
        return []
    commands: Iterable[PaletteCommand] = getter()
    return list(commands)


class ScreenCommands(Provider):
    """The calling screen's own commands."""

    async def discover(self) -> Hits:
        for command in screen_commands(self.screen):
            yield DiscoveryHit(command.title, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in screen_commands(self.screen):
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.callback,
                          help=command.help)
