"""What a game process imports: the title's first frame waits only for what the title shows, and
a game never loads the solver, its process pool or the workshop's database driver.

Each check runs the real game (``playground.cli``, the shipped campaign, a fresh save) headless
in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Starts the game headless; records ``sys.modules`` when the app first asks for the campaign
#: (the title asks once its first frame is on screen), then, with ``PLAY``, opens the sandbox
#: and plays Raft for a while; prints what was imported at both moments.
SCRIPT = """
import asyncio, json, sys
from pathlib import Path
import playground.cli
from playground.tui.app import PlaygroundApp

seen = {}

class Probe(PlaygroundApp):
    def campaign(self):
        seen.setdefault("title", sorted(sys.modules))
        return super().campaign()

async def until(pilot, ready):
    for _ in range(1000):
        if ready():
            return
        await pilot.pause()
    raise SystemExit("gave up waiting")

async def main(play):
    app = Probe(autoplay=False, data_dir=Path(DATA))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: "title" in seen)
        if play:
            await pilot.press("s")
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "PlayScreen")
            for _ in range(20):
                await pilot.press("period")
            seen["screen"] = type(app.screen).__name__
        seen["end"] = sorted(sys.modules)

asyncio.run(main(PLAY))
print(json.dumps(seen))
"""

#: Modules the title screen does not need before its first frame: the engine, the protocols,
#: the level files and their parser, the save's leaderboard (sqlite).
NOT_BEFORE_TITLE = ("playground.sim", "playground.protocols.registry", "playground.game.level",
                    "playground.game.campaign", "tomllib", "sqlite3", "attrs")

#: Modules a game never needs: the solver's search and batch runner (the hints read its
#: checked-in record), their process pool, the workshop's database driver.
NEVER_IN_GAME = ("playground.game.solve", "playground.game.solve_keep",
                 "playground.game.solve_report", "concurrent.futures.process",
                 "multiprocessing", "sqlite3")


def _imports(tmp_path: Path, *, play: bool) -> dict[str, list[str] | str]:
    script = SCRIPT.replace("DATA", repr(str(tmp_path))).replace("PLAY", repr(play))
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str] | str] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_the_title_comes_up_before_the_engine_levels_and_protocols_load(tmp_path: Path) -> None:
    seen = _imports(tmp_path, play=False)
    at_title = set(seen["title"])
    assert "playground.tui.screens.title" in at_title
    assert [m for m in NOT_BEFORE_TITLE if m in at_title] == []
    # ... and then they do load: the title shows how far the player got in the campaign.
    assert {"playground.game.campaign", "playground.sim"} <= set(seen["end"])


def test_playing_the_sandbox_never_loads_the_solver_or_a_process_pool(tmp_path: Path) -> None:
    seen = _imports(tmp_path, play=True)
    assert seen["screen"] == "PlayScreen"
    loaded = set(seen["end"])
    assert "playground.game.session" in loaded  # it really played
    assert [m for m in NEVER_IN_GAME if m in loaded] == []
