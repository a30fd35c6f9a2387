"""Scores and stars against a level's par.

A lost level scores 0 and no stars. A won level earns one star, plus:

- BREAK IT: a star for using no more actions than par, a star for breaking it by par's tick;
- KEEP IT: a star for sending no more messages than par, a star for every par metric met
  (all of them together: metrics are "at most" values, e.g. detection time or latency).

Points (0..1000) weigh how close to par each measure is: ``min(1, par / actual)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from playground.game.level import Level
    from playground.game.session import Outcome


@attrs.frozen
class Score:
    points: int
    stars: int


def _ratio(par: float | None, actual: float) -> float:
    if par is None or actual <= 0:
        return 1.0
    return min(1.0, max(par, 0.0) / actual)


def score_run(level: Level, outcome: Outcome, actions: int,
              metrics: Mapping[str, Any]) -> Score:
    if outcome.state != "won":
        return Score(0, 0)
    par = level.par
    messages = float(metrics.get("messages", 0))
    if level.mode == "break":
        tick = float(outcome.tick or level.ticks)
        r_actions = _ratio(par.get("actions"), actions)
        r_ticks = _ratio(par.get("ticks"), tick)
        r_messages = _ratio(par.get("messages"), messages)
        stars = 1 + int(actions <= par.get("actions", actions)) \
            + int(tick <= par.get("ticks", tick))
        points = 1000 * (0.5 * r_actions + 0.3 * r_ticks + 0.2 * r_messages)
        return Score(round(points), stars)
    par_metrics = par.get("metrics", {})
    ratios = [_ratio(value, float(metrics.get(name, value)))
              for name, value in par_metrics.items()]
    metric_ok = all(float(metrics.get(name, value)) <= value
                    for name, value in par_metrics.items())
    r_metrics = sum(ratios) / len(ratios) if ratios else 1.0
    r_messages = _ratio(par.get("messages"), messages)
    stars = 1 + int(messages <= par.get("messages", messages)) + int(metric_ok)
    points = 1000 * (0.4 * r_messages + 0.6 * r_metrics)
    return Score(round(points), stars)
