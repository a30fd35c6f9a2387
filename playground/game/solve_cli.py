"""``playground solve``: run the solver on one level and print what it found."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from playground.game.level import Level
from playground.game.solve import solve
from playground.game.solve_health import act_two_notes, act_two_problems
from playground.game.solve_record import build_record, idle_job, write_record
from playground.game.solve_report import render, to_json
from playground.game.solve_space import Progress
from playground.game.sweep import run_many

if TYPE_CHECKING:
    from rich.console import Console


def level_ref(spec: str, level: Level) -> str:
    """What the batch runner needs to load ``level``: its file for a path, else its id."""
    return str(Path(level.path).resolve()) if spec.endswith(".toml") or Path(spec).exists() \
        else level.id


def cmd_solve(args: argparse.Namespace, level: Level) -> int:
    """Solve ``level``; exit 0 if its answer is confirmed, 1 if not."""
    from rich.console import Console

    console = Console(stderr=True)
    with _progress_bar(console, enabled=console.is_terminal and not args.json) as progress:
        report = solve(level, level_ref(args.level, level), search_seed=args.seed,
                       seeds=args.seeds, budget=args.budget, workers=args.workers,
                       cluster=args.cluster, progress=progress)
    found = to_json(report)
    act_two, notes = act_two_problems(level, found), act_two_notes(found)
    if args.json:
        print(json.dumps({**found, "act_two": {"ok": not act_two, "problems": act_two,
                                               "notes": notes}}, indent=2))
    else:
        out = Console(file=sys.stdout)
        render(report, out)
        out.print(f"act II rules: {'; '.join(act_two) if act_two else 'met'}"
                  + "".join(f" (note: {n})" for n in notes)
                  + ("" if level.act == 2 else " (this is an act I level; they apply to act II)"),
                  highlight=False)
    if args.write:
        ref = level_ref(args.level, level)
        [idle] = run_many([idle_job(level, ref)], workers=1)
        settings = {"budget": args.budget, "seeds": args.seeds, "search_seed": args.seed}
        path = write_record(level, build_record(level, report, idle, settings))
        console.print(f"wrote {path}", highlight=False)
    return 0 if report.confirmed else 1


@contextmanager
def _progress_bar(console: Console, *, enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar with one line per search phase, or nothing off a terminal."""
    if not enabled:
        yield None
        return
    from rich.progress import Progress as Bar
    from rich.progress import TaskID

    tasks: dict[str, TaskID] = {}
    with Bar(console=console, transient=True) as bar:

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update
