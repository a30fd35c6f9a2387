"""Navigation: screens post typed messages, the app opens screens by name."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

from textual import events

from playground.tui import app as app_module
from playground.tui.navigation import (
    SCREENS,
    MenuScreen,
    OpenBriefing,
    ShowScreen,
    StartLevel,
    screen_class,
)
from playground.tui.screens.briefing import BriefingScreen
from playground.tui.screens.play import PlayScreen
from playground.tui.screens.title import TitleScreen
from tests.tui.conftest import make_app, wait_until

SIZE = (120, 40)


async def test_each_menu_screen_opens_by_name_and_help_does_not_stack(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        for name in get_args(MenuScreen):
            app.screen.post_message(ShowScreen(name))
            cls = screen_class(name)
            await wait_until(pilot, lambda cls=cls: isinstance(app.screen, cls)
                             and app.screen.is_mounted, f"{name} open")  # mounted: then it goes
            app.pop_screen()
            await wait_until(pilot, lambda: isinstance(app.screen, TitleScreen), "back")
        for _ in range(2):
            app.screen.post_message(ShowScreen("help"))
            await pilot.pause()
        await wait_until(pilot, lambda: isinstance(app.screen, screen_class("help")), "help")
        assert len(app.screen_stack) == 2  # the title, then one help screen


async def test_a_briefing_then_a_level_open_from_messages(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        level = app.campaign().get("first-cut")
        app.screen.post_message(OpenBriefing(level))
        await wait_until(pilot, lambda: isinstance(app.screen, BriefingScreen), "briefing")
        app.screen.post_message(StartLevel(level))
        await wait_until(pilot, lambda: isinstance(app.screen, PlayScreen)
                         and app.screen.is_mounted, "play")  # leaving mid-mount broke it
        assert app.screen.level.id == "first-cut"
        assert len(app.screen_stack) == 2  # the level replaced its briefing
        assert "first-cut" in app.progress.settings["seen"]


def test_the_app_imports_no_screen_inside_a_function() -> None:
    tree = ast.parse(Path(app_module.__file__).read_text(encoding="utf-8"))
    late = [node.module for fn in ast.walk(tree)
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(fn)
            if isinstance(node, ast.ImportFrom) and "screen" in (node.module or "")]
    assert late == []


def test_every_named_screen_is_a_screen() -> None:
    for name in SCREENS:
        assert screen_class(name).__name__ == SCREENS[name].cls


async def test_keys_typed_ahead_reach_the_screen_the_first_key_opened(data_dir: Path) -> None:
    """`s` then Enter in one burst (as SSH and the browser deliver a fast typist's keys): the
    sandbox opens and Enter picks its first protocol there, not the title's first item."""
    app = make_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, TitleScreen), "the title")
        app.post_message(events.Key("s", "s"))
        app.post_message(events.Key("enter", "\r"))
        await wait_until(pilot, lambda: isinstance(app.screen, PlayScreen), "the sandbox level")
        assert app.screen.level.mode == "sandbox"
