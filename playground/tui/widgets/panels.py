"""Small text panels of the play screen: status bar, scrubber, links, goal and meters.

Each takes plain data, builds its text with theme-aware markup (``$success``, ``$error``...)
and repaints only when that text changed. Clickable parts use ``@click`` actions, so the
mouse works wherever a key does.
"""


from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.markup import escape
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from playground.game import words
from playground.tui.diagram import merge_runs
from playground.tui.model import LinkView, Meters
from playground.tui.widgets.paint import ClassStyles, crop, runs_to_strip

MODE_BADGE = {"break": "BREAK IT", "keep": "KEEP IT", "sandbox": "SANDBOX"}


class TextPanel(Static):
    """A Static that only re-renders when its markup changes."""

    #: Lines may wrap: recompute the layout whenever the text's length changes.
    WRAPS = False

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__("", name=name, id=id, classes=classes, markup=True)
        self._markup = ""

    def show(self, markup: str) -> None:
        """Show ``markup``; a new layout is only computed if the line count changed."""
        if markup != self._markup:
            relayout = (markup.count("\n") != self._markup.count("\n") or not self._markup
                        or (self.WRAPS and len(markup) != len(self._markup)))
            self._markup = markup
            self.update(markup, layout=relayout)

    @property
    def markup_text(self) -> str:
        return self._markup


class StatusBar(Widget):
    """Level, time, play state and speed on one line (Line API: it changes every frame)."""

    COMPONENT_CLASSES = {"status--badge", "status--title", "status--strong", "status--past",
                         "status--won", "status--lost", "status--dim"}

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.runs: tuple[tuple[str, str], ...] = ()
        self._styles = ClassStyles(self, "status")
        self._strip: tuple[tuple, Strip] | None = None

    @property
    def text(self) -> str:
        """The plain text shown."""
        return "".join(t for t, _ in self.runs)

    def refresh_status(self, *, title: str, mode: str, now: int, ticks: int, playing: bool,
                       speed: int, in_past: bool, actions: int, state: str,
                       paced_fps: float | None = None) -> None:
        runs = [
            (f" {MODE_BADGE.get(mode, mode.upper())} ", "badge"), (" ", ""), (title, "title"),
            ("  t=", ""), (str(now), "strong"), (f"/{ticks}ms  ", ""),
            ("▶ playing " if playing else "‖ paused ", ""), (f"{speed}x", "strong"),
        ]
        if paced_fps is not None:  # a shared server slowed the frames, not the game
            runs.append((f" ~{max(1, round(paced_fps))} fps (shared server)", "dim"))
        end = {"won": (" ✓ WON", "won"), "lost": (" ✗ LOST", "lost"),
               "done": (" ■ END", "strong")}.get(state)
        if end:
            runs.append(end)
        if in_past:
            runs.append((" ⟲ past: acting forks", "past"))
        runs.append((f"  actions {actions}", "dim"))
        new = tuple(runs)
        if new != self.runs:
            self.runs = new
            self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strip = None

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        key = (self.runs, width)
        if self._strip is None or self._strip[0] != key:
            self._strip = (key, runs_to_strip(_shorten_title(self.runs, width) if y == 0
                                              else (), self._styles, width))
        return self._strip[1] if y == 0 else Strip.blank(width, self._styles(""))


def _shorten_title(runs: Sequence[tuple[str, str]], width: int) -> list[tuple[str, str]]:
    """The status runs in ``width`` cells: the level title gives way (ending with ``…``) so
    the time, the play state and the action count stay; past that the end is cut."""
    over = sum(len(text) for text, _ in runs) - width
    out = list(runs)
    if over > 0:
        for i, (text, cls) in enumerate(out):
            if cls == "title":
                out[i] = (words.fit(text, max(1, len(text) - over)), cls)
                break
    return crop(out, width)


class Scrubber(Widget):
    """The timeline: drawn part, the moment shown, violations. Click to go there."""

    COMPONENT_CLASSES = {"scrubber--done", "scrubber--todo", "scrubber--now",
                         "scrubber--label", "scrubber--violation"}

    class Seek(Message):
        """The player clicked the timeline at ``tick``."""

        def __init__(self, tick: int) -> None:
            super().__init__()
            self.tick = tick

    def __init__(self, ticks: int, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.ticks = max(1, ticks)
        self.now = 0
        self.frontier = 0
        self.marks: tuple[int, ...] = ()
        self._styles = ClassStyles(self, "scrubber")
        self._strip: tuple[tuple, Strip] | None = None

    def set_state(self, now: int, frontier: int, marks: Sequence[int]) -> None:
        """Show ``now``; repaints only if a cell of the bar changes (a cell is many ticks)."""
        self.now, self.frontier, self.marks = now, frontier, tuple(marks)
        if self._strip is None or self._strip[0] != self._key(self.size.width):
            self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strip = None

    def _bar(self, width: int) -> tuple[int, int]:
        left = len(" 0 ")
        right = len(f" {self.ticks} ")
        return left, max(4, width - left - right)

    def _key(self, width: int) -> tuple:
        """What the line shows: the columns of the frontier, of "now" and of the marks."""
        _left, bar = self._bar(width)

        def col(tick: int) -> int:
            return min(bar - 1, max(0, round(tick / self.ticks * (bar - 1))))

        return (width, col(self.frontier), col(self.now), tuple(col(t) for t in self.marks))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        key = self._key(width)
        if self._strip is not None and self._strip[0] == key:
            return self._strip[1]
        _width, frontier, now, marks = key
        _left, bar = self._bar(width)
        cells = ["━"] * (frontier + 1) + ["─"] * (bar - frontier - 1)
        classes = ["done"] * (frontier + 1) + ["todo"] * (bar - frontier - 1)
        for column in marks:
            cells[column] = "!"
            classes[column] = "violation"
        cells[now] = "●"
        classes[now] = "now"
        runs = [(" 0 ", "label"), *merge_runs(cells, classes), (f" {self.ticks} ", "label")]
        strip = runs_to_strip(runs, self._styles, width)
        self._strip = (key, strip)
        return strip

    def on_click(self, event: events.Click) -> None:
        left, bar = self._bar(self.size.width)
        if event.x < left:
            self.post_message(self.Seek(0))
            return
        offset = min(bar - 1, max(0, event.x - left))
        self.post_message(self.Seek(round(offset / max(1, bar - 1) * self.ticks)))


class LinksPanel(TextPanel):
    """Links that are not simply up (cut, one-way, holding, slow, lossy), links in the same
    state on one line; click a link to select it."""

    def refresh_links(self, views: Sequence[LinkView], pairs: int, selection: str | None,
                      selected_text: str | None, most: int) -> None:
        lines: list[str] = []
        if selected_text is not None and selection is not None:
            lines.append(f"[b $accent]▶ {escape(selected_text)}[/]  "
                         "[dim](l next, d direction)[/]")
        shown = [v for v in views if not _same_link(v.target, selection)]
        groups = _group(shown)
        room = max(0, most - len(lines) - (1 if len(groups) > most - len(lines) else 0))
        lines += [_group_markup(group) for group in groups[:room]]
        hidden = sum(len(g) for g in groups[room:])
        if hidden > 0:
            lines.append(f"[dim]… {hidden} more link{'s' if hidden != 1 else ''}[/]")
        if not views:
            lines.append(f"[$success]links: all {pairs} pair{'s' if pairs != 1 else ''} up[/]"
                         + ("" if selection and selected_text else " [dim](l: pick a link)[/]"))
        self.show("\n".join(lines))


LINK_COLOUR = {"cut": "$error", "held": "$warning", "slow": "$warning", "lossy": "$warning"}


def _group(views: Sequence[LinkView]) -> list[list[LinkView]]:
    """Links sharing a state, in the order their first member comes (the worst first)."""
    groups: dict[tuple[str, str, str], list[LinkView]] = {}
    for view in views:
        groups.setdefault((view.severity, view.symbol, view.state), []).append(view)
    return list(groups.values())


def _click(view: LinkView, text: str) -> str:
    return f"[@click=screen.select_target({view.target!r})]{escape(text)}[/]"


def _group_markup(group: Sequence[LinkView]) -> str:
    """One link as its own line; several as ``≈ slow 5 ms: n1-n3, n1-n4``."""
    first = group[0]
    colour = LINK_COLOUR.get(first.severity, "$foreground")
    if len(group) == 1 or not first.state:
        return "  ".join(f"[{colour}]{_click(v, v.text)}[/]" for v in group)
    pairs = ", ".join(_click(v, f"{v.a}-{v.b}" if "<->" in v.target else f"{v.a}→{v.b}")
                      for v in group)
    return f"[{colour}]{first.symbol} {escape(first.state)}:[/] {pairs}"


class DetailLine(TextPanel):
    """The whole text of what is cut elsewhere (``…``): the selected card or a clicked event.

    Hidden while there is nothing to show."""

    WRAPS = True

    def show_detail(self, text: str | None) -> None:
        if self.display != bool(text):  # setting it, even unchanged, repaints the line
            self.display = bool(text)
        self.show(escape(text) if text else "")


class GoalPanel(TextPanel):
    """The goal and the live safety and liveness meters."""

    WRAPS = True

    def refresh_goal(self, *, goal: str, mode: str, target: str | None, meters: Meters,
                     hint: str | None, width: int, requirements: Sequence[str] = ()) -> None:
        lines = [f"[b]GOAL[/] {escape(goal) if goal else '[dim]none: try anything[/]'}"]
        lines += [f"[b]keep[/] {escape(req)}" for req in requirements]
        if mode == "break" and target:
            broken = dict(meters.invariants).get(target) is False
            lines.append(f"[b]target[/] {escape(words.name(target))} "
                         + ("[b $success]● BROKEN[/]" if broken else "[dim]○ holding[/]"))
        bar_w = max(4, min(12, width - 24))
        safety = "[$success]" if meters.safety_ok else "[$error]"
        lines.append(f"[b]safety  [/] {safety}{_meter(1.0 if meters.safety_ok else 0.0, bar_w)}"
                     f"[/] {escape(meters.safety_text)}")
        live = "[$success]" if meters.liveness_ok and meters.liveness_fill < 0.5 else (
            "[$warning]" if meters.liveness_ok else "[$error]")
        lines.append(f"[b]liveness[/] {live}{_meter(1.0 - meters.liveness_fill, bar_w)}[/] "
                     f"{escape(meters.liveness_text)}")
        if hint:
            lines.append(f"[b $warning]hint[/] {escape(hint)}")
        self.show("\n".join(lines))


def _same_link(a: str, b: str | None) -> bool:
    """True if two link targets name the same links (``a<->b`` is ``b<->a``)."""
    if b is None:
        return False
    from playground.sim.network import parse_link

    try:
        x1, y1, both1 = parse_link(a)
        x2, y2, both2 = parse_link(b)
    except ValueError:
        return a == b
    if both1 or both2:
        return both1 == both2 and {x1, y1} == {x2, y2}
    return (x1, y1) == (x2, y2)


def _meter(fill: float, width: int) -> str:
    """A bar of ``width`` cells, ``fill`` of it ``▰`` (healthy), the rest ``▱``."""
    used = min(width, max(0, round(fill * width)))
    return "▰" * used + "▱" * (width - used)
