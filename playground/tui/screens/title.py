"""The title screen: the game's name, a menu, and how far the player got."""

from __future__ import annotations

import functools
import os
import time

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from playground.game.roomenv import MESSAGE_ENV, ROOM_DIR_ENV
from playground.shipped import asset
from playground.tui.commands import PaletteCommand
from playground.tui.navigation import MenuScreen, ShowScreen, navigate
from playground.tui.screens.base import GameMixin

ART = asset("title-art.txt").read_text(encoding="utf-8").rstrip("\n")

NAME = """[b]D I S T R I B U T E D   S Y S T E M S[/]
[b $accent]P  L  A  Y  G  R  O  U  N  D[/]"""

BLURB = ("Break and defend a simulated cluster: cut links, skew clocks, pause nodes,\n"
         "make them lie, and watch quorums, leases, clocks and generals hold or fail.")

MENU = (
    ("campaign", "▶  Campaign", "levels by chapter section"),
    ("sandbox", "◇  Sandbox", "every tool, no goal"),
    ("codex", "≡  Codex", "the ideas you met"),
    ("leaderboard", "▤  Leaderboard", "the room's standings"),
    ("settings", "⚙  Settings", "theme, speed, colour"),
    ("help", "?  Help", "every key"),
    ("quit", "✕  Quit", ""),
)
OPENS: dict[str, MenuScreen] = {"campaign": "map", "sandbox": "sandbox", "codex": "codex",
                                "leaderboard": "leaderboard", "settings": "settings",
                                "help": "help"}
"""The screen each menu entry but quit opens."""


class TitleScreen(GameMixin, Screen[None]):
    """The first screen."""

    BINDINGS = [
        Binding("c", "menu('campaign')", "Campaign"),
        Binding("s", "menu('sandbox')", "Sandbox"),
        Binding("x", "menu('codex')", "Codex"),
        Binding("l", "menu('leaderboard')", "Leaderboard", show=False),
        Binding("q", "menu('quit')", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="title-box"):
            with Center():
                yield Static(ART, id="title-art")
            with Center():
                yield Static(NAME, id="title-name")
            with Center():
                yield Static(BLURB, id="title-blurb")
            if message := os.environ.get(MESSAGE_ENV, "").strip():  # ``serve --room``'s
                with Center():
                    yield Static(f"[b $accent]{escape(message)}[/]", id="title-message")
            if os.environ.get(ROOM_DIR_ENV):  # in a workshop room: the instructor's latest
                with Center():
                    yield Static("", id="title-broadcast")
            with Center():
                yield OptionList(
                    *(Option(f"{label}  [dim]{hint}[/]", id=key) for key, label, hint in MENU),
                    id="title-menu",
                )
            with Center():
                yield Static("", id="title-status")
        yield Footer()

    def on_mount(self) -> None:
        self._loaded = False
        self.query_one("#title-menu", OptionList).focus()
        self.show_broadcast()
        # The campaign (and its protocols) load after the first frame is on screen.
        self.call_after_refresh(self.refresh_status)

    def show_broadcast(self) -> None:
        """The instructor's latest message, with its time, while it is recent: a player who
        starts after it was sent reads it here until a newer one replaces it."""
        found = self.query("#title-broadcast").results(Static)
        shown = next(found, None)
        link = self.game.room_link
        latest = link.latest() if link is not None else None
        if shown is None:
            return
        shown.display = latest is not None
        if latest is not None:
            sent = time.strftime("%H:%M", time.localtime(latest.at))
            shown.update(f"[b]From the instructor[/] [dim]at {sent}:[/] {escape(latest.text)}")

    def on_screen_resume(self) -> None:
        if self._loaded:
            self.refresh_status()

    def refresh_status(self) -> None:
        """How far the player got (reads the campaign's index after the first frame)."""
        self._loaded = True
        game = self.game
        order = game.campaign_order()
        status = self.query_one("#title-status", Static)
        if order is None:
            status.update(f"[b $warning]No campaign yet:[/] {escape(game.campaign_error or '')}"
                          "\n[dim]The sandbox still works if a protocol is installed.[/]")
            return
        progress = game.progress
        won = sum(1 for level_id in order if progress.levels.get(level_id)
                  and progress.levels[level_id].won)
        stars = sum(progress.levels[i].stars for i in order if i in progress.levels)
        status.update(f"player [b]{escape(game.player)}[/] · {won}/{len(order)} levels won · "
                      f"{stars}/{3 * len(order)} ★")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_menu(event.option.id or "")

    def action_menu(self, key: str) -> None:
        if key == "quit":
            self.app.exit()
        elif key in OPENS:
            navigate(self, ShowScreen(OPENS[key]))

    def palette_commands(self) -> list[PaletteCommand]:
        return [PaletteCommand(label.split("  ", 1)[1], hint or "leave the game",
                               functools.partial(self.action_menu, key))
                for key, label, hint in MENU]
