"""check-level and run agree: a level file check-level accepts runs to the end (exit 0 or 1,
never 2 for bad input, never a crash); one it refuses is named as ``FILE:LINE: field:``.

The files are mutations of the shipped levels: non-finite, negative and huge numbers, wrong
types and shapes, extra scripted actions with bad parameters, protocol knobs that do not fit
the cluster (a quorum larger than it), a shorter level than its par, an id unlike the file name.
"""

from __future__ import annotations

import contextlib
import io
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.cli import main
from playground.game.actionfile import _toml_value
from playground.game.campaign import levels_dir
from playground.protocols.registry import get_protocol
from playground.sim import TOOLS

#: The sandbox is left out: its 60 000 ticks would make each example slow.
SHIPPED = sorted(p for p in levels_dir().glob("*.toml")
                 if p.name not in ("campaign.toml", "sandbox.toml"))
#: Values to put where a number was: plausible ones (repeated, so most files stay valid
#: enough to run) and the bad ones authors write.
PLAUSIBLE = ("1", "2", "5", "20", "250", "0.5", "0.1")
BAD_NUMBERS = ("inf", "-inf", "nan", "-1", "-5", "0", "99", "-2e6")
ODD = ('"x"', "true", "[]", "{}", '["n1", "n2"]', '[["n1"], []]', "{ count = -3 }")
VALUES = st.one_of(st.sampled_from(PLAUSIBLE), st.sampled_from(BAD_NUMBERS),
                   st.sampled_from(ODD))
#: Tools that take parameters (the others have little to get wrong).
TOOLS_WITH_PARAMS = sorted(name for name, tool in TOOLS.items() if tool.params)
NUMBER_LINE = re.compile(r"^(\s*[A-Za-z_][\w-]*\s*=\s*)(-?[\d.]+(?:e-?\d+)?)\s*$")


def _mutate_number(text: str, data: st.DataObject) -> str:
    lines = text.splitlines()
    numeric = [i for i, line in enumerate(lines) if NUMBER_LINE.match(line)]
    if not numeric:
        return text
    index = data.draw(st.sampled_from(numeric))
    value = data.draw(VALUES)
    lines[index] = NUMBER_LINE.sub(lambda m: m.group(1) + value, lines[index])
    return "\n".join(lines) + "\n"


def _add_script_action(text: str, data: st.DataObject) -> str:
    nodes = tomllib.loads(text)["cluster"]["nodes"]
    tool = data.draw(st.sampled_from(TOOLS_WITH_PARAMS))
    spec = TOOLS[tool]
    node = st.sampled_from([*nodes, *nodes, "zz"])
    target = {"node": node, "link": st.builds(lambda a, b: f"{a}->{b}", node, node)
              | st.just("*"), "cluster": st.just("*")}[spec.target]
    lines = ["", "[[script]]", f"tick = {data.draw(st.sampled_from([0, 5, 40, 300, 999999]))}",
             f'tool = "{tool}"', f'target = "{data.draw(target)}"']
    optional = [name for name, param in spec.params.items() if not param.required]
    chosen = [name for name, param in spec.params.items() if param.required]
    chosen += data.draw(st.lists(st.sampled_from(optional), max_size=1)) if optional else []
    for name in chosen:
        value = data.draw(VALUES | st.sampled_from((f'"{nodes[0]}"', f'[["{nodes[0]}"]]',
                                                    '"equivocate"', '"clock"')))
        lines.append(f"{name} = {value}")
    return text + "\n".join(lines) + "\n"


def _set_clock(text: str, data: st.DataObject) -> str:
    node = data.draw(st.sampled_from(tomllib.loads(text)["cluster"]["nodes"]))
    key = data.draw(st.sampled_from(["offset_ms", "drift_ppm", "rate_ppm", "error_ms"]))
    if f"[clocks.{node}]" in text or "[clocks]" in text:
        return text
    return text + f"\n[clocks.{node}]\n{key} = {data.draw(VALUES)}\n"


def _set_protocol_knob(text: str, data: st.DataObject) -> str:
    level = tomllib.loads(text)
    protocol = get_protocol(level["protocol"]["name"])
    knob = data.draw(st.sampled_from([k.name for k in protocol.knobs]))
    default = protocol.knob(knob).default
    value = data.draw(st.sampled_from([default, default, float("inf"), float("nan"), -1, 0, 1,
                                       2, 4, 99, 0.5, True, "n1", "zz", ["n1"]]))
    knobs = {**level["protocol"].get("knobs", {}), knob: value}
    table = "knobs = " + _toml_value(knobs)
    lines = text.splitlines()
    start = lines.index("[protocol]")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")),
               len(lines))
    body = [line for line in lines[start + 1:end] if not line.startswith("knobs")]
    return "\n".join([*lines[:start + 1], *body, table, *lines[end:]]) + "\n"


def _retitle(text: str, data: st.DataObject) -> str:
    change = data.draw(st.sampled_from(["ticks = 10", "ticks = 100", "ticks = 0",
                                        'id = "not-the-file-name"', "seed = -1"]))
    key = change.split(" ")[0]
    return re.sub(rf"(?m)^{key} = .*$", change, text, count=1)


MUTATIONS = (_mutate_number, _add_script_action, _set_clock, _set_protocol_knob, _retitle)
REFUSAL = re.compile(r"^playground: (?P<file>.+?):(?P<line>\d+): (?P<field>[A-Za-z_][\w.\[\]-]*"
                     r"|invalid TOML): .+\n$")


def _cli(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, err.getvalue()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("mutants")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLAYGROUND_DATA_DIR", str(folder / "data"))
        yield folder


@settings(max_examples=100)
@given(data=st.data())
def test_check_level_accepts_only_what_run_runs(data: st.DataObject, workdir: Path) -> None:
    source = data.draw(st.sampled_from(SHIPPED))
    text = source.read_text()
    for mutate in data.draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=2)):
        text = mutate(text, data)
    path = workdir / source.name
    path.write_text(text)
    status, err = _cli("check-level", str(path))
    if status == 0:
        status, err = _cli("run", str(path))
        assert status in (0, 1), f"check-level accepted it, run said ({status}): {err}"
        assert err == ""
    else:
        assert status == 2
        match = REFUSAL.match(err)
        assert match, f"not FILE:LINE: field: {err!r}"
        assert match["file"] == str(path)
        assert 1 <= int(match["line"]) <= len(text.splitlines())
    assert not (workdir / "data" / "crashes").exists()
