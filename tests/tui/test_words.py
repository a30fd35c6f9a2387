"""The player reads words and numbers, never Python: every shipped level's screens are
rendered and searched for repr patterns (``None``, ``['``, ``('``, ``{'``, ``=[``, ``True``,
snake_case names).

Each level is played in the real app: its briefing, every tool's dialog (accepted with the
values it offers, so each tool is really used), the play screen before and after, the
briefing window, a KEEP IT knob turned, then its reference solution replayed to the debrief.
Separately, every event of every reference run is described as the event log would.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from playground.game import words
from playground.game.actionfile import load_attempt
from playground.game.campaign import load_campaign
from playground.game.debrief import build_debrief, describe_event
from playground.game.level import Level
from playground.game.session import Session
from playground.sim import TOOLS, Action
from playground.sim.actions import LIE_STRATEGIES, PLAYER_TOOLS
from playground.tui.cards import card_detail, card_lines
from playground.tui.model import History, link_views, node_views
from playground.tui.screens.briefing import BriefingScreen, briefing_markup
from playground.tui.screens.debrief import DebriefScreen, debrief_markup
from playground.tui.screens.play import PlayScreen
from tests.tui.conftest import make_app, wait_until

LEVELS = Path(__file__).resolve().parents[2] / "levels"
SOLUTIONS = LEVELS / "solutions"
CAMPAIGN = load_campaign(LEVELS)
LEVEL_IDS = [level.id for level in CAMPAIGN.levels]

#: What a Python value looks like when it leaks onto the screen.
REPR = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\['|\('|\{'|=\[|"
                  r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
SHARE_CODE = re.compile(r"DSP1-\S+")


def leaks(text: str) -> list[str]:
    """Lines of ``text`` that show a Python repr or a snake_case name (share codes aside)."""
    return [line.strip() for line in text.splitlines()
            if REPR.search(SHARE_CODE.sub("", line))]


def screen_text(app) -> str:
    """The screen as the player sees it, as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system=None, record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens))
    return console.export_text()


def test_the_checker_catches_each_repr_pattern() -> None:
    for bad in ("commit=None", "groups=[['n1', 'c1']]", "val ('x', 2)", "{'a': 1}",
                "strategy=True", "completion_ms 12", "knob client_clock"):
        assert leaks(bad), bad
    for good in ("commit —", "groups n1, c1 | n2, n3, c2", "val x, 2", "DSP1-eNo_x_y",
                 "no-stale-read at t=12", "completion 12 ms"):
        assert not leaks(good), good


def test_words_turn_values_into_text() -> None:
    assert words.value(None) == "—"
    assert words.value([["n1", "c1"], ["n2", "n3", "c2"]]) == "n1, c1 | n2, n3, c2"
    assert words.value(("x", 2)) == "x, 2"
    assert words.value({"n2": 1, "lease_ms": 5}) == "n2 1, lease 5 ms"
    assert words.value(True) == "yes" and words.value(False) == "no"
    assert words.value([]) == "none"
    assert words.value(97.50) == "97.5" and words.value(15.0) == "15"
    assert words.value("time_of_day") == "time of day"
    assert words.field("recover_after", 100) == "recover after 100"
    assert words.field("delta_ms", -2000) == "delta -2000 ms"
    assert words.bound("max_latency_ms", None, 300) == "max latency ≤ 300 ms"
    assert words.bound("writes_accepted", 20, None) == "writes accepted ≥ 20"
    assert words.fit("commit=n3-t1-4 @1008", 10) == "commit=n3…"
    assert words.fit("short", 10) == "short"


def _solution_code(level_id: str) -> str | None:
    path = SOLUTIONS / f"{level_id}.toml"
    return load_attempt(path).to_share_code() if path.exists() else None


@pytest.mark.parametrize("level_id", LEVEL_IDS)
async def test_every_screen_of_the_level_reads_as_words(level_id: str, data_dir: Path) -> None:
    app = make_app(data_dir, levels_dir=LEVELS)
    seen: dict[str, str] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        level = app.campaign().get(level_id)
        app.push_screen(BriefingScreen(level))
        await pilot.pause()
        seen["briefing"] = screen_text(app)
        app.start_level(level, replace=False)
        await pilot.pause()
        play = app.screen
        assert isinstance(play, PlayScreen)
        play.action_seek(level.ticks // 5)
        await pilot.pause()
        seen["play at the start"] = screen_text(app)
        for tool in play.controller.tools():
            play.action_tool(tool)
            await pilot.pause()
            if app.screen is not play:  # its dialog: take the values it offers
                seen[f"{tool} dialog"] = screen_text(app)
                await pilot.press("enter")
                await pilot.pause()
                if app.screen is not play:  # refused: the dialog says why
                    seen[f"{tool} dialog refusing"] = screen_text(app)
                    await pilot.press("escape")
                    await pilot.pause()
            seen[f"play after {tool}"] = screen_text(app)
        for name in level.player_knobs:
            play.action_knob(name, 1)
            await pilot.pause()
            seen[f"knob {name} turned"] = screen_text(app)
        play.action_seek(level.ticks * 3 // 5)
        await pilot.pause()
        if app.screen is play:
            seen["play later"] = screen_text(app)
            play.action_briefing()
            await pilot.pause()
            seen["briefing window"] = screen_text(app)
            await pilot.press("escape")
            await pilot.pause()
        app.pop_screen()  # the debrief of a run that ended on the way, or the play screen
        await pilot.pause()
        if app.screen is play:
            app.pop_screen()
            await pilot.pause()
        code = _solution_code(level_id)
        if code is not None:
            app.start_level(level, replace=False, share_code=code)
            await pilot.pause()
            solved = app.screen
            assert isinstance(solved, PlayScreen) and solved.share_problem is None
            solved.action_seek(level.ticks)
            # a KEEP IT level over several seeds is judged in the background first
            await wait_until(pilot, lambda: isinstance(app.screen, DebriefScreen)
                             and bool(app.screen.query("#debrief-keys")),
                             "the debrief of the reference solution", timeout=120)
            seen["debrief"] = screen_text(app)
            await pilot.press("b")
            await pilot.pause()
            seen["play at the end"] = screen_text(app)
    assert len(seen) >= 4
    problems = {what: found for what, text in seen.items() if (found := leaks(text))}
    assert not problems, problems


@pytest.mark.parametrize("level_id", LEVEL_IDS)
def test_every_event_card_and_debrief_text_reads_as_words(level_id: str) -> None:
    """Every event of the reference run (not only those the log shows), every card at five
    moments, the links and the whole debrief."""
    level = CAMPAIGN.get(level_id)
    path = SOLUTIONS / f"{level_id}.toml"
    attempt = load_attempt(path) if path.exists() else None
    session = Session.from_attempt(level, attempt) if attempt else Session(level)
    history = History(level.nodes)
    texts: list[str] = [briefing_markup(level)]
    for step in range(1, 6):
        session.advance(level.ticks * step // 5)
        history.sync(session.world.trace)
        for view in node_views(session.world, history):
            texts.append(card_detail(view))
            for compact in (False, True):
                texts += ["".join(t for t, _ in line)
                          for line in card_lines(view, 26, compact=compact)]
        texts += [view.text for view in link_views(session.world)]
    texts += [describe_event(event) for event in session.world.trace.events]
    texts.append(debrief_markup(build_debrief(session)))
    problems = [found for text in texts for found in leaks(text)]
    assert not problems, problems[:20]


def _tries(level: Level) -> list[Action]:
    """Moves a player may try in ``level``: every tool with each of its settings, far beyond
    any budget, with none, on the wrong node or link, and after the level's end."""
    nodes = level.nodes
    tries = []
    for name in PLAYER_TOOLS:
        tool = TOOLS[name]
        target = {"node": nodes[-1], "link": f"{nodes[-1]}->{nodes[0]}",
                  "cluster": "*"}[tool.target]
        big = {"duration": 10**7, "recover_after": 10**7, "count": 10**6, "delta_ms": -10**6,
               "ppm": 999_999, "latency": 10**6, "service_ms": 10**6, "queue_limit": 0,
               "loss": 1, "jitter": 10**6, "duplicate": 1}
        settings = [{k: v} for k, v in big.items() if k in tool.params]
        if name == "partition":
            settings = [{"groups": [[nodes[0]], list(nodes[1:])]}]
        if name == "lie":
            settings = [{"strategy": s} for s in LIE_STRATEGIES]
        for params in [{}, *settings]:
            if all(k in params for k, p in tool.params.items() if p.required):
                tries.append(Action.make(1, name, target, **params))
                tries.append(Action.make(level.ticks + 1, name, target, **params))
    return tries


def test_every_refusal_a_player_meets_reads_as_words() -> None:
    reasons = set()
    for level in CAMPAIGN.levels:
        session = Session(level)
        for action in _tries(level):
            reason = session.why_not(action)
            if reason is None:  # use it up: the next such move may be one too many
                session.act(action)
                reason = session.why_not(action)
            if reason:
                assert not leaks(reason), (level.id, action.describe(), reason)
                reasons.add(reason)
    said = "\n".join(sorted(reasons))
    for kind in ("in this level's toolbox (it has: ", "the level ends at tick", " left: ",
                 "works only on", "in this level, not", "slow/lossy may only change",
                 "the liar may only", "KEEP IT"):
        assert kind in said, f"no refusal tried says {kind!r}"
