"""Navigation between the game's screens: typed messages a screen posts, and the screens by name.

A screen never calls the app's methods to move elsewhere: it hands a :class:`ShowScreen`,
:class:`OpenBriefing` or :class:`StartLevel` request to :func:`navigate`, which the app
(:class:`playground.tui.app.PlaygroundApp`) handles at once, so keys typed ahead reach the new
screen; posted, the same messages bubble up to the app's handlers. :data:`SCREENS` names
every screen the app opens; its module is imported the first time it is shown, so the first
frame waits only for the title screen.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, overload, runtime_checkable

from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen

if TYPE_CHECKING:
    from playground.game.level import Level
    from playground.tui.screens.briefing import BriefingScreen
    from playground.tui.screens.play import PlayScreen

ScreenName = Literal["title", "help", "settings", "codex", "map", "sandbox", "leaderboard",
                     "briefing", "play"]
"""The screens the app opens by name."""

MenuScreen = Literal["help", "settings", "codex", "map", "sandbox", "leaderboard"]
"""The screens that need nothing to open (menus, the palette, F1/F2)."""


@dataclass(frozen=True)
class ScreenEntry:
    """Where a screen's class lives, and whether opening it over itself does nothing."""

    module: str
    cls: str
    once: bool = False


SCREENS: dict[ScreenName, ScreenEntry] = {
    "title": ScreenEntry("playground.tui.screens.title", "TitleScreen"),
    "help": ScreenEntry("playground.tui.screens.help", "HelpScreen", once=True),
    "settings": ScreenEntry("playground.tui.screens.settings", "SettingsScreen", once=True),
    "codex": ScreenEntry("playground.tui.screens.codex", "CodexScreen"),
    "map": ScreenEntry("playground.tui.screens.campaign", "CampaignScreen"),
    "sandbox": ScreenEntry("playground.tui.screens.sandbox", "SandboxScreen"),
    "leaderboard": ScreenEntry("playground.tui.leaderboard_screen", "LeaderboardScreen"),
    "briefing": ScreenEntry("playground.tui.screens.briefing", "BriefingScreen"),
    "play": ScreenEntry("playground.tui.screens.play", "PlayScreen"),
}

@overload
def screen_class(name: Literal["briefing"]) -> type[BriefingScreen]: ...
@overload
def screen_class(name: Literal["play"]) -> type[PlayScreen]: ...
@overload
def screen_class(name: ScreenName) -> type[Screen[Any]]: ...


def screen_class(name: ScreenName) -> type[Screen[Any]]:
    """The class of the screen called ``name`` (its module imported on first use)."""
    entry = SCREENS[name]
    cls: type[Screen[Any]] = getattr(importlib.import_module(entry.module), entry.cls)
    return cls


class ShowScreen(Message):
    """Open a screen that needs nothing (help, settings, codex, map, sandbox, leaderboard)."""

    def __init__(self, screen_name: MenuScreen) -> None:
        super().__init__()
        self.screen_name: MenuScreen = screen_name


class OpenBriefing(Message):
    """Show a level's briefing (in place of the current screen if ``replace``)."""

    def __init__(self, level: Level, *, replace: bool = False) -> None:
        super().__init__()
        self.level = level
        self.replace = replace


class StartLevel(Message):
    """Play a level (from a share code's moves if given; in place of the current screen
    if ``replace``)."""

    def __init__(self, level: Level, *, replace: bool = True,
                 share_code: str | None = None) -> None:
        super().__init__()
        self.level = level
        self.replace = replace
        self.share_code = share_code


Navigation = ShowScreen | OpenBriefing | StartLevel
"""A request to move to another screen."""


@runtime_checkable
class Navigator(Protocol):
    """The app: it opens the screen a :data:`Navigation` asks for."""

    def navigate(self, request: Navigation) -> None: ...


def navigate(node: DOMNode, request: Navigation) -> None:
    """Move now, while the key that asked is being handled: keys typed after it (a burst over
    SSH or the web, a fast typist) then reach the new screen. A posted message would queue
    behind them, and they would act on the old screen. Without a navigating app (a screen
    tested alone) the request is posted instead."""
    app = node.app
    if isinstance(app, Navigator):
        app.navigate(request)
    else:
        node.post_message(request)
