"""Every value the player sees, in words and numbers (never a Python repr).

One place turns protocol data into text: ``—`` for nothing, ``yes``/``no`` for booleans,
``n1, c1 | n2, n3, c2`` for groups, ``key value`` pairs for mappings, field names with
spaces instead of underscores (``lease_ms`` reads ``lease 1000 ms``). Cut text always ends
with ``…``. Used by the debrief, the CLI and every panel of the UI (it imports no UI code).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

NONE = "—"
_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
_SNAKE_IN_TEXT = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
MORE = "…"
MS_SUFFIX = "_ms"


def number(value: float) -> str:
    """``12``, ``97.5``, ``0.33``: at most two decimals, no trailing zeros."""
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):  # NaN, infinity
        return "∞" if value > 0 else ("-∞" if value < 0 else NONE)
    if abs(value - round(value)) < 1e-9:
        return str(round(value))
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def value(item: Any) -> str:
    """``item`` as words and numbers (lists of lists read as groups: ``a, b | c``)."""
    if item is None:
        return NONE
    if isinstance(item, bool):
        return "yes" if item else "no"
    if isinstance(item, int | float):
        return number(item)
    if isinstance(item, str):  # an identifier such as ``time_of_day`` reads "time of day"
        return (item.replace("_", " ") if _SNAKE.fullmatch(item) else item) or NONE
    if isinstance(item, Mapping):
        return fields(item, sep=", ") if item else "none"
    if isinstance(item, set | frozenset):
        return ", ".join(sorted(value(v) for v in item)) if item else "none"
    if isinstance(item, list | tuple):
        if not item:
            return "none"
        if all(isinstance(v, list | tuple | set | frozenset) for v in item):
            return " | ".join(value(v) for v in item)
        return ", ".join(value(v) for v in item)
    return str(item)


def prose(text: str) -> str:
    """A protocol's sentence with the identifiers in it as words (``eject_ms`` -> ``eject
    ms``)."""
    return _SNAKE_IN_TEXT.sub(lambda m: m.group(0).replace("_", " "), text)


def name(key: str) -> str:
    """A field or metric name in words: ``max_latency_ms`` -> ``max latency (ms)``."""
    if key.endswith(MS_SUFFIX) and len(key) > len(MS_SUFFIX):
        return key[: -len(MS_SUFFIX)].replace("_", " ") + " (ms)"
    return key.replace("_", " ")


def field(key: str, item: Any, limit: int | None = None) -> str:
    """``lease_ms``, 1000 -> ``lease 1000 ms``; ``holder``, None -> ``holder —``. A value
    longer than ``limit`` is cut with ``…``."""
    if key.endswith(MS_SUFFIX) and isinstance(item, int | float) and not isinstance(item, bool):
        return f"{key[: -len(MS_SUFFIX)].replace('_', ' ')} {number(item)} ms"
    text = value(item)
    return f"{name(key)} {text if limit is None else fit(text, limit)}"


def fields(items: Mapping[str, Any] | Iterable[tuple[str, Any]], sep: str = "; ",
           limit: int | None = None) -> str:
    """Several fields, ``sep`` between them (each value cut to ``limit``)."""
    pairs = items.items() if isinstance(items, Mapping) else items
    return sep.join(field(str(k), v, limit) for k, v in pairs)


def bound(metric: str, low: float | None, high: float | None) -> str:
    """A requirement on a metric: ``max latency ≤ 300 ms``, ``writes accepted ≥ 20``."""
    unit = " ms" if metric.endswith(MS_SUFFIX) else ""
    label = metric[: -len(MS_SUFFIX)] if unit else metric
    parts = [f"≥ {number(low)}{unit}" if low is not None else "",
             f"≤ {number(high)}{unit}" if high is not None else ""]
    return f"{label.replace('_', ' ')} " + " and ".join(p for p in parts if p)


def tool(name_: str) -> str:
    """A tool's trace name in words: ``step_clock`` -> ``step clock``."""
    return name_.replace("_", " ")


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ending with ``…`` if anything was cut."""
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + MORE if width > 0 else ""
