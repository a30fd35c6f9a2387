"""The codex screen: each concept met so far, explained and linked to its outline entry,
and the protocols met, with what they promise."""
# ruff: noqa: RUF001  (the game draws with these symbols on purpose)

from __future__ import annotations

import functools

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from playground.shipped import asset
from playground.tui.codex import CodexEntry, codex_entries, tool_text, tool_title, tools_met
from playground.tui.commands import PaletteCommand
from playground.tui.screens.base import GameMixin


class CodexScreen(GameMixin, Screen[None]):
    """Concepts by chapter section; the highlighted one is explained on the right."""

    CSS_PATH = str(asset("screens.tcss"))

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Static("[b]CODEX[/]  [dim]the concepts you met, in the chapter's words[/]",
                     id="codex-title")
        with Horizontal(id="codex-body"):
            yield OptionList(id="codex-list")
            with VerticalScroll(id="codex-detail-box"):
                yield Static("", id="codex-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.entries: dict[str, CodexEntry] = {}
        self.protocols: dict[str, str] = {}
        option_list = self.query_one("#codex-list", OptionList)
        campaign = self.game.campaign()
        levels = list(campaign.levels) if campaign else []
        seen = self.game.seen_levels()
        chapter = None
        hidden = 0
        for entry in codex_entries(levels, seen):
            if not entry.known:
                hidden += 1
                continue
            if entry.chapter != chapter:
                chapter = entry.chapter
                option_list.add_option(Option(f"[b $accent]{escape(chapter)}[/]",
                                              disabled=True))
            key = f"concept:{entry.concept}"
            self.entries[key] = entry
            option_list.add_option(Option(f"  {escape(entry.concept)}", id=key))
        specs = {lv.protocol.name: lv.protocol for lv in levels if lv.id in seen}
        if specs:
            option_list.add_option(Option("[b $accent]Protocols[/]", disabled=True))
            for name, spec in specs.items():
                checks = "\n".join(f"  • [b]{escape(k)}[/]: {escape(v)}"
                                   for k, v in {**spec.invariants, **spec.liveness}.items())
                self.protocols[f"protocol:{name}"] = (
                    f"[b]{escape(spec.title)}[/]\n[dim]{escape(spec.source)}[/]\n\n"
                    f"{escape(spec.summary)}\n\n[b]It promises[/]\n{checks}")
                option_list.add_option(Option(f"  {escape(spec.title)}", id=f"protocol:{name}"))
        tools = tools_met(levels, seen)
        if tools:
            option_list.add_option(Option("[b $accent]Tools[/]", disabled=True))
            for name in tools:
                self.protocols[f"tool:{name}"] = (f"[b]{escape(tool_title(name))}[/]\n\n"
                                                  f"{escape(tool_text(name))}")
                option_list.add_option(Option(f"  {escape(tool_title(name))}",
                                              id=f"tool:{name}"))
        if hidden:
            option_list.add_option(Option(f"[dim]{hidden} more to meet…[/]", disabled=True))
        detail = self.query_one("#codex-detail", Static)
        if not self.entries and not self.protocols:
            detail.update("Nothing yet: play a level and its ideas appear here.")
        option_list.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show(event.option.id or "")

    def show(self, key: str) -> None:
        detail = self.query_one("#codex-detail", Static)
        if key in self.protocols:
            detail.update(self.protocols[key])
            return
        entry = self.entries.get(key)
        if entry is None:
            return
        detail.update(
            f"[b]{escape(entry.concept)}[/]\n[dim]{escape(entry.chapter)} › "
            f"{escape(entry.section)}[/]\n\n{escape(entry.text)}\n\n"
            f"[dim]Met in: {escape(entry.level_title)}[/]")

    def palette_commands(self) -> list[PaletteCommand]:
        option_list = self.query_one("#codex-list", OptionList)
        out = []
        for index, option in enumerate(option_list.options):
            if option.id:
                title = option.id.split(":", 1)[1]
                out.append(PaletteCommand(f"Codex: {title}", "explain it",
                                          functools.partial(setattr, option_list,
                                                            "highlighted", index)))
        return out
