"""Engine throughput against SimPy, measured in the same run; and level runs per second.

Workload (both sides): 5 nodes; each heartbeats its 4 peers every 100 ms, sends a request to
one peer (round-robin) every 50 ms and answers every request with a reply; one-way latency is
exponential with a 2 ms floor and a 3 ms mean tail, drawn from one random stream per link.
The playground engine additionally records and hashes a full trace (with every event's clock
readings); SimPy does neither. The engine runs twice: trace hashed and forgotten, and trace
kept in memory (``retained_vs_hashed``: how much keeping it costs).

Levels: a headless ``playground run`` (a session with the level's solution, run to the end,
its result computed) of three shipped levels, without the CLI's start-up: runs per second,
and the level's messages per second as a fraction of the heartbeat workload's
(``vs_heartbeat``: what protocols, checks and rewind snapshots cost on top of the engine).

Times are CPU seconds of this process (``time.process_time``), the runs of each repeat
interleaved, best of ``--repeat``: other load on a shared machine then skews neither side.

    python benchmarks/sim_throughput.py [--seconds 1000] [--repeat 3] [--json]

Prints a table, or with --json one object: messages, cpu_s, messages_per_s,
retained_trace_cpu_s, retained_vs_hashed, simpy_cpu_s, simpy_messages_per_s, ratio_vs_simpy,
levels (per level: ticks, messages, cpu_s, runs_per_s, messages_per_s, vs_heartbeat), ...
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.game.actionfile import load_attempt
from playground.game.campaign import levels_dir, load_campaign
from playground.game.session import Session
from playground.sim import Latency, LinkSpec, Scenario, World
from playground.sim.examples import HeartbeatCluster

NODES = ("n1", "n2", "n3", "n4", "n5")
LEVELS = ("split-brain", "pbft-quorum", "tune-the-timeout")  # raft, PBFT, failure detector
FLOOR_MS, MEAN_MS = 2.0, 3.0
HEARTBEAT_MS, REQUEST_MS = 100.0, 50.0


def run_playground(seconds: int, retain: bool) -> tuple[int, float, str]:
    scenario = Scenario(
        nodes=NODES,
        program=lambda _: HeartbeatCluster(interval=HEARTBEAT_MS, request_every=REQUEST_MS),
        link=LinkSpec(latency=Latency.exponential(FLOOR_MS, MEAN_MS)),
    )
    start = time.process_time()
    world = World(scenario, seed=1, retain_trace=retain)
    world.run_until(seconds * 1000)
    digest = world.trace.sha256()
    return world.messages_sent, time.process_time() - start, digest


def run_simpy(seconds: int) -> tuple[int, float]:
    import simpy

    env = simpy.Environment()
    inbox = {n: simpy.Store(env) for n in NODES}
    rngs = {(a, b): random.Random(f"1:link:{a}->{b}") for a in NODES for b in NODES if a != b}
    sent = [0]

    def transmit(src: str, dst: str, msg: dict):
        rng = rngs[(src, dst)]
        delay = FLOOR_MS - MEAN_MS * math.log(1.0 - rng.random())
        yield env.timeout(max(1, math.ceil(delay)))
        yield inbox[dst].put((src, msg))

    def send(src: str, dst: str, msg: dict) -> None:
        sent[0] += 1
        env.process(transmit(src, dst, msg))

    def node(name: str) -> None:
        rng = random.Random(f"1:node:{name}")
        peers = [p for p in NODES if p != name]
        state = {"served": 0, "replies": 0, "next": 0, "heard": {}}

        def heartbeat():
            yield env.timeout(HEARTBEAT_MS * (1 + rng.random()))
            while True:
                for p in peers:
                    send(name, p, {"type": "hb"})
                yield env.timeout(HEARTBEAT_MS)

        def requests():
            yield env.timeout(REQUEST_MS * (1 + rng.random()))
            while True:
                peer = peers[state["next"] % len(peers)]
                state["next"] += 1
                send(name, peer, {"type": "req", "n": state["next"]})
                yield env.timeout(REQUEST_MS)

        def receive():
            while True:
                src, msg = yield inbox[name].get()
                state["heard"][src] = env.now
                if msg["type"] == "req":
                    state["served"] += 1
                    send(name, src, {"type": "rep", "n": msg["n"], "served": state["served"]})
                elif msg["type"] == "rep":
                    state["replies"] += 1

        env.process(heartbeat())
        env.process(requests())
        env.process(receive())

    for n in NODES:
        node(n)
    start = time.process_time()
    env.run(until=seconds * 1000)
    return sent[0], time.process_time() - start


def run_level(level_id: str) -> tuple[int, int, float]:
    """One headless ``playground run`` of a level with its solution: (ticks, messages, s)."""
    level = load_campaign().get(level_id)
    attempt = load_attempt(levels_dir() / "solutions" / f"{level_id}.toml")
    start = time.process_time()
    session = Session.from_attempt(level, attempt)
    session.run_to_end()
    session.result()
    return session.now, session.world.messages_sent, time.process_time() - start


def measure(seconds: int, repeat: int) -> dict[str, object]:
    hashed: list[tuple[int, float, str]] = []
    retained: list[tuple[int, float, str]] = []
    simpy_runs: list[tuple[int, float]] = []
    level_runs: dict[str, list[tuple[int, int, float]]] = {lv: [] for lv in LEVELS}
    for _ in range(repeat):  # interleaved, so a change in load hits every side alike
        hashed.append(run_playground(seconds, retain=False))
        retained.append(run_playground(seconds, retain=True))
        simpy_runs.append(run_simpy(seconds))
        for level_id, runs in level_runs.items():
            runs.append(run_level(level_id))
    messages, cpu, digest = min(hashed, key=lambda r: r[1])
    retained_cpu = min(r[1] for r in retained)
    simpy_messages, simpy_cpu = min(simpy_runs, key=lambda r: r[1])
    mps = messages / cpu
    simpy_mps = simpy_messages / simpy_cpu
    levels = {}
    for level_id, runs in level_runs.items():
        ticks, level_messages, level_cpu = min(runs, key=lambda r: r[2])
        levels[level_id] = {
            "ticks": ticks,
            "messages": level_messages,
            "cpu_s": round(level_cpu, 4),
            "runs_per_s": round(1 / level_cpu, 2),
            "messages_per_s": round(level_messages / level_cpu),
            "vs_heartbeat": round(level_messages / level_cpu / mps, 2),
        }
    return {
        "nodes": len(NODES),
        "sim_seconds": seconds,
        "sim_ticks": seconds * 1000,
        "messages": messages,
        "cpu_s": round(cpu, 3),
        "messages_per_s": round(mps),
        "retained_trace_cpu_s": round(retained_cpu, 3),
        "retained_vs_hashed": round(retained_cpu / cpu, 2),
        "trace_sha256": digest,
        "simpy_messages": simpy_messages,
        "simpy_cpu_s": round(simpy_cpu, 3),
        "simpy_messages_per_s": round(simpy_mps),
        "ratio_vs_simpy": round(mps / simpy_mps, 2),
        "levels": levels,
        "repeat": repeat,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=1000, help="simulated seconds")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; best is kept")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.seconds < 1 or args.repeat < 1:
        parser.error("--seconds and --repeat must be >= 1")
    result = measure(args.seconds, args.repeat)
    if args.json:
        print(json.dumps(result))
        return 0
    rows = [
        ("engine (trace hashed, not kept)", result["cpu_s"], result["messages_per_s"]),
        ("engine (trace kept in memory)", result["retained_trace_cpu_s"],
         round(result["messages"] / result["retained_trace_cpu_s"])),
        ("SimPy baseline (no trace)", result["simpy_cpu_s"], result["simpy_messages_per_s"]),
    ]
    print(f"{result['nodes']} nodes, {result['sim_seconds']} simulated s, "
          f"{result['messages']} messages, CPU seconds, best of {result['repeat']}")
    print(f"{'run':<34}{'cpu s':>10}{'messages/s':>14}")
    for name, cpu, mps in rows:
        print(f"{name:<34}{cpu:>10.3f}{mps:>14,}")
    print(f"ratio vs SimPy: {result['ratio_vs_simpy']}x   trace kept: "
          f"{result['retained_vs_hashed']}x the hashed run   trace {result['trace_sha256'][:16]}")
    print()
    print(f"{'level (playground run)':<24}{'ticks':>8}{'messages':>10}{'runs/s':>9}"
          f"{'messages/s':>12}{'vs heartbeat':>14}")
    for level_id, lv in result["levels"].items():
        print(f"{level_id:<24}{lv['ticks']:>8}{lv['messages']:>10}{lv['runs_per_s']:>9.2f}"
              f"{lv['messages_per_s']:>12,}{lv['vs_heartbeat']:>13.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
