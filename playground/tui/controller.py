"""The play screen's logic without the screen: selection, tools, time, knobs, hints.

:class:`PlayController` wraps a :class:`~playground.game.session.Session`. Every player
intention (select, apply a tool, step, rewind, turn a knob, claim the level unbreakable) is a
method returning plain results; the screen only draws them. Acting always happens at the tick
on screen: if the player rewound, that tick is in the past and the session forks (later
actions are dropped), as the chapter's "what if" demands.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from playground.game import words
from playground.game.actionfile import parse_share_code
from playground.game.debrief import describe_action
from playground.game.errors import GameFileError
from playground.game.level import KnobRange, Level
from playground.game.rules import refusal
from playground.game.session import Outcome, Refused, Session
from playground.game.solve_advice import hints_with_pointer
from playground.sim import TOOLS, Action, SimError, World
from playground.sim.network import parse_link
from playground.tui.tools import (
    LINK_FIELD,
    TOOL_LABELS,
    Field,
    FieldError,
    dialog_problem,
    link_field,
    link_words,
    parse_fields,
    target_kind,
    tool_fields,
)


@attrs.frozen
class Result:
    """What happened when the player tried something: ``ok`` and a message to show."""

    ok: bool
    message: str
    action: Action | None = None


def _nice_step(knob: KnobRange) -> float:
    if knob.step:
        return knob.step
    if knob.low is None or knob.high is None:
        return 1.0
    span = knob.high - knob.low
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if span / step <= 40:
            return float(step)
    return span / 40


def _plain(value: Any) -> str:
    """A knob value as typed: ``250``, ``0.5``, ``phi``."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return "" if value is None else str(value)


def knob_label(knob: KnobRange) -> str:
    """What the player calls a knob: its label, else its name in words."""
    return knob.title


def knob_range_words(knob: KnobRange) -> str:
    """``from 100 to 1000 in steps of 50``."""
    parts = []
    if knob.low is not None:
        parts.append(f"from {_plain(knob.low)}")
    if knob.high is not None:
        parts.append(f"to {_plain(knob.high)}")
    if knob.step:
        parts.append(f"in steps of {_plain(knob.step)}")
    return " ".join(parts) or "any number"


def _move_words(action: Action) -> str:
    """A move in a few words: ``t=561 partition``, ``t=900 cut n1<->n2``."""
    target = "" if action.target == "*" else f" {action.target}"
    return f"t={action.tick} {TOOL_LABELS.get(action.tool, action.tool)}{target}"


def _fork_words(dropped: int) -> str:
    """What acting in the past did to the later moves, in words."""
    if dropped == 0:
        return " (forked: a new timeline from here, no later moves to drop)"
    moves = "move" if dropped == 1 else "moves"
    return f" (forked: a new timeline from here, {dropped} later {moves} dropped)"


def controller_from_share_code(level: Level, code: str) -> tuple[PlayController | None, str]:
    """The run a share code describes, ready to play, or ``(None, why not)`` in words."""
    try:
        attempt = parse_share_code(code)
    except GameFileError as exc:
        return None, f"that is not a share code this game made ({exc})"
    if attempt.level != level.id:
        return None, (f"that code replays another level ({attempt.level}), not "
                      f"{level.title}; open that level to replay it")
    try:
        return PlayController(level, seed=attempt.seed, knobs=attempt.knobs,
                              actions=attempt.actions, claim=attempt.claim,
                              reason=attempt.reason), ""
    except (Refused, SimError) as exc:
        return None, f"that code's moves do not fit this level: {exc}"


class PlayController:
    """One level being played from the UI. See the module docstring."""

    def __init__(self, level: Level, *, seed: int | None = None,
                 knobs: Mapping[str, Any] | None = None, actions: tuple[Action, ...] = (),
                 claim: str | None = None, reason: int | None = None) -> None:
        self.level = level
        self.session = Session(level, seed=seed, knobs=knobs, actions=actions, claim=claim,
                               reason=reason)
        self.frontier = 0
        self.selection: str | None = level.nodes[0] if level.nodes else None
        self.hints_shown = 0
        self.hints = hints_with_pointer(level)  # the level's, and the solver's pointer
        self.draft_knobs: dict[str, Any] = self.current_knobs()
        self._reported: tuple[Any, ...] | None = None
        self.forks = 0

    # ------------------------------------------------------------------ state
    @property
    def now(self) -> int:
        return self.session.world.now

    @property
    def world(self) -> World:
        return self.session.world

    @property
    def finished(self) -> bool:
        return self.session.finished

    def outcome(self) -> Outcome:
        return self.session.outcome()

    def new_outcome(self) -> Outcome | None:
        """The outcome if the run just ended (won, lost, or the sandbox ran out), once per
        distinct ending; ``None`` while playing or if this ending was reported already."""
        outcome = self.session.outcome()
        if outcome.state == "playing":
            return None
        key = (outcome.state, outcome.tick, tuple(self.session.player_actions),
               tuple(sorted(self.session.knobs.items())), self.session.claim,
               self.session.reason)
        if key == self._reported:
            return None
        self._reported = key
        return outcome

    # ------------------------------------------------------------------ time
    def advance_to(self, tick: int) -> None:
        """Simulate up to ``tick`` (capped at the level's end)."""
        self.session.advance(max(tick, 0))
        self.frontier = max(self.frontier, self.now)

    def advance_by(self, ticks: int) -> None:
        if ticks > 0:
            self.advance_to(self.now + ticks)

    def step_tick(self) -> None:
        """One millisecond of true time."""
        self.advance_to(self.now + 1)

    def step_event(self) -> bool:
        """Advance to the next tick at which something visible happens; False at the end."""
        trace = self.session.world.trace
        before = len(trace)
        for _ in range(1000):
            if self.session.finished:
                return False
            nxt = self.session.world.next_event_tick()
            target = self.level.ticks if nxt is None else max(nxt, self.now + 1)
            self.advance_to(target)
            if len(trace) != before:
                return True
        return True

    def rewind_to(self, tick: int) -> None:
        """Show the run as it was right after ``tick`` (later actions stay until you act)."""
        tick = max(0, min(tick, self.level.ticks))
        if tick > self.now:
            self.advance_to(tick)
        else:
            self.session.rewind(tick)

    @property
    def in_past(self) -> bool:
        """True when the screen shows a moment before the furthest point simulated."""
        return self.now < self.frontier

    # ------------------------------------------------------------------ selection
    def select(self, target: str) -> Result:
        """Select a node (``n1``) or a link (``n1->n2``, ``n1<->n2``)."""
        if target in self.level.nodes:
            self.selection = target
            return Result(True, f"selected {target}")
        problem = self._link_problem(target)
        if problem:
            return Result(False, problem)
        self.selection = target
        return Result(True, f"selected link {target}")

    def _link_problem(self, target: str) -> str | None:
        try:
            a, b, _ = parse_link(target)
        except ValueError as exc:
            return str(exc)
        if a not in self.level.nodes or b not in self.level.nodes:
            return f"no link {target}"
        return None

    def select_index(self, index: int) -> Result:
        """Select node number ``index`` (1-based, as on the cards)."""
        if 1 <= index <= len(self.level.nodes):
            return self.select(self.level.nodes[index - 1])
        return Result(False, f"there is no node {index}")

    def selected_node(self) -> str | None:
        sel = self.selection
        if sel in self.level.nodes:
            return sel
        if sel:
            try:
                return parse_link(sel)[0]
            except ValueError:
                return None
        return None

    def next_link(self) -> Result:
        """Select the next link of the selected node (``l`` cycles through its peers)."""
        nodes = self.level.nodes
        if len(nodes) < 2:
            return Result(False, "one node has no links")
        sel = self.selection
        if sel in nodes:
            a, b = sel, None
        else:
            try:
                a, b, _ = parse_link(sel or "")
            except ValueError:
                a, b = nodes[0], None
        peers = [n for n in nodes if n != a]
        index = peers.index(b) + 1 if b in peers else 0
        return self.select(f"{a}<->{peers[index % len(peers)]}")

    def flip_link(self) -> Result:
        """Cycle the selected link's direction: both ways, one way, the other way."""
        try:
            a, b, both = parse_link(self.selection or "")
        except ValueError:
            return Result(False, "select a link first (l)")
        lo, hi = sorted((a, b), key=self.level.nodes.index)
        if both:
            return self.select(f"{lo}->{hi}")
        if a == lo:
            return self.select(f"{hi}->{lo}")
        return self.select(f"{lo}<->{hi}")

    # ------------------------------------------------------------------ tools
    def tools(self) -> list[str]:
        """The tools of this level, in the toolbox's order."""
        return list(self.level.toolbox)

    def target_for(self, tool: str) -> tuple[str | None, str | None]:
        """``(target, problem)``: what ``tool`` would act on given the selection."""
        kind = target_kind(tool)
        budget = self.level.toolbox.get(tool)
        sel = self.selection
        if kind == "cluster":
            return "*", None
        if kind == "node":
            if sel in self.level.nodes:
                return sel, None
            if budget is not None and len(budget.targets) == 1:
                return budget.targets[0], None
            node = self.selected_node()
            if node is not None:
                return node, None
            return None, f"{words.tool(tool)} needs a node: press 1-{len(self.level.nodes)}"
        # link tools
        if sel and sel not in self.level.nodes:
            return sel, None
        if budget is not None and len(budget.targets) == 1:
            return budget.targets[0], None
        spec = TOOLS[tool]
        if spec.undoes is not None and spec.every_link:  # undo it everywhere
            return "*", None
        return None, f"{words.tool(tool)} needs a link: press l to pick one (d flips its direction)"

    def fields_for(self, tool: str) -> tuple[Field, ...]:
        return tool_fields(tool, self.level.toolbox.get(tool), self.selected_node(),
                           self.level.nodes)

    def dialog_fields(self, tool: str) -> tuple[Field, ...]:
        """What the tool's dialog asks: its parameters and, for a link tool acting on one
        link, which link and which way (picked from a list)."""
        fields = self.fields_for(tool)
        if not fields or target_kind(tool) != "link":
            return fields
        budget = self.level.toolbox.get(tool)
        target, _ = self.target_for(tool)
        if budget is not None and budget.targets:  # only these links: the list offers them
            node = self.selected_node()  # else the first that touches the selected node
            allowed = [t for t in budget.targets if t == target] or [
                t for t in budget.targets if node in parse_link(t)[:2]]
            return (Field(LINK_FIELD, "link", "choice", allowed[0] if allowed
                          else budget.targets[0], required=True, choices=budget.targets,
                          choice_labels=tuple(map(link_words, budget.targets))), *fields)
        if target and target != "*":
            return (link_field(target, self.level.nodes), *fields)
        return fields

    def remaining(self, tool: str) -> int | None:
        return self.session.remaining(tool)

    def build_action(self, tool: str, values: Mapping[str, str] | None = None,
                     ) -> tuple[Action | None, str | None]:
        """The action the player asks for, or why it cannot even be built."""
        if tool not in self.level.toolbox:
            have = ", ".join(TOOLS[t].label for t in sorted(self.level.toolbox)) or "nothing"
            if self.level.mode == "keep":
                return None, "this is a KEEP IT level: the adversary is scripted; turn the knobs"
            return None, f"no {TOOLS[tool].label} in this level's toolbox (it has: {have})"
        target, problem = self.target_for(tool)
        if values and LINK_FIELD in values and target_kind(tool) == "link":
            target = values[LINK_FIELD]
            problem = self._link_problem(target)
        if problem or target is None:
            return None, problem
        fields = self.fields_for(tool)
        if values is None:
            values = {f.name: f.default for f in fields}
        try:
            params = parse_fields(fields, values)
            problem = dialog_problem(tool, params)
            if problem:
                return None, problem
            action = Action.make(self.action_tick(), tool, target, **params)
        except (FieldError, SimError) as exc:
            return None, str(exc)
        return action, None

    def action_tick(self) -> int:
        """When an action taken now happens: the tick after the one on screen (tick 0 before
        anything ran), so several actions in a row all happen, in order."""
        if self.session.world.simulated_through < 0:
            return 0
        return self.now + 1

    def forks_if_acting(self) -> bool:
        """True if acting now would fork the timeline (the screen shows the past)."""
        return self.now < self.frontier or any(
            a.tick > self.now for a in self.session.player_actions)

    def _fork_here(self) -> int:
        """Drop the abandoned future: every player move after the tick on screen and the
        snapshots taken beyond it (the scripted actions stay). Returns how many moves went."""
        dropped = self.session.drop_moves_after(self.now)
        self.frontier = self.now
        return dropped

    def moves_ahead(self) -> tuple[Action, ...]:
        """The player's moves after the tick on screen: kept, and replayed going forward."""
        return tuple(a for a in self.session.player_actions if a.tick > self.now)

    def moves_ahead_text(self, most: int = 2) -> str | None:
        """On a rewound screen, the kept later moves in words (``None`` if there are none)."""
        ahead = self.moves_ahead()
        if not ahead:
            return None
        shown = ", ".join(_move_words(a) for a in ahead[:most])
        if len(ahead) > most:
            shown += f" and {len(ahead) - most} more"
        they, replay, them = ("it", "replays", "it") if len(ahead) == 1 else \
            ("they", "replay", "them")
        return f"kept ahead: {shown}; {they} {replay} going forward, acting here drops {them}"

    def why_not(self, action: Action) -> str | None:
        """Why the move would be refused, in the player's words (``None``: it is allowed)."""
        reason = self._target_words(action) or self.session.why_not(action)
        return None if reason is None else words.prose(reason)

    def _target_words(self, action: Action) -> str | None:
        """A level that names the targets of a tool: which ones, and how to pick one."""
        budget = self.level.toolbox.get(action.tool)
        refused = refusal(self.level, action, ())
        if budget is None or not budget.targets or refused is None or refused.field != "target":
            return None
        label = TOOL_LABELS.get(action.tool, action.tool)
        names = [t.replace("<->", "↔").replace("->", "→") for t in budget.targets]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        if target_kind(action.tool) == "node":
            keys = " or ".join(str(self.level.nodes.index(t) + 1) for t in budget.targets
                               if t in self.level.nodes)
            return f"{label} works only on {listed} here: press {keys} to select it"
        return (f"{label} works only on the link {listed} here: select its first node "
                "(1-9), press l until that link is picked, and d to turn its direction")

    def apply(self, tool: str, values: Mapping[str, str] | None = None) -> Result:
        """Apply ``tool`` to the selection now. On a rewound screen this forks the timeline:
        the moves after this moment are dropped."""
        action, problem = self.build_action(tool, values)
        if action is None:
            return Result(False, problem or "cannot do that")
        forking = self.forks_if_acting()
        # Judge the move against the history up to the screen's moment (as the fork will).
        probe = attrs.evolve(action, tick=min(action.tick, max(self.now, 0))) if forking \
            else action
        reason = self.why_not(probe)
        if reason:
            return Result(False, reason)
        dropped = 0
        if forking:
            dropped = self._fork_here()
            self.forks += 1
        try:
            self.session.act(action)
        except (Refused, SimError) as exc:
            return Result(False, str(exc))
        self.advance_to(action.tick)
        self.frontier = self.now
        return Result(True, f"{describe_action(action)}"
                            f"{_fork_words(dropped) if forking else ''}", action)

    # ------------------------------------------------------------------ knobs
    def current_knobs(self) -> dict[str, Any]:
        """The player-settable knobs and their values in this run."""
        merged = {**self.level.knobs, **self.session.knobs}
        return {name: merged.get(name) for name in self.level.player_knobs}

    def knob_step(self, name: str, direction: int) -> Result:
        """Move a draft knob ``direction`` steps (choices cycle; numbers move by the knob's
        step and stop at its ends): ±1 for the arrows, ±10 for PageUp/PageDown."""
        knob = self.level.player_knobs.get(name)
        if knob is None:
            return Result(False, f"knob {words.name(name)} cannot be changed here")
        value = self.draft_knobs.get(name)
        if knob.choices:
            choices = list(knob.choices)
            index = choices.index(value) if value in choices else 0
            return self._set_knob(knob, choices[(index + direction) % len(choices)])
        step = _nice_step(knob)
        base = float(value) if isinstance(value, int | float) else float(knob.low or 0)
        return self._set_knob(knob, self._clamp(knob, base + direction * step))

    def knob_end(self, name: str, high: bool) -> Result:
        """Set a draft knob to its lowest or highest value (first or last choice)."""
        knob = self.level.player_knobs.get(name)
        if knob is None:
            return Result(False, f"the knob {name} cannot be changed in this level")
        if knob.choices:
            return self._set_knob(knob, knob.choices[-1 if high else 0])
        end = knob.high if high else knob.low
        if end is None:
            return Result(False, f"{knob_label(knob)} has no {'highest' if high else 'lowest'} "
                                 "value")
        return self._set_knob(knob, end)

    def knob_field(self, name: str) -> Field:
        """The dialog field that asks for knob ``name``'s value (a list for choices)."""
        knob = self.level.player_knobs[name]
        value = self.draft_knobs.get(name)
        if knob.choices:
            return Field(name, knob_label(knob), "choice", str(value), required=True,
                         choices=tuple(map(str, knob.choices)))
        return Field(name, knob_label(knob), "number", _plain(value), required=True,
                     help=knob_range_words(knob))

    def knob_problem(self, name: str, text: str) -> str | None:
        """Why ``text`` cannot be knob ``name``'s value, in words (``None``: it can)."""
        return self._parse_knob(name, text)[1]

    def knob_type(self, name: str, text: str) -> Result:
        """Set a draft knob to a typed (or picked) value, checked against range and step."""
        value, problem = self._parse_knob(name, text)
        if problem:
            return Result(False, problem)
        return self._set_knob(self.level.player_knobs[name], value)

    def _parse_knob(self, name: str, text: str) -> tuple[Any, str | None]:
        knob = self.level.player_knobs.get(name)
        if knob is None:
            return None, f"the knob {name} cannot be changed in this level"
        label = knob_label(knob)
        raw = text.strip()
        if knob.choices:
            for choice in knob.choices:
                if str(choice) == raw:
                    return choice, None
            return None, f"{label}: pick one of {', '.join(map(str, knob.choices))}"
        try:
            number = float(raw)
        except ValueError:
            return None, f"{label}: type a number ({knob_range_words(knob)})"
        if (knob.low is not None and number < knob.low) or \
                (knob.high is not None and number > knob.high):
            return None, f"{label}: {_plain(number)} is out of range; {knob_range_words(knob)}"
        if knob.step:
            steps = (number - (knob.low or 0)) / knob.step
            if abs(steps - round(steps)) > 1e-9:
                below = (knob.low or 0) + int(steps) * knob.step
                return None, (f"{label}: {_plain(number)} is between steps; try "
                              f"{_plain(below)} or {_plain(below + knob.step)}")
        whole = isinstance(self.level.knobs.get(name), int) or (
            knob.step is not None and float(knob.step).is_integer())
        if whole and number.is_integer():
            return int(number), None
        return number, None

    @staticmethod
    def _clamp(knob: KnobRange, value: float) -> float:
        if knob.low is not None:
            value = max(knob.low, value)
        if knob.high is not None:
            value = min(knob.high, value)
        return value

    def _set_knob(self, knob: KnobRange, value: Any) -> Result:
        if isinstance(value, float) and value.is_integer() and (
                isinstance(self.level.knobs.get(knob.name), int)
                or isinstance(self.draft_knobs.get(knob.name), int)):
            value = int(value)
        problem = knob.allows(value)
        if problem:
            return Result(False, problem)
        self.draft_knobs[knob.name] = value
        return Result(True, f"{knob_label(knob)} = {words.value(value)}: Enter runs with it")

    def _knob_title(self, name: str) -> str:
        knob = self.level.player_knobs.get(name)
        return knob_label(knob) if knob is not None else words.name(name)

    def apply_knobs(self) -> Result:
        """Restart the run with the draft knobs."""
        knobs = {k: v for k, v in self.draft_knobs.items()}
        problem = self.level.check_player_knobs(knobs)
        if problem:
            return Result(False, problem)
        try:
            self.session = Session(self.level, seed=self.session.seed, knobs=knobs,
                                   actions=tuple(self.session.player_actions))
        except (Refused, SimError) as exc:
            return Result(False, str(exc))
        self.frontier = 0
        shown = "; ".join(f"{self._knob_title(k)} {words.value(v)}" for k, v in knobs.items())
        return Result(True, f"restarted with {shown}")

    # ------------------------------------------------------------------ claims and hints
    def claim_unbreakable(self, reason: int) -> Result:
        """Say the level cannot be broken within its budget, for the level's reason number
        ``reason`` (1-based): the run is judged to the end."""
        if self.level.mode != "break":
            return Result(False, "only a BREAK IT level can be claimed unbreakable")
        session = self.session
        try:
            self.session = Session(self.level, seed=session.seed, knobs=session.knobs,
                                   actions=tuple(session.player_actions), claim="unbreakable",
                                   reason=reason)
        except (Refused, SimError) as exc:
            return Result(False, str(exc))
        self.session.run_to_end()
        self.frontier = self.now
        return Result(True, f"claimed: this cannot be broken, because "
                            f"{self.level.claim_reasons[reason - 1]}")

    def restart(self) -> Result:
        """Start the level again from tick 0 with no actions."""
        self.session = Session(self.level, seed=self.session.seed, knobs=self.session.knobs)
        self.frontier = 0
        self._reported = None
        return Result(True, "restarted")

    def next_hint(self) -> str | None:
        """Reveal the next of the level's hints (``None`` when all are shown)."""
        if self.hints_shown >= len(self.hints):
            return None
        self.hints_shown += 1
        return self.hints[self.hints_shown - 1]
