"""A checked walk over parsed TOML: every error names the file, line and field."""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from playground.game.errors import GameFileError
from playground.game.tomlpos import key_lines, line_of, unclosed_line

T = TypeVar("T")

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)")


def read_text(path: Path, error_class: type[GameFileError]) -> str:
    """A file's UTF-8 text, or ``error_class`` naming the file."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error_class(path, None, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise error_class(path, None, "not UTF-8 text") from None


def parse_toml(text: str, path: str | Path, error_class: type[GameFileError]) -> dict[str, Any]:
    """Parsed TOML, or ``error_class`` at the line tomllib complains about."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_POSITION.search(str(exc))
        message = _TOML_POSITION.sub("", str(exc))
        line = int(match.group(1)) if match else None
        if "at end of document" in message:  # name the line where the unclosed thing opens
            line = unclosed_line(text) or len(text.splitlines()) or None
            message = message.replace(" (at end of document)", "")
            if line is not None:
                message += " (opened here, never closed)"
        raise error_class(path, line, f"invalid TOML: {message}") from None

_TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
               list: "a list", dict: "a table"}


class Reader:
    """Reads one parsed TOML document; raises ``error_class`` at the right line."""

    def __init__(self, path: str | Path, text: str, error_class: type[GameFileError]) -> None:
        self.path = path
        self.lines = key_lines(text)
        self.in_a_file = bool(text.strip())
        self.error_class = error_class

    def fail(self, where: tuple[str | int, ...], message: str) -> GameFileError:
        """An error for field ``where`` (its dotted name is put in front of ``message``), at
        its line, its table's line, or line 1 for a top-level key that is not there."""
        name = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in where)
        name = name.replace(".[", "[")
        text = f"{name}: {message}" if name else message
        line = line_of(self.lines, where) or (1 if self.in_a_file else None)
        return self.error_class(self.path, line, text)

    def check_keys(self, table: Mapping[str, Any], where: tuple[str | int, ...],
                   allowed: set[str] | frozenset[str],
                   required: set[str] | frozenset[str] = frozenset()) -> None:
        """Unknown keys and missing required keys are errors."""
        for key in table:
            if key not in allowed:
                names = ", ".join(sorted(allowed))
                raise self.fail((*where, key), f"unknown key (allowed: {names})")
        for key in sorted(required):
            if key not in table:
                raise self.fail((*where, key), "missing (this key is required)")

    def get(self, table: Mapping[str, Any], where: tuple[str | int, ...], key: str,
            kind: type | tuple[type, ...], default: Any = ..., *,
            check: Callable[[Any], str | None] | None = None) -> Any:
        """``table[key]`` checked against ``kind`` (and ``check``, which returns a problem)."""
        if key not in table:
            if default is ...:
                raise self.fail((*where, key), "missing (this key is required)")
            return default
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            names = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
            raise self.fail((*where, key), f"must be {names}, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail((*where, key), f"must be a finite number, got {value}")
        if check is not None:
            problem = check(value)
            if problem:
                raise self.fail((*where, key), problem)
        return value

    def table(self, table: Mapping[str, Any], where: tuple[str | int, ...], key: str,
              required: bool = False) -> dict[str, Any]:
        value: dict[str, Any] = self.get(table, where, key, dict, ... if required else {})
        return value
