"""Stars and points against par, at par and one step either side of it."""

from __future__ import annotations

import attrs
import pytest

from playground.game.level import parse_level
from playground.game.scoring import Score, score_run
from playground.game.session import Outcome
from tests.game.fixtures import BREAK_LEVEL, KEEP_LEVEL

BREAK = attrs.evolve(parse_level(BREAK_LEVEL, "split.toml"), par={"actions": 2, "ticks": 120})
KEEP = attrs.evolve(parse_level(KEEP_LEVEL, "keep.toml"),
                    par={"messages": 10, "metrics": {"detect_ms": 300}})


def won_at(tick: int) -> Outcome:
    return Outcome("won", "it broke", tick)


@pytest.mark.parametrize(("actions", "tick", "stars"), [
    (2, 120, 3),  # exactly at par is at par: every star
    (1, 80, 3),
    (3, 120, 2),  # one action over par
    (2, 121, 2),  # one tick late
    (3, 121, 1),
])
def test_break_it_stars_count_par_as_met(actions: int, tick: int, stars: int) -> None:
    assert score_run(BREAK, won_at(tick), actions, {}).stars == stars


def test_break_it_points_are_full_at_par_and_fall_beyond_it() -> None:
    at_par = score_run(BREAK, won_at(120), 2, {}).points
    assert at_par == 1000
    assert score_run(BREAK, won_at(240), 2, {}).points == 1000 - 150  # ticks weigh 0.3
    assert score_run(BREAK, won_at(120), 4, {}).points == 1000 - 250  # actions weigh 0.5


@pytest.mark.parametrize(("messages", "detect_ms", "stars"), [
    (10, 300, 3),  # at par on both
    (4, 120, 3),  # fewer messages and faster detection than par: better, still 3
    (11, 300, 2),  # one message over par
    (10, 301, 2),  # the metric is an "at most" value: above par loses its star
    (10, 900, 2),
    (40, 900, 1),
])
def test_keep_it_stars_reward_metrics_at_or_below_par(messages: int, detect_ms: int,
                                                      stars: int) -> None:
    metrics = {"messages": messages, "detect_ms": detect_ms}
    assert score_run(KEEP, Outcome("won", "held"), 0, metrics).stars == stars


def test_keep_it_points_fall_as_a_metric_exceeds_par() -> None:
    def points(detect_ms: int) -> int:
        return score_run(KEEP, Outcome("won", "held"), 0,
                         {"messages": 10, "detect_ms": detect_ms}).points

    assert points(150) == points(300) == 1000
    assert points(600) == 1000 - 300  # half as good on the metric, which weighs 0.6
    assert points(600) > points(1200)


@pytest.mark.parametrize("state", ["lost", "playing"])
def test_only_a_win_scores(state: str) -> None:
    assert score_run(BREAK, Outcome(state, "no", 50), 1, {}) == Score(0, 0)
    assert score_run(KEEP, Outcome(state, "no"), 0, {"messages": 1}) == Score(0, 0)
