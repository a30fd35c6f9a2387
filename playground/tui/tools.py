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
from playground.sim.actions import Param, param_problem
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

#: Short labels for narrow screens (from the engine's table of tools).
TOOL_LABELS: dict[str, str] = {name: TOOLS[name].label for name in TOOL_KEYS}


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


def _kind(param: Param) -> str:
    """The dialog field kind a parameter needs."""
    if param.choices:
        return "choice"
    if list in param.types:
        return "groups"
    if param.types == (int,):
        return "int"
    return "number" if float in param.types else "text"


def _field(name: str, param: Param, budget: Budget, *, only: bool, selection: str | None,
           nodes: Sequence[str]) -> Field:
    """The dialog field for one parameter: pre-filled with the budget's limit if it sets one
    (signed as the suggestion is), else the suggestion; required if the limit makes it so."""
    limit = getattr(budget, param.bound) if param.bound else None
    if isinstance(limit, int | float):
        sign = -1 if param.suggest is not None and param.suggest < 0 else 1
        default = _num(sign * limit)
        most = f"at most {'±' if param.signed else ''}{_num(limit)} {param.unit}".rstrip()
        help_text = f"{param.hint}; {most}" if param.hint else most
        required = True
    else:
        default = _num(param.suggest) if param.suggest is not None and not budget.settings else ""
        help_text = param.hint or param.open_hint
        required = param.required or only
    if param.choices:
        choices = tuple(limit or ()) if isinstance(limit, tuple) and limit else param.choices
        return Field(name, param.label, "choice", choices[0], required=True, choices=choices)
    if _kind(param) == "groups":
        default = default_groups(selection, nodes)
    return Field(name, param.label, _kind(param), default, required=required, help=help_text)


def tool_fields(tool: str, budget: Budget | None, selection: str | None,
                nodes: Sequence[str]) -> tuple[Field, ...]:
    """The fields to ask for before applying ``tool`` (empty: apply at once). A level that
    restricts a tool's settings asks only for those."""
    b = budget or Budget(tool)
    asked = TOOLS[tool].asked
    names = [n for n in asked if n in b.settings] if b.settings else list(asked)
    only = TOOLS[tool].settings and len(names) == 1
    return tuple(_field(name, asked[name], b, only=only, selection=selection,
                        nodes=nodes) for name in names)


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
                example = field.default or "100"
                raise FieldError(f"{field.label}: {raw} is not a number; type one such as "
                                 f"{example}") from None
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


def dialog_problem(tool: str, params: Mapping[str, Any]) -> str | None:
    """What is wrong with the values a tool's dialog gathered, under the field's label
    (``latency (ms): must be >= 0, got -5``), or ``None``."""
    for name, value in params.items():
        param = TOOLS[tool].params[name]
        problem = param_problem(param, value)
        if problem:
            return f"{param.label or words.name(name)}: {problem}"
    return None


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
