"""The briefing: the situation, the goal, the tools or knobs at hand, par."""
# ruff: noqa: RUF001  (the game draws with these symbols on purpose)

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Static

from playground.game import words
from playground.game.level import Level
from playground.shipped import asset
from playground.tui.commands import PaletteCommand
from playground.tui.controller import controller_from_share_code
from playground.tui.navigation import StartLevel, navigate
from playground.tui.screens.base import GameMixin
from playground.tui.tools import TOOL_KEYS, TOOL_LABELS, TOOL_SYMBOLS
from playground.tui.widgets.panels import MODE_BADGE


def par_words(level: Level) -> list[str]:
    """Par in words: ``1 action · break by tick 1710 · 21 messages · max latency ≤ 300 ms``."""
    par = level.par
    out = []
    if "actions" in par:
        out.append(f"{par['actions']} action{'s' if par['actions'] != 1 else ''}")
    if "ticks" in par:
        out.append(f"break by tick {par['ticks']}")
    if "messages" in par:
        out.append(f"{par['messages']} messages")
    out += [words.bound(k, None, v) for k, v in par.get("metrics", {}).items()]
    return out


def briefing_markup(level: Level, best: str | None = None) -> str:
    """The briefing as markup (shared by the screen and the in-play window)."""
    lines = [
        f"[b reverse $accent] {MODE_BADGE.get(level.mode, level.mode)} [/]  "
        f"[b]{escape(level.title)}[/]",
        f"[dim]{escape(level.chapter)} › {escape(level.section)}[/]",
        "",
        escape(level.briefing),
        "",
    ]
    if level.goal_text:
        lines.append(f"[b]Goal[/]  {escape(level.goal_text)}")
    if level.mode == "break" and level.goal_violation:
        meaning = level.protocol.invariants.get(level.goal_violation) or \
            level.protocol.liveness.get(level.goal_violation, "")
        lines.append(f"[b]Break[/] {escape(words.name(level.goal_violation))}"
                     + (f" [dim]({escape(words.prose(meaning))})[/]" if meaning else ""))
    for req in level.requirements:
        lines.append(f"[b]Keep[/]  {escape(words.bound(req.metric, req.min, req.max))}")
    lines.append(f"[b]Time[/]  {level.ticks} ms of simulated time · "
                 f"{len(level.nodes)} nodes · {escape(level.protocol.title)}")
    pars = par_words(level)
    if pars:  # near the top, so a small screen shows it without scrolling
        lines.append(f"[b]Par[/]   {escape(' · '.join(pars))}")
    if level.toolbox and level.mode != "sandbox":
        lines += ["", "[b]Your tools[/]"]
        for tool, budget in level.toolbox.items():
            limits = []
            if budget.count is not None:
                limits.append(f"{budget.count}×")
            if budget.targets:
                limits.append("on " + ", ".join(budget.targets))
            if budget.max_duration:
                limits.append(f"≤ {budget.max_duration:g} ms")
            if budget.max_delta:
                limits.append(f"≤ ±{budget.max_delta:g} ms")
            if budget.max_ppm:
                limits.append(f"≤ ±{budget.max_ppm:g} ppm")
            if budget.strategies:
                limits.append("/".join(budget.strategies))
            if budget.max_hold:
                limits.append(f"≤ {budget.max_hold} messages")
            if budget.settings:
                limits.append("only " + "/".join(map(words.name, budget.settings)))
            if budget.max_service_ms:
                limits.append(f"≤ {budget.max_service_ms:g} ms")
            lines.append(f"  [b reverse] {TOOL_KEYS.get(tool, '?')} [/] "
                         f"{TOOL_SYMBOLS.get(tool, ' ')} {TOOL_LABELS.get(tool, tool):<12} "
                         f"[dim]{escape(' '.join(limits))}[/]")
        if level.unbreakable or level.mode == "break":
            lines.append("  [b reverse] ! [/] ∎ claim it cannot be broken "
                         "[dim](if you think so)[/]")
    if level.player_knobs:
        lines += ["", "[b]Your knobs[/]"]
        for knob in level.player_knobs.values():
            choices = " / ".join(map(words.value, knob.choices)) if knob.choices else \
                f"{knob.low:g} … {knob.high:g}"
            lines.append(f"  {escape(knob.title)}: {escape(choices)} "
                         f"[dim]{escape(words.prose(knob.help))}[/]")
    if best:
        lines.append(f"[dim]{escape(best)}[/]")
    return "\n".join(lines)


class BriefingScreen(GameMixin, Screen[None]):
    """Before a level. Enter starts it."""

    CSS_PATH = str(asset("screens.tcss"))

    BINDINGS = [
        Binding("enter", "start", "Start"),
        Binding("v", "share_code", "Paste share code"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, level: Level) -> None:
        super().__init__()
        self.level = level

    def compose(self) -> ComposeResult:
        record = self.game.progress.levels.get(self.level.id)
        best = (f"your best: {record.best_score} points, {record.stars} ★"
                if record and record.won else None)
        with VerticalScroll(id="briefing-body"):
            yield Static(briefing_markup(self.level, best), id="briefing-text")
            yield Static("[b reverse] Enter [/] start   [b reverse] Esc [/] back", id="briefing-go")
        yield Footer()

    def action_start(self) -> None:
        navigate(self, StartLevel(self.level))

    def action_share_code(self) -> None:
        def done(code: str | None) -> None:
            if code:
                navigate(self, StartLevel(self.level, share_code=code))

        def problem(code: str) -> str | None:
            return controller_from_share_code(self.level, code)[1] or None

        self.app.push_screen(ShareCodeScreen(problem), done)

    def palette_commands(self) -> list[PaletteCommand]:
        return [PaletteCommand("Start the level", self.level.title, self.action_start),
                PaletteCommand("Replay a share code", "paste a DSP2-... code",
                               self.action_share_code)]


class BriefingModal(ModalScreen[None]):
    """The briefing over the play screen (``b``)."""

    BINDINGS = [Binding("escape,b,enter", "dismiss", "Back to the game")]

    def __init__(self, level: Level) -> None:
        super().__init__()
        self.level = level

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(briefing_markup(self.level))
            yield Static("[b reverse] Esc [/] back to the game")


class ShareCodeScreen(ModalScreen[str | None]):
    """Ask for a share code; a code that ``check`` refuses stays in the dialog with why."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, check: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("[b]Replay a share code[/]\n[dim]Paste a DSP2-… code and press "
                         "Enter.[/]")
            yield Input(placeholder="DSP2-…", id="share-input")
            yield Static("", id="share-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        problem = self.check(code) if code and self.check else None
        if problem:
            self.query_one("#share-error", Static).update(
                f"[b $error]✗ {escape(problem)}[/]\n[dim]Paste the whole code, or Esc.[/]")
            return
        self.dismiss(code or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
