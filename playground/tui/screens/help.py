"""The help screen: every key, by what it is for. Mouse: click cards, lanes, links, tools
and the timeline."""
# ruff: noqa: RUF001  (the game draws with these symbols on purpose)

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Static

from playground.tui.tools import TOOL_KEYS, TOOL_LABELS, TOOL_SYMBOLS

SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Everywhere", (
        ("Ctrl+P", "command palette: every action by name"),
        ("F1", "this help"), ("F2", "settings"), ("Esc", "back"), ("Ctrl+Q", "quit"),
    )),
    ("Time", (
        ("Space", "play / pause"), (".", "step one tick (1 ms of true time)"),
        ("n", "step to the next event"), ("+ / -", "faster / slower: 1x 4x 16x 64x"),
        ("[ / ]", "back / forward a little (back rewinds)"), ("{ / }", "back / forward more"),
        ("Home", "rewind to the start"),
        ("", "acting on a rewound screen forks the timeline: later moves are dropped"),
    )),
    ("Choosing a target", (
        ("1-9", "select node 1..9"), ("arrows", "move between node cards"),
        ("l", "a link of the selected node (again: the next one)"),
        ("d", "flip the link: both ways, one way, the other way"),
        ("Tab", "move focus: cards, diagram, knobs"),
    )),
    ("The level", (
        ("i", "next hint (three, each more direct)"), ("b", "the briefing again"),
        ("!", "claim the level cannot be broken (BREAK IT)"), ("Ctrl+R", "restart"),
        ("z / Z", "zoom the diagram in / out"),
        ("↑↓ ←→ Enter", "KEEP IT knobs: choose, change, restart with them"),
    )),
)

LEGEND = (
    ("♛", "believes it leads"), ("❄", "frozen (paused)"), ("✖", "crashed"),
    ("≠", "lying (Byzantine)"), ("↶", "time-of-day clock reads earlier than it once did"),
    ("★", "a decision"), ("▸ ◂", "a message arrives"), ("✗", "a message dropped"),
    ("‖", "a message held"), ("◉ !!", "a violation and the events that caused it"),
    ("╳", "a cut link"), ("▰▱", "meters: full is healthy"),
)


def help_markup() -> str:
    lines = ["[b]KEYS[/]  [dim]the mouse works too: click cards, lanes, links, tools, the "
             "timeline[/]"]
    for title, rows in SECTIONS:
        lines += ["", f"[b $accent]{title}[/]"]
        lines += [f"  [b]{escape(key):<12}[/] {escape(what)}" for key, what in rows]
    lines += ["", "[b $accent]Tools[/] [dim](on the selected node or link)[/]"]
    items = [f"[b]{key}[/] {TOOL_SYMBOLS[tool]} {TOOL_LABELS[tool]:<12}"
             for tool, key in TOOL_KEYS.items()]
    for i in range(0, len(items), 3):
        lines.append("  " + "  ".join(items[i:i + 3]))
    lines += ["", "[b $accent]Symbols[/]"]
    lines += [f"  {escape(sym):<5} {escape(what)}" for sym, what in LEGEND]
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    """Keys and symbols."""

    BINDINGS = [Binding("escape,f1,question_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help"):
            yield Static(help_markup(), id="help-text")
