"""Run ``playground`` with the test protocols registered (for the pseudo-terminal test and
for playing the test campaign by hand: ``PLAYGROUND_LEVELS_DIR=tests/tui/campaign
python tests/tui/launch.py play``)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import tests.game.fixtures  # registers "test-register"
import tests.tui.protocol  # noqa: F401  (registers "tui-lease")
from playground.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
