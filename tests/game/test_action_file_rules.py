"""An action file or share code is checked against its level by the rules the game applies,
and every refusal names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.game.actionfile import load_attempt, parse_share_code
from playground.game.errors import ActionFileError
from playground.game.level import Level, parse_level
from playground.game.session import Refused, Session
from tests.game.fixtures import BREAK_LEVEL, KEEP_LEVEL

BREAK = parse_level(BREAK_LEVEL, "split.toml")
KEEP = parse_level(KEEP_LEVEL, "keep-it.toml")


def _action(tool: str, target: str, *params: str, tick: int = 50) -> str:
    return "\n".join(["[[actions]]", f"tick = {tick}", f'tool = "{tool}"',
                      f'target = "{target}"', *params]) + "\n"


@pytest.mark.parametrize(("level", "body", "bad_line", "message"), [
    (BREAK, _action("cut", "a->zz"), 'target = "a->zz"',
     "actions[0].target: unknown node 'zz' (nodes: a, b, c)"),
    (BREAK, _action("freeze", "a", "duration = 50", tick=900), "tick = 900",
     "actions[0].tick: the level ends at tick 500"),
    (BREAK, _action("crash", "a"), 'tool = "crash"',
     "actions[0].tool: no crash in this level's toolbox (it has: cut link, freeze, make lie, "
     "slow/lossy)"),
    (BREAK, _action("command", "a", 'name = "set"'), 'tool = "command"',
     "actions[0].tool: command is not a player tool"),
    (BREAK, _action("freeze", "a", "duration = 500"), "duration = 500",
     "actions[0].duration: freeze: pause for at most 100 ms in this level, not 500"),
    (BREAK, _action("cut", "a->b") + _action("cut", "a->b", tick=60), 'tool = "cut"',
     "actions[1].tool: No cuts left: this level allows 1"),
    (BREAK, _action("set_link", "a->b", "loss = 0.5"), "loss = 0.5",
     "actions[0].loss: slow/lossy may only change wire time per message (ms) here (not "
     "loss (0..1))"),
    (BREAK, _action("set_link", "a->b", "service_ms = 400"), "service_ms = 400",
     "actions[0].service_ms: slow/lossy: wire time per message at most 200 ms in this level, "
     "not 400"),
    (KEEP, "[knobs]\ndurable = 3\n", "durable = 3",
     "knobs.durable: durable must be one of true, false"),
    (KEEP, "[knobs]\ncopies = 2\n", "copies = 2",
     "knobs.copies: the knob copies cannot be changed in this level"),
    (KEEP, 'claim = "unbreakable"\n', "claim =",
     "claim: only a BREAK IT level can be claimed unbreakable"),
])
def test_an_action_file_is_held_to_the_games_rules(level: Level, body: str, bad_line: str,
                                                   message: str, tmp_path: Path) -> None:
    text = f'level = "{level.id}"\n{body}'
    path = tmp_path / "moves.toml"
    path.write_text(text)
    line = max(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(bad_line))
    with pytest.raises(ActionFileError) as info:
        load_attempt(path, level)
    assert str(info.value).startswith(f"{path}:{line}: {message}")
    attempt = load_attempt(path)  # without a level: only the file's own shape is checked
    with pytest.raises(Refused) as refused:  # the game refuses it for the same reason
        Session.from_attempt(level, attempt)
    assert str(refused.value) in str(info.value)


def test_a_share_code_for_another_level_names_the_level_field() -> None:
    code = Session(KEEP, knobs={"durable": True}).attempt().to_share_code()
    assert parse_share_code(code, KEEP).knobs == {"durable": True}
    with pytest.raises(ActionFileError) as info:
        parse_share_code(code, BREAK)
    assert str(info.value) == "share code: level: these actions are for 'keep-it', not 'split'"
