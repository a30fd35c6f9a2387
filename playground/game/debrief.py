"""The debrief: what happened in a finished run, told in the chapter's words.

:func:`build_debrief` turns a :class:`~playground.game.session.Session` into a
:class:`Debrief`: the outcome, the level's ``won``/``lost`` text with its placeholders filled
from this run (unknown placeholders are left as written, never a crash), the invariant that
broke with the events that broke it, the score against par and the share code.
:func:`describe_event` is the one-line, plain-text description of a trace event used by the
debrief and by the UI's event log.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from playground.game import words
from playground.game.solve_advice import versus_solver
from playground.sim.actions import Action, thaw_value
from playground.sim.checks import Violation
from playground.sim.trace import Event

if TYPE_CHECKING:
    from playground.game.session import Session

__all__ = [
    "Debrief",
    "ParRow",
    "build_debrief",
    "debrief_values",
    "describe_action",
    "describe_event",
    "render_template",
]


class _Keep(dict[str, Any]):
    """A mapping for ``format_map`` that writes unknown placeholders back unchanged."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class _SafeFormatter(string.Formatter):
    """``str.format_map`` that leaves any placeholder it cannot fill as written."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values

    def vformat(self, format_string: str, args: Sequence[Any],
                kwargs: Mapping[str, Any]) -> str:
        out: list[str] = []
        for literal, field, spec, conversion in self.parse(format_string):
            out.append(literal)
            if field is None:
                continue
            original = "{" + field + (f"!{conversion}" if conversion else "") + \
                (f":{spec}" if spec else "") + "}"
            if field not in self.values:
                out.append(original)
                continue
            value = self.values[field]
            try:
                value = self.convert_field(value, conversion) if conversion else value
                out.append(format(value, spec or ""))
            except (ValueError, TypeError):
                out.append(original)
        return "".join(out)


def render_template(text: str, values: Mapping[str, Any]) -> str:
    """Fill ``{name}`` placeholders of ``text`` from ``values``.

    Unknown placeholders, bad format specs and stray braces are left as written: a level
    author's typo shows up in the text instead of crashing the game.
    """
    try:
        return _SafeFormatter(values).vformat(text, (), {})
    except (ValueError, IndexError):  # unbalanced braces
        return text


def _fmt_number(value: Any) -> Any:
    """Numbers stay numbers (a template may format them); anything else becomes words."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return words.value(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float):
        return round(value, 1)
    return value


def debrief_values(session: Session) -> dict[str, Any]:
    """The placeholder values of a run: ``violation_tick``, ``violation_detail``,
    ``violation_invariant``, ``ticks``, ``actions``, ``messages`` and every metric."""
    level = session.level
    outcome = session.outcome()
    violation = goal_violation(session)
    values: dict[str, Any] = {k: _fmt_number(v) for k, v in session.metrics().items()}
    # A KEEP IT run can lose with nothing broken (a requirement unmet): then the "violation"
    # placeholders tell that, at the end of the run, rather than "-".
    missed = violation is None and outcome.state == "lost"
    end = outcome.tick if outcome.tick is not None else session.world.now
    values.update({
        "violation_tick": violation.tick if violation else (end if missed else words.NONE),
        "violation_detail": violation.detail if violation else (
            outcome.reason if missed and outcome.reason else "nothing broke"),
        "violation_invariant": words.name(violation.invariant) if violation else
        (words.name(level.goal_violation or "every invariant")),
        "ticks": outcome.tick if outcome.tick is not None else session.world.now,
        "actions": len(session.player_actions),
        "messages": session.world.messages_sent,
    })
    return values


def goal_violation(session: Session) -> Violation | None:
    """The violation the debrief is about: the level's goal violation if it happened, else
    the first violation of the run, else ``None``."""
    violations = session.world.violations
    goal = session.level.goal_violation
    for violation in violations:
        if violation.invariant == goal:
            return violation
    return violations[0] if violations else None


@attrs.frozen
class ParRow:
    """One line of the score table: a measure, the player's value, par, and whether it met par
    (``None`` when the level sets no par for it)."""

    measure: str
    yours: Any
    par: Any
    met: bool | None


@attrs.frozen
class Debrief:
    """Everything the debrief screen shows, as plain data."""

    level_id: str
    title: str
    chapter: str
    section: str
    mode: str
    state: str
    reason: str
    story: str
    idea: str
    real_world: str
    violation: Violation | None
    causes: tuple[str, ...]
    points: int
    stars: int
    par: tuple[ParRow, ...]
    share_code: str
    actions: tuple[str, ...]
    versus_solver: tuple[str, ...] = ()  # after a win: the run beside the solver's best

    @property
    def won(self) -> bool:
        return self.state == "won"


def _default_story(session: Session, values: Mapping[str, Any]) -> str:
    outcome = session.outcome()
    level = session.level
    if outcome.state == "won" and level.mode == "break":
        return (f"At tick {values['violation_tick']}, {values['violation_invariant']} broke: "
                f"{values['violation_detail']}.")
    if outcome.state == "won":
        return f"Safety and liveness held for all {level.ticks} ms. {outcome.reason}."
    if outcome.state == "lost" and outcome.tick is not None:
        return f"At tick {outcome.tick}: {outcome.reason}."
    return outcome.reason[:1].upper() + outcome.reason[1:] + "."


def _par_rows(session: Session) -> tuple[ParRow, ...]:
    level = session.level
    par = level.par
    outcome = session.outcome()
    metrics = session.metrics()
    rows: list[ParRow] = []

    def at_most(name: str, yours: Any, limit: Any) -> None:
        met = None if limit is None else (yours is not None and yours <= limit)
        rows.append(ParRow(words.name(name), _fmt_number(yours), limit, met))

    if level.mode == "break":
        at_most("actions", len(session.player_actions), par.get("actions"))
        tick = outcome.tick if outcome.state == "won" else None
        rows.append(ParRow("tick of the break", tick if tick is not None else words.NONE,
                           par.get("ticks"),
                           None if par.get("ticks") is None else
                           (tick is not None and tick <= par["ticks"])))
        at_most("messages", session.world.messages_sent, par.get("messages"))
    else:
        at_most("messages", session.world.messages_sent, par.get("messages"))
        for name, limit in par.get("metrics", {}).items():
            at_most(name, metrics.get(name), limit)
    return tuple(rows)


def build_debrief(session: Session) -> Debrief:
    """The debrief of ``session`` (finished or not; an unfinished run reads as in play)."""
    level = session.level
    outcome = session.outcome()
    values = debrief_values(session)
    template = level.debrief.get("won" if outcome.state == "won" else "lost")
    story = render_template(template, values) if template else _default_story(session, values)
    violation = goal_violation(session)
    causes: tuple[str, ...] = ()
    if violation is not None:
        events = session.world.trace.events
        by_seq = {e.seq: e for e in events} if events and events[-1].seq != len(events) else None
        picked = []
        for seq in violation.causes:
            event = by_seq.get(seq) if by_seq is not None else (
                events[seq - 1] if 0 < seq <= len(events) else None)
            if event is not None:
                picked.append(describe_event(event))
        causes = tuple(picked)
    score = session.score()
    return Debrief(
        level_id=level.id, title=level.title, chapter=level.chapter, section=level.section,
        mode=level.mode, state=outcome.state, reason=outcome.reason, story=story,
        idea=render_template(level.debrief.get("idea", ""), values),
        real_world=render_template(level.debrief.get("real_world", ""), values),
        violation=violation, causes=causes, points=score.points, stars=score.stars,
        par=_par_rows(session), share_code=session.attempt().to_share_code(),
        actions=tuple(describe_action(a) for a in session.player_actions),
        versus_solver=_versus_solver(session) if outcome.state == "won" else (),
    )


def _versus_solver(session: Session) -> tuple[str, ...]:
    level = session.level
    tick = session.outcome().tick if level.mode == "break" else None
    metrics = {**session.metrics(), "messages": session.world.messages_sent}
    return versus_solver(level, len(session.player_actions), tick, metrics)


# ------------------------------------------------------------------------------ events
#: A single value longer than this is cut (with ``…``) in an event line.
VALUE_LIMIT = 80
_NOT_PARAMS = frozenset({"tool", "target", "effect"})


def _short(item: Any, limit: int = VALUE_LIMIT) -> str:
    return words.fit(words.value(item), limit)


def _fields(data: Mapping[str, Any] | Sequence[tuple[str, Any]]) -> str:
    return words.fields(data, limit=VALUE_LIMIT)


def _params(data: Mapping[str, Any]) -> str:
    text = _fields([(k, v) for k, v in data.items() if k not in _NOT_PARAMS])
    return f" {text}" if text else ""


def _target(target: Any) -> str:
    """A fault's target; ``*`` (the whole cluster) goes without saying."""
    return "" if target in (None, "*") else f" {words.value(target)}"


def describe_action(action: Action) -> str:
    """A player's move in words, e.g. ``t=1200 partition groups c1, n1 | c2, n2, n3``."""
    params = [(k, thaw_value(v, as_mapping=(k == "args"))) for k, v in action.params]
    extra = _fields(params)
    return f"t={action.tick} {words.tool(action.tool)}{_target(action.target)}" + (
        f" {extra}" if extra else "")


def describe_event(event: Event) -> str:
    """One line of plain text for a trace event, e.g. ``t=120 n1 decided write=v3``."""
    data = event.data
    node = event.node or ""
    kind = event.kind
    head = f"t={event.tick}"
    if kind == "send":
        payload = data.get("payload")
        what = payload.get("type", "message") if isinstance(payload, dict) else "message"
        return (f"{head} {node} sent #{data.get('id')} {words.value(what)} "
                f"to {data.get('dst')}")
    if kind == "deliver":
        extra = f" (duplicate of #{data['dup_of']})" if "dup_of" in data else ""
        return (f"{head} {node} received #{data.get('id')} from {data.get('src')}, sent at "
                f"t={data.get('sent')}{extra}")
    if kind == "drop":
        where = data.get("link") or f"{node}->{data.get('dst')}"
        return f"{head} message #{data.get('id')} on {where} dropped: {_short(data.get('reason'))}"
    if kind == "hold":
        return (f"{head} message #{data.get('id')} held on {data.get('link')} "
                f"({data.get('held')} waiting)")
    if kind == "timer":
        return f"{head} {node} timer {words.name(str(data.get('name')))}"
    if kind == "state":
        return f"{head} {node} now believes {_fields(data)}"
    if kind == "decide":
        info = {k: v for k, v in data.items() if k not in ("key", "value")}
        extra = f" ({_fields(info)})" if info else ""
        return (f"{head} {node} decided {words.name(str(data.get('key')))}="
                f"{_short(data.get('value'))}{extra}")
    if kind == "observe":
        rest = {k: v for k, v in data.items() if k != "what"}
        return f"{head} {node} observed {words.name(str(data.get('what')))}{_params(rest)}"
    if kind == "command":
        refused = f" (refused: {_short(data['refused'])})" if "refused" in data else ""
        args = data.get("args") or {}
        shown = f" ({_fields(args)})" if isinstance(args, Mapping) and args else ""
        return f"{head} {node} got command {words.name(str(data.get('name')))}{shown}{refused}"
    if kind == "fault":
        effect = f" ({_short(data['effect'])})" if data.get("effect") else ""
        return (f"{head} {words.tool(str(data.get('tool')))}{_target(data.get('target'))}"
                f"{_params(data)}{effect}")
    if kind == "violation":
        return (f"{head} VIOLATION {words.name(str(data.get('invariant')))}: "
                f"{_short(data.get('detail'))}")
    if kind == "start":
        return f"{head} start (seed {data.get('seed')})"
    return f"{head} {kind} {node} {_fields(data)}".rstrip()
