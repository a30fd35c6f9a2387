"""The game's stylesheets and title art; installed as ``playground.assets`` (see
``playground/shipped.py``). ``screenshots/`` holds the README's pictures and is not installed."""
