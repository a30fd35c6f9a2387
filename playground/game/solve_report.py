"""The solver's findings in words (a table for a terminal) and as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from playground.game.solve import BreakReport, Solution
from playground.game.solve_keep import KeepReport
from playground.sim import TOOLS, Action

if TYPE_CHECKING:
    from rich.console import Console


def _value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def action_words(action: Action) -> str:
    """One action in words, e.g. ``t=601 freeze client-1 duration 2000``."""
    params = action.to_dict()
    grouped = [name for name, p in TOOLS[action.tool].params.items() if p.nodes]
    if grouped:  # a partition: its groups say it all
        groups = " and ".join("{" + _value(g) + "}" for g in params[grouped[0]])
        return f"t={action.tick} {action.tool} into {groups}"
    extra = " ".join(f"{k} {_value(v)}" for k, v in params.items()
                     if k not in ("tick", "tool", "target"))
    return f"t={action.tick} {action.tool} {action.target}" + (f" {extra}" if extra else "")


def knob_words(knobs: Any) -> str:
    """A knob setting in words, e.g. ``timeout_ms 300, fencing true``."""
    return ", ".join(f"{k} {str(v).lower() if isinstance(v, bool) else _value(v)}"
                     for k, v in sorted(knobs.items()))


def big(number: int) -> str:
    """A count in words: exact below a million, else ``3.2e+09``."""
    return f"{number:,}" if number < 1_000_000 else f"{number:.1e}"


def verdict(report: BreakReport | KeepReport) -> str:
    """One sentence: what the solver concludes."""
    if isinstance(report, KeepReport):
        if not report.confirmed:
            return "no setting wins on the level's seed"
        return (f"{report.won_home} of {report.tried} settings win on the level's seed, "
                f"{report.won_everywhere} on every seed tried")
    if report.solutions:
        moves = len(report.solutions[0].actions)
        found = f"broken with {moves} action{'s' if moves != 1 else ''}"
        return found + (" (but the level says it is unbreakable)" if report.unbreakable else "")
    return (f"no attack found among {report.tried:,} tried (space of {big(report.space)})"
            + ("" if report.unbreakable else " (but the level should be breakable)"))


def _solution_json(solution: Solution) -> dict[str, Any]:
    return {"actions": [a.to_dict() for a in solution.actions],
            "words": [action_words(a) for a in solution.actions],
            "violation_tick": solution.violation_tick, "share_code": solution.share_code,
            "wins_on_seeds": list(solution.wins_on), "seeds_tried": list(solution.seeds)}


def to_json(report: BreakReport | KeepReport) -> dict[str, Any]:
    """The machine-readable report (``playground solve --json``)."""
    head = {"level": report.level, "confirmed": report.confirmed, "verdict": verdict(report),
            "winning_fraction": round(report.winning_fraction, 4),
            "seconds": round(report.seconds, 2)}
    if isinstance(report, KeepReport):
        return {**head, "mode": "keep", "seeds": list(report.seeds), "grid": report.grid,
                "settings_tried": report.tried, "runs": report.runs,
                "won_on_level_seed": report.won_home, "won_on_every_seed": report.won_everywhere,
                "winners": [{"knobs": dict(s.knobs), "stars": s.stars, "messages": s.messages,
                             "seeds_won": s.seeds_won, "share_code": s.share_code}
                            for s in report.winners],
                "best": [{"metric": b.metric, "value": b.value, "par": b.par,
                          "knobs": dict(b.knobs)} for b in report.best],
                "optimum": None if report.optimum is None else {
                    "knobs": dict(report.optimum.knobs), "messages": report.optimum.messages,
                    "metrics": dict(report.optimum.metrics)}}
    return {**head, "mode": "break", "unbreakable": report.unbreakable,
            "search_seed": report.seed, "space": report.space, "moves": report.moves,
            "ticks_tried": report.ticks_tried, "candidates_tried": report.tried,
            "random_attacks": report.random_tried, "random_wins": report.random_won,
            "hint": report.hint, "solutions": [_solution_json(s) for s in report.solutions],
            "optimum": None if not report.solutions else {
                "actions": len(report.solutions[0].actions),
                "ticks": report.solutions[0].violation_tick}}


def render(report: BreakReport | KeepReport, console: Console) -> None:
    """Print the report as a summary table and a table of solutions or settings."""
    from rich.table import Table

    summary = Table(title=f"{report.level}: {verdict(report)}", show_header=False)
    summary.add_column("what", style="bold")
    summary.add_column("value")
    rows: list[tuple[str, str]]
    if isinstance(report, KeepReport):
        rows = [("knob grid", f"{report.grid:,} settings, {report.tried:,} tried"),
                ("seeds", ", ".join(map(str, report.seeds))),
                ("runs", f"{report.runs:,}"),
                ("winning fraction", f"{report.winning_fraction:.1%} of an even grid of "
                                     f"{report.sampled:,} win on the level's seed"),
                ("robust", f"{report.won_everywhere:,} settings win on every seed")]
        rows += [(f"best {b.metric}", f"{b.value:g} with {knob_words(b.knobs)}"
                  + (f" (par {b.par:g})" if b.par is not None else "")) for b in report.best]
    else:
        rows = [("space", f"{big(report.space)} attacks ({report.moves} moves x "
                          f"{report.ticks_tried} telling ticks in the grid)"),
                ("candidates tried", f"{report.tried:,}"),
                ("winning fraction", f"{report.winning_fraction:.1%} of "
                                     f"{report.random_tried:,} random attacks win")]
        if report.hint:
            rows.append(("hint", report.hint))
    rows.append(("seconds", f"{report.seconds:.1f}"))
    for row in rows:
        summary.add_row(*row)
    console.print(summary)
    if isinstance(report, KeepReport):
        table = Table(title="Winning settings")
        for name in ("#", "knobs", "seeds won", "stars", "messages"):
            table.add_column(name, overflow="fold")
        for number, s in enumerate(report.winners, start=1):
            table.add_row(str(number), knob_words(s.knobs), f"{s.seeds_won} of "
                          f"{len(report.seeds)}", str(s.stars), str(s.messages))
        codes = [s.share_code for s in report.winners]
    else:
        table = Table(title="Minimal solutions")
        for name in ("#", "actions", "violation at", "wins on seeds"):
            table.add_column(name, overflow="fold")
        for number, sol in enumerate(report.solutions, start=1):
            table.add_row(str(number), "\n".join(action_words(a) for a in sol.actions),
                          f"t={sol.violation_tick}",
                          f"{', '.join(map(str, sol.wins_on))} of {', '.join(map(str, sol.seeds))}")
        codes = [s.share_code for s in report.solutions]
    if table.row_count:
        console.print(table)
    for number, code in enumerate(codes, start=1):
        console.print(f"share code {number}: {code}", soft_wrap=True, highlight=False)
