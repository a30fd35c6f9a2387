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

from playground.game.campaign import load_campaign

ROOT = Path(__file__).resolve().parents[2]

#: Starts the game headless and records ``sys.modules`` twice: when the title screen is mounted
#: (before its first frame, its status line still empty) and once the status line says how far
#: the player got. With ``PLAY`` it then opens the sandbox and plays Raft for a while, and
#: records them again at the end.
SCRIPT = """
import asyncio, json, sys
from pathlib import Path
import playground.cli
from playground.tui.app import PlaygroundApp
from playground.tui.navigation import screen_class

seen = {}
title = screen_class("title")
mounted = title.on_mount

def on_mount(self):
    seen["first frame"] = sorted(sys.modules)
    mounted(self)

title.on_mount = on_mount

async def until(pilot, ready):
    for _ in range(1000):
        if ready():
            return
        await pilot.pause()
    raise SystemExit("gave up waiting")

async def main(play):
    app = PlaygroundApp(autoplay=False, data_dir=Path(DATA))
    async with app.run_test(size=(120, 40)) as pilot:
        status = lambda: str(app.screen.query_one("#title-status").render())
        await until(pilot, lambda: "levels won" in status())
        seen["status"] = status()
        seen["title"] = sorted(sys.modules)
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

#: Modules the title screen never needs: the engine, the protocols, the level files and their
#: parser, the leaderboard's database driver (sqlite), attrs. Its first frame does not wait
#: for the campaign's index either.
NOT_AT_TITLE = ("playground.sim", "playground.protocols.registry", "playground.game.level",
                "playground.game.actionfile", "sqlite3", "attrs")
NOT_BEFORE_FIRST_FRAME = (*NOT_AT_TITLE, "playground.game.campaign", "tomllib")

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


def test_the_title_needs_neither_the_engine_nor_the_levels(tmp_path: Path) -> None:
    seen = _imports(tmp_path, play=False)
    first = set(seen["first frame"])
    assert "playground.tui.screens.title" in first
    assert [m for m in NOT_BEFORE_FIRST_FRAME if m in first] == []
    # Then the title counts the player's wins from the campaign's index alone.
    assert f"0/{len(load_campaign().order)} levels won" in seen["status"]
    assert "playground.game.campaign" in set(seen["title"])
    assert [m for m in NOT_AT_TITLE if m in set(seen["title"])] == []


def test_playing_the_sandbox_never_loads_the_solver_or_a_process_pool(tmp_path: Path) -> None:
    seen = _imports(tmp_path, play=True)
    assert seen["screen"] == "PlayScreen"
    loaded = set(seen["end"])
    assert "playground.game.session" in loaded  # it really played
    assert [m for m in NEVER_IN_GAME if m in loaded] == []
