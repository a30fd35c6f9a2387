"""The codex: the chapter's concepts, explained in a few sentences each.

Levels name the concepts they introduce (``concepts = [...]``); the codex shows every
concept of the levels the player has met, with the explanation below when it knows the
concept, and otherwise the idea of the level that introduced it. Each entry links to its
outline entry (chapter section › entry).
"""
# ruff: noqa: RUF002  (the game draws with these symbols on purpose)

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from playground.game import words
from playground.game.level import Level
from playground.game.outline import CHAPTERS, entry_index
from playground.sim import TOOLS
from playground.sim.actions import PLAYER_TOOLS
from playground.tui.tools import TOOL_KEYS, TOOL_SYMBOLS

GLOSSARY: dict[str, str] = {
    "partial failure": "Some parts of the system are broken in unpredictable ways while "
    "others work. It is nondeterministic: the same operation may succeed or fail, and you may "
    "not even know which.",
    "network partition": "Some nodes cannot reach others while each side keeps running. A "
    "node on the small side usually cannot tell a partition from dead peers.",
    "one-way link": "A link that carries messages in one direction only: a node can hear its "
    "peers but not answer them, so it keeps being suspected and deposed.",
    "split brain": "Two nodes both believe they are the leader (or lock holder) and both act "
    "on it. Quorums, leases and fencing exist to stop it.",
    "timeout": "The only way to detect a fault over an asynchronous network. Too short and "
    "live nodes are declared dead; too long and failures are noticed late.",
    "unbounded delay": "An asynchronous network promises no upper bound on how long a "
    "message takes: queues in switches, the OS and the hypervisor add delay.",
    "phi accrual": "A failure detector that outputs a suspicion level (phi) from the observed "
    "distribution of heartbeat intervals instead of a fixed timeout; Cassandra uses phi = 8.",
    "failure detector": "A component that decides when a node is presumed dead, from the "
    "absence of heartbeats or replies within some time.",
    "idempotency": "An operation that has the same effect however many times it is applied. "
    "With an idempotency key, a retried request is recognised and not charged twice.",
    "retry": "Sending a request again when no reply came. The sender cannot tell whether the "
    "request or the reply was lost, so retries need idempotency.",
    "synchronous network": "A network with a bounded delay, such as a telephone circuit: "
    "capacity is reserved, so nothing queues, but unused capacity is wasted.",
    "time-of-day clock": "Returns the current date and time (wall-clock time). It is "
    "synchronised with NTP and may jump forwards or backwards, so it is unfit for measuring "
    "durations.",
    "monotonic clock": "Always moves forward; only differences between readings mean "
    "something. Use it to measure durations such as timeouts and leases.",
    "clock step": "A sudden jump of a time-of-day clock, e.g. when NTP corrects a large "
    "offset or a leap second is applied. Elapsed time computed across it can be negative.",
    "clock drift": "Quartz clocks run fast or slow, typically by up to 200 ppm (17 seconds a "
    "day), so clocks drift apart between synchronisations.",
    "ntp": "The Network Time Protocol estimates a clock's offset from servers over the "
    "network; asymmetric or variable delays limit its accuracy.",
    "last write wins": "Resolving concurrent writes by keeping the one with the greatest "
    "timestamp. With skewed clocks, a causally later write can be silently dropped.",
    "confidence interval": "A clock reading with error bars [earliest, latest]. Spanner's "
    "TrueTime exposes it, and commit wait sits out the uncertainty before committing.",
    "commit wait": "Waiting out a clock's uncertainty interval before a commit becomes "
    "visible, so timestamps respect causality (Spanner waits about 2ε).",
    "lease": "A lock with a timeout: the holder may act until the lease expires. It is only "
    "safe if the holder's notion of time, and its ability to run, can be trusted.",
    "process pause": "A thread can stop for a long time at any point: garbage collection, a "
    "VM being suspended, swapping, a SIGSTOP. Meanwhile the rest of the system moves on.",
    "fencing token": "A number that increases every time a lease or lock is granted; the "
    "storage rejects writes carrying an older token, so a zombie holder cannot do harm.",
    "quorum": "A decision by a majority of nodes. Any two majorities overlap, so the "
    "majority's decision stands even if some nodes disagree or are unreachable.",
    "the truth is defined by the majority": "A node cannot trust its own judgement of a "
    "situation; it must abide by what a quorum decides, even when that declares it dead.",
    "zombie": "A node that was declared dead or deposed but still believes it holds a lease "
    "or leads, and keeps acting on that belief.",
    "byzantine fault": "A node that does not follow the protocol: it may lie, forge messages "
    "or tell different peers different things. Tolerating f such nodes needs n > 3f.",
    "equivocation": "A Byzantine node telling different peers different things, so that "
    "honest nodes disagree without being able to tell who lied.",
    "signatures": "Signed messages cannot be forged by anyone but their signer, which limits "
    "what a Byzantine node can make others believe.",
    "system model": "The assumptions an algorithm makes about timing (synchronous, partially "
    "synchronous, asynchronous) and faults (crash-stop, crash-recovery, Byzantine).",
    "safety": "Nothing bad happens (e.g. no two leaders). Once violated, it cannot be undone; "
    "it must hold always.",
    "liveness": "Something good eventually happens (e.g. a request gets a reply). It may "
    "hold only eventually, under some conditions.",
    "crash-recovery": "A node may crash and later restart; volatile state is lost and only "
    "what was written to stable storage survives.",
    "checkpoint": "Saving a computation's state so a batch job restarts from there after a "
    "crash instead of from the beginning.",
    "reliable delivery": "Retransmission, sequence numbers and deduplication turn a lossy, "
    "duplicating link into one that delivers each message exactly once, in order.",
}

ALIASES: dict[str, str] = {
    "partition": "network partition",
    "partitions": "network partition",
    "split-brain": "split brain",
    "timeouts": "timeout",
    "time of day clock": "time-of-day clock",
    "wall clock": "time-of-day clock",
    "monotonic": "monotonic clock",
    "lww": "last write wins",
    "last-write-wins": "last write wins",
    "truetime": "confidence interval",
    "leases": "lease",
    "gc pause": "process pause",
    "pause": "process pause",
    "fencing": "fencing token",
    "fencing tokens": "fencing token",
    "majority": "quorum",
    "quorums": "quorum",
    "byzantine": "byzantine fault",
    "byzantine faults": "byzantine fault",
    "byzantine generals": "byzantine fault",
    "idempotency key": "idempotency",
    "idempotence": "idempotency",
    "phi accrual failure detector": "phi accrual",
    "drift": "clock drift",
    "clock skew": "clock drift",
    "ntp step": "clock step",
}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


_NORMALISED = {_key(k): k for k in GLOSSARY}
_NORMALISED_ALIASES = {_key(k): v for k, v in ALIASES.items()}


def explain(concept: str) -> str | None:
    """The glossary text of ``concept`` (forgiving about case, dashes and plurals)."""
    key = _key(concept)
    name = _NORMALISED.get(key) or _NORMALISED_ALIASES.get(key)
    if name is None and key.endswith("s"):
        name = _NORMALISED.get(key[:-1])
    return GLOSSARY.get(name) if name else None


@attrs.frozen
class CodexEntry:
    """One concept: what it is, where in the outline, which level introduced it."""

    concept: str
    text: str
    chapter: str
    section: str
    level_title: str
    known: bool  # met by the player


def codex_entries(levels: Iterable[Level], seen: set[str]) -> list[CodexEntry]:
    """Every concept of ``levels`` once (first level wins), in outline order; those of
    levels in ``seen`` are ``known``."""
    entries: dict[str, CodexEntry] = {}
    for level in levels:
        for concept in level.concepts:
            key = _key(concept)
            if key in entries and (entries[key].known or level.id not in seen):
                continue
            text = explain(concept) or level.debrief.get("idea", "") or level.briefing
            entries[key] = CodexEntry(concept, text, level.chapter, level.section,
                                      level.title, level.id in seen)
    return sorted(entries.values(), key=lambda e: (
        CHAPTERS.index(e.chapter) if e.chapter in CHAPTERS else 99,
        entry_index(e.chapter, e.section), e.concept.lower()))


def tools_met(levels: Iterable[Level], seen: set[str]) -> list[str]:
    """The tools in the toolboxes of the levels met, in the table's order."""
    met = [level for level in levels if level.id in seen and level.mode == "break"]
    return [name for name in PLAYER_TOOLS if any(name in level.toolbox for level in met)]


def tool_title(name: str) -> str:
    """``❄ freeze (key f)``."""
    return f"{TOOL_SYMBOLS[name]} {TOOLS[name].label} (key {TOOL_KEYS[name]})"


def tool_text(name: str) -> str:
    """What a tool does and what it asks for, from the engine's table of tools."""
    tool = TOOLS[name]
    lines = [words.prose(tool.doc)]
    if tool.undoes:
        lines.append(f"It undoes {TOOLS[tool.undoes].label}.")
    asked = [f"  • {p.label}: {p.doc or p.hint or ', '.join(p.choices)}".rstrip(": ")
             for p in tool.asked.values()]
    if asked:
        lines += ["", "It asks for", *asked]
    return "\n".join(lines)
