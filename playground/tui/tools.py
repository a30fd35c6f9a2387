"""The player's tools as the UI presents them: a key each, a symbol, and parameter fields.

Pure data and functions (no Textual): which key applies which tool, which parameters a tool
asks for, and sensible defaults taken from the level's budget (a freeze as long as the budget
allows, a clock step as large as it allows...), so that "press f, press Enter" does the
obvious thing.
"""
# ruff: noqa: RUF001  (the game draws with these symbols on purpose)

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from playground.errors import PlaygroundError
from playground.game import words
from playground.game.level import Budget
from playground.sim import TOOLS
from playground.sim.actions import LIE_STRATEGIES
from playground.sim.network import parse_link

#: tool -> key. Keys that are not tools: space . n + - [ ] { } i b l d z Z ? 1-9 escape.
TOOL_KEYS: dict[str, str] = {
    "cut": "c",
    "heal": "h",
    "partition": "p",
    "set_link": "w",
    "hold": "o",
    "release": "r",
    "freeze": "f",
    "unfreeze": "u",
    "crash": "x",
    "recover": "v",
    "step_clock": "t",
    "set_drift": "g",
    "set_rate": "m",
    "lie": "y",
    "honest": "e",
}

#: A symbol per tool (symbols, not colour alone, carry meaning).
TOOL_SYMBOLS: dict[str, str] = {
    "cut": "╳",
    "heal": "═",
    "partition": "┃",
    "set_link": "≈",
    "hold": "‖",
    "release": "»",
    "freeze": "❄",
    "unfreeze": "▸",
    "crash": "✖",
    "recover": "↻",
    "step_clock": "↶",
    "set_drift": "∿",
    "set_rate": "±",
    "lie": "≠",
    "honest": "=",
}

#: Short labels for narrow screens.
TOOL_LABELS: dict[str, str] = {
    "cut": "cut link",
    "heal": "heal link",
    "partition": "partition",
    "set_link": "slow/lossy",
    "hold": "hold msgs",
    "release": "release",
    "freeze": "freeze",
    "unfreeze": "unfreeze",
    "crash": "crash",
    "recover": "recover",
    "step_clock": "step clock",
    "set_drift": "clock drift",
    "set_rate": "mono rate",
    "lie": "make lie",
    "honest": "make honest",
}


@attrs.frozen
class Field:
    """One parameter the player fills in before a tool is applied.

    ``kind`` is ``number``, ``int``, ``text``, ``choice`` or ``groups`` (a partition written
    as ``n1 n2 | n3``). ``default`` is the pre-filled text; an empty optional field is left
    out of the action.
    """

    name: str
    label: str
    kind: str
    default: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    choice_labels: tuple[str, ...] = ()  # what the list shows for each choice, if not itself


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


#: set_link's settings as the dialog asks for them: label, kind, help (empty fields stay as
#: they are; a level may allow only some, see the ``settings`` budget key).
LINK_SETTINGS: dict[str, tuple[str, str, str]] = {
    "latency": ("latency (ms)", "number", ""),
    "loss": ("loss (0..1)", "number", ""),
    "jitter": ("jitter (ms)", "number", ""),
    "duplicate": ("duplicate (0..1)", "number", ""),
    "service_ms": ("wire time per message (ms)", "number",
                   "messages queue behind each other"),
    "queue_limit": ("queue length (messages)", "int", "a full queue drops what arrives"),
}


def tool_fields(tool: str, budget: Budget | None, selection: str | None,
                nodes: Sequence[str]) -> tuple[Field, ...]:
    """The fields to ask for before applying ``tool`` (empty: apply at once)."""
    b = budget or Budget(tool)
    if tool == "freeze":
        default = _num(b.max_duration) if b.max_duration else "1000"
        return (Field("duration", "pause for (ms)", "number", default,
                      required=b.max_duration is not None,
                      help=f"at most {_num(b.max_duration)} ms" if b.max_duration else
                      "empty: until you unfreeze it"),)
    if tool == "crash":
        return (Field("recover_after", "restart after (ms)", "number",
                      _num(b.max_duration) if b.max_duration else "",
                      required=b.max_duration is not None,
                      help="empty: it stays down (crash-stop)"),)
    if tool == "step_clock":
        step = -(b.max_delta or 500)
        return (Field("delta_ms", "step time-of-day by (ms)", "number", _num(step),
                      required=True,
                      help=f"negative goes back; at most ±{_num(b.max_delta)}" if b.max_delta
                      else "negative goes back"),)
    if tool in ("set_drift", "set_rate"):
        return (Field("ppm", "rate error (ppm)", "number", _num(b.max_ppm or 200),
                      required=True,
                      help=f"at most ±{_num(b.max_ppm)} ppm" if b.max_ppm else
                      "200 ppm = 0.2 ms per second"),)
    if tool == "hold":
        return (Field("count", "hold the next N messages", "int", _num(b.max_hold),
                      required=b.max_hold is not None,
                      help=f"at most {b.max_hold}" if b.max_hold else
                      "empty: hold until released"),)
    if tool == "lie":
        strategies = b.strategies or LIE_STRATEGIES
        return (
            Field("strategy", "how it lies", "choice", strategies[0], required=True,
                  choices=tuple(strategies)),
            Field("field", "field to rewrite", "text", "",
                  help="payload field (default: value)"),
            Field("value", "forged value", "text", "", help="for forge"),
            Field("offset_ms", "clock lie (ms)", "number", "", help="for clock"),
        )
    if tool == "set_link":
        names = b.settings or tuple(LINK_SETTINGS)
        return tuple(
            Field(name, LINK_SETTINGS[name][0], LINK_SETTINGS[name][1],
                  "200" if name == "latency" and not b.settings else "",
                  required=len(names) == 1, help=LINK_SETTINGS[name][2])
            for name in names)
    if tool == "partition":
        return (Field("groups", "groups", "groups", default_groups(selection, nodes),
                      required=True, help="nodes in a group talk; '|' separates groups"),)
    return ()


#: The name of the dialog field that picks a link tool's link and direction.
LINK_FIELD = "link"


def link_field(selection: str, nodes: Sequence[str]) -> Field:
    """The link a link tool acts on, both ways or either one way, picked from a list."""
    a, b, _ = parse_link(selection)
    a, b = sorted((a, b), key=list(nodes).index)
    choices = (f"{a}<->{b}", f"{a}->{b}", f"{b}->{a}")
    return Field(LINK_FIELD, "link", "choice", selection if selection in choices else choices[0],
                 required=True, choices=choices, choice_labels=tuple(map(link_words, choices)))


def link_words(target: str) -> str:
    """``n2 → n1 only``, ``n1 ↔ n2 (both ways)``."""
    if "<->" in target:
        return target.replace("<->", " ↔ ") + " (both ways)"
    return target.replace("->", " → ") + " only"


def default_groups(selection: str | None, nodes: Sequence[str]) -> str:
    """``"n1 | n2 n3"``: the selected node alone against the rest."""
    chosen = selection if selection is not None and selection in nodes else (
        nodes[0] if nodes else "")
    rest = [n for n in nodes if n != chosen]
    return f"{chosen} | {' '.join(rest)}" if rest else chosen


class FieldError(PlaygroundError, ValueError):
    """A field the player filled in is not valid; ``str()`` says why."""


def parse_fields(fields: Sequence[Field], values: Mapping[str, str]) -> dict[str, Any]:
    """Turn the texts the player typed into action parameters. Raises :class:`FieldError`."""
    out: dict[str, Any] = {}
    for field in fields:
        raw = values.get(field.name, "").strip()
        if not raw:
            if field.required:
                raise FieldError(f"{field.label}: needed")
            continue
        if field.kind in ("number", "int"):
            try:
                number = float(raw)
            except ValueError:
                raise FieldError(f"{field.label}: {raw!r} is not a number") from None
            if field.kind == "int" or number.is_integer():
                if field.kind == "int" and not number.is_integer():
                    raise FieldError(f"{field.label}: must be a whole number")
                out[field.name] = int(number)
            else:
                out[field.name] = number
        elif field.kind == "groups":
            groups = [g.split() for g in raw.split("|")]
            groups = [g for g in groups if g]
            if not groups:
                raise FieldError(f"{field.label}: name the nodes of each group")
            out[field.name] = groups
        elif field.kind == "choice":
            if raw not in field.choices:
                raise FieldError(f"{field.label}: one of {', '.join(field.choices)}")
            out[field.name] = raw
        else:
            out[field.name] = _guess_scalar(raw)
    return out


def _guess_scalar(raw: str) -> Any:
    if raw in ("true", "false"):
        return raw == "true"
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        return float(raw)
    except ValueError:
        return raw


def target_kind(tool: str) -> str:
    """``node``, ``link`` or ``cluster``."""
    return TOOLS[tool].target


def tool_doc(tool: str) -> str:
    """The engine's one-line description of ``tool``."""
    return words.prose(TOOLS[tool].doc)
