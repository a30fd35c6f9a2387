"""Level files: loading, and errors that name the file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.game.errors import LevelError
from playground.game.level import MAX_TICKS, load_level, parse_level
from tests.game.fixtures import BREAK_LEVEL, KEEP_LEVEL


def test_a_valid_level_loads_with_everything_in_place() -> None:
    level = parse_level(BREAK_LEVEL, "split.toml")
    assert (level.id, level.mode, level.ticks, level.seed) == ("split", "break", 500, 3)
    assert level.nodes == ("a", "b", "c")
    assert level.goal_violation == "one-value"
    assert level.toolbox["lie"].strategies == ("equivocate", "forge")
    assert level.toolbox["freeze"].max_duration == 100
    assert level.script[0].tool == "command" and level.script[0].tick == 100
    assert level.knobs == {"durable": True, "copies": 3}
    assert level.link.latency.base == 5
    assert len(level.hints) == 3
    keep = parse_level(KEEP_LEVEL, "keep.toml")
    assert keep.player_knobs["durable"].choices == (True, False)
    assert keep.requirements[0].metric == "values_kept"


def error_for(text: str) -> LevelError:
    with pytest.raises(LevelError) as info:
        parse_level(text, "lvl.toml")
    return info.value


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("old", "new", "message"), [
    ('ticks = 500', 'ticks = "long"', "ticks: must be a whole number"),
    ('ticks = 500', 'ticks = 600001', "ticks: must be between 1 and 600000"),
    ('ticks = 500', 'ticks = 0', "ticks: must be between 1 and 600000"),
    ('ticks = 500', 'tick = 500', "tick: unknown key"),
    ('name = "test-register"', 'name = "paxos"', "unknown protocol 'paxos'"),
    ('latency = 5', 'latency = -5', "latency"),
    ('target = "a"', 'target = "z"', "unknown node 'z'"),
    ('tick = 100', 'tick = 900', "after the level's end"),
    ('violation = "one-value"', 'violation = "no-such"', "unreachable goal"),
    ('count = 1, strategies', 'count = 0, strategies', "between 1 and 99"),
    ('cut = { count = 1, targets = ["a->b"] }', 'cut = { count = 1, targets = ["a->q"] }',
     "unknown node 'q'"),
    ('section = "Byzantine Faults"', 'section = "Paxos"', "not an entry of"),
    ('hints = ["Look at a.", "A liar.", "Make a equivocate before tick 100."]',
     'hints = ["Look at a."]', "three progressive hints"),
    ('name = "set"', 'name = "set"\nmystery = 1', "unknown parameter 'mystery'"),
    ('settings = ["service_ms"]', 'settings = ["bandwidth"]', "unknown link setting 'bandwidth'"),
    ('freeze = { count = 1, max_duration = 100 }',
     'freeze = { count = 1, max_duration = 100, settings = ["loss"] }',
     "freeze has no settings to limit (its limits: count, targets, max_duration)"),
    ('cut = { count = 1, targets = ["a->b"] }',
     'cut = { count = 1, targets = ["a->b"], max_hold = 2 }', "cut has no max_hold to limit"),
    ('cut = { count = 1, targets = ["a->b"] }',
     'cut = { count = 1, targets = ["a->b"], max_service_ms = 50 }',
     "cut has no max_service_ms to limit"),
    ('max_service_ms = 200', 'max_service_ms = 0', "toolbox.set_link.max_service_ms: must be > 0"),
    ('latency = 5', 'latency = inf', "network.latency: base must be a finite number"),
    ('latency = 5', 'latency = { kind = "uniform", base = 1, high = inf }',
     "high must be a finite number"),
    ('latency = 5', 'latency = 5\n[clocks]\nb = { offset_ms = nan }',
     "clocks.b.offset_ms: must be a finite number, got nan"),
    ('ticks = 120', 'ticks = 1250', "par.ticks: 1250 is after the level's end (ticks = 500)"),
    ('[goal]', '[[script]]\ntick = 9\ntool = "freeze"\ntarget = "a"\nduration = inf\n[goal]',
     "script[1].duration: freeze: duration must be a finite number, got inf"),
    ('[goal]', '[[script]]\ntick = 9\ntool = "crash"\ntarget = "a"\nrecover_after = inf\n'
     '[goal]', "script[1].recover_after: crash: recover_after must be a finite number"),
    ('[goal]', '[[script]]\ntick = 9\ntool = "step_clock"\ntarget = "a"\ndelta_ms = nan\n'
     '[goal]', "script[1].delta_ms: step_clock: delta_ms must be a finite number, got nan"),
    ('[goal]', '[[script]]\ntick = 9\ntool = "set_link"\ntarget = "a->b"\nlatency = -5\n'
     '[goal]', "script[1].latency: set_link: latency must be >= 0, got -5"),
    ('[goal]', '[[script]]\ntick = 9\ntool = "set_drift"\ntarget = "a"\nppm = -2e6\n[goal]',
     "script[1].ppm: set_drift: ppm must be strictly between -1000000 and 1000000 ppm"),
    ('[goal]', '[[script]]\ntick = 9\ntool = "partition"\ngroups = ["a", "b"]\n[goal]',
     "script[1].groups: partition: groups must be a list of groups of node names"),
    ('[goal]', '[[script]]\ntick = 9\ntool = "lie"\ntarget = "a"\nstrategy = "equivocate"\n'
     'values = []\n[goal]', "script[1].values: lie: values must not be empty"),
    ('[goal]', '[[script]]\ntick = 9\ntool = "hold"\ntarget = "a->b"\ncount = -1\n[goal]',
     "script[1].count: hold: count must be >= 1, got -1"),
    ('max_duration = 100', 'max_duration = inf', "toolbox.freeze.max_duration: must be a finite"),
])
def test_errors_name_the_line_and_field(old: str, new: str, message: str) -> None:
    assert old in BREAK_LEVEL
    text = BREAK_LEVEL.replace(old, new, 1)
    err = error_for(text)
    assert message in str(err)
    assert err.line in {line_of(text, part) for part in new.splitlines()}
    assert str(err).startswith(f"lvl.toml:{err.line}: ")
    assert "\n" not in str(err)


def test_bad_knob_value_points_at_the_knob() -> None:
    text = KEEP_LEVEL.replace("knobs = { durable = false }", "knobs = { copies = 42 }")
    err = error_for(text)
    assert "copies" in str(err) and "<= 9" in str(err)
    assert err.line == line_of(text, "knobs = { copies")


def test_invalid_toml_reports_its_line() -> None:
    text = BREAK_LEVEL.replace('seed = 3', 'seed = = 3')
    err = error_for(text)
    assert err.line == line_of(text, "seed = = 3") and "invalid TOML" in str(err)


@pytest.mark.parametrize(("old", "new", "opening"), [
    ('briefing = "Make two nodes take different values."',
     'briefing = """\nMake two nodes\ntake different values.', 'briefing = """'),
    ('{violation_detail}."', '{violation_detail}."\nalso = [\n"a",', 'also = ['),
])
def test_something_never_closed_is_reported_where_it_opens(old: str, new: str,
                                                           opening: str) -> None:
    text = BREAK_LEVEL.replace(old, new, 1)
    err = error_for(text)
    assert err.line == line_of(text, opening)
    assert "never closed" in str(err) and "end of document" not in str(err)


def test_a_level_id_must_match_its_file_name(tmp_path: Path) -> None:
    path = tmp_path / "other-name.toml"
    path.write_text(BREAK_LEVEL)
    with pytest.raises(LevelError) as info:
        load_level(path)
    assert str(info.value) == (f"{path}:1: id: 'split' does not match the file name "
                               "'other-name.toml'")
    (tmp_path / "split.toml").write_text(BREAK_LEVEL)
    assert load_level(tmp_path / "split.toml").id == "split"


def test_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(LevelError, match="cannot read"):
        load_level(tmp_path / "nope.toml")


LINES = BREAK_LEVEL.splitlines()


@given(st.data())
def test_mutated_levels_load_or_fail_with_the_documented_error(data: st.DataObject) -> None:
    lines = list(LINES)
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.integers(0, len(lines) - 1))
        choice = data.draw(st.sampled_from(["drop", "dup", "garble", "value", "swap"]))
        if choice == "drop":
            del lines[index]
        elif choice == "dup":
            lines.insert(index, lines[index])
        elif choice == "garble":
            lines[index] = data.draw(st.text(max_size=20))
        elif choice == "swap" and index + 1 < len(lines):
            lines[index], lines[index + 1] = lines[index + 1], lines[index]
        elif "=" in lines[index]:
            key = lines[index].split("=")[0]
            value = data.draw(st.sampled_from(
                ['-1', '0', '1e9', '"x"', 'true', '[]', '{}', '["a", 2]', '{ count = -3 }',
                 '"n1->n2"', '99999999999']))
            lines[index] = f"{key}= {value}"
        if not lines:
            lines = [""]
    text = "\n".join(lines)
    try:
        level = parse_level(text, "m.toml")
    except LevelError as exc:
        message = str(exc)
        assert message.startswith("m.toml")
        assert "\n" not in message
        if exc.line is not None:
            assert 1 <= exc.line <= max(1, len(text.splitlines()))
    else:  # what loads is a level the game can play: validation let nothing through
        assert 1 <= level.ticks <= MAX_TICKS
        assert level.nodes and len(set(level.nodes)) == len(level.nodes)
        assert all(0 <= action.tick <= level.ticks for action in level.script)
        assert all(b.count is None or 1 <= b.count <= 99 for b in level.toolbox.values())
        assert all(value >= 0 for key, value in level.par.items() if key != "metrics")


def test_the_longest_level_allowed_loads() -> None:
    assert parse_level(BREAK_LEVEL.replace("ticks = 500", f"ticks = {MAX_TICKS}"),
                       "long.toml").ticks == MAX_TICKS == 600_000
