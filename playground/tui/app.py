"""The terminal game: a Textual app of screens over a game session.

``playground play`` calls :func:`run_app`. The app owns what outlives a screen: the campaign
(loaded lazily, after the first frame), the player's progress and settings, and navigation
between screens (title, campaign map, briefing, play, debrief, sandbox, codex, help,
settings). Each screen lists its commands in the palette (Ctrl+P).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.filter import Monochrome
from textual.geometry import Size
from textual.screen import Screen

from playground import __version__
from playground.game.roomenv import ROOM_DIR_ENV
from playground.shipped import asset
from playground.tui.commands import ScreenCommands
from playground.tui.heap import settle_heap
from playground.tui.navigation import (
    SCREENS,
    Navigation,
    OpenBriefing,
    ScreenName,
    ShowScreen,
    StartLevel,
    screen_class,
)
from playground.tui.pacing import BudgetSource
from playground.tui.settings import DEFAULT_THEME, Settings

if TYPE_CHECKING:
    from playground.game.campaign import Campaign
    from playground.game.level import Level
    from playground.game.progress import Progress
    from playground.game.session import Session
    from playground.tui.roomlink import RoomLink

CSS_FILE = asset("app.tcss")
T = TypeVar("T")


class PlaygroundApp(App[None]):
    """The Distributed Systems Playground.

    ``levels_dir`` and ``data_dir`` override where the campaign and the saves are (tests use
    temporary ones); ``autoplay=False`` keeps simulated time still until a key moves it (for
    deterministic tests); ``theme`` forces a theme instead of the saved one;
    ``frame_budget`` (a fraction of one core, or a function returning one) paces the play
    screen's frames to fit it, as a workshop server asks (see :mod:`playground.tui.pacing`).
    """

    TITLE = "Distributed Systems Playground"
    SUB_TITLE = f"v{__version__}"
    CSS_PATH = str(CSS_FILE)
    COMMANDS = App.COMMANDS | {ScreenCommands}
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("f2", "settings", "Settings", show=False),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, player: str | None = None, *, levels_dir: Path | None = None,
                 data_dir: Path | None = None, autoplay: bool = True,
                 theme: str | None = None,
                 frame_budget: float | BudgetSource | None = None) -> None:
        super().__init__()
        self.frame_budget = frame_budget
        self.player = player or "local"
        self.levels_dir = levels_dir
        self.data_dir = data_dir
        self.autoplay = autoplay
        self.forced_theme = theme
        self._campaign: Campaign | None = None
        self._order: tuple[str, ...] | None = None  # the campaign's index, for the title
        self.campaign_error: str | None = None
        self._progress: Progress | None = None
        self.room_link: RoomLink | None = None  # in a workshop room: status out, messages in
        self._last_size: Size | None = None  # the terminal's size at the last resize event
        self._monochrome = Monochrome(enabled=False)
        # The filter Textual itself adds for NO_COLOR, switchable from the settings.
        self._filters.append(self._monochrome)

    # ------------------------------------------------------------------ data
    @property
    def progress(self) -> Progress:
        """The player's progress (loaded on first use)."""
        if self._progress is None:
            from playground.game.progress import Progress

            self._progress = Progress.load(self.player, self.data_dir)
        return self._progress

    def open_levels(self, order: Sequence[str]) -> set[str]:
        """The levels the player may open: the workshop room's (``serve --room``), or else
        the campaign's unlocked ones."""
        from playground.game.room import open_levels, section_levels

        campaign = self.campaign()
        sections = {lv.id: (lv.act, lv.chapter) for lv in campaign.levels} if campaign else {}
        opened: set[str] = set()
        if self.room_link is not None and self.room_link.sections and campaign is not None:
            opened = section_levels(campaign, self.room_link.sections) & set(order)
        return open_levels(order, self.progress.unlocked(order, sections), dict(os.environ),
                           opened)

    @property
    def locked_text(self) -> str:
        """Why a level the player picks is not open."""
        return self.why_locked(None)

    def why_locked(self, level: Level | None) -> str:
        """Why ``level`` (an act I level if ``None``) is not open."""
        from playground.game.roomenv import OPEN_ENV

        if OPEN_ENV in os.environ:
            return "not open in this workshop room."
        if level is not None and level.act == 2:
            return (f"win every act I level of {level.chapter} first; then its act II "
                    f"levels open one after another.")
        return "win the level before it."

    @property
    def settings(self) -> Settings:
        return Settings.from_dict(self.progress.settings)

    def save_settings(self, settings: Settings) -> None:
        """Keep the settings with the progress save."""
        self.progress.settings.update(settings.to_dict())
        self.progress.save()

    def campaign(self) -> Campaign | None:
        """The campaign, or ``None`` (then :attr:`campaign_error` says why)."""
        if self._campaign is None and self.campaign_error is None:
            from playground.game.campaign import load_campaign

            self._campaign = self._read_campaign(load_campaign)
        return self._campaign

    def campaign_order(self) -> tuple[str, ...] | None:
        """The campaign's level ids in order, or ``None`` (then :attr:`campaign_error` says
        why). Reads only the campaign's index until something needs its levels."""
        if self._campaign is not None:
            return self._campaign.order
        if self._order is None and self.campaign_error is None:
            from playground.game.campaign import campaign_order

            self._order = self._read_campaign(campaign_order)
        return self._order

    def _read_campaign(self, read: Callable[[Path | None], T]) -> T | None:
        """``read(levels_dir)``, or ``None`` with :attr:`campaign_error` saying why."""
        from playground.game.errors import LevelError

        try:
            return read(self.levels_dir)
        except (LevelError, OSError, ValueError) as exc:
            self.campaign_error = str(exc)
            return None

    def mark_seen(self, level_id: str) -> None:
        """Remember that the player opened a level (the codex lists what was met)."""
        seen = self.progress.settings.setdefault("seen", [])
        if isinstance(seen, list) and level_id not in seen:
            seen.append(level_id)
            self.progress.save()

    def seen_levels(self) -> set[str]:
        seen = self.progress.settings.get("seen", [])
        won = {k for k, v in self.progress.levels.items() if v.won}
        return won | ({s for s in seen if isinstance(s, str)} if isinstance(seen, list)
                      else set())

    def record_result(self, session: Session, *, won: bool = True) -> bool:
        """Save a finished run (sandbox runs are not saved). True if it was a new best.
        ``won=False``: the run lost after all (a KEEP IT setting lost on another seed)."""
        if session.level.mode == "sandbox":
            return False
        outcome = session.outcome()
        if outcome.state not in ("won", "lost"):
            return False
        won = won and outcome.state == "won"
        score = session.score()
        share_code = session.attempt().to_share_code()
        if won:
            from playground.game.leaderboard import record_if_configured  # sqlite: when won

            record_if_configured(session.level.id, score.points, score.stars, share_code)
        return self.progress.record(session.level.id, won, score.stars, score.points,
                                    share_code)

    # ------------------------------------------------------------------ appearance
    def on_mount(self) -> None:
        settings = self.settings
        self.apply_theme(self.forced_theme or settings.theme)
        self.set_colour(settings.colour)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.progress.warning:
            self.notify(self.progress.warning, title="Save reset", severity="warning",
                        timeout=10)
        self.call_after_refresh(settle_heap)  # after the first frame, not before it
        if room_dir := os.environ.get(ROOM_DIR_ENV):  # served: ``playground.game.roomstate``
            from playground.tui.roomlink import PERIOD, RoomLink

            self.room_link = RoomLink(self, Path(room_dir))
            self.set_interval(PERIOD, self.room_link.tick)

    def on_resize(self, event: events.Resize) -> None:
        """A resize to the same size is the workshop server asking for the whole screen again
        (an instructor started watching this game): repaint every cell."""
        if event.size == self._last_size:
            self.refresh()
        self._last_size = event.size

    def get_default_screen(self) -> Screen:
        """The title screen is the bottom of the stack (and the first frame)."""
        return screen_class("title")()

    def apply_theme(self, name: str) -> None:
        """Switch theme (unknown names fall back to the default)."""
        self.theme = name if name in self.available_themes else DEFAULT_THEME

    def _remember_theme(self, theme: object) -> None:
        if self.forced_theme is None:
            settings = self.settings
            if settings.theme != self.theme:
                settings.theme = self.theme
                self.save_settings(settings)

    def set_colour(self, colour: bool) -> None:
        """Colour on, or every colour turned into grey (symbols still carry the state)."""
        if self._monochrome.enabled == (not colour):
            return
        self._monochrome.enabled = not colour
        for screen in self.screen_stack:
            screen.refresh(repaint=True)
            for widget in screen.walk_children():
                widget.refresh()

    @property
    def colour(self) -> bool:
        return not self._monochrome.enabled

    # ------------------------------------------------------------------ navigation
    def show(self, name: ScreenName) -> None:
        """Open the screen called ``name`` over the current one (a help or settings screen
        already on top stays the only one)."""
        cls = screen_class(name)
        if SCREENS[name].once and isinstance(self.screen, cls):
            return
        self.push_screen(cls())

    def navigate(self, request: Navigation) -> None:
        """Open the screen ``request`` asks for (see :func:`navigation.navigate`)."""
        if isinstance(request, ShowScreen):
            self.show(request.screen_name)
        elif isinstance(request, OpenBriefing):
            self.open_briefing(request.level, replace=request.replace)
        else:
            self.start_level(request.level, replace=request.replace,
                             share_code=request.share_code)

    def on_show_screen(self, message: ShowScreen) -> None:
        self.navigate(message)

    def on_open_briefing(self, message: OpenBriefing) -> None:
        self.navigate(message)

    def on_start_level(self, message: StartLevel) -> None:
        self.navigate(message)

    def action_help(self) -> None:
        self.show("help")

    def action_settings(self) -> None:
        self.show("settings")

    def action_codex(self) -> None:
        self.show("codex")

    def action_map(self) -> None:
        self.show("map")

    def action_sandbox(self) -> None:
        self.show("sandbox")

    def action_leaderboard(self) -> None:
        """The room's standings (kept by the workshop server, or locally)."""
        self.show("leaderboard")

    def open_briefing(self, level: Level, *, replace: bool = False) -> None:
        """Show a level's briefing (replacing the current screen if ``replace``)."""
        self._open(screen_class("briefing")(level), replace=replace)

    def start_level(self, level: Level, *, replace: bool = True, share_code: str | None = None,
                    ) -> None:
        """Play ``level`` (from a share code's actions if given)."""
        self.mark_seen(level.id)
        self._open(screen_class("play")(level, share_code=share_code), replace=replace)

    def _open(self, screen: Screen[Any], *, replace: bool) -> None:
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def next_level(self, level_id: str) -> Level | None:
        """The campaign level after ``level_id`` if the player may open it."""
        campaign = self.campaign()
        if campaign is None or level_id not in campaign.order:
            return None
        index = campaign.order.index(level_id) + 1
        if index >= len(campaign.order):
            return None
        following = campaign.order[index]
        if following not in self.open_levels(campaign.order):
            return None
        return campaign.get(following)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help: keys", "Every key of every screen", self.action_help)
        yield SystemCommand("Settings", "Theme, speed and colour", self.action_settings)
        yield SystemCommand("Codex", "The concepts met so far, explained", self.action_codex)
        yield SystemCommand("Campaign map", "Levels by chapter section", self.action_map)
        yield SystemCommand("Sandbox", "Every protocol and tool, no goal", self.action_sandbox)
        yield SystemCommand("Leaderboard", "The room's standings", self.action_leaderboard)


def run_app(player: str | None = None) -> int:
    """Run the game in this terminal; returns the exit status."""
    from playground.tui.pacing import budget_from_env

    PlaygroundApp(player, frame_budget=budget_from_env()).run()
    return 0
