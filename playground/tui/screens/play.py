"""The play screen: the cluster, its links, the space-time diagram, the goal, the toolbox.

Simulation and painting are separate: a wall-clock timer (paused unless playing) advances the
session by ``speed × elapsed`` ticks; then :meth:`PlayScreen.sync_view` hands fresh view data
to the widgets, which repaint only what changed, from cached strips. Every key has a palette
entry and (where it makes sense) a mouse target.
"""
# ruff: noqa: RUF002  (the game draws with these symbols on purpose)

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from typing import TypeVar, cast

import attrs
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from playground.game import words
from playground.game.debrief import build_debrief
from playground.game.level import Level
from playground.game.session import Session
from playground.game.verdict import SeedVerdict, key_metric, level_verdict, verdict_reason
from playground.shipped import asset
from playground.tui.cards import card_detail
from playground.tui.commands import PaletteCommand
from playground.tui.controller import PlayController, Result, controller_from_share_code
from playground.tui.diagram import default_scale
from playground.tui.frametimer import FrameTimer
from playground.tui.heap import settle_heap
from playground.tui.model import (
    History,
    NodeView,
    describe_link,
    link_count,
    link_views,
    meters,
    node_views,
)
from playground.tui.navigation import OpenBriefing, navigate
from playground.tui.pacing import FramePacer
from playground.tui.screens.base import GameMixin
from playground.tui.screens.confirm import ConfirmScreen
from playground.tui.stepper import SPEEDS, Stepper
from playground.tui.tools import LINK_FIELD, TOOL_KEYS, TOOL_LABELS, tool_doc
from playground.tui.widgets.cluster import ClusterGrid
from playground.tui.widgets.eventlog import EventLog
from playground.tui.widgets.panels import (
    DetailLine,
    GoalPanel,
    LinksPanel,
    Scrubber,
    StatusBar,
)
from playground.tui.widgets.spacetime import SpaceTime
from playground.tui.widgets.toolbox import KnobPanel, Toolbox

WIDE = 110  # columns from which the side panel grows
TALL = 34  # rows from which the event log shows
PACED_FPS_SHOWN = 15  # below this many frames a second, the status bar says so
W = TypeVar("W", bound=Widget)


def _count(n: int, noun: str) -> str:
    """``1 move``, ``3 moves``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _bindings() -> list[BindingType]:
    keys: list[BindingType] = [
        Binding("space", "toggle_play", "Play/Pause"),
        Binding("escape", "leave", "Leave"),
        Binding("n", "step_event", "Next event"),
        Binding("full_stop", "step_tick", "Tick"),
        Binding("plus,equals_sign", "faster", "Faster"),
        Binding("minus", "slower", "Slower"),
        Binding("left_square_bracket", "back(1)", "Back", show=False),
        Binding("right_square_bracket", "forward(1)", "Forward", show=False),
        Binding("left_curly_bracket", "back(5)", "Back more", show=False),
        Binding("right_curly_bracket", "forward(5)", "Forward more", show=False),
        Binding("home", "seek(0)", "Rewind to start", show=False),
        Binding("i", "hint", "Hint"),
        Binding("b", "briefing", "Briefing", show=False),
        Binding("l", "next_link", "Next link", show=False),
        Binding("d", "flip_link", "Link direction", show=False),
        Binding("exclamation_mark", "claim", "Claim unbreakable", show=False),
        Binding("ctrl+r", "restart", "Restart", show=False),
        Binding("z", "zoom(-1)", "Zoom in", show=False),
        Binding("Z", "zoom(1)", "Zoom out", show=False),
    ]
    keys += [Binding(str(i), f"select({i})", f"Select node {i}", show=False)
             for i in range(1, 10)]
    keys += [Binding(key, f"tool('{tool}')", TOOL_LABELS[tool], show=False)
             for tool, key in TOOL_KEYS.items()]
    return keys


class PlayScreen(GameMixin, Screen[None]):
    """One level in play."""

    CSS_PATH = str(asset("play.tcss"))

    BINDINGS = _bindings()

    # ``var``, not ``reactive``: a reactive repaints the whole screen when it changes, and
    # the watchers below already repaint just what shows these (the status bar, the cards).
    playing: var[bool] = var(False)
    speed: var[int] = var(4)
    selection: var[str | None] = var(None)

    def __init__(self, level: Level, *, share_code: str | None = None) -> None:
        super().__init__()
        self.level = level
        self.controller = PlayController(level)
        self.share_problem: str | None = None
        if share_code:
            shared, problem = controller_from_share_code(level, share_code)
            if shared is None:
                self.share_problem = problem
            else:
                self.controller = shared
        self.history = History(level.nodes)
        self.stepper = Stepper()
        self.pacer = FramePacer()
        self.message: str | None = None
        self.message_ok = True
        self.seed_verdict: SeedVerdict | None = None  # the last KEEP IT verdict over seeds
        self.hint: str | None = None
        self.chosen_event: str | None = None  # the full text of a clicked event-log line
        self.frame_timer = FrameTimer(self, self._frame)  # tests fire frames themselves
        self._ready = False
        self.clock: Callable[[], float] = time.monotonic  # real seconds; tests inject one
        self._last_frame = self.clock()
        self._parts: dict[tuple[type[Widget], str | None], Widget] = {}
        self._requirements = tuple(words.bound(r.metric, r.min, r.max)
                                   for r in level.requirements)
        self.set_reactive(PlayScreen.selection, self.controller.selection)

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        level = self.level
        yield StatusBar(id="status")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield ClusterGrid(level.nodes, level.layout, id="grid")
                yield LinksPanel(id="links")
                yield SpaceTime(level.nodes, default_scale(level.ticks), id="diagram")
            with Vertical(id="side"):
                yield GoalPanel(id="goal")
                if level.mode == "keep":
                    yield KnobPanel(id="knobs")
                else:
                    yield Toolbox(id="toolbox")
                yield EventLog(id="log")
        yield DetailLine(id="detail")
        yield Scrubber(level.ticks, id="scrubber")
        yield Footer()

    def on_mount(self) -> None:
        self.stepper.set(self.game.settings.speed)
        self.pacer.budget = self.game.frame_budget
        self.speed = self.stepper.speed
        self._ready = True
        self.call_after_refresh(settle_heap)
        self._apply_size(self.app.size.width, self.app.size.height)
        self._begin_run()
        if self.share_problem:
            self.say(False, f"share code not used: {self.share_problem}")

    def _begin_run(self) -> None:
        """Tick 0 of a fresh run, the same on opening and on every restart: a KEEP IT level
        waits, paused, on its knob panel (its run is decided by the knobs, so it must not
        start before the player has seen them); the others play if the app autoplays."""
        self.playing = False
        self.controller.advance_to(0)
        self.sync_view()
        if self.level.mode == "keep":
            self.query_one(KnobPanel).focus()
            self.say(True, "paused: set the knobs, then Enter runs the level with them")
            return
        self.query_one(ClusterGrid).focus()
        if self.game.autoplay:
            self.playing = True

    def on_unmount(self) -> None:
        self._cancel_frame()

    def on_resize(self, event: events.Resize) -> None:
        self._apply_size(event.size.width, event.size.height)

    def _apply_size(self, width: int, height: int) -> None:
        self.set_class(width >= WIDE, "-wide")
        self.set_class(height >= TALL, "-tall")
        main = max(6, height - 3)
        self.query_one(ClusterGrid).set_max_height(max(3, int(main * 0.45)))

    # ------------------------------------------------------------------ the clock
    def watch_playing(self, playing: bool) -> None:
        if not self._ready:
            return
        self._cancel_frame()
        if playing:
            self._last_frame = self.clock()
            self.pacer.restart()
            self.frame_timer.start(self.pacer.interval)
        self._refresh_status()

    def _cancel_frame(self) -> None:
        self.frame_timer.stop()

    def watch_speed(self, speed: int) -> None:
        self._refresh_status()

    def watch_selection(self, selection: str | None) -> None:
        self.chosen_event = None
        if self._ready:
            self.sync_view()

    def _frame(self) -> None:
        """Advance by the real time since the last frame; then wait as long as the pacer says."""
        if not self.playing:
            return
        now = self.clock()
        elapsed, self._last_frame = now - self._last_frame, now
        ticks = self.stepper.due(elapsed)
        if ticks:
            self.controller.advance_by(ticks)
            self.after_change()
        if self.playing:  # the gap counts from this frame's start, so 30 fps stays 30 fps
            gap = self.pacer.frame_done() - (self.clock() - now)
            self.frame_timer.start(max(0.001, gap))

    def pause_clock(self) -> None:
        """Stop the wall-clock timer (tests drive time by keys)."""
        self.playing = False

    # ------------------------------------------------------------------ drawing
    def part(self, kind: type[W], selector: str | None = None) -> W:
        """The screen's one widget of ``kind`` (or matching ``selector``), found once: the
        screen is composed once, and a query on every frame is a tenth of a millisecond."""
        key = (kind, selector)
        widget = self._parts.get(key)
        if widget is None or not widget.is_attached:
            widget = self._parts[key] = (self.query_one(selector, kind) if selector
                                         else self.query_one(kind))
        return cast(W, widget)

    def sync_view(self) -> None:
        """Hand the current state of the run to every widget."""
        if not self._ready:
            return
        c = self.controller
        world = c.world
        self.history.sync(world.trace)
        selection = c.selection
        node_sel = c.selected_node() if selection in self.level.nodes else None
        views = node_views(world, self.history)
        grid = self.part(ClusterGrid)
        grid.update_views(views, selection)
        self._show_detail(grid, views, node_sel)
        link_sel = selection if selection and selection not in self.level.nodes else None
        most = 6 if self.has_class("-tall") else 2
        self.part(LinksPanel).refresh_links(
            link_views(world), link_count(world), link_sel,
            describe_link(world, link_sel) if link_sel else None, most)
        diagram = self.part(SpaceTime)
        diagram.paging = self.playing
        diagram.sync(world.trace, world.now, node_sel or c.selected_node())
        log = self.part(EventLog)
        if log.display:
            log.paging = self.playing
            log.sync(world.trace)
        side_width = self.part(Vertical, "#side").size.width or 34
        self.part(GoalPanel).refresh_goal(
            goal=self.level.goal_text, mode=self.level.mode, target=self.level.goal_violation,
            meters=meters(world, self.level.protocol.invariants, self.level.protocol.liveness),
            hint=self.hint, width=side_width, requirements=self._requirements)
        if self.level.mode == "keep":
            self.part(KnobPanel).refresh_knobs(
                knobs=self.level.player_knobs, draft=c.draft_knobs, current=c.current_knobs(),
                message=self.message, ok=self.message_ok)
        else:
            tools = c.tools()
            target = c.selection
            self.part(Toolbox).refresh_tools(
                tools=tools, remaining={t: c.remaining(t) for t in tools}, target=target,
                claim=self.level.mode == "break", message=self.message, ok=self.message_ok,
                wide=self.has_class("-wide"), ahead=c.moves_ahead_text())
        self.part(Scrubber).set_state(world.now, c.frontier, [v.tick for v in world.violations])
        self._refresh_status()

    def _show_detail(self, grid: ClusterGrid, views: list[NodeView], node: str | None) -> None:
        """The detail line: a clicked event's text, else the selected card if it is cut."""
        text = self.chosen_event
        if text is None and node is not None and grid.is_cut(node):
            text = next(card_detail(v) for v in views if v.name == node)
        self.part(DetailLine).show_detail(text)

    def on_event_log_event_chosen(self, message: EventLog.EventChosen) -> None:
        self.chosen_event = message.text
        self.sync_view()

    def _refresh_status(self) -> None:
        if not self._ready:
            return
        c = self.controller
        self.part(StatusBar).refresh_status(
            title=self.level.title, mode=self.level.mode, now=c.now, ticks=self.level.ticks,
            playing=self.playing, speed=self.speed, in_past=c.forks_if_acting(),
            actions=len(c.session.player_actions), state=c.outcome().state,
            paced_fps=self.pacer.frames_per_second if self.playing and self.pacer.held_back
            and self.pacer.frames_per_second < PACED_FPS_SHOWN else None)

    def say(self, ok: bool, message: str) -> None:
        """Show the result of the last thing the player tried."""
        self.message = message
        self.message_ok = ok
        if not ok:
            self.app.bell()
        self.sync_view()

    def after_change(self) -> None:
        """After time moved or the run changed: redraw and see whether the level ended."""
        self.sync_view()
        outcome = self.controller.new_outcome()
        if outcome is None:
            if self.controller.finished and self.playing:
                self.playing = False
            return
        self.playing = False
        if outcome.state == "done":
            self.notify("The sandbox run reached its end. Rewind ([) or restart (Ctrl+R).")
            return
        if self.level.mode == "keep" and self.level.seeds > 1:
            self._judge_over_seeds()
            return
        self._show_debrief(self.controller.session, None)

    def _judge_over_seeds(self) -> None:
        """Run the player's knobs on every seed of the level in a worker (the screen stays
        live), then show the debrief with the histogram."""
        session = self.controller.session
        self.say(True, f"judging your settings on {self.level.seeds} seeds…")

        def judge() -> None:
            verdict = level_verdict(self.level, session.knobs)
            self.app.call_from_thread(self._show_debrief, session, verdict)

        self.run_worker(judge, thread=True, exclusive=True, group="seeds")

    def _show_debrief(self, session: Session, seeds: SeedVerdict | None) -> None:
        if session is not self.controller.session or not self.is_attached:
            return  # the player restarted or left while the seeds ran
        from playground.tui.screens.debrief import DebriefScreen

        debrief = build_debrief(session)
        if seeds is not None:
            self.seed_verdict = seeds
            self.say(True, seeds.summary())
            if not seeds.won_all:
                why = verdict_reason(seeds)
                debrief = attrs.evolve(debrief, state="lost", reason=why, story=f"{why}.",
                                       points=0, stars=0)
        improved = self.game.record_result(session, won=debrief.won)
        has_next = self.game.next_level(self.level.id) is not None
        metric = key_metric(self.level)
        bound = next((words.bound(r.metric, r.min, r.max) for r in self.level.requirements
                      if r.metric == metric), "")
        self.app.push_screen(
            DebriefScreen(debrief, improved=improved, has_next=has_next, seeds=seeds,
                          metric=metric, bound=bound),
            self._after_debrief)

    def _after_debrief(self, choice: str | None) -> None:
        if choice == "board":
            violations = self.controller.world.violations
            if violations:  # show where it broke
                self.query_one(SpaceTime).show_tick(violations[0].tick)
        elif choice == "retry":
            self.action_restart()
        elif choice == "next":
            following = self.game.next_level(self.level.id)
            if following is not None:
                navigate(self, OpenBriefing(following, replace=True))
        elif choice == "map":
            self.app.pop_screen()
        elif choice == "replay" and self.seed_verdict is not None and self.seed_verdict.lost:
            self.replay_seed(self.seed_verdict.lost[0].seed)

    def replay_seed(self, seed: int) -> None:
        """Play ``seed`` of the level with the same knobs, to watch why it lost."""
        self.controller = PlayController(self.level, seed=seed,
                                         knobs=self.controller.session.knobs)
        self.hint = None
        self._begin_run()
        self.say(True, f"seed {seed} with your settings: Enter runs it")

    # ------------------------------------------------------------------ time actions
    def action_toggle_play(self) -> None:
        if not self.playing and self.controller.finished:
            self.say(False, "the run is over: rewind ([, Home) or restart (Ctrl+R)")
            return
        self.playing = not self.playing

    def action_step_tick(self) -> None:
        self.playing = False
        self.controller.step_tick()
        self.after_change()

    def action_step_event(self) -> None:
        self.playing = False
        self.controller.step_event()
        self.after_change()

    def action_faster(self) -> None:
        self.speed = self.stepper.faster()

    def action_slower(self) -> None:
        self.speed = self.stepper.slower()

    def action_speed(self, speed: int) -> None:
        self.speed = self.stepper.set(speed)

    def _jump(self) -> int:
        return max(1, round(self.level.ticks / 50))

    def action_back(self, steps: int) -> None:
        self.action_seek(self.controller.now - steps * self._jump())

    def action_forward(self, steps: int) -> None:
        self.action_seek(self.controller.now + steps * self._jump())

    def action_seek(self, tick: int) -> None:
        """Show the run at ``tick`` (rewinding or simulating as needed)."""
        self.playing = False
        self.controller.rewind_to(tick)
        self.after_change()

    def on_scrubber_seek(self, message: Scrubber.Seek) -> None:
        self.action_seek(message.tick)

    # ------------------------------------------------------------------ selection
    def _selected(self, result: Result) -> None:
        if result.ok:
            self.selection = self.controller.selection
        else:
            self.say(False, result.message)

    def action_select(self, index: int) -> None:
        self._selected(self.controller.select_index(index))

    def action_select_target(self, target: str) -> None:
        self._selected(self.controller.select(target))

    def action_next_link(self) -> None:
        self._selected(self.controller.next_link())

    def action_flip_link(self) -> None:
        self._selected(self.controller.flip_link())

    def on_cluster_grid_node_chosen(self, message: ClusterGrid.NodeChosen) -> None:
        self.action_select_target(message.node)

    def on_space_time_lane_chosen(self, message: SpaceTime.LaneChosen) -> None:
        self.action_select_target(message.node)

    # ------------------------------------------------------------------ tools
    def action_tool(self, tool: str) -> None:
        """Apply ``tool`` to the selection: ask for parameters first if it has any."""
        c = self.controller
        if tool not in self.level.toolbox:
            self.say(False, c.build_action(tool)[1] or f"no {tool} here")
            return
        target, problem = c.target_for(tool)
        fields = c.dialog_fields(tool)
        picks_link = bool(fields) and fields[0].name == LINK_FIELD
        if problem and not picks_link:
            self.say(False, problem)
            return
        if c.remaining(tool) == 0 or not fields:
            self._apply(tool, None)  # refused at once with the budget's reason, or applied
            return
        def check(values: Mapping[str, str]) -> str | None:
            built, why = c.build_action(tool, values)
            if built is None:
                return why
            return c.why_not(built)

        def done(values: dict[str, str] | None) -> None:
            if values is not None:
                self._apply(tool, values)

        self.playing = False
        from playground.tui.screens.params import ToolParamsScreen

        self.app.push_screen(
            ToolParamsScreen(f"{TOOL_LABELS.get(tool, tool)} {target or 'a link'} at "
                             f"t={c.action_tick()}",
                             tool_doc(tool), fields, check), done)

    def _apply(self, tool: str, values: dict[str, str] | None) -> None:
        result = self.controller.apply(tool, values)
        self.message, self.message_ok = result.message, result.ok
        if not result.ok:
            self.app.bell()
        self.after_change()

    def action_claim(self) -> None:
        """Claim the level cannot be broken: pick why, then confirm (it ends the run)."""
        self.playing = False
        if self.level.mode != "break":
            self.say(False, "only a BREAK IT level can be claimed unbreakable")
            return
        from playground.tui.screens.claim import ClaimReasonScreen

        reasons = self.level.claim_reasons

        def answered(reason: int, yes: bool | None) -> None:
            if yes:
                result = self.controller.claim_unbreakable(reason)
                self.message, self.message_ok = result.message, result.ok
                self.after_change()

        def chose(reason: int | None) -> None:
            if reason is None:
                self.say(True, "claim taken back")
                return
            self.app.push_screen(ConfirmScreen(
                "Claim that this level cannot be broken?",
                f"Because {reasons[reason - 1]}. The run is judged to its end at once, with "
                f"your moves so far. If it can be broken within the toolbox, or that is not "
                f"why, the level is lost. This cannot be taken back.",
                yes="Claim it", no="Keep playing"), functools.partial(answered, reason))

        self.app.push_screen(ClaimReasonScreen(reasons), chose)

    def action_restart(self) -> None:
        self.playing = False
        result = self.controller.restart()
        self.hint = None
        self._begin_run()
        if self.level.mode != "keep":
            self.say(True, result.message)

    # ------------------------------------------------------------------ knobs
    def action_knob(self, name: str, direction: int) -> None:
        result = self.controller.knob_step(name, direction)
        self.say(result.ok, result.message)

    def action_knob_up(self, name: str) -> None:
        self.action_knob(name, 1)

    def action_knob_down(self, name: str) -> None:
        self.action_knob(name, -1)

    def on_knob_panel_change(self, message: KnobPanel.Change) -> None:
        if message.name:
            self.action_knob(message.name, message.direction)
        else:
            self.sync_view()

    def on_knob_panel_end(self, message: KnobPanel.End) -> None:
        result = self.controller.knob_end(message.name, message.high)
        self.say(result.ok, result.message)

    def on_knob_panel_edit(self, message: KnobPanel.Edit) -> None:
        """Ask for a knob's value: typed (checked against range and step) or picked."""
        c = self.controller
        name = message.name
        field = c.knob_field(name)

        def done(values: dict[str, str] | None) -> None:
            if values is not None:
                result = c.knob_type(name, values[name])
                self.say(result.ok, result.message)

        from playground.tui.screens.params import ToolParamsScreen

        self.playing = False
        how = "pick one" if field.choices else "type a value"
        self.app.push_screen(ToolParamsScreen(
            f"Set {field.label}", f"{how}; Enter keeps it as the draft, Enter again on the "
            "knobs runs the level with it", (field,),
            lambda values: c.knob_problem(name, values[name])), done)

    def on_knob_panel_apply(self, message: KnobPanel.Apply) -> None:
        self.action_apply_knobs()

    def action_apply_knobs(self) -> None:
        """Restart with the knobs as set and run (Enter on the knob panel: "go")."""
        self.playing = False
        result = self.controller.apply_knobs()
        if result.ok:
            self.controller.advance_to(0)
        self.say(result.ok, result.message)
        if result.ok and self.game.autoplay:
            self.playing = True

    # ------------------------------------------------------------------ the rest
    def action_hint(self) -> None:
        hint = self.controller.next_hint()
        if hint is None:
            if self.level.hints:
                self.notify("That was the last hint.")
            else:
                self.notify("No hints here: this is a sandbox.")
            return
        self.hint = f"{self.controller.hints_shown}/{len(self.controller.hints)} {hint}"
        self.sync_view()

    def action_briefing(self) -> None:
        from playground.tui.screens.briefing import BriefingModal

        self.playing = False
        self.app.push_screen(BriefingModal(self.level))

    def action_zoom(self, direction: int) -> None:
        self.query_one(SpaceTime).action_zoom(direction)

    def on_space_time_scale_changed(self, message: SpaceTime.ScaleChanged) -> None:
        self.sync_view()

    def action_leave(self) -> None:
        """Back to the map; mid-run (time has moved and the level is not decided) ask first."""
        self.playing = False
        c = self.controller
        if c.outcome().state != "playing" or (c.frontier == 0 and not c.session.player_actions):
            self.app.pop_screen()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.pop_screen()

        self.app.push_screen(ConfirmScreen(
            "Leave this level?",
            f"This run (t={c.now}, {_count(len(c.session.player_actions), 'move')}) is not "
            "finished and will not be kept; the level starts afresh next time.",
            yes="Leave", no="Stay"), answered)

    def on_screen_suspend(self) -> None:
        self.playing = False

    # ------------------------------------------------------------------ palette
    def palette_commands(self) -> list[PaletteCommand]:
        c = self.controller
        out = [
            PaletteCommand("Play" if not self.playing else "Pause", "space",
                           self.action_toggle_play),
            PaletteCommand("Step one tick", ". (1 ms of true time)", self.action_step_tick),
            PaletteCommand("Step to the next event", "n", self.action_step_event),
            PaletteCommand("Rewind to the start", "Home", lambda: self.action_seek(0)),
            PaletteCommand("Back a little", "[", lambda: self.action_back(1)),
            PaletteCommand("Forward a little", "]", lambda: self.action_forward(1)),
            PaletteCommand("Show the next hint", "i", self.action_hint),
            PaletteCommand("Show the briefing", "b", self.action_briefing),
            PaletteCommand("Restart the level", "Ctrl+R", self.action_restart),
            PaletteCommand("Zoom the diagram in", "z", lambda: self.action_zoom(-1)),
            PaletteCommand("Zoom the diagram out", "Z", lambda: self.action_zoom(1)),
            PaletteCommand("Next link of the selected node", "l", self.action_next_link),
            PaletteCommand("Flip the selected link's direction", "d", self.action_flip_link),
            PaletteCommand("Leave the level", "Esc", self.action_leave),
        ]
        out += [PaletteCommand(f"Speed {s}x", "+ / -", functools.partial(self.action_speed, s))
                for s in SPEEDS]
        out += [PaletteCommand(f"Select node {name}", str(i + 1),
                               functools.partial(self.action_select_target, name))
                for i, name in enumerate(self.level.nodes)]
        nodes = self.level.nodes
        out += [PaletteCommand(f"Select link {a}<->{b}", "l, d",
                               functools.partial(self.action_select_target, f"{a}<->{b}"))
                for i, a in enumerate(nodes) for b in nodes[i + 1:]]
        for tool in c.tools():
            target, _ = c.target_for(tool)
            left = c.remaining(tool)
            budget = "unlimited" if left is None else f"{left} left"
            out.append(PaletteCommand(
                f"Tool: {TOOL_LABELS.get(tool, tool)} {target or '(select a target)'}",
                f"{TOOL_KEYS.get(tool, '')} · {budget} · {tool_doc(tool)}",
                functools.partial(self.action_tool, tool)))
        if self.level.mode == "break":
            out.append(PaletteCommand("Claim: this cannot be broken", "!", self.action_claim))
        for name in self.level.player_knobs:
            title = self.level.player_knobs[name].title
            out.append(PaletteCommand(f"Knob {title}: next value", "→",
                                      functools.partial(self.action_knob, name, 1)))
            out.append(PaletteCommand(f"Knob {title}: previous value", "←",
                                      functools.partial(self.action_knob, name, -1)))
        if self.level.player_knobs:
            out.append(PaletteCommand("Restart with these knobs", "Enter",
                                      self.action_apply_knobs))
        return out

