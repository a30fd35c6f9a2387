"""The terminal game. For now a title screen over a live simulated cluster."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from playground import __version__

TITLE_ART = r"""
  ___  _    _       _ _         _          _   ___ _                           _
 |   \(_)__| |_ _ _(_) |__ _  _| |_ ___ __| | | _ \ |__ _ _  _ __ _ _ _ ___ _  _ _ _  __| |
 | |) | (_-<  _| '_| | '_ \ || |  _/ -_) _` | |  _/ / _` | || / _` | '_/ _ \ || | ' \/ _` |
 |___/|_/__/\__|_| |_|_.__/\_,_|\__\___\__,_| |_| |_\__,_|\_, \__, |_| \___/\_,_|_||_\__,_|
                                                          |__/|___/
"""


class PlaygroundApp(App[None]):
    """The Distributed Systems Playground."""

    TITLE = "Distributed Systems Playground"
    SUB_TITLE = f"v{__version__}"
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(TITLE_ART, id="title-art")
        yield Static(
            "Break and defend a simulated cluster: drop links, skew clocks, freeze nodes, "
            "make them lie.\nThe campaign is on its way. Press q to quit.",
            id="title-blurb",
        )
        yield Footer()


def run_app(player: str | None = None) -> int:
    PlaygroundApp().run()
    return 0
