"""UI tests: a small campaign of test levels, temporary saves, the wall-clock timer off.

Importing the fixtures registers the protocols the test campaign uses ("test-register" and
"tui-lease"). Apps are built with ``autoplay=False`` (simulated time moves only on keys) and
an explicit theme, so pilot runs and snapshots are deterministic.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

import tests.game.fixtures  # registers "test-register"
import tests.tui.protocol  # noqa: F401  (registers "tui-lease")
from playground.game.progress import Progress
from playground.tui.app import PlaygroundApp
from playground.tui.screens.play import PlayScreen
from playground.tui.widgets.cluster import ClusterGrid
from playground.tui.widgets.toolbox import KnobPanel

CAMPAIGN = Path(__file__).resolve().parent / "campaign"
THEME = "textual-dark"


def make_app(data_dir: Path, **kw: object) -> PlaygroundApp:
    """An app on the test campaign with its saves in ``data_dir``."""
    options: dict = {"levels_dir": CAMPAIGN, "data_dir": data_dir, "autoplay": False,
                     "theme": THEME}
    options.update(kw)
    return PlaygroundApp(**options)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(autouse=True)
def _no_env_levels(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("PLAYGROUND_LEVELS_DIR", raising=False)
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)
    yield


async def settle(pilot: Pilot) -> None:
    """Wait until the app and its screen have handled every message they were sent, and
    the messages those sent in turn.

    ``Pilot.press`` waits for an idle CPU (at most 1 s) and then for the messages queued
    when it looked; on a loaded machine the CPU looks idle at once, and the key the app
    forwards to the focused widget lands behind that look, so the key's effect came after
    the test's next line (a selection or knob seen unchanged). Each round here waits for
    everything queued before it; the rounds stop when one ends with nothing queued."""
    for _ in range(50):  # a bound on a chain of messages, not on time
        if not await pilot._wait_for_screen():
            return  # the app has ended (or failed: the test's next line will say so)
        app = pilot.app
        pumps = [app, *app.screen.walk_children(with_self=True)]
        if all(p.message_queue_size == 0 for p in pumps):
            return


@pytest.fixture(autouse=True)
def _settled_keys_and_clicks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ``pilot.press`` and ``pilot.click`` returns once the app has handled it."""
    for name in ("press", "click"):
        original = getattr(Pilot, name)

        async def settled(self: Pilot, *args: Any, _original: Any = original,
                          **kwargs: Any) -> Any:
            result = await _original(self, *args, **kwargs)
            await settle(self)
            return result

        monkeypatch.setattr(Pilot, name, settled)


def win_levels(data_dir: Path, *level_ids: str, stars: int = 2) -> None:
    """Mark levels as won in the save (unlocks the ones after them)."""
    progress = Progress.load("local", data_dir)
    for level_id in level_ids:
        progress.record(level_id, True, stars, 500, "DSP1-test")


async def wait_until(pilot, done: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    """Let the app run until ``done()`` is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never happened")
        await pilot.pause(0.02)


class FakeClock:
    """Real seconds as the test says they pass (the play screen's ``clock``)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def start(pilot, level_id: str) -> PlayScreen:
    """Open ``level_id`` straight in the play screen (clock paused), once it takes keys: its
    cluster grid (a KEEP IT level: its knob panel) has the focus, as the player finds it. One
    pause is not always enough on a loaded machine: arrow keys then went to no widget."""
    app = pilot.app
    level = app.campaign().get(level_id)
    app.start_level(level, replace=False)
    first = KnobPanel if level.mode == "keep" else ClusterGrid
    await wait_until(pilot, lambda: isinstance(app.screen, PlayScreen)
                     and isinstance(app.screen.focused, first), "the play screen taking keys")
    screen = app.screen
    assert isinstance(screen, PlayScreen)
    return screen


async def judged_over_seeds(pilot, level_id: str, **knobs: object) -> PlayScreen:
    """Play ``level_id`` (a KEEP IT level with several seeds) to its end with ``knobs`` and
    wait for the debrief the verdict over its seeds brings."""
    from playground.tui.screens.debrief import DebriefScreen

    screen = await start(pilot, level_id)
    screen.controller.draft_knobs.update(knobs)
    screen.action_apply_knobs()
    screen.controller.advance_to(screen.level.ticks)
    screen.after_change()
    assert f"judging your settings on {screen.level.seeds} seeds" in (screen.message or "")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, DebriefScreen)
                     and bool(pilot.app.screen.query("#debrief-keys")),  # composed, not only shown
                     "the debrief after the verdict over seeds", timeout=120)
    return screen
