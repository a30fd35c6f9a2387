"""The debrief: the outcome, what happened in the chapter's words, the invariant that broke
and the events that broke it, the score against par, and a share code."""
# ruff: noqa: RUF001  (the game draws with these symbols on purpose)

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Footer, Static

from playground.game import words
from playground.game.debrief import Debrief
from playground.game.verdict import SeedVerdict
from playground.shipped import asset
from playground.tui.commands import PaletteCommand
from playground.tui.screens.campaign import stars_text
from playground.tui.widgets.panels import MODE_BADGE
from playground.tui.widgets.seeds import SeedHistogram
from playground.tui.widgets.solver_comparison import SolverComparison


def debrief_markup(d: Debrief, *, improved: bool = False) -> str:
    """The debrief as markup."""
    if d.state == "won":
        head = "[b reverse $success] ✓ WON [/]"
    elif d.state == "lost":
        head = "[b reverse $error] ✗ LOST [/]"
    else:
        head = f"[b reverse] {d.state.upper()} [/]"
    lines = [
        f"{head}  [b]{escape(d.title)}[/]  [dim]{MODE_BADGE.get(d.mode, d.mode)}[/]",
        f"[dim]{escape(d.chapter)} › {escape(d.section)}[/]",
        "",
        "[b $accent]What happened[/]",
        f"  {escape(d.story)}",
    ]
    if d.violation is not None:
        v = d.violation
        lines += ["", f"[b $accent]The {v.kind} property that broke[/]",
                  f"  [b]{escape(words.name(v.invariant))}[/] at t={v.tick}: {escape(v.detail)}"]
        if d.causes:
            lines.append("  [dim]caused by:[/]")
            lines += [f"   ◉ {escape(cause)}" for cause in d.causes]
    if d.idea:
        lines += ["", "[b $accent]The idea[/]", f"  {escape(d.idea)}"]
    if d.real_world:
        lines += ["", "[b $accent]In real systems[/]", f"  {escape(d.real_world)}"]
    best = "  [b $warning]new best![/]" if improved else ""
    lines += ["", f"[b $accent]Score[/]  [b]{d.points}[/] points  {stars_text(d.stars)}{best}"]
    if d.par:
        lines.append(f"  [dim]{'measure':<20} {'yours':>8} {'par':>8}[/]")
        for row in d.par:
            mark = "" if row.met is None else (" [$success]✓[/]" if row.met else
                                               " [$error]✗[/]")
            lines.append(f"  {escape(row.measure):<20} {escape(words.value(row.yours)):>8} "
                         f"{escape(words.value(row.par)):>8}{mark}")
    if d.actions:
        lines += ["", "[b $accent]Your moves[/]"]
        lines += [f"  {escape(a)}" for a in d.actions]
    lines += ["", "[b $accent]Share code[/] [dim](c copies it; anyone can replay your run)[/]",
              f"  {escape(d.share_code)}"]
    return "\n".join(lines)


class DebriefScreen(Screen[str]):
    """After a level. Dismisses with ``retry``, ``next``, ``board``, ``map`` or ``replay``
    (play the first losing seed of a KEEP IT verdict over several seeds)."""

    CSS_PATH = str(asset("screens.tcss"))

    BINDINGS = [
        Binding("r", "choose('retry')", "Retry"),
        Binding("n", "choose('next')", "Next level"),
        Binding("escape,b", "choose('board')", "Back to the board"),
        Binding("m", "choose('map')", "Map"),
        Binding("c", "copy", "Copy code"),
        Binding("p", "choose('replay')", "Replay a losing seed"),
    ]

    def __init__(self, debrief: Debrief, *, improved: bool = False, has_next: bool = False,
                 seeds: SeedVerdict | None = None, metric: str = "", bound: str = "") -> None:
        super().__init__()
        self.debrief = debrief
        self.improved = improved
        self.has_next = has_next
        self.seeds = seeds
        self.metric = metric
        self.bound = bound

    def compose(self) -> ComposeResult:
        keys = "[b reverse] r [/] retry  [b reverse] b [/] back to the board  "
        if self.has_next and self.debrief.won:
            keys += "[b reverse] n [/] next level  "
        keys += "[b reverse] m [/] map"
        with VerticalScroll(id="debrief-body"):
            yield Static(debrief_markup(self.debrief, improved=self.improved),
                         id="debrief-text")
            if self.seeds is not None:
                yield SeedHistogram(self.seeds, self.metric, self.bound)
            if self.debrief.versus_solver:
                yield SolverComparison(self.debrief.versus_solver)
            yield Static(keys, id="debrief-keys")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters and parameters[0] == "next":
            return self.has_next and self.debrief.won
        if action == "choose" and parameters and parameters[0] == "replay":
            return self.seeds is not None and bool(self.seeds.lost)
        return True

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.debrief.share_code)
        self.notify("Share code copied (if your terminal allows it).")

    def palette_commands(self) -> list[PaletteCommand]:
        out = [PaletteCommand("Retry the level", "r", lambda: self.action_choose("retry")),
               PaletteCommand("Back to the board", "b", lambda: self.action_choose("board")),
               PaletteCommand("Campaign map", "m", lambda: self.action_choose("map")),
               PaletteCommand("Copy the share code", "c", self.action_copy)]
        if self.has_next and self.debrief.won:
            out.insert(1, PaletteCommand("Next level", "n", lambda: self.action_choose("next")))
        if self.seeds is not None and self.seeds.lost:
            out.append(PaletteCommand(f"Replay seed {self.seeds.lost[0].seed}", "p",
                                      lambda: self.action_choose("replay")))
        return out
