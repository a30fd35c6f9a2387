"""Sessions: budgets, outcomes, scoring, share codes and action files."""

from __future__ import annotations

import contextlib
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.game.actionfile import Attempt, load_attempt, parse_share_code
from playground.game.errors import ActionFileError
from playground.game.level import parse_level
from playground.game.session import Refused, Session
from playground.sim import Action
from tests.game.fixtures import BREAK_LEVEL, KEEP_LEVEL

LEVEL = parse_level(BREAK_LEVEL, "split.toml")
KEEP = parse_level(KEEP_LEVEL, "keep.toml")
EQUIVOCATE = Action.make(50, "lie", "a", strategy="equivocate", values=["x", "y"])


def test_the_right_attack_wins_and_doing_nothing_loses() -> None:
    won = Session(LEVEL, actions=[EQUIVOCATE])
    won.run_to_end()
    outcome = won.outcome()
    assert outcome.state == "won" and outcome.tick == 105
    assert "took" in outcome.reason
    idle = Session(LEVEL)
    idle.run_to_end()
    assert idle.outcome().state == "lost"
    assert idle.score().stars == 0 and idle.score().points == 0


def test_score_and_stars_against_par() -> None:
    best = Session(LEVEL, actions=[EQUIVOCATE])
    best.run_to_end()
    assert best.score().stars == 3
    extra = Session(LEVEL, actions=[Action.make(10, "freeze", "b", duration=40), EQUIVOCATE])
    extra.run_to_end()
    assert extra.outcome().state == "won"
    assert extra.score().stars == 2 and extra.score().points < best.score().points


@pytest.mark.parametrize(("action", "reason"), [
    (Action.make(10, "crash", "a"), "no crash in this level's toolbox"),
    (Action.make(10, "cut", "b->c"), "cut link works only on a->b in this level: pick one"),
    (Action.make(10, "cut", "a<->b"), "works only on a->b"),
    (Action.make(10, "freeze", "a"), "freeze: pause for at most 100 ms in this level (it cannot"),
    (Action.make(10, "freeze", "a", duration=500),
     "freeze: pause for at most 100 ms in this level, not 500"),
    (Action.make(10, "lie", "a", strategy="silent"), "may only equivocate, forge"),
    (Action.make(900, "lie", "a", strategy="forge"), "ends at tick 500"),
    (Action.make(10, "set_link", "a->b", latency=900),
     "slow/lossy may only change wire time per message (ms) here (not latency (ms))"),
    (Action.make(10, "set_link", "a->b", service_ms=50, loss=1.0),
     "only change wire time per message (ms) here (not loss (0..1))"),
    (Action.make(10, "step_clock", "a", delta_ms=5),
     "no step clock in this level's toolbox (it has: cut link, freeze, make lie, slow/lossy)"),
    (Action.make(10, "set_link", "a->b", service_ms=400),
     "slow/lossy: wire time per message at most 200 ms in this level, not 400"),
])
def test_the_toolbox_refuses_with_a_reason(action: Action, reason: str) -> None:
    session = Session(LEVEL)
    assert reason in (session.why_not(action) or "")
    with pytest.raises(Refused, match=reason.split(" ")[0]):
        session.act(action)


def test_budgets_run_out_and_forking_gives_them_back() -> None:
    session = Session(LEVEL)
    session.advance(200)
    session.act(Action.make(201, "lie", "a", strategy="forge"))
    assert session.remaining("lie") == 0
    refused = session.why_not(Action.make(300, "lie", "b", strategy="forge"))
    assert refused == "No lies left: this level allows 1"
    # acting in the past forks: the later lie is discarded and its budget comes back
    session.act(Action.make(60, "lie", "a", strategy="equivocate", values=["x", "y"]))
    assert session.remaining("lie") == 0
    assert [a.tick for a in session.player_actions] == [60]
    session.run_to_end()
    assert session.outcome().state == "won"


def key(action: Action) -> tuple[int, str, str]:
    return (action.tick, action.tool, action.target)


def test_acting_at_the_tick_rewound_to_drops_the_later_actions_everywhere() -> None:
    session = Session(LEVEL)
    session.act(Action.make(300, "cut", "a->b"))  # in the future: scheduled
    session.rewind(200)
    session.act(Action.make(200, "freeze", "b", duration=40))  # at the tick reached: a fork
    assert [a.tool for a in session.player_actions] == ["freeze"]
    assert [a.tool for a in session.world.player_actions] == ["freeze"]
    assert session.remaining("cut") == 1  # the dropped cut's budget is back


OPS = st.lists(st.one_of(
    st.tuples(st.just("advance"), st.integers(0, 500)),
    st.tuples(st.just("rewind"), st.integers(-1, 500)),
    st.tuples(st.sampled_from(["cut", "freeze", "lie"]), st.integers(0, 500)),
), max_size=12)


@given(OPS)
def test_the_session_keeps_exactly_the_actions_the_timeline_keeps(ops) -> None:
    session = Session(LEVEL)
    for op, tick in ops:
        if op == "advance":
            session.advance(tick)
        elif op == "rewind":
            session.rewind(tick)
        else:
            action = {"cut": Action.make(tick, "cut", "a->b"),
                      "freeze": Action.make(tick, "freeze", "c", duration=30),
                      "lie": Action.make(tick, "lie", "a", strategy="forge")}[op]
            with contextlib.suppress(Refused):
                session.act(action)
        assert sorted(map(key, session.player_actions)) == sorted(
            map(key, session.world.player_actions))


def test_keep_level_knobs_decide_the_outcome() -> None:
    with pytest.raises(Refused, match="KEEP IT"):
        Session(KEEP, actions=[Action.make(5, "crash", "a")])
    with pytest.raises(Refused, match="cannot be changed"):
        Session(KEEP, knobs={"copies": 2})
    session = Session(KEEP, knobs={"durable": True})
    session.run_to_end()
    assert session.outcome().state == "won"
    assert session.metrics()["values_kept"] == 3
    forgetful = Session(KEEP)
    forgetful.run_to_end()
    assert forgetful.outcome().state == "lost" and "values_kept" in forgetful.outcome().reason


def test_claiming_unbreakable_is_judged() -> None:
    wrong = Session(LEVEL, claim="unbreakable", reason=1)
    wrong.run_to_end()
    assert wrong.outcome().state == "lost" and "can be broken" in wrong.outcome().reason


def test_result_has_the_documented_fields_and_is_deterministic() -> None:
    a = Session(LEVEL, actions=[EQUIVOCATE])
    a.run_to_end()
    b = Session(LEVEL, actions=[EQUIVOCATE])
    b.run_to_end()
    ra, rb = a.result(), b.result()
    for key in ("level", "seed", "outcome", "ticks", "violations", "score", "trace_sha256"):
        assert key in ra
    assert ra == rb
    assert ra["violations"][0]["invariant"] == "one-value"


def test_rewind_then_run_gives_the_same_result() -> None:
    session = Session(LEVEL, actions=[EQUIVOCATE], snapshot_every=50)
    session.run_to_end()
    final = session.result()["trace_sha256"]
    session.rewind(120)
    assert session.now == 120
    session.run_to_end()
    assert session.result()["trace_sha256"] == final


actions_strategy = st.lists(st.builds(
    lambda tick, tool: {
        "lie": Action.make(tick, "lie", "a", strategy="equivocate", values=["p", "q"]),
        "cut": Action.make(tick, "cut", "a->b"),
        "freeze": Action.make(tick, "freeze", "b", duration=40),
    }[tool],
    st.integers(0, 499), st.sampled_from(["lie", "cut", "freeze"])), max_size=4)


@given(actions_strategy, st.integers(0, 10**6), st.sampled_from([None, "unbreakable"]))
def test_share_codes_and_action_files_round_trip(actions, seed, claim) -> None:
    attempt = Attempt("split", seed, {"durable": False}, tuple(actions), claim,
                      3 if claim else None)
    assert parse_share_code(attempt.to_share_code()) == attempt


CODE_CHARS = string.ascii_letters + string.digits + "-_+/=. !"


@settings(max_examples=15, deadline=None)
@given(actions_strategy, st.sampled_from([None, 7]), st.sampled_from([None, "unbreakable"]))
def test_every_one_character_corruption_of_a_share_code_is_refused(actions, seed, claim) -> None:
    code = Attempt("split", seed, {"durable": False}, tuple(actions), claim,
                   1 if claim else None).to_share_code()
    damaged = {code[:i] + c + code[i + 1:] for i in range(len(code)) for c in CODE_CHARS}
    damaged |= {code[:i] + code[i + 1:] for i in range(len(code))}  # a character lost
    damaged.discard(code)
    for bad in sorted(damaged):
        with pytest.raises(ActionFileError):
            parse_share_code(bad)


def test_action_file_round_trip_and_errors(tmp_path: Path) -> None:
    attempt = Attempt("split", 4, {"durable": True}, (EQUIVOCATE,
                                                      Action.make(7, "cut", "a->b")))
    path = tmp_path / "a.toml"
    path.write_text(attempt.to_toml())
    assert load_attempt(path) == attempt
    text = attempt.to_toml().replace('tool = "cut"', 'tool = "cutt"')
    path.write_text(text)
    with pytest.raises(ActionFileError) as info:
        load_attempt(path)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if 'tool = "cutt"' in s)
    assert str(info.value).startswith(f"{path}:{line}: actions[1].tool: unknown tool")
    with pytest.raises(ActionFileError, match="damaged"):
        parse_share_code("DSP2-notbase64!!")
    with pytest.raises(ActionFileError, match="older version of the game"):
        parse_share_code("DSP1-eNqrVspRslIqzixKVbICAB8xBEo")
    with pytest.raises(ActionFileError, match="must start with"):
        parse_share_code("hello")
