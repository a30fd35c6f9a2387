"""The game's stylesheets (absolute paths, as DESIGN.md asks): ``app.tcss`` is loaded with
the app; ``play.tcss`` and ``screens.tcss`` with the screens that use them, so the first frame
does not wait for CSS it does not show."""

from pathlib import Path

CSS_DIR = Path(__file__).resolve().parent
