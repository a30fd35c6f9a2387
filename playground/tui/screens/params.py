"""The small dialog that asks for a tool's parameters (or a knob's value) before using it.

Fields come pre-filled with the obvious values, so ``f`` then Enter freezes the selected node
for as long as the budget allows. Each row is a label, then the value: a text box, or a list
for a field with choices (Space or ↓ opens it). The focused row is marked and highlighted.
Enter checks the whole dialog and says why it would be refused (out of range, budget spent)
without losing what was typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from textual import events
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from playground.tui.tools import Field


class ToolParamsScreen(ModalScreen[dict[str, str] | None]):
    """Fill in a tool's parameters. Enter applies, Escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "submit", "Apply", priority=True),
    ]

    def __init__(self, title: str, doc: str, fields: Sequence[Field],
                 check: Callable[[Mapping[str, str]], str | None]) -> None:
        super().__init__()
        self.title_text = title
        self.doc = doc
        self.fields = tuple(fields)
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="params"):
            yield Static(f"[b]{escape(self.title_text)}[/]\n[dim]{escape(self.doc)}[/]")
            for field in self.fields:
                with Horizontal(classes="param-row"):
                    yield Label(escape(field.label), classes="param-label")
                    if field.choices:
                        labels = field.choice_labels or field.choices
                        yield Select(
                            list(zip(labels, field.choices, strict=True)),
                            id=f"param-{field.name}",
                            value=field.default if field.default in field.choices
                            else field.choices[0],
                            allow_blank=False, compact=True, classes="param-input")
                    else:
                        box = Input(value=field.default, id=f"param-{field.name}",
                                    compact=True, classes="param-input")
                        box.cursor_blink = False  # a steady cursor: easier to see, same frames
                        yield box
                hint = field.help if field.required else \
                    " · ".join(h for h in ("optional", field.help) if h)
                if field.choices:
                    hint = f"{hint} · " if hint else ""
                    hint += "Space or ↓ opens the list"
                if hint:
                    yield Static(f"[dim]{escape(hint)}[/]", classes="param-help")
            yield Static("", id="params-error")
            yield Static("[b reverse] Enter [/] apply   [b reverse] Tab [/] next field   "
                         "[b reverse] Esc [/] cancel", classes="param-keys")

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#param-{self.fields[0].name}").focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Mark the row of the focused field (its label turns bold and reversed)."""
        for row in self.query(".param-row"):
            row.set_class(event.widget in row.query("*"), "-focused")

    def values(self) -> dict[str, str]:
        out = {}
        for f in self.fields:
            widget = self.query_one(f"#param-{f.name}")
            out[f.name] = str(widget.value) if isinstance(widget, Select | Input) else ""
        return out

    def action_submit(self) -> None:
        """Check and apply; an open list takes the Enter itself (it picks the option)."""
        if any(select.expanded for select in self.query(Select)):
            raise SkipAction()
        values = self.values()
        problem = self.check(values)
        if problem:
            self.query_one("#params-error", Static).update(f"[b $error]✗ {escape(problem)}[/]")
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)
