"""The sandbox: every protocol and every tool, no goal. Choose a protocol and a cluster
size, or the campaign's own sandbox level."""

from __future__ import annotations

import re
from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Footer, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from playground.game.errors import LevelError
from playground.game.level import Level, parse_level
from playground.protocols.registry import ProtocolSpec, all_protocols
from playground.shipped import asset
from playground.tui.commands import PaletteCommand
from playground.tui.navigation import StartLevel, navigate
from playground.tui.screens.base import GameMixin

SIZES = (3, 4, 5, 7, 9)
SANDBOX_TICKS = 60_000


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def sandbox_level(spec: ProtocolSpec, size: int, seed: int = 1,
                  knobs: Mapping[str, object] | None = None) -> Level:
    """A goal-free level for ``spec`` with every tool (and optionally some knobs set): on
    ``size`` nodes ``n1..nN``, or on the protocol's own node names when they are roles
    (``lock``, ``client-a``...) that its knobs refer to."""
    size = max(size, spec.min_nodes)
    default = tuple(spec.default_nodes)
    numbered = all(re.fullmatch(r"n\d+", name) for name in default)
    names = default if (size == len(default) or not numbered) else \
        tuple(f"n{i}" for i in range(1, size + 1))
    nodes = ", ".join(f'"{name}"' for name in names)
    knob_text = ", ".join(f"{k} = {_toml(v)}" for k, v in (knobs or {}).items())
    text = f'''
id = "sandbox-{spec.name.replace('_', '-')}"
title = "Sandbox: {spec.title.replace('"', "'")}"
chapter = "Knowledge, Truth, and Lies"
section = "System Model and Reality"
mode = "sandbox"
briefing = "Every tool, no goal: break {spec.name.replace('"', "'")} any way you like."
ticks = {SANDBOX_TICKS}
seed = {seed}

[cluster]
nodes = [{nodes}]

[protocol]
name = "{spec.name}"
knobs = {{ {knob_text} }}
'''
    return parse_level(text, f"<sandbox {spec.name}>")


class SandboxScreen(GameMixin, Screen[None]):
    """Pick what to play with; Enter starts."""

    CSS_PATH = str(asset("screens.tcss"))

    BINDINGS = [Binding("escape", "app.pop_screen", "Back"),
                Binding("enter", "start", "Start", show=False, priority=True)]

    def compose(self) -> ComposeResult:
        yield Static("[b]SANDBOX[/]  [dim]every tool, no goal[/]", id="sandbox-title")
        with Horizontal(id="sandbox-body"):
            yield OptionList(id="sandbox-list")
            with Vertical(id="sandbox-side"):
                yield Static("[b]Nodes[/]")
                with RadioSet(id="sandbox-size"):
                    for size in SIZES:
                        yield RadioButton(str(size), value=size == 5, id=f"size-{size}")
                yield Static("", id="sandbox-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.choices: dict[str, tuple[str, object]] = {}
        option_list = self.query_one("#sandbox-list", OptionList)
        campaign = self.game.campaign()
        if campaign is not None:
            for level in campaign.levels:
                if level.mode == "sandbox":
                    self.choices[f"level:{level.id}"] = ("level", level)
                    option_list.add_option(Option(f"◇ {escape(level.title)} "
                                                  "[dim](the campaign's)[/]",
                                                  id=f"level:{level.id}"))
        try:
            specs = all_protocols()
        except Exception as exc:  # a protocol module being written may not import yet
            specs = {}
            self.notify(f"some protocols could not be loaded: {exc}", severity="warning")
        for name, spec in specs.items():
            self.choices[f"protocol:{name}"] = ("protocol", spec)
            option_list.add_option(Option(f"  {escape(spec.title)}", id=f"protocol:{name}"))
        if not self.choices:
            self.query_one("#sandbox-detail", Static).update(
                "No protocol is installed yet.")
        else:
            option_list.highlighted = 0
            self.show_detail(next(iter(self.choices)))
        option_list.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_detail(event.option.id or "")

    def show_detail(self, key: str) -> None:
        kind, item = self.choices.get(key, ("", None))
        detail = self.query_one("#sandbox-detail", Static)
        if kind == "level" and isinstance(item, Level):
            detail.update(f"\n{escape(item.briefing)}\n\n[dim]{len(item.nodes)} nodes, "
                          f"{escape(item.protocol.title)}[/]")
        elif kind == "protocol" and isinstance(item, ProtocolSpec):
            detail.update(f"\n{escape(item.summary)}\n\n[dim]{escape(item.source)}[/]")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_start()

    def cluster_size(self) -> int:
        pressed = self.query_one("#sandbox-size", RadioSet).pressed_button
        return int(str(pressed.id).removeprefix("size-")) if pressed else 5

    def action_start(self) -> None:
        option = self.query_one("#sandbox-list", OptionList).highlighted_option
        if option is None:
            return
        kind, item = self.choices.get(option.id or "", ("", None))
        if kind == "level" and isinstance(item, Level):
            navigate(self, StartLevel(item, replace=False))
        elif kind == "protocol" and isinstance(item, ProtocolSpec):
            try:
                level = sandbox_level(item, self.cluster_size())
            except LevelError as exc:
                self.notify(str(exc), severity="error")
                return
            navigate(self, StartLevel(level, replace=False))

    def palette_commands(self) -> list[PaletteCommand]:
        return [PaletteCommand("Start the sandbox", "Enter", self.action_start)]
