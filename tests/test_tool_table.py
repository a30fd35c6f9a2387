"""The one table of tools (``playground.sim.TOOLS``) agrees with the engine, the game's budgets,
the docs and the play screen's keys."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

from playground.game.errors import GameFileError
from playground.game.level import BUDGET_KEYS, Budget, parse_level
from playground.sim import RUNNING, TOOLS, Action, Tool, UnknownLinkError, World
from playground.sim.actions import LYING, PLAYER_TOOLS, PROCESS_STATES
from playground.sim.world import TOOL_HANDLERS
from playground.tui.diagram import DiagramModel
from playground.tui.tools import TOOL_KEYS, TOOL_LABELS, TOOL_SYMBOLS
from tests.sim.helpers import recorder_scenario

DOCS = Path(__file__).resolve().parents[1] / "docs"
LEVELS = Path(__file__).resolve().parents[1] / "levels"
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


def _world_after(*actions: Action) -> World:
    world = World(recorder_scenario())
    for action in actions:
        world.act(action)
    world.run_until(max(a.tick for a in actions) + 1)
    return world


def _first_of(tool: Tool) -> tuple[Action, ...]:
    """What must happen before ``tool`` has an effect on n1 (a recover needs a crash)."""
    if tool.undoes is None:
        return ()
    first = TOOLS[tool.undoes]
    params = {"strategy": "silent"} if "strategy" in first.params else {}
    return (Action.make(10, first.name, "n1", **params),)


def test_the_state_a_tool_leaves_its_node_in_is_what_the_engine_and_the_diagram_show() -> None:
    stateful = {name: tool for name, tool in TOOLS.items() if tool.leaves is not None}
    assert set(stateful) == {"freeze", "unfreeze", "crash", "recover", "lie", "honest"}
    for name, tool in stateful.items():
        params = {"strategy": "silent"} if name == "lie" else {}
        world = _world_after(*_first_of(tool), Action.make(20, name, "n1", **params))
        node = world.nodes["n1"]
        diagram = DiagramModel(world.node_names, 1)
        diagram.sync(world.trace)
        shown = diagram.lane_status(0, 20)
        if tool.leaves in PROCESS_STATES:
            assert node.status == tool.leaves, name
            assert shown == tool.leaves, name
        else:
            assert (node.lie is not None) == (tool.leaves == LYING), name
            assert shown == (LYING if tool.leaves == LYING else RUNNING), name


def test_target_star_means_every_link_exactly_for_the_tools_the_table_says() -> None:
    for name, tool in TOOLS.items():
        if tool.target != "link":
            continue
        params = {"latency": 50} if name == "set_link" else {}
        action = Action.make(5, name, "*", **params)
        if tool.every_link:
            _world_after(action)
        else:
            with pytest.raises(UnknownLinkError, match=f"{name}: target '\\*' is only for"):
                _world_after(action)


def test_a_level_script_may_slow_every_link_as_the_engine_allows() -> None:
    text = (LEVELS / "gc-pause.toml").read_text(encoding="utf-8")
    script = '\n[[script]]\ntick = 5\ntool = "set_link"\ntarget = "*"\nlatency = 20\n'
    level = parse_level(text + script, "gc-pause.toml")
    assert Action.make(5, "set_link", "*", latency=20) in level.script
    cut = script.replace('"set_link"', '"cut"').replace("latency = 20\n", "")
    with pytest.raises(GameFileError, match=r"script\[\d+\]\.target: cut needs a link"):
        parse_level(text + cut, "gc-pause.toml")
