"""The files the game ships besides its code: the campaign (``levels/``) and the stylesheets and
title art (``assets/``).

Both folders sit at the top of the repository and are packaged as ``playground.levels`` and
``playground.assets`` (``pyproject.toml`` maps them), so a checkout with its editable install and
an installed wheel find them the same way: through the import system, which knows where each
package is (:func:`importlib.util.find_spec`; lighter at start-up than ``importlib.resources``,
and the game reads folders on disk either way)."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

LEVELS_PACKAGE = "playground.levels"
ASSETS_PACKAGE = "playground.assets"


def _folder(package: str) -> Path:
    spec = find_spec(package)
    places = list(spec.submodule_search_locations or []) if spec is not None else []
    if not places or not Path(places[0]).is_dir():  # a zipped install: the game reads folders
        raise RuntimeError(f"{package} is not a folder on disk ({places}): install unzipped")
    return Path(places[0])


def levels_folder() -> Path:
    """The shipped campaign: level files, ``campaign.toml`` and ``solutions/``."""
    return _folder(LEVELS_PACKAGE)


def asset(name: str) -> Path:
    """One shipped asset file, such as ``app.tcss`` or ``title-art.txt``."""
    return _folder(ASSETS_PACKAGE) / name
