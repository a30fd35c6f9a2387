"""Command-line commands for workshops: ``serve ssh``, ``serve web`` and ``leaderboard``.

``playground/cli.py`` adds them with :func:`add_parsers` and runs them with :func:`dispatch`;
:func:`main` is a stand-alone entry point with the same commands. Bad arguments or settings
exit with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from playground.game.room import Room

COMMANDS = ("serve", "leaderboard")


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _port(text: str) -> int:
    value = _int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0..65535 (0: any free port), not {text}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


def _count(text: str) -> int:
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or more, not {text}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value < 10**7:
        raise argparse.ArgumentTypeError(f"seconds must be 0 (no limit) or more, not {text}")
    return value


def _period(text: str) -> float:
    """An argparse type: a refresh period, 0.5 to 3600 seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text}") from None
    if not 0.5 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"must be 0.5 to 3600 seconds, not {text}")
    return value


def _memory(text: str) -> int:
    value = _int(text)
    if value != 0 and value < 64:
        raise argparse.ArgumentTypeError(f"--memory-mb must be 0 (no cap) or at least 64, "
                                         f"not {text}")
    return value


def _frame_budget(text: str) -> float | None:
    if text == "auto":
        return None
    try:
        value = float(text.removesuffix("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--frame-budget must be 'auto' or a percentage of "
                                         f"one core, not {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"--frame-budget must be 0 (unpaced) to 100 "
                                         f"(percent of one core), not {text}")
    return value / 100


def _add_common(parser: argparse.ArgumentParser, port: int) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only; "
                             "0.0.0.0 for the room)")
    parser.add_argument("--port", type=_port, default=port, help=f"port (default {port})")
    parser.add_argument("--max-sessions", type=positive_int, default=64, metavar="N",
                        help="games at once (default 64)")
    parser.add_argument("--per-address", type=_count, default=16, metavar="N",
                        help="games at once from one client address (default 16; 0: no cap; "
                             "raise it if the room shares one public address)")
    parser.add_argument("--idle-timeout", type=_seconds, default=1800.0, metavar="S",
                        help="end a game after S seconds without a key press (default 1800; "
                             "0: never)")
    parser.add_argument("--max-session", type=_seconds, default=14400.0, metavar="S",
                        help="end a game after S seconds (default 14400; 0: never)")
    parser.add_argument("--memory-mb", type=_memory, default=1024, metavar="N",
                        help="address-space cap of each game process (default 1024; 0: none)")
    parser.add_argument("--frame-budget", type=_frame_budget, default=None, metavar="PERCENT",
                        help="CPU each playing game may spend on frames, in percent of one "
                             "core: it draws fewer frames per second to stay within it (default "
                             "auto: 70%% of the cores shared by --max-sessions games; 0: "
                             "unpaced, 30 frames per second)")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="where progress, the leaderboard and the host key live "
                             "(default: the user data dir, or $PLAYGROUND_DATA_DIR)")
    parser.add_argument("--room", metavar="FILE",
                        help="a room file (TOML): which levels are open, a time limit, a "
                             "message on the title screen (see docs/workshop.md)")
    parser.add_argument("--game-command", metavar="CMD",
                        help="run CMD instead of the game (advanced: a custom build or a test "
                             "double; it finds the player in $PLAYGROUND_PLAYER)")


def add_parsers(subparsers: Any) -> None:
    """Add ``serve`` (with ``ssh`` and ``web``) and ``leaderboard`` to ``playground``'s
    sub-commands."""
    serve = subparsers.add_parser("serve", help="run a workshop server (ssh or web)",
                                  description="Serve the game to a room: over SSH or the web.")
    serve.set_defaults(_serve_parser=serve)
    modes = serve.add_subparsers(dest="serve_mode", metavar="MODE",
                                 parser_class=type(serve))
    ssh = modes.add_parser("ssh", help="serve the game over SSH (one game per session)",
                           description="Serve the game over SSH. The SSH user name is the "
                                       "player name.")
    _add_common(ssh, 2222)
    ssh.add_argument("--authorized-keys", metavar="FILE",
                     help="let in the public keys listed in FILE (OpenSSH format; re-read "
                          "when it changes)")
    ssh.add_argument("--password-file", metavar="FILE",
                     help="let in whoever knows the workshop password on line 1 of FILE")
    ssh.add_argument("--open", action="store_true",
                     help="let anyone in without a key or password (says so loudly)")
    ssh.add_argument("--instructor-password-file", metavar="FILE",
                     help="let the instructor (user name 'instructor') into the room view "
                          "with the password on line 1 of FILE (not the workshop password)")
    ssh.add_argument("--instructor-keys", metavar="FILE",
                     help="let the instructor into the room view with the public keys in "
                          "FILE (OpenSSH format; re-read when it changes)")
    ssh.set_defaults(_serve_parser=ssh)

    web = modes.add_parser("web", help="serve the game in the browser (textual-serve)",
                           description="Serve the game in web browsers, one game per tab.")
    _add_common(web, 8000)
    web.add_argument("--password-file", metavar="FILE",
                     help="ask for the workshop password on line 1 of FILE")
    web.add_argument("--open", action="store_true",
                     help="allow a non-loopback --host without a password (says so loudly)")
    web.add_argument("--public-url", metavar="URL",
                     help="the address browsers use, if not the one they asked for "
                          "(behind a proxy, say)")
    web.set_defaults(_serve_parser=web)

    board = subparsers.add_parser("leaderboard", help="show the workshop leaderboard",
                                  description="Show the leaderboard a workshop server keeps.")
    board.add_argument("--json", action="store_true", help="print JSON")
    board.add_argument("--level", metavar="ID", help="one level's best runs (with share codes)")
    board.add_argument("--limit", type=_count, default=20, metavar="N",
                       help="rows to show (default 20; 0: all)")
    board.add_argument("--watch", action="store_true",
                       help="full screen for a projector: the top players in large type and "
                            "each level's score histogram, refreshed as wins come in (q quits)")
    board.add_argument("--every", type=_period, default=2.0, metavar="S",
                       help="with --watch: seconds between refreshes (default 2)")
    source = board.add_mutually_exclusive_group()
    source.add_argument("--data-dir", metavar="DIR", help="the server's data dir")
    source.add_argument("--db", metavar="FILE", help="the leaderboard file itself")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="playground",
                            description="Workshop commands of the Distributed Systems "
                                        "Playground.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_OneLineParser)
    add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry point: ``serve ssh|web`` and ``leaderboard``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.error("choose a command: serve or leaderboard")
    result = dispatch(args)
    return 2 if result is None else result


def dispatch(args: argparse.Namespace) -> int | None:
    """Run ``args`` if it is one of these commands; None if it is not."""
    command = getattr(args, "command", None)
    if command not in COMMANDS:
        return None
    from playground.serve.common import ConfigError

    try:
        if command == "leaderboard":
            return cmd_leaderboard(args)
        return cmd_serve(args)
    except ConfigError as exc:
        print(f"playground: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _data_dir(value: str | None) -> Path:
    from playground.game.storage import data_dir

    return Path(value).expanduser().resolve() if value else data_dir().resolve()


def _config(args: argparse.Namespace) -> Any:
    import shlex

    from playground.serve.common import ServeConfig

    game: tuple[str, ...] = ()
    if args.game_command:
        try:
            game = tuple(shlex.split(args.game_command))
        except ValueError as exc:
            args._serve_parser.error(f"--game-command: {exc}")
        if not game:
            args._serve_parser.error("--game-command is empty")
    room = _room(args.room) if args.room else None
    return ServeConfig(host=args.host, port=args.port, data_dir=_data_dir(args.data_dir),
                       max_sessions=args.max_sessions, per_address=args.per_address,
                       idle_timeout=args.idle_timeout,
                       max_session=room.time_limit if room and room.time_limit
                       else args.max_session,
                       memory_mb=args.memory_mb, game_command=game,
                       frame_budget=args.frame_budget, room_env=room.env() if room else {})


def _room(value: str) -> Room:
    """The room file's :class:`~playground.game.room.Room`; ConfigError naming its line."""
    from playground.errors import PlaygroundError
    from playground.game.campaign import load_campaign
    from playground.game.room import load_room
    from playground.serve.common import ConfigError

    try:
        return load_room(Path(value).expanduser(), load_campaign())
    except PlaygroundError as exc:
        raise ConfigError(str(exc)) from None


def cmd_serve(args: argparse.Namespace) -> int:
    mode = getattr(args, "serve_mode", None)
    parser = args._serve_parser
    if mode is None:
        parser.error("choose what to serve: ssh or web")
    try:
        from playground.serve.common import is_loopback, load_password
    except ImportError as exc:  # pragma: no cover - the serve extra is missing
        print(f"playground: serving needs the 'serve' extra "
              f"(pip install 'distsys-playground[serve]'): {exc}", file=sys.stderr)
        return 2
    if args.open and args.password_file:
        parser.error("--open and --password-file exclude each other")
    config = _config(args)
    password = load_password(args.password_file) if args.password_file else None
    if mode == "ssh":
        if args.open and args.authorized_keys:
            parser.error("--open and --authorized-keys exclude each other")
        if not (args.open or password or args.authorized_keys):
            parser.error("choose how players log in: --authorized-keys FILE, "
                         "--password-file FILE, or --open")
        try:
            from playground.serve import ssh
        except ImportError as exc:  # pragma: no cover
            print(f"playground: serve ssh needs asyncssh (the 'serve' extra): {exc}",
                  file=sys.stderr)
            return 2
        keys = Path(args.authorized_keys).expanduser() if args.authorized_keys else None
        return ssh.run(config, _ssh_auth(args, ssh.SSHAuth, keys, password))
    try:
        from playground.serve import web
    except ImportError as exc:  # pragma: no cover
        print(f"playground: serve web needs textual-serve (the 'serve' extra): {exc}",
              file=sys.stderr)
        return 2
    if not is_loopback(config.host) and not (password or args.open):
        parser.error(f"--host {config.host} lets other machines in: add --password-file FILE "
                     "(or --open to allow anyone)")
    return web.run(config, web.WebAuth(password=password, open=args.open),
                   public_url=args.public_url)


def _ssh_auth(args: argparse.Namespace, auth: Any, keys: Path | None,
              password: bytes | None) -> Any:
    """The SSH server's :class:`~playground.serve.ssh.SSHAuth`, with the instructor's own way
    in (which must differ from the players')."""
    from playground.serve.common import ConfigError, load_password

    teacher = (load_password(args.instructor_password_file)
               if args.instructor_password_file else None)
    if teacher is not None and teacher == password:
        raise ConfigError(f"{args.instructor_password_file}: the instructor password is the "
                          "workshop password: every player could open the room view")
    teacher_keys = Path(args.instructor_keys).expanduser() if args.instructor_keys else None
    return auth(authorized_keys=keys, password=password, open=args.open,
                instructor_keys=teacher_keys, instructor_password=teacher)


def _check_level_id(level_id: str) -> None:
    """Raise :class:`ConfigError` unless ``level_id`` is a level of the campaign."""
    from playground.game.campaign import load_campaign
    from playground.serve.common import ConfigError

    known = [level.id for level in load_campaign().levels]
    if level_id not in known:
        raise ConfigError(f"--level: unknown level {level_id!r} (levels: {', '.join(known)})")


def cmd_leaderboard(args: argparse.Namespace) -> int:
    import sqlite3

    from playground.game.leaderboard import DB_NAME, Leaderboard

    path = Path(args.db).expanduser() if args.db else _data_dir(args.data_dir) / DB_NAME
    if args.watch:
        return _watch(args, path)
    board = Leaderboard(path)
    limit = args.limit or None
    try:
        rows = board.top(args.level, limit=limit)
    except sqlite3.DatabaseError as exc:  # a file that is not a leaderboard
        from playground.serve.common import ConfigError

        raise ConfigError(f"{path}: not a leaderboard database ({exc})") from None
    if args.level is not None and not rows:
        _check_level_id(args.level)
    if args.json:
        print(json.dumps({"path": str(path), "level": args.level,
                          "rows": [r.to_dict() for r in rows]}, indent=2))
        return 0
    if not board.exists():
        print(f"No leaderboard yet at {path} (a workshop server creates it).")
        return 0
    if not rows:
        where = f" for level {args.level!r}" if args.level else ""
        print(f"No wins recorded yet{where}.")
        return 0
    width = max(6, *(len(r.player) for r in rows))
    if args.level is None:
        print(f"{'#':>3}  {'player':<{width}}  {'levels':>6}  {'stars':>5}  {'score':>7}")
        for r in rows:
            print(f"{r.rank:>3}  {r.player:<{width}}  {r.levels:>6}  {r.stars:>5}  "
                  f"{r.score:>7}")
    else:
        print(f"{args.level}")
        print(f"{'#':>3}  {'player':<{width}}  {'stars':<5}  {'score':>7}  share code")
        for r in rows:
            stars = "*" * r.stars + "." * max(0, 3 - r.stars)
            print(f"{r.rank:>3}  {r.player:<{width}}  {stars:<5}  {r.score:>7}  "
                  f"{r.share_code}")
    return 0


def _watch(args: argparse.Namespace, path: Path) -> int:
    from playground.serve.common import ConfigError

    if args.json or args.level is not None:
        raise ConfigError(f"--watch shows every level on one screen: drop "
                          f"{'--json' if args.json else '--level'}")
    if path.exists() and not path.is_file():
        raise ConfigError(f"{path}: not a leaderboard file")
    from playground.tui.projector import ProjectorApp

    ProjectorApp(path, every=args.every).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
