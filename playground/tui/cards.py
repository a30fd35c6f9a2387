"""Node cards as ``(text, class)`` runs: what a node believes beside what is true.

A card has a header (number, name, role, term, a status badge: ``❄ FROZEN``, ``✖ CRASHED``,
``≠ LYING``) and info lines in priority order, so a short card keeps what matters most: the
two clocks side by side (``↶`` marks a time-of-day clock that reads earlier than it once
did), the truth the node does not know, lease and fencing token, value and commit index, the
last decision, then anything else the protocol publishes. Every state has a symbol or a word,
so the card reads the same without colour.
"""


from __future__ import annotations

from playground.game import words
from playground.game.words import MORE
from playground.sim import CRASHED, FROZEN
from playground.tui.model import (
    JUMP_BACK,
    JUMP_FORWARD,
    LEADER_SYMBOL,
    NodeView,
    fmt_ms,
    fmt_value,
)
from playground.tui.widgets.paint import crop

Runs = list[tuple[str, str]]

FULL_HEIGHT = 7  # border + 5 info lines + border
COMPACT_HEIGHT = 3  # header + 2 info lines
FULL_MIN_WIDTH = 24
COMPACT_MIN_WIDTH = 21
TINY_HEIGHT = 2  # header + 1 info line: many nodes on a small screen
TINY_MIN_WIDTH = 15
UNCUT = 10_000  # wide enough that no info line is cut or split (the detail line)


def _fit(runs: Runs, width: int) -> Runs:
    """Cut runs to ``width`` characters and pad with spaces."""
    out = _crop(runs, width)
    used = sum(len(text) for text, _ in out)
    if used < width:
        out.append((" " * (width - used), ""))
    return out


def _crop(runs: Runs, width: int) -> Runs:
    """Cut runs to at most ``width`` characters (no padding), ending with ``…`` if cut."""
    return crop(runs, width)


def badge(view: NodeView) -> tuple[str, str] | None:
    """The status badge: symbol and word, and its class."""
    if view.status == CRASHED:
        return "✖ CRASHED", "crashed"
    if view.status == FROZEN:
        return "❄ FROZEN", "frozen"
    if view.lying:
        return "≠ LYING", "lying"
    return None


def header_runs(view: NodeView, *, selected: bool, linked: bool) -> Runs:
    """Number, name, role and term."""
    name_cls = "selected" if selected else ("linked" if linked else "name")
    runs: Runs = [(f"{view.index} {view.name}", name_cls)]
    if view.role:
        if view.is_leader:
            runs.append((f" {LEADER_SYMBOL}{view.role}", "stale" if view.stale_leader
                         else "leader"))
        else:
            runs.append((f" {view.role}", "role"))
    if view.term is not None:
        runs.append((f" {view.term_label}{fmt_value(view.term, 6)}", "term"))
    return runs


def clock_lines(view: NodeView, width: int) -> list[Runs]:
    """Time-of-day and monotonic clocks side by side (on two lines if they do not fit),
    with ``↶`` when the time-of-day clock reads earlier than it once did."""
    tod: Runs = [("tod ", "label"), (fmt_ms(view.tod), "clock")]
    if view.jumped is not None:
        tod.append((f"{JUMP_BACK}{fmt_ms(view.jumped, 0)}", "jump"))
    elif view.stepped is not None:
        tod.append((f"{JUMP_FORWARD}+{fmt_ms(view.stepped, 0)}", "jump"))
    mono: Runs = [("mono ", "label"), (fmt_ms(view.mono), "clock")]
    if _width(tod) + 1 + _width(mono) <= width:
        return [[*tod, (" ", ""), *mono]]
    return [tod, mono]


def _width(runs: Runs) -> int:
    return sum(len(t) for t, _ in runs)


def _limit(full: bool, short: int) -> int:
    return UNCUT if full else short


def lease_runs(view: NodeView, full: bool = False) -> Runs:
    runs: Runs = []
    if view.lease_until is not None:
        runs += [("lease≤", "label"), (fmt_value(view.lease_until, _limit(full, 9)), "value")]
        if view.lease_over:
            runs.append(("✗over", "warn"))
        else:
            runs.append(("✓", "ok"))
    if view.token is not None:
        runs += [(" tok " if runs else "tok ", "label"),
                 (fmt_value(view.token, _limit(full, 6)), "value")]
    if view.leader is not None and not view.is_leader:
        runs += [(" → " if runs else "→ ", "label"),
                 (fmt_value(view.leader, _limit(full, 8)), "value")]
    return runs


def value_runs(view: NodeView, full: bool = False) -> Runs:
    runs: Runs = []
    if view.value is not None:
        runs += [("val ", "label"), (fmt_value(view.value, _limit(full, 10)), "value")]
    if view.commit_index is not None:
        runs += [(" commit " if runs else "commit ", "label"),
                 (fmt_value(view.commit_index, _limit(full, 6)), "value")]
    return runs


def other_runs(view: NodeView, full: bool = False) -> list[Runs]:
    lines: list[Runs] = []
    if view.suspects is not None:
        lines.append([("suspects ", "label"), (fmt_value(view.suspects, _limit(full, 20)), "warn"
                                                if view.suspects else "value")])
    if view.offset_belief is not None:
        lines.append([("thinks off ", "label"),
                      (fmt_value(view.offset_belief, _limit(full, 8)), "value")])
    if view.status_belief is not None:
        lines.append([("status ", "label"),
                      (fmt_value(view.status_belief, _limit(full, 14)), "value")])
    if view.extra:
        lines.append([(words.fields(view.extra, sep=" · "), "value")])
    return lines


def truth_lines(view: NodeView, width: int, most: int) -> list[Runs]:
    """What is true that the node does not know, word-wrapped into at most ``most`` lines."""
    if not view.truths:
        return []
    tokens = ("truth: " + " · ".join(view.truths)).split(" ")
    lines: list[str] = []
    current = ""
    for word in tokens:
        candidate = f"{current} {word}" if current else word
        if len(candidate) > width and current:
            lines.append(current)
            current = "  " + word
        else:
            current = candidate
    lines.append(current)
    if len(lines) > most:  # the rest is in the detail line: say so
        lines = [*lines[: most - 1], words.fit(lines[most - 1] + " " + MORE, width)]
    out: list[Runs] = []
    for i, line in enumerate(lines[:most]):
        if i == 0:
            out.append([("truth:", "truth-label"), (line[len("truth:"):], "truth")])
        else:
            out.append([(line, "truth")])
    return out


def decision_runs(decision: str, width: int) -> Runs:
    """``★ key=value @tick``: if too wide, the value is cut (with ``…``), never the tick."""
    what, at, tick = decision.rpartition(" @")
    if not at:
        what, tick = decision, ""
    tail = f" @{tick}" if at else ""
    return [("★ ", "decide"), (words.fit(what, max(1, width - 2 - len(tail))) + tail, "decide")]


def info_lines(view: NodeView, count: int, compact: bool, width: int = 30,
               full: bool = False) -> list[Runs]:
    """The ``count`` most important info lines for a card ``width`` wide (``full``: values
    uncut, for the detail line)."""
    clocks = clock_lines(view, width)
    candidates: list[Runs] = clocks[:1]
    candidates += truth_lines(view, width, 1 if compact else 2)
    candidates += clocks[1:]
    lease = lease_runs(view, full)
    value = value_runs(view, full)
    if compact and lease and value:
        candidates.append([*lease, ("  ", ""), *value])
    else:
        candidates += [r for r in (lease, value) if r]
    if view.decision:
        candidates.append(decision_runs(view.decision, width))
    candidates += other_runs(view, full)
    lines = candidates[:count]
    if len(candidates) > count > 0:  # more than fits: the detail line has the rest
        lines[-1] = [*lines[-1], (" " + MORE, "label")]
    while len(lines) < count:
        lines.append([])
    return lines


def card_detail(view: NodeView) -> str:
    """Everything the card says, uncut, on one line (the play screen's detail line)."""
    head = "".join(t for t, _ in header_runs(view, selected=False, linked=False))
    flag = badge(view)
    lines = info_lines(view, 99, compact=False, width=UNCUT, full=True)
    parts = ["".join(t for t, _ in line).strip() for line in lines]
    return " · ".join([head + (f" {flag[0]}" if flag else ""), *(p for p in parts if p)])


def card_lines(view: NodeView, width: int, *, compact: bool, selected: bool = False,
               linked: bool = False, height: int = COMPACT_HEIGHT) -> list[Runs]:
    """The card as lines of runs, each exactly ``width`` wide (the last column is a gap)."""
    inner = max(4, width - 1)
    flag = badge(view)
    head = header_runs(view, selected=selected, linked=linked)
    if compact:
        lines = []
        marker = ("▶", "selected") if selected else (("→", "linked") if linked else (" ", ""))
        top: Runs = [marker, *head]
        if flag:
            top_len = sum(len(t) for t, _ in top)
            room = inner - top_len - 1
            text = flag[0] if room >= len(flag[0]) else flag[0].split()[0]
            top += [(" " * max(1, inner - top_len - len(text)), ""), (text, flag[1])]
        lines.append([*_fit(top, inner), (" ", "")])
        for info in info_lines(view, height - 1, compact=True, width=inner - 2):
            lines.append([*_fit([("  ", ""), *info], inner), (" ", "")])
        return lines
    border = "border-selected" if selected else ("border-linked" if linked else "border")
    if view.status == CRASHED:
        border = "border-crashed" if not selected else border
    body = inner - 2
    tail: Runs = []
    if flag:
        room = inner - 4 - _width(head)
        text = flag[0] if room >= len(flag[0]) + 2 else flag[0].split()[0]
        tail = [(f" {text} ", flag[1])]
    tail_len = sum(len(t) for t, _ in tail)
    head_fit = _crop(head, max(1, inner - 4 - tail_len))
    fill = inner - 3 - sum(len(t) for t, _ in head_fit) - tail_len
    top = [("╭ ", border), *head_fit, (" " + "─" * max(0, fill - 1), border), *tail,
                 ("╮", border)]
    lines = [[*_fit(top, inner), (" ", "")]]
    for info in info_lines(view, FULL_HEIGHT - 2, compact=False, width=body - 1):
        lines.append([("│", border), *_fit([(" ", ""), *info], body), ("│", border), (" ", "")])
    lines.append([("╰" + "─" * body + "╯", border), (" ", "")])
    return lines
