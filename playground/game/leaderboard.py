"""The workshop leaderboard: every player's best run of every level, in one SQLite file.

Many game processes (one per SSH or browser session) write to the same file at once, so the
store uses WAL journaling (readers never block the writer), a generous busy timeout, and one
short ``BEGIN IMMEDIATE`` transaction per write: concurrent writers queue up instead of
failing with "database is locked", and no write is lost.

A player's best run of a level is the one with the highest score (more stars breaks a tie);
its share code is kept so anyone can replay it (``playground run LEVEL --share CODE``).

The game calls :func:`record_if_configured` when a level is won. It only does something when
the game runs under a workshop server, which sets ``PLAYGROUND_LEADERBOARD`` (the database
path) and ``PLAYGROUND_PLAYER`` (the player's name) for each session's process. Pure
``sqlite3``: no Textual, no asyncssh.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from playground.game.progress import PLAYER_NAME
from playground.game.storage import data_dir

LEADERBOARD_ENV = "PLAYGROUND_LEADERBOARD"
PLAYER_ENV = "PLAYGROUND_PLAYER"
DB_NAME = "leaderboard.sqlite3"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0
LEVEL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_SHARE_CODE = 16384
MAX_STARS = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS best (
    player     TEXT    NOT NULL,
    level      TEXT    NOT NULL,
    score      INTEGER NOT NULL,
    stars      INTEGER NOT NULL,
    share_code TEXT    NOT NULL,
    wins       INTEGER NOT NULL DEFAULT 1,
    first_won  REAL    NOT NULL,
    updated    REAL    NOT NULL,
    PRIMARY KEY (player, level)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS best_by_level ON best (level, score DESC, stars DESC);
"""

# One statement: insert a first win, or count the win and keep the better run. SQLite applies
# it atomically inside the surrounding IMMEDIATE transaction.
_UPSERT = """
INSERT INTO best (player, level, score, stars, share_code, wins, first_won, updated)
VALUES (:player, :level, :score, :stars, :share_code, 1, :now, :now)
ON CONFLICT (player, level) DO UPDATE SET
    wins = wins + 1,
    score = CASE WHEN :better THEN excluded.score ELSE score END,
    stars = CASE WHEN :better THEN excluded.stars ELSE stars END,
    share_code = CASE WHEN :better THEN excluded.share_code ELSE share_code END,
    updated = CASE WHEN :better THEN excluded.updated ELSE updated END
"""


@attrs.frozen
class Row:
    """One line of a leaderboard.

    For a level's board: that player's best run of the level (``levels`` is 1). For the overall
    board (``level`` is None): the sum of the player's best scores and stars over ``levels``
    won levels, and no share code."""

    rank: int
    player: str
    score: int
    stars: int
    levels: int
    level: str | None = None
    share_code: str | None = None
    updated: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def default_path() -> Path:
    """Where a server keeps its leaderboard: ``<data dir>/leaderboard.sqlite3``."""
    return data_dir() / DB_NAME


def configured_path() -> Path | None:
    """The leaderboard a workshop server set up for this process, if any."""
    value = os.environ.get(LEADERBOARD_ENV, "").strip()
    return Path(value) if value else None


class Leaderboard:
    """A leaderboard file. Cheap to create; every call opens and closes its own connection, so
    one object may be shared freely and no connection outlives a call."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    # -- connections ---------------------------------------------------------------------

    def _connect(self, mode: str | None = None) -> sqlite3.Connection:
        """A connection; ``mode`` "rw" or "ro" opens an existing file only (never creates)."""
        if mode is not None:
            uri = f"{self.path.resolve().as_uri()}?mode={mode}"
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S,
                                   isolation_level=None)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        return conn

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            self._ensure_schema(conn)
            conn.execute("BEGIN IMMEDIATE")  # take the write lock now: waits, never deadlocks
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        # Switching to WAL can report "locked" without waiting for the busy handler when
        # several processes create the file at once: retry (bounded) until one of them wins.
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        delay = 0.005
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("BEGIN IMMEDIATE")
                try:
                    version = conn.execute("PRAGMA user_version").fetchone()[0]
                    if version > SCHEMA_VERSION:
                        raise sqlite3.DatabaseError(
                            f"{self.path}: leaderboard format {version} is newer than this "
                            f"version of the game understands ({SCHEMA_VERSION})")
                    if version < SCHEMA_VERSION:
                        for statement in _SCHEMA.split(";"):
                            if statement.strip():
                                conn.execute(statement)
                        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.2)

    def create(self) -> None:
        """Create the file (WAL mode, schema) if it does not exist yet."""
        conn = self._connect()
        try:
            self._ensure_schema(conn)
        finally:
            conn.close()

    # -- writing -------------------------------------------------------------------------

    def record(self, player: str, level_id: str, score: int, stars: int,
               share_code: str) -> bool:
        """Note a won run. Returns True if it is the player's new best for the level.

        Raises ValueError on a bad name, level id, score, stars or share code."""
        _check_entry(player, level_id, score, stars, share_code)
        with self._writing() as conn:
            row = conn.execute("SELECT score, stars FROM best WHERE player = ? AND level = ?",
                               (player, level_id)).fetchone()
            better = row is None or (score, stars) > (row[0], row[1])
            conn.execute(_UPSERT, {"player": player, "level": level_id, "score": score,
                                   "stars": stars, "share_code": share_code,
                                   "now": time.time(), "better": int(better)})
        return better

    # -- reading -------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.path.is_file()

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection | None]:
        if not self.exists():
            yield None
            return
        # Reading a WAL file needs its -shm file, which a read-write open may create; fall back
        # to read-only for a file we may not write (another user's server).
        try:
            conn, version = self._open_for_reading("rw")
        except sqlite3.OperationalError:
            conn, version = self._open_for_reading("ro")
        try:
            yield conn if version == SCHEMA_VERSION else None
        finally:
            conn.close()

    def _open_for_reading(self, mode: str) -> tuple[sqlite3.Connection, int]:
        conn = self._connect(mode)
        try:
            return conn, int(conn.execute("PRAGMA user_version").fetchone()[0])
        except BaseException:
            conn.close()
            raise

    def top(self, level: str | None = None, limit: int | None = 20) -> list[Row]:
        """The best players: of one level (best run first), or overall (``level=None``: most
        points summed over won levels first, then most stars, then who got there first)."""
        params: list[Any] = []
        if level is None:
            sql = ("SELECT player, SUM(score) AS s, SUM(stars) AS st, COUNT(*) AS n, "
                   "NULL, NULL, MAX(updated) AS u FROM best GROUP BY player "
                   "ORDER BY s DESC, st DESC, u ASC, player ASC")
        else:
            sql = ("SELECT player, score, stars, 1, level, share_code, updated FROM best "
                   "WHERE level = ? ORDER BY score DESC, stars DESC, updated ASC, player ASC")
            params.append(level)
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(0, int(limit)))
        with self._reading() as conn:
            if conn is None:
                return []
            rows = conn.execute(sql, params).fetchall()
        return [Row(rank=i, player=r[0], score=int(r[1]), stars=int(r[2]), levels=int(r[3]),
                    level=r[4], share_code=r[5], updated=float(r[6]))
                for i, r in enumerate(rows, start=1)]

    def levels(self) -> list[str]:
        """Level ids that have at least one entry, sorted."""
        with self._reading() as conn:
            if conn is None:
                return []
            return [r[0] for r in conn.execute("SELECT DISTINCT level FROM best ORDER BY 1")]

    def scores_by_level(self) -> dict[str, list[int]]:
        """Every player's best score of each level, lowest first, by level id."""
        scores: dict[str, list[int]] = {}
        with self._reading() as conn:
            if conn is None:
                return scores
            for level, score in conn.execute("SELECT level, score FROM best ORDER BY 1, 2"):
                scores.setdefault(level, []).append(int(score))
        return scores

    def entries(self, player: str | None = None) -> list[Row]:
        """Every best run (of one player, or of everyone), by player then level."""
        sql = "SELECT player, score, stars, 1, level, share_code, updated FROM best"
        params: tuple[Any, ...] = ()
        if player is not None:
            sql += " WHERE player = ?"
            params = (player,)
        sql += " ORDER BY player, level"
        with self._reading() as conn:
            if conn is None:
                return []
            rows = conn.execute(sql, params).fetchall()
        return [Row(rank=0, player=r[0], score=int(r[1]), stars=int(r[2]), levels=1,
                    level=r[4], share_code=r[5], updated=float(r[6])) for r in rows]


def record_if_configured(level_id: str, score: int, stars: int, share_code: str) -> bool:
    """Record a won level on the workshop leaderboard, if this game runs under a server.

    Call it once when a level is won. It does nothing (returns False) unless
    ``PLAYGROUND_LEADERBOARD`` and ``PLAYGROUND_PLAYER`` are set, and it never raises: a
    leaderboard problem must not end a player's game. Returns True if the run is the player's
    new best for the level."""
    path = configured_path()
    player = os.environ.get(PLAYER_ENV, "")
    if path is None or not player:
        return False
    try:
        return Leaderboard(path).record(player, level_id, score, stars, share_code)
    except (sqlite3.Error, OSError, ValueError):
        return False


def _check_entry(player: str, level_id: str, score: int, stars: int, share_code: str) -> None:
    if not isinstance(player, str) or not PLAYER_NAME.match(player):
        raise ValueError(f"bad player name {player!r}")
    if not isinstance(level_id, str) or not LEVEL_ID.match(level_id):
        raise ValueError(f"bad level id {level_id!r}")
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10**9:
        raise ValueError(f"bad score {score!r}")
    if isinstance(stars, bool) or not isinstance(stars, int) or not 0 <= stars <= MAX_STARS:
        raise ValueError(f"bad stars {stars!r}")
    if not isinstance(share_code, str) or len(share_code) > MAX_SHARE_CODE:
        raise ValueError("bad share code")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text
