"""Trace hashing, canonical form and exports."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.sim import (
    Action,
    Context,
    Latency,
    LinkSpec,
    Program,
    Scenario,
    World,
    canonical_json,
    trace_hash,
)
from playground.sim.trace import shiviz_records
from tests.sim.helpers import heartbeat_scenario, recorder_scenario

ROOT = Path(__file__).resolve().parents[2]

HASH_SCRIPT = """
from playground.sim import Action, Latency, LinkSpec, World
from tests.sim.helpers import heartbeat_scenario
sc = heartbeat_scenario(4, LinkSpec(latency=Latency.exponential(1, 4), loss=0.1, duplicate=0.05))
w = World(sc, seed=42, actions=[Action.make(300, "cut", "n1<->n2"),
                                Action.make(500, "freeze", "n3", duration=200)])
w.run_until(2000)
print(w.trace.sha256())
"""


def test_trace_hash_is_identical_across_processes_and_hash_seeds() -> None:
    hashes = set()
    for hash_seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, "-c", HASH_SCRIPT], env=env, cwd=ROOT,
                             capture_output=True, text=True, check=True)
        hashes.add(out.stdout.strip())
    assert len(hashes) == 1
    (value,) = hashes
    assert len(value) == 64


def test_same_inputs_same_hash_and_different_seed_differs() -> None:
    def run(seed: int, actions: list[Action]) -> str:
        w = World(heartbeat_scenario(link=LinkSpec(latency=Latency.uniform(1, 9))), seed, actions)
        w.run_until(3_000)
        return w.trace.sha256()

    cut = [Action.make(100, "cut", "n1->n2")]
    assert run(1, []) == run(1, [])
    assert run(1, []) != run(2, [])
    assert run(1, cut) != run(1, [])


def test_asking_for_the_hash_midway_does_not_change_it() -> None:
    a = World(heartbeat_scenario(), seed=3)
    b = World(heartbeat_scenario(), seed=3)
    for t in range(100, 5_000, 137):
        a.run_until(t)
        a.trace.sha256()
    a.run_until(5_000)
    b.run_until(5_000)
    assert a.trace.sha256() == b.trace.sha256() == trace_hash(a.trace.events)


def test_retained_and_streaming_traces_hash_the_same() -> None:
    a = World(heartbeat_scenario(), seed=5)
    b = World(heartbeat_scenario(), seed=5, retain_trace=False)
    a.run_until(20_000)
    b.run_until(20_000)
    assert a.trace.sha256() == b.trace.sha256()
    assert b.trace.events == [] and len(b.trace) == len(a.trace)


def test_canonical_json_sorts_keys_and_sets() -> None:
    assert canonical_json({"b": 1, "a": {"z", "y"}}) == '{"a":["y","z"],"b":1}'


def test_jsonl_export_has_every_event_with_clocks() -> None:
    world = World(recorder_scenario(), actions=[
        Action.make(5, "command", "n1", name="send", args={"to": "n2", "payload": {"k": 1}}),
        Action.make(5, "step_clock", "n2", delta_ms=-1000),
    ])
    world.run_until(20)
    out = io.StringIO()
    world.trace.write_jsonl(out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == len(world.trace)
    kinds = [line["kind"] for line in lines]
    assert kinds[0] == "start" and "send" in kinds and "deliver" in kinds
    deliver = next(line for line in lines if line["kind"] == "deliver")
    assert deliver["node"] == "n2" and deliver["tick"] == 10
    assert deliver["tod"] == -990 and deliver["mono"] == 10


def test_shiviz_vector_clocks_follow_causality() -> None:
    world = World(recorder_scenario(), actions=[
        Action.make(1, "command", "n1", name="send", args={"to": "n2", "payload": 1}),
        Action.make(20, "command", "n2", name="send", args={"to": "n3", "payload": 2}),
    ])
    world.run_until(100)
    records = list(shiviz_records(world.trace.events))
    last_n3 = [clock for host, clock, _ in records if host == "n3"][-1]
    assert last_n3["n1"] >= 1 and last_n3["n2"] >= 2 and last_n3["n3"] >= 1
    out = io.StringIO()
    world.trace.write_shiviz(out)
    text = out.getvalue().splitlines()
    assert text[0].startswith("(?<host>") and text[1] == ""
    assert text[2].split(" ", 1)[0] in {"n1", "n2", "n3"}
    json.loads(text[2].split(" ", 1)[1])


ODD_PAYLOADS = [2**70, {1: "a", "b": 2}, {"k": {3, 1, 2}}]


class OddSender(Program):
    """Sends payloads orjson cannot write (an integer beyond 64 bits, dict keys of mixed
    types) and a set, one per millisecond."""

    def on_start(self, ctx: Context) -> None:
        if ctx.name == "n1":
            for i, _ in enumerate(ODD_PAYLOADS):
                ctx.set_timer(str(i), i + 1)

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        ctx.send("n2", ODD_PAYLOADS[int(name)])


def _odd_payload_run(flush_every: int) -> World:
    world = World(Scenario(nodes=("n1", "n2"), program=lambda _: OddSender()))
    world.trace.FLUSH_EVERY = flush_every  # type: ignore[misc]
    world.run_until(50)
    return world


def test_payloads_beyond_the_fast_encoder_hash_the_same_however_batched() -> None:
    one_by_one, batched = _odd_payload_run(1), _odd_payload_run(4096)
    assert one_by_one.trace.sha256() == batched.trace.sha256()
    assert batched.trace.sha256() == trace_hash(batched.trace.events)
    assert [e.data["payload"] for e in batched.trace.of_kind("send")] == ODD_PAYLOADS


def test_events_read_their_clocks_off_the_clock_line() -> None:
    world = World(recorder_scenario(), actions=[
        Action.make(5, "set_rate", "n2", ppm=100_000),
        Action.make(5, "step_clock", "n2", delta_ms=-1000),
        Action.make(10, "command", "n2", name="timer", args={"name": "t", "delay": 11}),
    ])
    world.run_until(30)
    timer = world.trace.of_kind("timer")[0]
    # 11 ms of a clock running 10% fast take 10 true ms: the timer fires at tick 20
    assert (timer.node, timer.tick) == ("n2", 20)
    assert timer.mono == 5 + 15 * 1.1 and timer.tod == 20 - 1000
    assert world.nodes["n2"].program.timers == [("t", timer.mono)]


def _event_dicts(trace: Any) -> list[dict[str, Any]]:
    return [event.to_dict() for event in trace.events]


def _kept_run(stop: int) -> World:
    world = World(heartbeat_scenario(4, LinkSpec(latency=Latency.exponential(1, 4))),
                  seed=3, actions=[Action.make(40, "cut", "n1<->n2")])
    world.trace.FLUSH_EVERY = 7  # many small kept chunks
    world.run_until(stop)
    return world


def test_a_rewind_to_a_mark_keeps_exactly_the_records_before_it() -> None:
    short, world = _kept_run(60), _kept_run(60)
    mark = world.trace.mark()
    world.run_until(120)  # more chunks kept, none read as events yet
    world.trace.truncate(mark)
    assert _event_dicts(world.trace) == _event_dicts(short.trace)
    assert world.trace.sha256() == short.trace.sha256()


def test_a_cut_inside_a_kept_chunk_keeps_the_records_before_it() -> None:
    straight, world = _kept_run(120), _kept_run(120)
    *before, last = world.trace._chunk_sizes
    count = sum(before) + last // 2  # inside the last kept chunk of 7
    world.trace.truncate((count, _hash_of_first(straight, count)))
    following = [(e.seq, e.record) for e in world.trace.events_since(0)]
    assert following == [(e.seq, e.record) for e in straight.trace.events[:count]]
    assert _event_dicts(world.trace) == _event_dicts(straight.trace)[:count]
    assert world.trace.sha256() == _hash_of_first(straight, count).hexdigest()


def _hash_of_first(world: World, count: int) -> Any:
    import hashlib

    from playground.sim.trace import _hash_text

    records = [event.record for event in world.trace.events[:count]]
    hasher = hashlib.sha256()
    hasher.update(_hash_text(records))
    return hasher


def test_records_that_cannot_be_pickled_are_kept_as_they_are() -> None:
    @attrs.frozen
    class Note:  # defined in a function: pickle cannot find it by name, JSON can encode it
        text: str

    note = Note("hello")

    class Sender(Program):
        def on_start(self, ctx: Context) -> None:
            if ctx.name == "n1":
                ctx.send("n2", note)

    world = World(Scenario(nodes=("n1", "n2"), program=lambda _: Sender()))
    world.run_until(20)
    sent = world.trace.of_kind("send")
    assert len(sent) == 1 and sent[0].data["payload"] is note
    assert '"text":"hello"' in canonical_json(sent[0].to_dict())


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(st.tuples(st.sampled_from(["run", "read", "rewind", "events"]),
                                st.integers(1, 40)), min_size=1, max_size=12),
       kinds=st.sampled_from([None, frozenset({"send", "deliver"}), frozenset({"timer"})]))
def test_a_reader_that_follows_the_run_sees_what_the_whole_trace_says(
        steps: list[tuple[str, int]], kinds: frozenset[str] | None) -> None:
    """Runs, rewinds and reads in any order: the events a follower is handed since its last
    count are those of the whole trace after that count, with the same numbers and records,
    and an event looked up by number is that event; nothing of it changes the hash."""
    world = _kept_run(5)
    marks = [world.trace.mark()]
    for step, amount in steps:
        if step == "run":
            world.run_until(world.now + amount)
            marks.append(world.trace.mark())
        elif step == "rewind":
            world.trace.truncate(marks[amount % len(marks)])
            del marks[amount % len(marks) + 1:]  # (the world runs on: only its trace counts)
        elif step == "events":
            assert len(world.trace.events) == world.trace.count
        count = min(amount * 3, world.trace.count)
        following = world.trace.events_since(count, kinds)
        whole = [e for e in _fresh_events(world)[count:] if kinds is None or e.kind in kinds]
        assert [(e.seq, e.record) for e in following] == [(e.seq, e.record) for e in whole]
        for seq in (1, count, world.trace.count, world.trace.count + 1):
            event = world.trace.event_at(seq)
            expected = _fresh_events(world)[seq - 1] if 1 <= seq <= world.trace.count else None
            assert (event and (event.seq, event.record)) == (
                expected and (expected.seq, expected.record))
    assert world.trace.sha256() == _hash_of_first(world, world.trace.count).hexdigest()


def _fresh_events(world: World) -> list[Any]:
    """Every event of the world's trace, read from a copy (so the trace itself stays as the
    run left it: records in chunks, not yet made into events)."""
    import copy

    trace = copy.copy(world.trace)
    trace._events, trace._chunks = list(trace._events), list(trace._chunks)
    trace._chunk_sizes, trace.pending = list(trace._chunk_sizes), list(trace.pending)
    trace._hasher = trace._hasher.copy()
    return trace.events
