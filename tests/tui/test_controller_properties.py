"""The play controller never loses or invents a move, whatever the player does with time.

Hypothesis drives :class:`PlayController` (no Textual) through random sequences of acting,
advancing, rewinding, scrubbing, jumping to the start, forking (acting on a rewound screen) and
restarting, on several real levels. A small model keeps the moves the player made, by the game's
rule: acting at the tick on screen drops the moves after it and adds the new one. After every
step the world on screen must be a straight headless run of exactly those moves (same trace
hash up to the tick on screen), and the action count, budgets, links panel and node cards must
agree with that straight run. At the end the run's own share code, replayed by
``playground run LEVEL --share CODE --json``, must give the same outcome and trace.
"""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.cli import main as cli_main
from playground.game.campaign import load_campaign
from playground.game.level import Level
from playground.game.session import Session
from playground.sim import Action, World
from playground.tui.controller import PlayController
from playground.tui.model import History, link_views, node_views

#: Levels with different toolboxes: one partition, a cut and a crash, clock tools with heal
#: and release, hold and release on one link, and the sandbox's every tool.
LEVELS = ("stale-read-partition", "charge-twice", "circuit", "delayed-write", "sandbox")
#: The furthest tick a sequence reaches before the final run to the end (keeps it quick).
HORIZON = 2_500
CAMPAIGN = load_campaign()


def _targets(level: Level) -> list[str]:
    nodes = level.nodes
    pairs = [(a, b) for a in nodes for b in nodes if a != b]
    return [*nodes, *(f"{a}->{b}" for a, b in pairs), *(f"{a}<->{b}" for a, b in pairs)]


def _steps(level: Level) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    tool = st.sampled_from(sorted(level.toolbox))
    target = st.sampled_from(_targets(level))
    span = st.integers(1, 600)
    step = st.one_of(
        st.tuples(st.just("act"), tool, target),
        st.tuples(st.just("advance"), span),
        st.tuples(st.just("rewind"), span),
        st.tuples(st.just("scrub"), st.integers(0, HORIZON)),
        st.tuples(st.just("start")),
        st.tuples(st.just("fork"), span, tool, target),
        st.tuples(st.just("restart")),
    )
    return st.lists(step, min_size=1, max_size=12)


def _straight(level: Level, c: PlayController, moves: list[Action]) -> Session:
    """A fresh headless run of ``moves`` up to the tick on the controller's screen."""
    session = Session(level, seed=c.session.seed, knobs=c.session.knobs, actions=moves)
    session.advance(c.now)
    return session


def _cards(world: World) -> list[Any]:
    history = History(world.node_names)
    history.sync(world.trace)
    return node_views(world, history)


def _act(c: PlayController, moves: list[Action], tool: str, target: str) -> None:
    """Act on ``target`` with ``tool``'s default settings; update the model if it was taken."""
    c.select(target)
    before = tuple(c.session.player_actions)
    now = c.now
    result = c.apply(tool)
    if not result.ok:
        assert c.session.player_actions == before, result.message
        return
    assert result.action is not None and result.action.tick == now + 1
    dropped = [m for m in moves if m.tick > now]
    moves[:] = [m for m in moves if m.tick <= now] + [result.action]
    if dropped:
        count = len(dropped)
        assert f"{count} later move{'s' if count > 1 else ''} dropped" in result.message


def _check_screen(level: Level, c: PlayController, moves: list[Action]) -> None:
    assert c.session.player_actions == tuple(moves)
    straight = _straight(level, c, moves)
    assert c.world.trace.sha256() == straight.world.trace.sha256(), (c.now, moves)
    assert link_views(c.world) == link_views(straight.world)
    assert _cards(c.world) == _cards(straight.world)
    for tool, budget in level.toolbox.items():
        if budget.count is not None:
            used = sum(1 for m in moves if m.tool == tool)
            assert c.remaining(tool) == budget.count - used


def _replayed(level: Level, code: str) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli_main(["run", level.id, "--share", code, "--json"])
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


@pytest.mark.parametrize("level_id", LEVELS)
def test_every_screen_is_a_straight_run_of_the_moves_it_claims(level_id: str) -> None:
    level = CAMPAIGN.get(level_id)
    examples = 3 if level.ticks > 20_000 else 10  # the sandbox's final run is 60 000 ticks

    @settings(max_examples=examples, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(steps=_steps(level))
    def run(steps: list[tuple[Any, ...]]) -> None:
        c = PlayController(level)
        c.advance_to(0)
        moves: list[Action] = []
        for kind, *args in steps:
            if kind == "act":
                _act(c, moves, args[0], args[1])
            elif kind == "advance":
                c.advance_to(min(HORIZON, c.now + args[0]))
            elif kind == "rewind":
                c.rewind_to(c.now - args[0])
            elif kind == "scrub":
                c.rewind_to(args[0])
            elif kind == "start":
                c.rewind_to(0)
            elif kind == "fork":
                c.rewind_to(c.now - args[0])
                _act(c, moves, args[1], args[2])
            else:
                c.restart()
                c.advance_to(0)
                moves.clear()
            _check_screen(level, c, moves)
        c.advance_to(level.ticks)
        replayed = _replayed(level, c.session.attempt().to_share_code())
        assert replayed["outcome"] == c.outcome().state
        assert replayed["trace_sha256"] == c.world.trace.sha256()
        assert replayed["actions"] == len(moves)

    run()
