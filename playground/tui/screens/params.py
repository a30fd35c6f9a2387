"""The small dialog that asks for a tool's parameters before applying it.

Fields come pre-filled with the obvious values, so ``f`` then Enter freezes the selected node
for as long as the budget allows. The dialog checks the action before closing and says why
it would be refused (out of range, budget spent) without losing what was typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from playground.tui.tools import Field


class ToolParamsScreen(ModalScreen[dict[str, str] | None]):
    """Fill in a tool's parameters. Enter applies, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

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
                    yield Input(
                        value=field.default, id=f"param-{field.name}", compact=True,
                        placeholder="optional" if not field.required else "",
                        suggester=SuggestFromList(field.choices) if field.choices else None,
                        classes="param-input",
                    )
                hint = field.help or (" / ".join(field.choices) if field.choices else "")
                if field.choices and field.help:
                    hint = f"{field.help} ({' / '.join(field.choices)})"
                elif field.choices:
                    hint = " / ".join(field.choices)
                if hint:
                    yield Static(f"[dim]{escape(hint)}[/]", classes="param-help")
            yield Static("", id="params-error")
            yield Static("[b reverse] Enter [/] apply   [b reverse] Esc [/] cancel",
                         classes="param-keys")

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#param-{self.fields[0].name}", Input).focus()

    def values(self) -> dict[str, str]:
        return {f.name: self.query_one(f"#param-{f.name}", Input).value for f in self.fields}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        values = self.values()
        problem = self.check(values)
        if problem:
            self.query_one("#params-error", Static).update(f"[b $error]✗ {escape(problem)}[/]")
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)
