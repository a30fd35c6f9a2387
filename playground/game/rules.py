"""What a level lets the player do: the one check shared by the game, ``run`` and action files.

:func:`refusal` says why an action is not allowed (and which of its fields is at fault, so
file loaders can name the line); :class:`~playground.game.session.Session` turns it into
:class:`~playground.game.session.Refused`, the action file loader into ``FILE:LINE: field``.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from playground.game import words
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
    tool = TOOLS[action.tool]
    budget = level.toolbox.get(action.tool)
    if budget is None:
        have = ", ".join(TOOLS[t].label for t in sorted(level.toolbox)) or "nothing"
        return Refusal("tool", f"no {tool.label} in this level's toolbox (it has: {have})")
    unknown = unknown_node(action, level.nodes)
    if unknown:
        return Refusal(*unknown)
    used = sum(1 for a in prior if a.tool == action.tool)
    if budget.count is not None and used >= budget.count:
        return Refusal("tool", f"No {tool.uses} left: this level allows {budget.count}")
    if budget.targets:
        if tool.target == "link":
            allowed = set().union(*(_pairs(t) for t in budget.targets))
            ok = action.target != "*" and _pairs(action.target) <= allowed
        else:
            ok = action.target in budget.targets
        if not ok:
            return Refusal("target", f"{tool.label} works only on "
                                     f"{', '.join(budget.targets)} in this level: pick one")
    return _within_budget(action, budget)


def _limit(budget: Budget, key: str) -> float | None:
    """The numeric limit a budget key sets (``max_duration``...), or ``None``."""
    value = getattr(budget, key)
    return value if isinstance(value, int | float) else None


def _within_budget(action: Action, budget: Budget) -> Refusal | None:
    tool = TOOLS[action.tool]
    params = action.kwargs
    for name, param in tool.params.items():
        limit = _limit(budget, param.bound) if param.bound else None
        if limit is None:
            continue
        most = f"at most {'±' if param.signed else ''}{limit:g} {param.unit}".rstrip()
        if name not in params and tool.settings:
            continue  # a link setting left out is not changed
        if name not in params:
            return Refusal("tool", f"{tool.label}: {param.words} {most} in this level "
                                   "(it cannot be left empty)")
        if abs(params[name]) > limit:
            return Refusal(name, f"{tool.label}: {param.words} {most} in this level, "
                                 f"not {params[name]:g}")
    if budget.strategies and params.get("strategy") not in budget.strategies:
        return Refusal("strategy", f"the liar may only {', '.join(budget.strategies)} here")
    if budget.settings:
        others = sorted(set(params) - set(budget.settings))
        if others or not params:
            def labels(names: Sequence[str]) -> str:
                return ", ".join(tool.params[n].label or words.name(n) for n in names)
            return Refusal(others[0] if others else "tool",
                           f"{tool.label} may only change {labels(budget.settings)} here"
                           + (f" (not {labels(others)})" if others else ""))
    return None
