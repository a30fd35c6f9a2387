"""The files the game ships besides its code: the campaign (``levels/``) and the stylesheets and
title art (``assets/``).

Both folders sit at the top of the repository and are packaged as ``playground.levels`` and
``playground.assets`` (``pyproject.toml`` maps them), so a checkout with its editable install and
an installed wheel find them the same way: through :mod:`importlib.resources`."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

LEVELS_PACKAGE = "playground.levels"
ASSETS_PACKAGE = "playground.assets"


def _folder(package: str) -> Path:
    folder = files(package)
    if not isinstance(folder, Path):  # a zipped install: the game reads folders on disk
        raise RuntimeError(f"{package} is not a folder on disk ({folder}): install unzipped")
    return folder


def levels_folder() -> Path:
    """The shipped campaign: level files, ``campaign.toml`` and ``solutions/``."""
    return _folder(LEVELS_PACKAGE)


def asset(name: str) -> Path:
    """One shipped asset file, such as ``app.tcss`` or ``title-art.txt``."""
    return _folder(ASSETS_PACKAGE) / name
