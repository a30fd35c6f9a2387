"""Claiming a level unbreakable asks why: three short reasons, one of them right.

The player picks a reason (arrows and Enter, a click, or its number); Escape takes the claim
back. The confirm step comes after, on the play screen.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class ClaimReasonScreen(ModalScreen[int | None]):
    """Why can it not be broken? Dismisses with the reason's number (1-based), or ``None``."""

    BINDINGS = [
        Binding("escape", "pick(0)", "Take the claim back"),
        *(Binding(str(n), f"pick({n})", f"Reason {n}", show=False) for n in (1, 2, 3)),
    ]

    def __init__(self, reasons: tuple[str, ...]) -> None:
        super().__init__()
        self.reasons = reasons

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="claim-reason"):
            yield Static("[b]Why can it not be broken?[/]\nA right claim with the wrong reason "
                         "is not a win. Pick one (↑↓ and Enter, or its number); Esc takes "
                         "the claim back.")
            yield OptionList(*(Option(f"{n}. {escape(text)}", id=str(n))
                               for n, text in enumerate(self.reasons, start=1)),
                             id="claim-reasons")

    def on_mount(self) -> None:
        self.query_one("#claim-reasons", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0) or None)

    def action_pick(self, number: int) -> None:
        self.dismiss(number if 1 <= number <= len(self.reasons) else None)
