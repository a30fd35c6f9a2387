"""Cloud computing vs supercomputing: a checkpointed batch job, and a service that stays up.

Source: Kleppmann, *Designing Data-Intensive Applications*, ch. 8 "Cloud Computing and
Supercomputing": "a supercomputer is more like a single-node computer than a distributed
system: it deals with partial failure by letting it escalate into total failure: if any part of
the system fails, just let everything crash" and "a job typically checkpoints the state of its
computation to durable storage from time to time. If one node fails, a common solution is to
simply stop the entire cluster workload. After the faulty node is repaired, the computation is
restarted from the last checkpoint", whereas for "online" services "making the service
unavailable -- for example, stopping the cluster for repair -- is not acceptable". The optimal
checkpoint interval is J. W. Young, "A first order approximation to the optimum checkpoint
interval", CACM 17(9), 1974: ``T_opt = sqrt(2 * C * M)`` for a checkpoint that costs ``C`` and a
system mean time between failures ``M`` (the waste per unit of work is about ``C/T + T/(2M)``).

Two protocols in this module (the registry reads ``SPEC`` and ``EXTRA_SPECS``):

- ``SPEC`` = ``batch`` (the supercomputer way): a *coordinator* runs a parallel job on
  *workers* in lock-step. Every ``checkpoint_interval_ms`` of work each worker writes a
  checkpoint, which costs ``checkpoint_cost_ms``; the coordinator commits a checkpoint (durably)
  once every worker has written it. When any worker stops answering (or restarts), the
  coordinator stops the whole job, waits until every worker is back, and restarts everybody
  from the last committed checkpoint: the work done since is lost.
- ``SERVICE_SPEC`` = ``service`` (the cloud way): *clients* send requests to any live
  *replica*; a request that times out is retried on another replica and the silent one is
  ejected for a while (like a load balancer's outlier detection), so the service keeps
  answering while a node dies.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping
from typing import Any

from playground.protocols.registry import Build, Knob, KnobError, ProtocolSpec
from playground.sim.checks import Check, Finding, Invariant, ProgressWithin
from playground.sim.program import Context, Program
from playground.sim.trace import Event
from playground.sim.world import World

SOURCE = ("Kleppmann, Designing Data-Intensive Applications, ch. 8 'Cloud Computing and "
          "Supercomputing'; Young, 'A first order approximation to the optimum checkpoint "
          "interval', CACM 1974")


def young_interval(checkpoint_cost_ms: float, mtbf_ms: float) -> float:
    """Young's optimal checkpoint interval ``sqrt(2 * C * M)``."""
    return math.sqrt(2.0 * checkpoint_cost_ms * mtbf_ms)


def expected_completion(job_ms: float, interval_ms: float, cost_ms: float, mtbf_ms: float,
                        restart_ms: float = 0.0) -> float:
    """Expected wall time of a job of ``job_ms`` under exponential failures of mean
    ``mtbf_ms`` (Daly, FGCS 2006, with a restart cost of ``restart_ms``):
    ``M * exp(R/M) * (exp((T + C)/M) - 1) * W / T``. Used to compare with the simulation."""
    m = mtbf_ms
    return m * math.exp(restart_ms / m) * (math.exp((interval_ms + cost_ms) / m) - 1.0) \
        * job_ms / interval_ms


# ================================================================================== batch
class BatchWorker(Program):
    """A worker of the parallel job.

    Work advances in quanta of ``step_ms`` (a timer per quantum), so a frozen worker computes
    nothing while frozen. Phases: ``idle``, ``restart`` (reloading the checkpoint),
    ``compute``, ``checkpoint`` (writing one), ``done``. The worker reports its ``status``
    (boot number, epoch, phase, work, last checkpoint written) every ``heartbeat_ms`` and at
    every change, so a lost message is repaired by the next one.
    """

    def __init__(self, *, coordinator: str, job_ms: int, interval_ms: int, cost_ms: int,
                 restart_ms: int, step_ms: int, heartbeat_ms: int) -> None:
        self.coordinator = coordinator
        self.job_ms = job_ms
        self.interval_ms = interval_ms
        self.cost_ms = cost_ms
        self.restart_ms = restart_ms
        self.step_ms = step_ms
        self.heartbeat_ms = heartbeat_ms
        self.boot = 0
        self.epoch = 0
        self.phase = "idle"
        self.work = 0
        self.written = 0
        self.next_checkpoint = 0

    def on_start(self, ctx: Context) -> None:
        self.boot = ctx.durable.get("boots", 0) + 1
        ctx.durable["boots"] = self.boot
        ctx.believe(role="worker", value=0)
        self._report(ctx)
        ctx.set_timer("heartbeat", self.heartbeat_ms)

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if src != self.coordinator or not isinstance(payload, dict):
            return
        kind = payload.get("type")
        epoch = payload.get("epoch")
        if not isinstance(epoch, int):
            return
        if kind == "run" and epoch > self.epoch:
            self._abandon(ctx)
            self.epoch = epoch
            self.work = self.written = int(payload["from"])
            self.next_checkpoint = self.work + self.interval_ms
            ctx.observe("begin", epoch=epoch, start=self.work)
            if self.restart_ms > 0:
                self.phase = "restart"
                ctx.set_timer("restart", self.restart_ms)
            else:
                self._compute(ctx)
            self._report(ctx)
        elif kind == "stop" and epoch == self.epoch:
            self._abandon(ctx)
            self._report(ctx)
        elif kind == "finish":
            # the job is done: nothing left to report
            self._abandon(ctx)
            self.phase = "done"
            ctx.cancel_timer("heartbeat")

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name == "heartbeat":
            self._report(ctx)
            ctx.set_timer("heartbeat", self.heartbeat_ms)
        elif name == "restart" and self.phase == "restart":
            self._compute(ctx)
        elif name == "step" and self.phase == "compute":
            self.work += int(data)
            if self.work >= self.job_ms:
                self.phase = "done"
                ctx.observe("finished", epoch=self.epoch, work=self.work)
                ctx.believe(value=self.work)
                self._report(ctx)
            elif self.work >= self.next_checkpoint:
                self.phase = "checkpoint"
                if self.cost_ms > 0:
                    ctx.set_timer("checkpoint", self.cost_ms)
                else:
                    self._written(ctx)
            else:
                self._step(ctx)
        elif name == "checkpoint" and self.phase == "checkpoint":
            self._written(ctx)

    def _written(self, ctx: Context) -> None:
        self.written = self.work
        self.next_checkpoint = self.work + self.interval_ms
        ctx.observe("checkpoint written", epoch=self.epoch, work=self.work)
        ctx.believe(value=self.work)
        self._compute(ctx)
        self._report(ctx)

    def _compute(self, ctx: Context) -> None:
        self.phase = "compute"
        self._step(ctx)

    def _step(self, ctx: Context) -> None:
        target = min(self.next_checkpoint, self.job_ms)
        ctx.set_timer("step", min(self.step_ms, target - self.work),
                      min(self.step_ms, target - self.work))

    def _abandon(self, ctx: Context) -> None:
        if self.phase in ("idle", "done"):
            self.phase = "idle"
            return
        ctx.observe("abandon", epoch=self.epoch, work=self.work, written=self.written)
        self.phase = "idle"
        for name in ("step", "checkpoint", "restart"):
            ctx.cancel_timer(name)

    def _report(self, ctx: Context) -> None:
        ctx.send(self.coordinator, {"type": "status", "boot": self.boot, "epoch": self.epoch,
                                    "phase": self.phase, "work": self.work,
                                    "written": self.written})


class BatchCoordinator(Program):
    """The job's head node: starts epochs, commits checkpoints, stops everything on a failure.

    Durable: ``epoch`` (the last epoch started), ``checkpoint`` (committed work) and ``done``.
    A worker is failed when nothing came from it for ``failure_timeout_ms`` (on the
    coordinator's monotonic clock) or when it reports a new boot number (it restarted and lost
    its state); one that reports an older epoch missed the start and is sent it again. A
    checkpoint is committed when every worker has written it in this epoch: the committed work
    is the smallest checkpoint written by all workers.
    """

    def __init__(self, *, workers: tuple[str, ...], job_ms: int, cost_ms: int,
                 heartbeat_ms: int, failure_timeout_ms: int) -> None:
        self.workers = workers
        self.job_ms = job_ms
        self.cost_ms = cost_ms
        self.heartbeat_ms = heartbeat_ms
        self.failure_timeout_ms = failure_timeout_ms
        self.state = "waiting"
        self.epoch = 0
        self.checkpoint = 0
        self.heard: dict[str, float] = {}
        self.boots: dict[str, int] = {}
        self.run_boots: dict[str, int] = {}
        self.written: dict[str, int] = {}
        self.finished: list[str] = []

    def on_start(self, ctx: Context) -> None:
        self.epoch = ctx.durable.get("epoch", 0)
        self.checkpoint = ctx.durable.get("checkpoint", 0)
        self.state = "done" if ctx.durable.get("done") else "waiting"
        ctx.believe(role="coordinator", term=self.epoch, value=self.checkpoint)
        ctx.set_timer("check", self.heartbeat_ms)

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if src not in self.workers or not isinstance(payload, dict) \
                or payload.get("type") != "status":
            return
        self.heard[src] = ctx.monotonic()
        if self.state == "done":
            ctx.send(src, {"type": "finish", "epoch": self.epoch})
            return
        boot: Any = payload.get("boot")
        self.boots[src] = boot
        if self.state == "running":
            if payload.get("epoch") == self.epoch:
                self.written[src] = max(self.written.get(src, 0), int(payload["written"]))
                if payload.get("phase") == "done" and src not in self.finished:
                    self.finished.append(src)
                self._progress(ctx)
            elif isinstance(boot, int) and boot > self.run_boots.get(src, boot):
                self._abort(ctx, src, f"{src} restarted (boot {boot}) and lost its state")
            elif isinstance(payload.get("epoch"), int) and payload["epoch"] < self.epoch:
                # It never got this epoch's "run" (lost, or sent while it was cut off), and
                # would stay idle while the others wait for its checkpoints: send it again.
                ctx.send(src, {"type": "run", "epoch": self.epoch, "from": self.checkpoint})
        elif self.state == "waiting":
            self._maybe_start(ctx)

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name != "check":
            return
        ctx.set_timer("check", self.heartbeat_ms)
        if self.state == "running":
            silent = self._silent(ctx)
            if silent:
                self._abort(ctx, silent[0], f"nothing from {silent[0]} for "
                                            f"{self.failure_timeout_ms} ms")
        elif self.state == "waiting":
            self._maybe_start(ctx)

    def _silent(self, ctx: Context) -> list[str]:
        now = ctx.monotonic()
        return [w for w in self.workers
                if w not in self.heard or now - self.heard[w] > self.failure_timeout_ms]

    def _maybe_start(self, ctx: Context) -> None:
        if self._silent(ctx):
            return
        self.epoch += 1
        ctx.durable["epoch"] = self.epoch
        self.state = "running"
        self.run_boots = dict(self.boots)
        self.written = {w: self.checkpoint for w in self.workers}
        self.finished = []
        ctx.observe("run", epoch=self.epoch, start=self.checkpoint, job_ms=self.job_ms,
                    checkpoint_cost_ms=self.cost_ms)
        ctx.believe(term=self.epoch)
        for worker in self.workers:
            ctx.send(worker, {"type": "run", "epoch": self.epoch, "from": self.checkpoint})

    def _progress(self, ctx: Context) -> None:
        committed = min(self.written.get(w, 0) for w in self.workers)
        if committed > self.checkpoint:
            self.checkpoint = committed
            ctx.durable["checkpoint"] = committed
            ctx.decide("checkpoint", committed, epoch=self.epoch)
            ctx.believe(value=committed)
        if len(self.finished) == len(self.workers):
            self.state = "done"
            ctx.durable["done"] = True
            ctx.decide("job_done", self.job_ms, epoch=self.epoch)
            ctx.believe(value=self.job_ms)
            for worker in self.workers:
                ctx.send(worker, {"type": "finish", "epoch": self.epoch})

    def _abort(self, ctx: Context, worker: str, why: str) -> None:
        ctx.observe("abort", epoch=self.epoch, worker=worker, why=why,
                    checkpoint=self.checkpoint)
        self.state = "waiting"
        for w in self.workers:
            ctx.send(w, {"type": "stop", "epoch": self.epoch})


class Idle(Program):
    """A node with no part in the job or service."""

    def on_start(self, ctx: Context) -> None:
        ctx.believe(role="idle")


class ConsistentCheckpoint(Invariant):
    """The coordinator only commits a checkpoint every worker wrote in that epoch, every run
    restarts from the last committed checkpoint, and the job is only done when every worker
    finished the whole job in one epoch (the checker reads the workers' observations)."""

    name = "consistent-checkpoint"
    kinds = frozenset({"observe", "decide"})

    def __init__(self, coordinator: str, workers: tuple[str, ...], job_ms: int) -> None:
        self.coordinator = coordinator
        self.workers = workers
        self.job_ms = job_ms
        self.written: dict[str, list[int]] = {}  # "epoch:work" -> [seq per worker...]
        self.writers: dict[str, list[str]] = {}
        self.finished: dict[int, list[str]] = {}
        self.committed = 0

    def observe(self, event: Event, world: World) -> Finding:
        data = event.data
        node = event.node
        if event.kind == "observe" and node in self.workers:
            if data.get("what") == "checkpoint written":
                key = f"{data['epoch']}:{data['work']}"
                self.writers.setdefault(key, []).append(node)
            elif data.get("what") == "finished":
                self.finished.setdefault(data["epoch"], []).append(node)
            return None
        if node != self.coordinator:
            return None
        if event.kind == "observe" and data.get("what") == "run":
            if data["start"] != self.committed:
                return (f"{node} restarted epoch {data['epoch']} from work {data['start']}, "
                        f"but the last committed checkpoint is {self.committed}", [event.seq])
        elif event.kind == "decide" and data.get("key") == "checkpoint":
            work, epoch = data["value"], data["epoch"]
            missing = [w for w in self.workers
                       if w not in self.writers.get(f"{epoch}:{work}", ())]
            if missing:
                return (f"{node} committed checkpoint {work} of epoch {epoch}, but "
                        f"{', '.join(missing)} never wrote it", [event.seq])
            if work < self.committed:
                return (f"{node} committed checkpoint {work} after {self.committed}",
                        [event.seq])
            self.committed = work
        elif event.kind == "decide" and data.get("key") == "job_done":
            missing = [w for w in self.workers if w not in self.finished.get(data["epoch"], ())]
            if missing:
                return (f"{node} declared the job done in epoch {data['epoch']}, but "
                        f"{', '.join(missing)} did not finish it", [event.seq])
        return None


def _is_job_done(event: Event) -> bool:
    return event.kind == "decide" and event.data.get("key") == "job_done"


def batch_metrics(world: World) -> dict[str, Any]:
    """Numbers for scoring and the debrief, from the retained trace.

    ``finished`` and ``completion_ms`` (tick the coordinator declared the job done, or
    ``None``), ``efficiency`` (job length / completion time), ``restarts`` (aborted epochs),
    ``checkpoints`` committed, ``checkpoint_overhead_ms`` (time a worker spent writing
    checkpoints: the most any worker wrote, times their cost), ``work_lost_ms`` (work computed
    beyond the checkpoint the next epoch restarted from, summed over epochs), ``crashes``
    (crash actions that took effect), ``observed_mtbf_ms`` (run time / crashes) and
    ``young_interval_ms`` (Young's optimum for that MTBF and the checkpoint cost).
    """
    out: dict[str, Any] = {"finished": False, "completion_ms": None, "efficiency": None,
                           "restarts": 0, "checkpoints": 0, "checkpoint_overhead_ms": 0,
                           "work_lost_ms": 0, "crashes": 0, "observed_mtbf_ms": None,
                           "young_interval_ms": None}
    starts: dict[int, int] = {}
    reached: dict[int, int] = {}
    writes: dict[str, set[tuple[int, int]]] = {}
    cost = job = None
    for e in world.trace:
        kind, data = e.kind, e.data
        if kind == "observe":
            what = data.get("what")
            if what == "run":
                starts[data["epoch"]] = data["start"]
                cost, job = data["checkpoint_cost_ms"], data["job_ms"]
            elif what in ("checkpoint written", "finished", "abandon"):
                reached[data["epoch"]] = max(reached.get(data["epoch"], 0), data["work"])
                if what == "checkpoint written":
                    writes.setdefault(e.node or "", set()).add((data["epoch"], data["work"]))
            elif what == "abort":
                out["restarts"] += 1
        elif kind == "send" and isinstance(data.get("payload"), dict) \
                and data["payload"].get("type") == "status":
            p = data["payload"]
            reached[p["epoch"]] = max(reached.get(p["epoch"], 0), p["work"])
        elif kind == "decide" and data.get("key") == "checkpoint":
            out["checkpoints"] += 1
        elif kind == "decide" and data.get("key") == "job_done" and not out["finished"]:
            out["finished"] = True
            out["completion_ms"] = e.tick
        elif kind == "fault" and data.get("tool") == "crash" and "effect" not in data:
            out["crashes"] += 1
    epochs = sorted(starts)
    for epoch, nxt in itertools.pairwise(epochs):
        out["work_lost_ms"] += max(0, reached.get(epoch, 0) - starts[nxt])
    if writes and cost is not None:
        out["checkpoint_overhead_ms"] = max(len(v) for v in writes.values()) * cost
    end = out["completion_ms"] if out["finished"] else world.now
    if out["finished"] and job:
        out["efficiency"] = round(job / max(1, end), 4)
    if out["crashes"]:
        out["observed_mtbf_ms"] = round(end / out["crashes"], 3)
        if cost:
            out["young_interval_ms"] = round(young_interval(cost, out["observed_mtbf_ms"]), 3)
    return out


def _batch_program(name: str, *, coordinator: str, workers: tuple[str, ...],
                   knobs: Mapping[str, Any]) -> Program:
    if name == coordinator:
        return BatchCoordinator(workers=workers, job_ms=knobs["job_length_ms"],
                                cost_ms=knobs["checkpoint_cost_ms"],
                                heartbeat_ms=knobs["heartbeat_ms"],
                                failure_timeout_ms=knobs["failure_timeout_ms"])
    if name in workers:
        return BatchWorker(coordinator=coordinator, job_ms=knobs["job_length_ms"],
                           interval_ms=knobs["checkpoint_interval_ms"],
                           cost_ms=knobs["checkpoint_cost_ms"], restart_ms=knobs["restart_ms"],
                           step_ms=knobs["step_ms"], heartbeat_ms=knobs["heartbeat_ms"])
    return Idle()


def build_batch(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> Build:
    coordinator = knobs["coordinator"]
    workers = tuple(knobs["workers"]) or tuple(n for n in nodes if n != coordinator)
    if coordinator in workers:
        raise KnobError("workers", f"the coordinator {coordinator} cannot also be a worker")
    if not workers:
        raise KnobError("workers", "needs at least one worker besides the coordinator")
    if len(set(workers)) != len(workers):
        raise KnobError("workers", f"lists a node twice: {list(workers)}")
    program = functools.partial(_batch_program, coordinator=coordinator, workers=workers,
                                knobs=dict(knobs))
    checks: list[Check] = [ConsistentCheckpoint(coordinator, workers, knobs["job_length_ms"])]
    if knobs["deadline_ms"]:
        checks.append(ProgressWithin("job-finished", knobs["deadline_ms"], _is_job_done,
                                     start_tick=0))
    return Build(program=program, checks=tuple(checks))


SPEC = ProtocolSpec(
    name="batch",
    title="A checkpointed batch job (the supercomputer way)",
    source=SOURCE,
    summary=(
        "A parallel job runs on several workers in lock-step and checkpoints every so often. "
        "When any worker fails, the whole job stops and restarts from the last checkpoint, "
        "so partial failure becomes total failure. Checkpoint too often and the job spends "
        "its time writing checkpoints; too rarely and each crash throws away a lot of work. "
        "Young's approximation sqrt(2 x checkpoint cost x MTBF) balances the two."
    ),
    knobs=(
        Knob("coordinator", "node", "n1", "The head node that starts, stops and restarts "
             "the job and keeps the committed checkpoint.", safe="any node"),
        Knob("workers", "nodes", (), "Nodes that compute (empty: every node but the "
             "coordinator).", safe="any; more workers fail more often"),
        Knob("job_length_ms", "int", 20_000, "Work in the job: its run time without "
             "failures or checkpoints.", low=1, high=100_000_000, safe="any"),
        Knob("checkpoint_interval_ms", "int", 2_000, "Work between two checkpoints.",
             low=1, high=100_000_000,
             safe="near Young's sqrt(2 x cost x MTBF); much shorter wastes time writing, much "
                  "longer loses work at each crash"),
        Knob("checkpoint_cost_ms", "int", 100, "Time to write one checkpoint (no progress "
             "meanwhile).", low=0, high=10_000_000, safe="any"),
        Knob("restart_ms", "int", 0, "Time a worker spends reloading the checkpoint after a "
             "restart.", low=0, high=10_000_000, safe="any"),
        Knob("step_ms", "int", 10, "Granularity of work: a frozen worker loses at most one "
             "step of progress accounting.", low=1, high=10_000, safe="any"),
        Knob("heartbeat_ms", "int", 50, "Workers report their status this often.",
             low=1, high=60_000, safe="any"),
        Knob("failure_timeout_ms", "int", 200, "The coordinator stops the job when a worker "
             "is silent this long.", low=1, high=600_000,
             safe="a few heartbeats; shorter restarts the job on mere delays"),
        Knob("deadline_ms", "int", 60_000, "Liveness: the job must be done by this tick "
             "(0: no check).", low=0, high=1_000_000_000, safe="any"),
    ),
    build=build_batch,
    commands={},
    invariants={"consistent-checkpoint": "checkpoints are only committed once every worker "
                                         "wrote them, and restarts resume from the last one"},
    liveness={"job-finished": "the job is done by deadline_ms"},
    metrics=batch_metrics,
    min_nodes=2,
    default_nodes=("n1", "n2", "n3", "n4"),
)


# ================================================================================ service
class Replica(Program):
    """A stateless replica: answers each request after ``service_ms``."""

    def __init__(self, service_ms: int) -> None:
        self.service_ms = service_ms
        self.jobs = 0

    def on_start(self, ctx: Context) -> None:
        ctx.believe(role="server")

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if not isinstance(payload, dict) or payload.get("type") != "req":
            return
        reply = {"type": "rep", "id": payload.get("id"), "attempt": payload.get("attempt")}
        if self.service_ms > 0:
            self.jobs += 1
            ctx.set_timer(f"job{self.jobs}", self.service_ms, [src, reply])
        else:
            ctx.send(src, reply)

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name.startswith("job"):
            ctx.send(data[0], data[1])


class ServiceClient(Program):
    """A client (or load balancer) in front of the replicas.

    Sends a request every ``request_every_ms`` (and on the ``request`` command) to the next
    replica in round-robin order. An attempt unanswered after ``timeout_ms`` is retried, up to
    ``max_attempts`` attempts. With ``route_around`` the silent replica is ejected for
    ``eject_ms`` and the retry goes to another replica, skipping ejected ones (a reply
    reinstates a replica at once); without it the client keeps its round-robin and retries
    the same replica.
    """

    def __init__(self, *, replicas: tuple[str, ...], request_every_ms: int, request_count: int,
                 timeout_ms: int, max_attempts: int, route_around: bool,
                 eject_ms: int) -> None:
        self.replicas = replicas
        self.request_every_ms = request_every_ms
        self.request_count = request_count
        self.timeout_ms = timeout_ms
        self.max_attempts = max_attempts
        self.route_around = route_around
        self.eject_ms = eject_ms
        self.rr = 0
        self.ejected: dict[str, float] = {}  # replica -> monotonic reading when reinstated
        self.pending: dict[str, dict[str, Any]] = {}

    def on_start(self, ctx: Context) -> None:
        ctx.believe(role="client", suspects=[])
        if self.request_count:
            ctx.set_timer("workload", self.request_every_ms)

    def on_command(self, ctx: Context, name: str, args: dict[str, Any]) -> None:
        if name != "request":
            super().on_command(ctx, name, args)
            return
        self._new_request(ctx)

    def on_timer(self, ctx: Context, name: str, data: Any) -> None:
        if name == "workload":
            issued = ctx.durable.get("periodic", 0)
            if issued < self.request_count:
                ctx.durable["periodic"] = issued + 1
                self._new_request(ctx)
                ctx.set_timer("workload", self.request_every_ms)
        elif name.startswith("timeout:"):
            rid = name[len("timeout:"):]
            req = self.pending.get(rid)
            if req is None:
                return
            replica = req["tried"][-1]
            ctx.observe("timeout", id=rid, replica=replica, attempt=len(req["tried"]))
            if self.route_around:
                self.ejected[replica] = ctx.monotonic() + self.eject_ms
                self._believe_suspects(ctx)
            if len(req["tried"]) >= self.max_attempts:
                del self.pending[rid]
                ctx.observe("failed", id=rid, attempts=len(req["tried"]),
                            tried=list(req["tried"]))
                return
            self._attempt(ctx, rid, req)

    def on_message(self, ctx: Context, src: str, payload: Any) -> None:
        if not isinstance(payload, dict) or payload.get("type") != "rep":
            return
        if src in self.ejected:
            del self.ejected[src]
            self._believe_suspects(ctx)
        rid = payload.get("id")
        req = self.pending.pop(rid, None) if isinstance(rid, str) else None
        if req is None:
            return  # a late answer to a request already answered or given up
        ctx.cancel_timer(f"timeout:{rid}")
        ctx.observe("answered", id=rid, replica=src, attempts=len(req["tried"]),
                    latency_ms=round(ctx.monotonic() - req["started"], 3))

    def _new_request(self, ctx: Context) -> None:
        n = ctx.durable.get("next_req", 0) + 1
        ctx.durable["next_req"] = n
        rid = f"{ctx.name}#{n}"
        req = {"tried": [], "started": ctx.monotonic()}
        self.pending[rid] = req
        ctx.observe("request", id=rid)
        self._attempt(ctx, rid, req)

    def _pick(self, ctx: Context, req: dict[str, Any]) -> str:
        replicas = self.replicas
        if not self.route_around:
            if req["tried"]:
                return req["tried"][-1]
            choice = replicas[self.rr % len(replicas)]
            self.rr += 1
            return choice
        now = ctx.monotonic()
        for name in [r for r, until in self.ejected.items() if until <= now]:
            del self.ejected[name]
        order = [replicas[(self.rr + i) % len(replicas)] for i in range(len(replicas))]
        self.rr += 1
        for avoid_tried in (True, False):
            for name in order:
                if name not in self.ejected and not (avoid_tried and name in req["tried"]):
                    return name
        # every replica is ejected: try the one whose ejection ends first
        return min(order, key=lambda r: (self.ejected[r], order.index(r)))

    def _attempt(self, ctx: Context, rid: str, req: dict[str, Any]) -> None:
        replica = self._pick(ctx, req)
        req["tried"].append(replica)
        ctx.send(replica, {"type": "req", "id": rid, "attempt": len(req["tried"])})
        ctx.set_timer(f"timeout:{rid}", self.timeout_ms)

    def _believe_suspects(self, ctx: Context) -> None:
        ctx.believe(suspects=sorted(self.ejected))


class AnsweredWithin(Check):
    """Liveness (availability): every request is answered within ``window`` ms."""

    name = "requests-answered"
    kind = "liveness"
    kinds = frozenset({"observe"})

    def __init__(self, window: int) -> None:
        self.window = window
        self.open: dict[str, list[Any]] = {}  # id -> [tick, seq, tried replicas]

    def observe(self, event: Event, world: World) -> Finding:
        what = event.data.get("what")
        rid: Any = event.data.get("id")
        if what == "request":
            self.open[rid] = [event.tick, event.seq, []]
        elif what == "timeout" and rid in self.open:
            self.open[rid][2].append(event.data["replica"])
        elif what == "answered":
            self.open.pop(rid, None)
        return None

    def deadline(self) -> int | None:
        if not self.open:
            return None
        return min(v[0] for v in self.open.values()) + self.window

    def at_deadline(self, now: int, world: World) -> Finding:
        due = self.deadline()
        if due is None or now < due:
            return None
        rid, (tick, seq, timeouts) = min(self.open.items(), key=lambda kv: (kv[1][0], kv[0]))
        tried = f"; timed out on {', '.join(timeouts)}" if timeouts else ""
        return (f"request {rid} (sent at tick {tick}) was not answered within "
                f"{self.window} ms{tried}", [seq])


def service_metrics(world: World) -> dict[str, Any]:
    """``requests``, ``answered``, ``failed`` (gave up), ``availability`` (answered /
    requests whose fate is known), ``timeouts``, ``retries`` (answers after more than one
    attempt), ``mean_latency_ms`` / ``max_latency_ms`` of answered requests."""
    out: dict[str, Any] = {"requests": 0, "answered": 0, "failed": 0, "availability": None,
                           "timeouts": 0, "retries": 0, "mean_latency_ms": None,
                           "max_latency_ms": None}
    latencies: list[float] = []
    for e in world.trace:
        if e.kind != "observe":
            continue
        what = e.data.get("what")
        if what == "request":
            out["requests"] += 1
        elif what == "answered":
            out["answered"] += 1
            latencies.append(e.data["latency_ms"])
            if e.data["attempts"] > 1:
                out["retries"] += 1
        elif what == "failed":
            out["failed"] += 1
        elif what == "timeout":
            out["timeouts"] += 1
    known = out["answered"] + out["failed"]
    if known:
        out["availability"] = round(out["answered"] / known, 4)
    if latencies:
        out["mean_latency_ms"] = round(sum(latencies) / len(latencies), 3)
        out["max_latency_ms"] = max(latencies)
    return out


def _service_program(name: str, *, clients: tuple[str, ...], replicas: tuple[str, ...],
                     knobs: Mapping[str, Any]) -> Program:
    if name in clients:
        return ServiceClient(replicas=replicas, request_every_ms=knobs["request_every_ms"],
                             request_count=knobs["request_count"],
                             timeout_ms=knobs["timeout_ms"], max_attempts=knobs["max_attempts"],
                             route_around=knobs["route_around"], eject_ms=knobs["eject_ms"])
    if name in replicas:
        return Replica(knobs["service_ms"])
    return Idle()


def build_service(nodes: tuple[str, ...], knobs: Mapping[str, Any]) -> Build:
    clients = tuple(knobs["clients"]) or nodes[:1]
    replicas = tuple(knobs["replicas"]) or tuple(n for n in nodes if n not in clients)
    both = [n for n in replicas if n in clients]
    if both:
        raise KnobError("replicas", f"{', '.join(both)} cannot be both client and replica")
    if not replicas:
        raise KnobError("replicas", "needs at least one replica besides the clients")
    program = functools.partial(_service_program, clients=clients, replicas=replicas,
                                knobs=dict(knobs))
    checks: list[Check] = []
    if knobs["answer_within_ms"]:
        checks.append(AnsweredWithin(knobs["answer_within_ms"]))
    return Build(program=program, checks=tuple(checks))


SERVICE_SPEC = ProtocolSpec(
    name="service",
    title="A replicated service (the cloud way)",
    source=SOURCE,
    summary=(
        "Clients send requests to any of several replicas. A request that gets no answer "
        "within a timeout is retried on another replica and the silent one is taken out of "
        "rotation for a while, so the service keeps answering while a node dies: partial "
        "failure is tolerated instead of stopping everything."
    ),
    knobs=(
        Knob("clients", "nodes", (), "Nodes that send requests (empty: the first node).",
             safe="any"),
        Knob("replicas", "nodes", (), "Nodes that answer requests (empty: every node that is "
             "not a client).", safe="at least two, so one can die"),
        Knob("request_every_ms", "int", 50, "Each client sends a request this often.",
             low=1, high=600_000, safe="any"),
        Knob("request_count", "int", 1_000, "Requests each client sends (0: only commands).",
             low=0, high=10_000_000, safe="any"),
        Knob("timeout_ms", "int", 100, "How long an attempt waits for an answer.",
             low=1, high=600_000, safe="above the normal round trip"),
        Knob("max_attempts", "int", 3, "Attempts per request before the client gives up.",
             low=1, high=100, safe=">= 2 (a retry on another replica)"),
        Knob("route_around", "bool", True, "Retry on another replica and eject a silent one "
             "for eject_ms.", safe="true (false: requests sent to a dead replica are never "
                                   "answered)"),
        Knob("eject_ms", "int", 1_000, "How long a silent replica stays out of rotation.",
             low=1, high=3_600_000, safe="any"),
        Knob("service_ms", "int", 0, "Time a replica takes to answer.", low=0, high=600_000,
             safe="well below timeout_ms"),
        Knob("answer_within_ms", "int", 1_000, "Liveness window: every request must be "
             "answered within this many ms (0: no check).", low=0, high=3_600_000,
             safe="at least max_attempts x timeout_ms"),
    ),
    build=build_service,
    commands={"request": "on a client: send one request now; no args"},
    invariants={},
    liveness={"requests-answered": "every request is answered within answer_within_ms"},
    metrics=service_metrics,
    min_nodes=2,
    default_nodes=("n1", "n2", "n3", "n4"),
)

#: The registry reads extra specs from here.
EXTRA_SPECS = (SERVICE_SPEC,)
