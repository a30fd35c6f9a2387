"""Find the line of a key in a TOML document, so errors can name ``FILE:LINE``.

:mod:`tomllib` gives values without positions. :func:`key_lines` scans the text for table
headers (``[a.b]``, ``[[a]]``) and ``key = value`` lines and maps each key path to its line.
Paths use strings for keys and integers for array-of-tables indices; keys inside inline tables
or multi-line arrays map to the line of the enclosing key (good enough for error messages).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_.\-"\' ]+?)\s*=')

Path = tuple[str | int, ...]


def _split_key(text: str) -> list[str]:
    parts: list[str] = []
    for match in re.finditer(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([^.\s]+)', text):
        parts.append(next(g for g in match.groups() if g is not None))
    return parts


def key_lines(text: str) -> dict[Path, int]:
    """Map every key path found in ``text`` to its 1-based line number."""
    return _scan(text)[0]


def unclosed_line(text: str) -> int | None:
    """The line where a multi-line string or array that never ends opens, if one does."""
    return _scan(text)[1]


def _scan(text: str) -> tuple[dict[Path, int], int | None]:
    lines: dict[Path, int] = {}
    opened = 0  # the line where the multi-line string or array being skipped began
    current: Path = ()
    array_counts: dict[Path, int] = {}
    in_multiline: str | None = None
    depth = 0  # open brackets of a multi-line array
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        if in_multiline:
            if in_multiline in line:
                in_multiline = None
            continue
        if depth > 0:
            depth = max(0, depth + line.count("[") - line.count("]"))
            continue
        header = _HEADER.match(line)
        if header:
            keys = tuple(_split_key(header.group(2)))
            if header.group(1) == "[[":
                index = array_counts.get(keys, 0)
                array_counts[keys] = index + 1
                current = (*keys, index)
            else:
                current = keys
            lines.setdefault(current, number)
            continue
        key = _KEY.match(line)
        if key:
            path = (*current, *_split_key(key.group(1)))
            lines.setdefault(path, number)
            rest = line[key.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) == 1:
                    in_multiline = quote
            if not in_multiline:
                depth = max(0, rest.count("[") - rest.count("]"))
            opened = number
    return lines, opened if (in_multiline or depth > 0) else None


def line_of(lines: dict[Path, int], path: Sequence[str | int]) -> int | None:
    """The line of ``path``, or of its closest ancestor that has one."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None
