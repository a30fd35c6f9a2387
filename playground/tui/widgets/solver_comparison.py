"""The debrief's comparison of a won run with the solver's best (see
:func:`playground.game.solve_advice.versus_solver`)."""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static


class SolverComparison(Static):
    """A heading and the comparison's lines, indented like the rest of the debrief."""

    def __init__(self, lines: tuple[str, ...]) -> None:
        text = "\n".join(["", "[b $accent]Against the solver[/]",
                          *(f"  {escape(line)}" for line in lines)])
        super().__init__(text, id="debrief-solver")
