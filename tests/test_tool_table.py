"""The one table of tools (``playground.sim.TOOLS``) agrees with the engine, the game's budgets,
the docs and the play screen's keys."""

from __future__ import annotations

import re
from pathlib import Path

import attrs

from playground.game.level import BUDGET_KEYS, Budget
from playground.sim import TOOLS
from playground.sim.actions import PLAYER_TOOLS
from playground.sim.world import TOOL_HANDLERS
from playground.tui.tools import TOOL_KEYS, TOOL_LABELS, TOOL_SYMBOLS

DOCS = Path(__file__).resolve().parents[1] / "docs"
# Keys of the play screen that are not tools (docs/ui.md, "Keys (play)").
OTHER_KEYS = set(" .n+-[]{}ibldzZ?123456789")


def _engine_rows() -> dict[str, str]:
    """docs/engine.md's tool table: each tool named in a row's first cell -> the whole row."""
    text = (DOCS / "engine.md").read_text(encoding="utf-8")
    table = text.split("| tool | target | params |", 1)[1].split("\n\n", 1)[0]
    rows: dict[str, str] = {}
    for row in table.splitlines()[2:]:
        first = row.split("|")[1]
        for tool in re.findall(r"`(\w+)`", first):
            assert tool not in rows, f"{tool} has two rows"
            rows[tool] = row
    return rows


def test_the_engine_applies_every_tool_and_nothing_else() -> None:
    assert set(TOOL_HANDLERS) == set(TOOLS)


def test_the_docs_table_lists_every_tool_with_its_target_and_parameters() -> None:
    rows = _engine_rows()
    assert set(rows) == set(TOOLS)
    for name, tool in TOOLS.items():
        cells = rows[name].split("|")
        for param in tool.params:
            assert f"`{param}`" in cells[3], f"{name}: {param} missing from docs/engine.md"
        if tool.target == "node":
            assert "node" in cells[2], name


def test_the_docs_name_every_budget_key_and_what_it_bounds() -> None:
    text = (DOCS / "levels.md").read_text(encoding="utf-8")
    budget_docs = text.split("Budget keys:", 1)[1].split("\n\n", 1)[0]
    assert set().union(*(t.budget_keys for t in TOOLS.values())) == BUDGET_KEYS
    for key in BUDGET_KEYS:
        assert f"`{key}`" in budget_docs, key
    for name, tool in TOOLS.items():
        for param_name, param in tool.params.items():
            if param.bound and param.bound.startswith("max_"):
                said = budget_docs.split(f"`{param.bound}`", 1)[1].split("`max_", 1)[0]
                assert param_name in said or name in said, (name, param_name)


def test_every_player_tool_has_a_key_a_symbol_and_a_label() -> None:
    assert set(TOOL_KEYS) == set(TOOL_SYMBOLS) == set(TOOL_LABELS) == set(PLAYER_TOOLS)
    keys = list(TOOL_KEYS.values())
    assert len(set(keys)) == len(keys), "two tools share a key"
    assert not set(keys) & OTHER_KEYS
    assert len(set(TOOL_SYMBOLS.values())) == len(TOOL_SYMBOLS)


def test_undo_tools_and_timed_ends_name_real_tools_and_parameters() -> None:
    undone = {t.undoes for t in TOOLS.values() if t.undoes}
    assert undone == {"cut", "hold", "freeze", "crash", "lie"}
    for tool in TOOLS.values():
        if tool.undoes:
            assert TOOLS[tool.undoes].target == tool.target
        if tool.ends_after:
            assert tool.params[tool.ends_after].bound == "max_duration"


def test_a_budget_key_is_a_field_of_the_budget() -> None:
    assert {a.name for a in attrs.fields(Budget)} >= BUDGET_KEYS
