"""What a level lets the player do: the one check shared by the game, ``run`` and action files.

:func:`refusal` says why an action is not allowed (and which of its fields is at fault, so
file loaders can name the line); :class:`~playground.game.session.Session` turns it into
:class:`~playground.game.session.Refused`, the action file loader into ``FILE:LINE: field``.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from playground.game.level import Budget, Level, unknown_node
from playground.sim import TOOLS, Action
from playground.sim.network import parse_link


@attrs.frozen
class Refusal:
    """Why an action is refused; ``field`` is ``tick``, ``tool``, ``target`` or a parameter."""

    field: str
    reason: str


def _pairs(target: str) -> set[tuple[str, str]]:
    a, b, both = parse_link(target)
    return {(a, b), (b, a)} if both else {(a, b)}


def claim_problem(level: Level, claim: str | None, reason: int | None = None) -> str | None:
    """Why ``claim`` (with the number of its ``reason``) cannot be made in ``level``, or
    ``None``. A claim needs a reason: share codes from before reasons are refused here."""
    if claim is None:
        return None if reason is None else 'a reason goes with claim = "unbreakable"'
    if level.mode != "break":
        return "only a BREAK IT level can be claimed unbreakable"
    if reason is None or not 1 <= reason <= len(level.claim_reasons):
        return f"a claim needs its reason: reason = 1..{len(level.claim_reasons)}"
    return None


def refusal(level: Level, action: Action, prior: Sequence[Action]) -> Refusal | None:
    """Why ``action`` is not allowed after the player's ``prior`` actions, or ``None``."""
    if level.mode == "keep":
        return Refusal("tool", "this is a KEEP IT level: the adversary is scripted; turn the "
                               "knobs")
    if action.tick > level.ticks:
        return Refusal("tick", f"the level ends at tick {level.ticks}")
    if action.tool == "command":
        return Refusal("tool", "command is not a player tool: client workloads are scripted "
                               "in the level ([[script]])")
    budget = level.toolbox.get(action.tool)
    if budget is None:
        have = ", ".join(sorted(level.toolbox)) or "nothing"
        return Refusal("tool", f"no {action.tool} in this level's toolbox (it has: {have})")
    unknown = unknown_node(action, level.nodes)
    if unknown:
        return Refusal("groups" if action.tool == "partition" else "target", unknown)
    used = sum(1 for a in prior if a.tool == action.tool)
    if budget.count is not None and used >= budget.count:
        return Refusal("tool", f"no {action.tool} left: the budget was {budget.count}")
    if budget.targets:
        if TOOLS[action.tool].target == "link":
            allowed = set().union(*(_pairs(t) for t in budget.targets))
            ok = action.target != "*" and _pairs(action.target) <= allowed
        else:
            ok = action.target in budget.targets
        if not ok:
            return Refusal("target",
                           f"{action.tool} can only target {', '.join(budget.targets)} here")
    return _within_budget(action, budget)


def _within_budget(action: Action, budget: Budget) -> Refusal | None:
    params = action.kwargs
    if budget.max_duration is not None:
        key = {"freeze": "duration", "crash": "recover_after"}.get(action.tool)
        if key and (key not in params or params[key] > budget.max_duration):
            return Refusal(key if key in params else "tool",
                           f"{action.tool} needs {key} of at most {budget.max_duration:g} ms")
    if budget.max_delta is not None and abs(params.get("delta_ms", 0)) > budget.max_delta:
        return Refusal("delta_ms", f"a clock step of at most ±{budget.max_delta:g} ms is allowed")
    if budget.max_ppm is not None and abs(params.get("ppm", 0)) > budget.max_ppm:
        return Refusal("ppm", f"a clock rate of at most ±{budget.max_ppm:g} ppm is allowed")
    if budget.strategies and params.get("strategy") not in budget.strategies:
        return Refusal("strategy", f"the liar may only {', '.join(budget.strategies)} here")
    if budget.max_hold is not None and (
            "count" not in params or params["count"] > budget.max_hold):
        return Refusal("count" if "count" in params else "tool",
                       f"hold at most {budget.max_hold} messages (give count)")
    if budget.settings:
        others = sorted(set(params) - set(budget.settings))
        if others or not params:
            return Refusal(others[0] if others else "tool",
                           f"{action.tool} may only change {', '.join(budget.settings)} here"
                           + (f" (not {', '.join(others)})" if others else ""))
    return None
