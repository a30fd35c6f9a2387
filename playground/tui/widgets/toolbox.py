"""The toolbox (BREAK IT, sandbox) and the knob panel (KEEP IT).

Both list what the player can do with its key and what is left of it, and end with the last
message: what was done, or why it was refused (budget spent, out of range, wrong target).
Items are clickable.
"""


from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual.binding import Binding
from textual.markup import escape
from textual.message import Message

from playground.game import words
from playground.game.level import KnobRange
from playground.tui.tools import TOOL_KEYS, TOOL_LABELS, TOOL_SYMBOLS
from playground.tui.widgets.panels import TextPanel


def message_markup(message: str | None, ok: bool) -> str:
    """The last result line: ``✓`` done or ``✗`` refused."""
    if not message:
        return ""
    text = escape(words.prose(message))  # a refusal shared with the files names fields
    if ok:
        return f"[$success]✓ {text}[/]"
    return f"[b $error]✗ {text}[/]"


class Toolbox(TextPanel):
    """Tools with their keys and remaining budget."""

    def refresh_tools(self, *, tools: Sequence[str], remaining: Mapping[str, int | None],
                      target: str | None, claim: bool, message: str | None, ok: bool,
                      wide: bool, ahead: str | None = None) -> None:
        lines = [f"[b]TOOLS[/] [dim]acting on[/] [b $accent]{escape(target or 'nothing')}[/]"]
        if ahead:  # first, so a small screen shows it too
            lines.append(f"[$warning]⟳ {escape(ahead)}[/]")
        for tool in tools:
            key = TOOL_KEYS.get(tool, "?")
            left = remaining.get(tool)
            if left is None:
                budget = "[dim]∞[/]"
            elif left <= 0:
                budget = "[dim]used up[/]"
            else:
                budget = f"[b]{left}[/] left"
            label = TOOL_LABELS.get(tool, tool)
            words = f"{label:<12}" if wide else f"{label:<11}"
            item = f"[b reverse] {key} [/] {TOOL_SYMBOLS.get(tool, ' ')} {escape(words)} {budget}"
            if left is not None and left <= 0:
                item = f"[dim]{item}[/]"
            lines.append(f"[@click=screen.tool({tool!r})]{item}[/]")
        if claim:
            lines.append("[@click=screen.claim][b reverse] ! [/] ∎ claim: unbreakable[/]")
        if message:
            lines.append(message_markup(message, ok))
        self.show("\n".join(lines))


class KnobPanel(TextPanel, can_focus=True):
    """KEEP IT: the knobs the player may turn. Arrows choose and change, Enter restarts."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Previous knob", show=False),
        Binding("down", "cursor(1)", "Next knob", show=False),
        Binding("left", "change(-1)", "Lower", show=False),
        Binding("right", "change(1)", "Raise", show=False),
        Binding("pagedown", "change(-10)", "Lower a lot", show=False),
        Binding("pageup", "change(10)", "Raise a lot", show=False),
        Binding("home", "end(False)", "Lowest", show=False),
        Binding("end", "end(True)", "Highest", show=False),
        Binding("e", "edit", "Type a value", show=False),
        Binding("enter", "apply", "Restart with knobs", show=False),
    ]

    class Change(Message):
        """Move knob ``name`` one step in ``direction``."""

        def __init__(self, name: str, direction: int) -> None:
            super().__init__()
            self.name = name
            self.direction = direction

    class End(Message):
        """Set knob ``name`` to its lowest or highest value."""

        def __init__(self, name: str, high: bool) -> None:
            super().__init__()
            self.name = name
            self.high = high

    class Edit(Message):
        """Type (or pick from a list) knob ``name``'s value."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    class Apply(Message):
        """Restart the run with the knobs as set."""

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.names: list[str] = []
        self.cursor = 0

    def refresh_knobs(self, *, knobs: Mapping[str, KnobRange], draft: Mapping[str, Any],
                      current: Mapping[str, Any], message: str | None, ok: bool) -> None:
        self.names = list(knobs)
        self.cursor = min(self.cursor, max(0, len(self.names) - 1))
        lines = ["[b]KNOBS[/] [dim]↑↓ pick ←→ set ⏎ go[/]",
                 "[dim]PgUp PgDn 10 steps · Home End ends · e types[/]"]
        for i, (name, knob) in enumerate(knobs.items()):
            label = knob.title
            value = draft.get(name)
            changed = value != current.get(name)
            pointer = "▸" if i == self.cursor else " "
            star = " [b $warning]*[/]" if changed else ""
            lines.append(
                f"{pointer} {escape(label):<14}"
                f"[@click=screen.knob_down({name!r})][b] ◂ [/][/]"
                f"[b $accent]{escape(words.value(value))}[/]"
                f"[@click=screen.knob_up({name!r})][b] ▸ [/][/]{star}")
            if knob.choices:
                lines.append(f"    [dim]{escape(' / '.join(map(words.value, knob.choices)))}[/]")
            else:
                low = "" if knob.low is None else f"{knob.low:g}"
                high = "" if knob.high is None else f"{knob.high:g}"
                lines.append(f"    [dim]{low} … {high}[/]")
        lines.append("[@click=screen.apply_knobs][b reverse] ⏎ [/] restart with these[/]")
        if message:
            lines.append(message_markup(message, ok))
        self.show("\n".join(lines))

    def action_cursor(self, step: int) -> None:
        if self.names:
            self.cursor = (self.cursor + step) % len(self.names)
            self.post_message(self.Change("", 0))

    def action_change(self, direction: int) -> None:
        if self.names:
            self.post_message(self.Change(self.names[self.cursor], direction))

    def action_end(self, high: bool) -> None:
        if self.names:
            self.post_message(self.End(self.names[self.cursor], high))

    def action_edit(self) -> None:
        if self.names:
            self.post_message(self.Edit(self.names[self.cursor]))

    def action_apply(self) -> None:
        self.post_message(self.Apply())
