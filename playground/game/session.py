"""A game session: one level being played, with the toolbox's budgets enforced.

The session wraps a :class:`~playground.sim.Timeline`, so it can rewind and fork; the player's
actions are checked against the level's toolbox before they reach the engine, and the outcome
(won, lost, playing) and the score are derived from the run, never stored beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from playground.errors import PlaygroundError
from playground.game.actionfile import Attempt
from playground.game.level import Level
from playground.game.rules import claim_problem, refusal
from playground.game.scoring import Score, score_run
from playground.sim import Action, Timeline, Violation, World


class Refused(PlaygroundError, ValueError):
    """The toolbox (or the level) does not allow this action; ``str()`` says why."""


OutcomeState = Literal["won", "lost", "playing", "done"]


@attrs.frozen
class Outcome:
    """``state`` is ``won``, ``lost``, ``playing`` (or ``done`` for the sandbox)."""

    state: OutcomeState
    reason: str
    tick: int | None = None


class Session:
    """One level in play."""

    def __init__(
        self,
        level: Level,
        seed: int | None = None,
        knobs: Mapping[str, Any] | None = None,
        actions: Iterable[Action] = (),
        claim: str | None = None,
        reason: int | None = None,
        *,
        snapshot_every: int = 1000,
        max_snapshots: int = 8,
    ) -> None:
        self.level = level
        self.seed = level.seed if seed is None else seed
        self.knobs = dict(knobs or {})
        problem = level.check_player_knobs(self.knobs) or claim_problem(level, claim, reason)
        if problem:
            raise Refused(problem)
        self.claim = claim
        self.reason = reason
        checked: list[Action] = []
        for action in actions:
            self._check(action, checked)
            checked.append(action)
        self.timeline = Timeline(level.scenario(self.knobs), self.seed, checked,
                                 snapshot_every=snapshot_every, max_snapshots=max_snapshots)

    @classmethod
    def from_attempt(cls, level: Level, attempt: Attempt, **kw: Any) -> Session:
        if attempt.level != level.id:
            raise Refused(f"these moves are for the level {attempt.level}, not {level.id}: "
                          "open that level to replay them")
        return cls(level, attempt.seed, attempt.knobs, attempt.actions, attempt.claim,
                   attempt.reason, **kw)

    # ------------------------------------------------------------------ the player's hand
    @property
    def player_actions(self) -> tuple[Action, ...]:
        """The player's moves, applied or still ahead of the tick on screen (the timeline
        owns them, so a rewind never loses one)."""
        return self.timeline.moves

    @property
    def world(self) -> World:
        return self.timeline.world

    @property
    def now(self) -> int:
        return self.timeline.now

    def remaining(self, tool: str) -> int | None:
        """Uses left of ``tool`` (``None``: unlimited); 0 if the toolbox lacks it."""
        budget = self.level.toolbox.get(tool)
        if budget is None:
            return 0
        if budget.count is None:
            return None
        return budget.count - sum(1 for a in self.player_actions if a.tool == tool)

    def why_not(self, action: Action) -> str | None:
        """Why ``action`` would be refused now, or ``None`` if it is allowed."""
        prior = [a for a in self.player_actions if a.tick < action.tick] \
            if action.tick <= self.timeline.world.simulated_through else list(self.player_actions)
        try:
            self._check(action, prior)
        except Refused as exc:
            return str(exc)
        return None

    def act(self, action: Action) -> None:
        """Apply a player action (forking if it is in the past). Raises :class:`Refused`."""
        in_past = action.tick <= self.timeline.world.simulated_through
        prior = [a for a in self.player_actions if a.tick < action.tick] if in_past \
            else list(self.player_actions)
        self._check(action, prior)
        self.timeline.world.validate(action)
        self.timeline.act(action)

    def drop_moves_after(self, tick: int) -> int:
        """Forget every move after ``tick`` (the player acts in the past); how many went."""
        before = len(self.timeline.moves)
        self.timeline.fork(tick + 1, [])
        return before - len(self.timeline.moves)

    def rewind(self, tick: int) -> None:
        """Go back to ``tick`` (actions after it stay scheduled until the player acts)."""
        self.timeline.rewind(max(-1, min(tick, self.level.ticks)))

    def advance(self, tick: int) -> None:
        """Simulate up to ``tick`` (capped at the level's end)."""
        target = min(tick, self.level.ticks)
        if target > self.timeline.world.simulated_through:
            self.timeline.run_until(target)

    def run_to_end(self) -> None:
        self.advance(self.level.ticks)

    @property
    def finished(self) -> bool:
        return self.timeline.world.simulated_through >= self.level.ticks

    def _check(self, action: Action, prior: list[Action]) -> None:
        problem = refusal(self.level, action, prior)
        if problem:
            raise Refused(problem.reason)

    # ------------------------------------------------------------------ how it went
    @property
    def violations(self) -> list[Violation]:
        return list(self.timeline.world.violations)

    def outcome(self) -> Outcome:
        level = self.level
        world = self.timeline.world
        violations = world.violations
        if level.mode == "sandbox":
            return Outcome("done" if self.finished else "playing", "the sandbox has no goal")
        if level.mode == "break":
            hit = next((v for v in violations if v.invariant == level.goal_violation), None)
            if self.claim == "unbreakable":
                if hit is not None:
                    return Outcome("lost", f"it broke: {hit.detail}", hit.tick)
                if not level.unbreakable:
                    return Outcome("lost", "it can be broken: the claim was wrong")
                if self.finished and self.reason != level.right_reason:
                    return Outcome("lost", "it holds, but not for the reason you gave",
                                   level.ticks)
                if self.finished:
                    return Outcome("won", "right: within this budget it cannot be broken, "
                                          "and for the reason you gave", level.ticks)
                return Outcome("playing", "claimed unbreakable; watching")
            if hit is not None:
                return Outcome("won", hit.detail, hit.tick)
            if self.finished:
                return Outcome("lost", f"{level.goal_violation} held until the end")
            return Outcome("playing", level.goal_text)
        # keep
        if violations:
            first = violations[0]
            return Outcome("lost", f"{first.invariant}: {first.detail}", first.tick)
        if not self.finished:
            return Outcome("playing", level.goal_text)
        metrics = self.metrics()
        for req in level.requirements:
            value = metrics.get(req.metric)
            if value is None:
                return Outcome("lost", f"no measurement of {req.metric}")
            if req.min is not None and value < req.min:
                return Outcome("lost", f"{req.metric} was {value:g}, needed at least {req.min:g}")
            if req.max is not None and value > req.max:
                return Outcome("lost", f"{req.metric} was {value:g}, needed at most {req.max:g}")
        return Outcome("won", "safety and liveness held to the end", level.ticks)

    def metrics(self) -> dict[str, Any]:
        world = self.timeline.world
        out: dict[str, Any] = {"messages": world.messages_sent}
        out.update(self.level.protocol.metrics(world))
        return out

    def score(self) -> Score:
        return score_run(self.level, self.outcome(), len(self.player_actions), self.metrics())

    def attempt(self) -> Attempt:
        """What the player did, as an :class:`Attempt` (for saving and sharing)."""
        return Attempt(self.level.id, self.seed, dict(self.knobs), tuple(self.player_actions),
                       self.claim, self.reason)

    def result(self) -> dict[str, Any]:
        """The machine-readable summary (``playground run --json``)."""
        outcome = self.outcome()
        score = self.score()
        world = self.timeline.world
        return {
            "level": self.level.id,
            "seed": self.seed,
            "outcome": outcome.state,
            "reason": outcome.reason,
            "ticks": outcome.tick if outcome.tick is not None else world.now,
            "violations": [
                {"invariant": v.invariant, "kind": v.kind, "tick": v.tick, "detail": v.detail}
                for v in world.violations
            ],
            "score": score.points,
            "stars": score.stars,
            "actions": len(self.player_actions),
            "knobs": dict(self.knobs),
            "messages": world.messages_sent,
            "metrics": self.metrics(),
            "trace_sha256": world.trace.sha256(),
            "share_code": self.attempt().to_share_code(),
        }
