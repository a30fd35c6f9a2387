"""The ``playground`` command.

``play`` (the default) starts the terminal game; ``levels``, ``run``, ``verify``, ``solve``
and ``check-level`` work headless and print JSON with ``--json``. Bad input (arguments, level or
action files, share codes) exits with status 2 and one line ``FILE:LINE: message`` on
stderr — never a traceback. Anything else is a bug: its traceback goes to a crash log in the
data dir, one line says where, and the exit status is 70.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from playground import __version__
from playground.crashlog import report_crash
from playground.errors import PlaygroundError
from playground.serve import cli as serve_cli

if TYPE_CHECKING:
    from playground.game.campaign import Campaign
    from playground.game.level import Level


class UsageError(PlaygroundError):
    """Bad input: printed as one line, exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (``playground run: error: ...``)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="playground",
        description="The Distributed Systems Playground: break and defend a simulated cluster.",
    )
    parser.add_argument("--version", action="version", version=f"playground {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    play = sub.add_parser("play", help="play the game in this terminal (the default)")
    play.add_argument("--player", type=_player_name, default=None,
                      help="whose progress to use (default: local)")
    sub.add_parser("version", help="print the version")

    levels = sub.add_parser("levels", help="list the campaign")
    levels.add_argument("--json", action="store_true", help="print JSON")

    run = sub.add_parser("run", help="play a level headless with an action file or share code")
    run.add_argument("level", help="level id, or path to a level file")
    source = run.add_mutually_exclusive_group()
    source.add_argument("--actions", metavar="FILE", help="action file (TOML)")
    source.add_argument("--share", metavar="CODE", help="share code")
    run.add_argument("--seed", type=int, help="override the seed")
    run.add_argument("--json", action="store_true", help="print JSON")
    run.add_argument("--trace", metavar="FILE", help="write the trace to FILE")
    run.add_argument("--trace-format", choices=("jsonl", "shiviz"), default="jsonl",
                     help="trace format (default jsonl)")

    verify = sub.add_parser("verify", help="check every level: solution wins, idle loses, "
                                           "runs are deterministic")
    verify.add_argument("--json", action="store_true", help="print JSON")
    verify.add_argument("--workers", "--jobs", type=serve_cli.positive_int, default=None,
                        metavar="N",
                        help="local worker processes (default: every core; 1: no pool)")
    verify.add_argument("--cluster", metavar="tcp://HOST:PORT", default=None,
                        help="run on a Dask cluster (the [cluster] extra) instead")

    solve = sub.add_parser("solve", help="search a level for its answer: attacks that break it, "
                                         "or knob settings that keep it")
    solve.add_argument("level", help="level id, or path to a level file")
    solve.add_argument("--seeds", type=serve_cli.positive_int, default=3, metavar="K",
                       help="seeds each solution or setting is tried on (default 3)")
    solve.add_argument("--budget", type=serve_cli.positive_int, default=300, metavar="N",
                       help="runs the search may spend (default 300)")
    solve.add_argument("--seed", type=int, default=0, metavar="S",
                       help="seed of the search's random choices (default 0)")
    solve.add_argument("--workers", type=serve_cli.positive_int, default=None, metavar="N",
                       help="worker processes (default: all cores)")
    solve.add_argument("--cluster", metavar="ADDRESS", default=None,
                       help="run on a Dask scheduler, e.g. tcp://HOST:8786 (the [cluster] extra)")
    solve.add_argument("--json", action="store_true", help="print JSON")
    solve.add_argument("--write", action="store_true",
                       help="store the findings as the level's solver record, which verify "
                            "checks and the game's hints use (solutions/ID.solver.json)")

    check = sub.add_parser("check-level", help="check a level file; exit 2 if it is invalid")
    check.add_argument("file", help="level file (TOML)")
    serve_cli.add_parsers(sub)
    return parser


def _player_name(text: str) -> str:
    """An argparse type: a player name that can name a save file."""
    from playground.game.progress import PLAYER_NAME, PLAYER_RULE

    if not PLAYER_NAME.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a player name ({PLAYER_RULE})")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        status = _dispatch(argv)
        sys.stdout.flush()  # a closed pipe shows up here, not at the interpreter's exit
        return status
    except PlaygroundError as exc:  # bad input: level, action file, share code, argument
        print(f"playground: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`playground levels | head`)
        return _quiet_broken_pipe()
    except Exception as exc:  # a bug, whatever its type
        return report_crash(exc, argv)


def _quiet_broken_pipe() -> int:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + 13  # as if killed by SIGPIPE, the way shell tools end


def _dispatch(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "play"
    served = serve_cli.dispatch(args)
    if served is not None:
        return served
    if command == "version":
        print(f"playground {__version__}")
        return 0
    if command == "levels":
        return cmd_levels(args)
    if command == "run":
        return cmd_run(args)
    if command == "verify":
        return cmd_verify(args)
    if command == "solve":
        from playground.game.solve_cli import cmd_solve

        return cmd_solve(args, _load_level(args.level))
    if command == "check-level":
        return cmd_check_level(args)
    from playground.tui.app import run_app

    return run_app(player=getattr(args, "player", None))


def _campaign() -> Campaign:
    from playground.game.campaign import load_campaign

    return load_campaign()


def cmd_levels(args: argparse.Namespace) -> int:
    campaign = _campaign()
    rows: list[dict[str, Any]] = [
        {"id": lv.id, "title": lv.title, "act": lv.act, "chapter": lv.chapter,
         "section": lv.section,
         "mode": lv.mode, "protocol": lv.protocol.name, "ticks": lv.ticks}
        for lv in campaign.levels]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max(len(r["id"]) for r in rows)
    for number, r in enumerate(rows, start=1):
        print(f"{number:>2}. {r['id']:<{width}}  {r['mode']:<7}  {r['title']}  "
              f"({r['section']})")
    return 0


def _load_level(spec: str) -> Level:
    from playground.game.level import load_level

    if spec.endswith(".toml") or os.sep in spec or Path(spec).exists():
        return load_level(spec)
    campaign = _campaign()
    try:
        return campaign.get(spec)
    except KeyError:
        known = ", ".join(lv.id for lv in campaign.levels)
        raise UsageError(f"unknown level {spec!r} (levels: {known})") from None


def cmd_run(args: argparse.Namespace) -> int:
    import attrs

    from playground.game.actionfile import Attempt, load_attempt, parse_share_code
    from playground.game.session import Session
    from playground.game.verdict import judge_over_seeds

    level = _load_level(args.level)
    if args.actions:
        attempt = load_attempt(args.actions, level)
    elif args.share:
        attempt = parse_share_code(args.share, level)
    else:
        attempt = Attempt(level.id)
    if args.seed is not None:
        attempt = attrs.evolve(attempt, seed=args.seed)  # one seed: that seed is the verdict
    session = Session.from_attempt(level, attempt)
    session.run_to_end()
    result = session.result()
    if args.seed is None and level.seeds > 1:
        result = judge_over_seeds(level, result, attempt.knobs)
    if args.trace:
        _write_trace(session.world.trace, Path(args.trace), args.trace_format)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print_result(result)
    return 0 if result["outcome"] in ("won", "done") else 1


def _write_trace(trace: Any, path: Path, fmt: str) -> None:
    try:
        with path.open("w", encoding="utf-8") as out:
            if fmt == "shiviz":
                trace.write_shiviz(out)
            else:
                trace.write_jsonl(out)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write trace: {exc.strerror or exc}") from None


def _print_result(result: dict[str, Any]) -> None:
    stars = "*" * result["stars"] + "." * (3 - result["stars"])
    print(f"{result['level']}: {result['outcome'].upper()} at tick {result['ticks']} "
          f"[{stars}] score {result['score']}")
    print(f"  {result['reason']}")
    over = result.get("seeds")
    if over:
        lost = ", ".join(str(run["seed"]) for run in over["runs"] if run["outcome"] != "won")
        print(f"  seeds {over['first']}..{over['last']}: won on {over['won']} of "
              f"{len(over['runs'])}" + (f" (lost: {lost})" if lost else ""))
    for v in result["violations"]:
        print(f"  ! {v['invariant']} ({v['kind']}) at tick {v['tick']}: {v['detail']}")
    print(f"  actions {result['actions']}, messages {result['messages']}, "
          f"trace {result['trace_sha256'][:16]}")
    print(f"  share: {result['share_code']}")


def cmd_verify(args: argparse.Namespace) -> int:
    from playground.game.verify import verify_campaign
    from playground.progressbar import sweep_progress

    campaign = _campaign()
    with sweep_progress("verifying", sys.stderr.isatty() and not args.json) as progress:
        reports = verify_campaign(campaign, workers=args.workers, cluster=args.cluster,
                                  progress=progress)
    ok = all(r["ok"] for r in reports)
    if args.json:
        print(json.dumps({"ok": ok, "levels": reports}, indent=2))
    else:
        for r in reports:
            status = "ok  " if r["ok"] else "FAIL"
            health = r.get("health") or {}
            figure = (f"  (difficulty {health['difficulty']:.1%})"
                      if health.get("difficulty") is not None else "")
            print(f"{status} {r['level']}{figure}"
                  + "".join(f"\n     - {p}" for p in r["problems"])
                  + "".join(f"\n     note: {n}" for n in health.get("notes", ())))
        print(f"{sum(r['ok'] for r in reports)} of {len(reports)} levels verified")
    return 0 if ok else 1


def cmd_check_level(args: argparse.Namespace) -> int:
    from playground.game.levelcheck import check_level_file

    level = check_level_file(args.file)
    print(f"{args.file}: ok ({level.id}, {level.mode}, {level.protocol.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
