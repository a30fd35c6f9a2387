"""A run you can rewind and fork: snapshots every K ticks, restore, replay forward.

``Timeline(scenario, seed, actions)`` wraps a :class:`World`. :meth:`run_until` advances it and
keeps a full snapshot every ``snapshot_every`` ticks (at most ``max_snapshots``: past that,
every other one is dropped and later ones are taken half as often, down to one every
:data:`MAX_STRIDE` times ``snapshot_every``, so long runs keep, and pay for, sparser ones: a
snapshot copies the whole world, and grows with it). :meth:`rewind`
restores the nearest snapshot at or before a tick and replays forward to it, so the state (and
the trace hash) is exactly what a straight run would have. :meth:`fork` rewinds and replaces
every action from a tick on, starting a new timeline from that moment.

The timeline owns the player's moves (:attr:`moves`): a snapshot may predate a move, so every
restore schedules again each move after the snapshot's tick. Going forward after a rewind
therefore replays the same future until a fork drops it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from playground.sim.actions import Action
from playground.sim.errors import InvalidTickError
from playground.sim.scenario import Scenario
from playground.sim.world import World, WorldSnapshot

#: However long the run, a snapshot is taken at least every this many times ``snapshot_every``
#: ticks: a short step back (the usual rewind) never replays more than that.
MAX_STRIDE = 4


class Timeline:
    """A rewindable, forkable run of a scenario."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 0,
        actions: Iterable[Action] = (),
        *,
        snapshot_every: int = 1000,
        max_snapshots: int = 32,
    ) -> None:
        if snapshot_every < 1:
            raise InvalidTickError(f"snapshot_every must be >= 1, got {snapshot_every}")
        if max_snapshots < 2:
            raise InvalidTickError(f"max_snapshots must be >= 2, got {max_snapshots}")
        self.scenario = scenario
        self.seed = seed
        self.snapshot_every = snapshot_every
        self.max_snapshots = max_snapshots
        self._moves: list[Action] = sorted(actions, key=lambda a: a.tick)
        self.world = World(scenario, seed, self._moves)
        self._snapshots: list[WorldSnapshot] = [self.world.snapshot()]
        self._snapshot_ticks: list[int] = [-1]  # the last fully simulated tick of each
        #: Ticks between snapshots now: ``snapshot_every``, doubled at each thinning up to
        #: :data:`MAX_STRIDE` times that.
        self._stride = snapshot_every

    @property
    def now(self) -> int:
        return self.world.now

    @property
    def actions(self) -> tuple[Action, ...]:
        return self.world.actions

    @property
    def moves(self) -> tuple[Action, ...]:
        """The player's moves in this timeline (applied or still ahead), in tick order."""
        return tuple(self._moves)

    def _take_snapshot(self) -> None:
        done = self.world.simulated_through
        index = bisect.bisect_left(self._snapshot_ticks, done)
        if index < len(self._snapshot_ticks) and self._snapshot_ticks[index] == done:
            return
        self._snapshot_ticks.insert(index, done)
        self._snapshots.insert(index, self.world.snapshot())
        if len(self._snapshots) > self.max_snapshots:
            self._thin()

    def _thin(self) -> None:
        """Drop every other snapshot, keeping the first and the newest, and take them half as
        often from now on: memory and the time spent copying the world stay bounded however
        long the run, and a rewind replays at most about twice as far as before."""
        self._stride = min(2 * self._stride, MAX_STRIDE * self.snapshot_every)
        last = len(self._snapshots) - 1
        keep = [i for i in range(last + 1) if i == 0 or (last - i) % 2 == 0]
        self._snapshot_ticks = [self._snapshot_ticks[i] for i in keep]
        self._snapshots = [self._snapshots[i] for i in keep]

    def run_until(self, tick: int) -> None:
        """Advance to ``tick``, snapshotting every ``snapshot_every`` ticks on the way (or
        less often, once the snapshots were thinned)."""
        world = self.world
        while (mark := self._next_mark()) <= tick:
            world.run_until(mark)
            self._take_snapshot()
        world.run_until(tick)

    def _next_mark(self) -> int:
        """The next tick to snapshot at: the next multiple of the stride."""
        return (max(self.world.simulated_through, 0) // self._stride + 1) * self._stride

    def rewind(self, tick: int) -> None:
        """Go back (or forward) to the state right after tick ``tick`` was simulated."""
        if isinstance(tick, bool) or not isinstance(tick, int) or tick < -1:
            raise InvalidTickError(f"cannot rewind to tick {tick!r}")
        if tick >= self.world.simulated_through:
            self.run_until(max(tick, 0))
            return
        index = bisect.bisect_right(self._snapshot_ticks, tick) - 1
        self.world = World.restore(self._snapshots[index], self.world.trace)
        self._reschedule_moves()
        if tick >= 0:
            self.run_until(tick)

    def _reschedule_moves(self) -> None:
        """Make the world's pending player actions exactly the moves not yet simulated."""
        done = self.world.simulated_through
        self.world.replace_future_actions([a for a in self._moves if a.tick > done])

    def fork(self, tick: int, actions: Iterable[Action]) -> None:
        """Rewind to just before ``tick`` and replace every action at or after it.

        Actions before ``tick`` are kept; ``actions`` (each at ``tick`` or later) become the
        new future. Snapshots of the abandoned future are dropped.
        """
        new = list(actions)
        for a in new:
            if a.tick < tick:
                raise InvalidTickError(f"fork at {tick}: action at tick {a.tick} is before it")
        self._moves = [a for a in self._moves if a.tick < tick] + sorted(new, key=lambda a: a.tick)
        self.rewind(tick - 1)
        cut = bisect.bisect_right(self._snapshot_ticks, tick - 1)
        del self._snapshot_ticks[cut:]
        del self._snapshots[cut:]
        self._reschedule_moves()

    def act(self, action: Action) -> None:
        """Apply an action: in the future it is scheduled; in the past it forks the timeline,
        keeping the actions before it and discarding the ones after."""
        if action.tick > self.world.simulated_through:
            self.world.act(action)
            at = bisect.bisect_right(self._moves, action.tick, key=lambda a: a.tick)
            self._moves.insert(at, action)
        else:
            self.fork(action.tick, [action])
