"""The campaign map: act I, then act II, each grouped by the chapter's sections in the
outline's order; every level locked or open, with the stars won."""
# ruff: noqa: RUF001  (the game draws with these symbols on purpose)

from __future__ import annotations

import functools

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from playground.game.level import Level
from playground.game.outline import CHAPTERS, entry_index
from playground.shipped import asset
from playground.tui.commands import PaletteCommand
from playground.tui.navigation import OpenBriefing, navigate
from playground.tui.screens.base import GameMixin
from playground.tui.widgets.panels import MODE_BADGE

#: The map's heading of each act.
ACT_HEADINGS = {1: "ACT I · one move a level", 2: "ACT II · each level needs thought"}


def stars_text(stars: int) -> str:
    """``★★☆`` (symbols, so it reads without colour)."""
    return "★" * stars + "☆" * (3 - stars)


class CampaignScreen(GameMixin, Screen[None]):
    """Choose a level. Enter opens its briefing."""

    CSS_PATH = str(asset("screens.tcss"))

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("enter", "open", "Open", show=False),
        Binding("s", "app.sandbox", "Sandbox"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("[b]CAMPAIGN[/]  [dim]The Trouble with Distributed Systems[/]",
                     id="map-title")
        with Horizontal(id="map-body"):
            yield OptionList(id="map-list")
            yield Static("", id="map-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.fill()
        self.query_one("#map-list", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.fill()

    def levels(self) -> list[Level]:
        campaign = self.game.campaign()
        if campaign is None:
            return []
        order = campaign.order
        playable = [campaign.get(i) for i in order]
        return sorted(playable, key=lambda lv: (lv.act, CHAPTERS.index(lv.chapter),
                                                entry_index(lv.chapter, lv.section),
                                                order.index(lv.id)))

    def fill(self) -> None:
        """(Re)build the list from the campaign and progress."""
        option_list = self.query_one("#map-list", OptionList)
        highlighted = option_list.highlighted_option.id if option_list.highlighted_option \
            else None
        option_list.clear_options()
        campaign = self.game.campaign()
        if campaign is None:
            self.query_one("#map-detail", Static).update(
                f"[b $warning]No campaign:[/] {escape(self.game.campaign_error or '')}")
            return
        progress = self.game.progress
        unlocked = self.game.open_levels(campaign.order)
        act, chapter = 0, None
        first_open = None
        levels = self.levels()
        two_acts = len({level.act for level in levels}) > 1
        for level in levels:
            if level.act != act:
                act, chapter = level.act, None
                if two_acts:
                    option_list.add_option(Option(f"[b reverse] {ACT_HEADINGS[act]} [/]",
                                                  id=f"act:{act}", disabled=True))
            if level.chapter != chapter:
                chapter = level.chapter
                option_list.add_option(Option(f"[b $accent]{escape(chapter)}[/]",
                                              id=f"chapter:{act}:{chapter}", disabled=True))
            record = progress.levels.get(level.id)
            stars = record.stars if record else 0
            if level.id in unlocked:
                mark = stars_text(stars) if record and record.won else "○○○"
                prompt = f"  {mark} {escape(level.title)} [dim]{level.mode}[/]"
                first_open = first_open or level.id
            else:
                prompt = f"  [dim]⊘ locked · {escape(level.title)}[/]"
            option_list.add_option(Option(prompt, id=level.id))
        target = highlighted if highlighted else _last_open(campaign.order, unlocked)
        for index, option in enumerate(option_list.options):
            if option.id == target:
                option_list.highlighted = index
                break

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_detail(event.option.id or "")

    def show_detail(self, level_id: str) -> None:
        campaign = self.game.campaign()
        if campaign is None or level_id.startswith(("chapter:", "act:")):
            return
        level = campaign.get(level_id)
        record = self.game.progress.levels.get(level_id)
        unlocked = level_id in self.game.open_levels(campaign.order)
        best = (f"best {record.best_score} pts {stars_text(record.stars)}"
                if record and record.won else "not won yet")
        why = escape(self.game.why_locked(level))
        lock = "" if unlocked else f"\n[b $warning]⊘ Locked:[/] {why}\n"
        self.query_one("#map-detail", Static).update(
            f"[reverse] {MODE_BADGE.get(level.mode, '')} [/] [b]{escape(level.title)}[/]\n"
            f"[dim]{escape(level.chapter)} › {escape(level.section)}[/]\n{lock}\n"
            f"{escape(level.briefing)}\n\n[b]Goal[/] {escape(level.goal_text)}\n\n"
            f"[dim]{best}[/]")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.open_level(event.option.id or "")

    def action_open(self) -> None:
        option = self.query_one("#map-list", OptionList).highlighted_option
        if option is not None:
            self.open_level(option.id or "")

    def open_level(self, level_id: str) -> None:
        campaign = self.game.campaign()
        if campaign is None or level_id not in campaign.order:
            return
        if level_id not in self.game.open_levels(campaign.order):
            self.notify(f"Locked: {self.game.why_locked(campaign.get(level_id))}",
                        severity="warning")
            return
        navigate(self, OpenBriefing(campaign.get(level_id)))

    def palette_commands(self) -> list[PaletteCommand]:
        campaign = self.game.campaign()
        if campaign is None:
            return []
        unlocked = self.game.open_levels(campaign.order)
        return [PaletteCommand(f"Open level: {level.title}",
                               f"{level.chapter} › {level.section}",
                               functools.partial(self.open_level, level.id))
                for level in self.levels() if level.id in unlocked]


def _last_open(order: tuple[str, ...], unlocked: set[str]) -> str | None:
    for level_id in reversed(order):
        if level_id in unlocked:
            return level_id
    return None
