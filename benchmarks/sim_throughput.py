"""Engine throughput against SimPy, measured in the same run.

Workload (both sides): 5 nodes; each heartbeats its 4 peers every 100 ms, sends a request to
one peer (round-robin) every 50 ms and answers every request with a reply; one-way latency is
exponential with a 2 ms floor and a 3 ms mean tail, drawn from one random stream per link.
The playground engine additionally records and hashes a full trace and reads both clocks of
the node at every event; SimPy does neither.

    python benchmarks/sim_throughput.py [--seconds 1000] [--repeat 3] [--json]

Prints a table (or, with --json, one object: sim_ticks, wall_s, messages, messages_per_s,
simpy_wall_s, simpy_messages_per_s, ratio_vs_simpy, ...). Best of --repeat runs per side.
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

from playground.sim import Latency, LinkSpec, Scenario, World
from playground.sim.examples import HeartbeatCluster

NODES = ("n1", "n2", "n3", "n4", "n5")
FLOOR_MS, MEAN_MS = 2.0, 3.0
HEARTBEAT_MS, REQUEST_MS = 100.0, 50.0


def run_playground(seconds: int, retain: bool) -> tuple[int, float, str]:
    scenario = Scenario(
        nodes=NODES,
        program=lambda _: HeartbeatCluster(interval=HEARTBEAT_MS, request_every=REQUEST_MS),
        link=LinkSpec(latency=Latency.exponential(FLOOR_MS, MEAN_MS)),
    )
    start = time.perf_counter()
    world = World(scenario, seed=1, retain_trace=retain)
    world.run_until(seconds * 1000)
    digest = world.trace.sha256()
    return world.messages_sent, time.perf_counter() - start, digest


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
    start = time.perf_counter()
    env.run(until=seconds * 1000)
    return sent[0], time.perf_counter() - start


def measure(seconds: int, repeat: int) -> dict[str, object]:
    ours = min((run_playground(seconds, retain=False) for _ in range(repeat)),
               key=lambda r: r[1])
    retained = min((run_playground(seconds, retain=True) for _ in range(repeat)),
                   key=lambda r: r[1])
    simpy_runs = min((run_simpy(seconds) for _ in range(repeat)), key=lambda r: r[1])
    messages, wall, digest = ours
    simpy_messages, simpy_wall = simpy_runs
    mps = messages / wall
    simpy_mps = simpy_messages / simpy_wall
    return {
        "nodes": len(NODES),
        "sim_seconds": seconds,
        "sim_ticks": seconds * 1000,
        "messages": messages,
        "wall_s": round(wall, 3),
        "messages_per_s": round(mps),
        "retained_trace_wall_s": round(retained[1], 3),
        "trace_sha256": digest,
        "simpy_messages": simpy_messages,
        "simpy_wall_s": round(simpy_wall, 3),
        "simpy_messages_per_s": round(simpy_mps),
        "ratio_vs_simpy": round(mps / simpy_mps, 2),
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
        ("engine (trace hashed, not kept)", result["wall_s"], result["messages_per_s"]),
        ("engine (trace kept in memory)", result["retained_trace_wall_s"],
         round(result["messages"] / result["retained_trace_wall_s"])),
        ("SimPy baseline (no trace)", result["simpy_wall_s"], result["simpy_messages_per_s"]),
    ]
    print(f"{result['nodes']} nodes, {result['sim_seconds']} simulated s, "
          f"{result['messages']} messages, best of {result['repeat']}")
    print(f"{'run':<34}{'wall s':>10}{'messages/s':>14}")
    for name, wall, mps in rows:
        print(f"{name:<34}{wall:>10.3f}{mps:>14,}")
    print(f"ratio vs SimPy: {result['ratio_vs_simpy']}x   trace {result['trace_sha256'][:16]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
