"""Action files (TOML) and share codes: a player's knobs and timed actions for one level.

An action file::

    level = "gc-pause"
    seed = 1                 # optional: the level's seed by default
    claim = "unbreakable"    # optional: the player says the level cannot be broken ...
    reason = 2               # ... and why: the number of one of the level's [claim] reasons

    [knobs]                  # KEEP IT levels: the player's settings
    fencing = true

    [[actions]]              # BREAK IT levels: timed interventions
    tick = 601
    tool = "freeze"
    target = "client-1"
    duration = 2000

A share code carries the same content as one line of text (``DSP2-...``) to paste in chat,
ending in a checksum of the rest, so a code damaged in copying is refused, never replayed as
some other attempt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from playground.game.errors import ActionFileError
from playground.game.level import REASON_COUNT
from playground.game.reader import Reader, parse_toml, read_text
from playground.sim import Action, SimError

if TYPE_CHECKING:
    from playground.game.level import Level

SHARE_PREFIX = "DSP2-"
OLD_PREFIXES = ("DSP1-",)  # before codes carried a checksum
CHECK_CHARS = 8  # base64 of a 48-bit checksum: one bad character in 10^14 slips through
CLAIMS = ("unbreakable",)


@attrs.frozen
class Attempt:
    """What a player did in one level: seed, knobs, actions and an optional claim with the
    number of its reason (1-based, among the level's claim reasons)."""

    level: str
    seed: int | None = None
    knobs: Mapping[str, Any] = attrs.field(factory=dict)
    actions: tuple[Action, ...] = ()
    claim: str | None = None
    reason: int | None = None

    def to_share_code(self) -> str:
        """A compact, copy-pasteable text that :func:`parse_share_code` reverses."""
        body: dict[str, Any] = {"l": self.level}
        if self.seed is not None:
            body["s"] = self.seed
        if self.knobs:
            body["k"] = dict(self.knobs)
        if self.actions:
            body["a"] = [a.to_dict() for a in self.actions]
        if self.claim:
            body["c"] = self.claim
        if self.reason is not None:
            body["r"] = self.reason
        raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        packed = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")
        return SHARE_PREFIX + packed + _checksum(packed)

    def to_toml(self) -> str:
        """The action file text."""
        lines = [f"level = {_toml_value(self.level)}"]
        if self.seed is not None:
            lines.append(f"seed = {self.seed}")
        if self.claim:
            lines.append(f"claim = {_toml_value(self.claim)}")
        if self.reason is not None:
            lines.append(f"reason = {self.reason}")
        if self.knobs:
            lines += ["", "[knobs]"]
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in sorted(self.knobs.items())]
        for action in self.actions:
            lines += ["", "[[actions]]"]
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in action.to_dict().items()]
        return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    raise TypeError(f"cannot write {value!r} to TOML")


def parse_attempt(data: Mapping[str, Any], reader: Reader, level: Level | None = None
                  ) -> Attempt:
    """An attempt from parsed TOML (or a decoded share code); checked against ``level`` (the
    same rules the game applies) when it is given."""
    attempt = _parse_attempt(data, reader)
    if level is not None:
        _check_for_level(attempt, level, reader)
    return attempt


def _parse_attempt(data: Mapping[str, Any], reader: Reader) -> Attempt:
    reader.check_keys(data, (), {"level", "seed", "knobs", "actions", "claim", "reason"},
                      {"level"})
    level = reader.get(data, (), "level", str)
    seed = reader.get(data, (), "seed", int, None)
    knobs = reader.get(data, (), "knobs", dict, {})
    claim = reader.get(data, (), "claim", str, None,
                       check=lambda v: None if v in CLAIMS else f"must be one of {CLAIMS}")
    reason = reader.get(data, (), "reason", int, None,
                        check=lambda v: None if 1 <= v <= REASON_COUNT else
                        f"must be 1..{REASON_COUNT}: the number of one of the level's reasons")
    if reason is not None and claim is None:
        raise reader.fail(("reason",), 'a reason goes with claim = "unbreakable"')
    items = reader.get(data, (), "actions", list, [])
    actions = []
    for index, item in enumerate(items):
        where = ("actions", index)
        if not isinstance(item, dict):
            raise reader.fail(where, "must be a table")
        try:
            actions.append(Action.from_dict(item))
        except SimError as exc:
            message = str(exc)
            field = next((k for k in item if f"'{k}'" in message or f" {k} " in f" {message} "),
                         None)
            raise reader.fail((*where, field) if field else where, message) from None
    return Attempt(level, seed, knobs, tuple(actions), claim, reason)


def _check_for_level(attempt: Attempt, level: Level, reader: Reader) -> None:
    from playground.game.rules import claim_problem, refusal

    if attempt.level != level.id:
        raise reader.fail(("level",), f"these actions are for {attempt.level!r}, "
                                      f"not {level.id!r}")
    knob = level.knob_problem(attempt.knobs)
    if knob:
        raise reader.fail(("knobs", knob[0]), knob[1])
    claim = claim_problem(level, attempt.claim, attempt.reason)
    if claim:
        raise reader.fail(("claim",), claim)
    for index, action in enumerate(attempt.actions):
        problem = refusal(level, action, attempt.actions[:index])
        if problem:
            raise reader.fail(("actions", index, problem.field), problem.reason)


def load_attempt(path: str | Path, level: Level | None = None) -> Attempt:
    """Read an action file (checked against ``level`` if given). Raises
    :class:`ActionFileError` (``FILE:LINE: message``)."""
    path = Path(path)
    text = read_text(path, ActionFileError)
    data = parse_toml(text, path, ActionFileError)
    return parse_attempt(data, Reader(path, text, ActionFileError), level)


def _checksum(packed: str) -> str:
    digest = hashlib.blake2s(packed.encode(), digest_size=CHECK_CHARS * 3 // 4).digest()
    return base64.urlsafe_b64encode(digest).decode()


def parse_share_code(code: str, level: Level | None = None) -> Attempt:
    """Decode a share code (checked against ``level`` if given). Raises
    :class:`ActionFileError` naming what is wrong."""
    code = code.strip()
    if code.startswith(OLD_PREFIXES):
        raise ActionFileError("share code", None, f"is from an older version of the game "
                              f"(codes now start with {SHARE_PREFIX})")
    if not code.startswith(SHARE_PREFIX):
        raise ActionFileError("share code", None, f"must start with {SHARE_PREFIX}")
    body, check = code[len(SHARE_PREFIX):-CHECK_CHARS], code[-CHECK_CHARS:]
    if not body or _checksum(body) != check:
        raise ActionFileError("share code", None, "is damaged (was it copied whole?)")
    try:
        raw = zlib.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        data = json.loads(raw)
    except (binascii.Error, zlib.error, ValueError):
        raise ActionFileError("share code", None, "is damaged (was it copied whole?)") from None
    if not isinstance(data, dict):
        raise ActionFileError("share code", None, "is damaged (not an attempt)")
    if "c" in data and "r" not in data:
        raise ActionFileError("share code", None, "claims unbreakable without a reason (it was "
                              "made before claims needed one): open the level and claim again")
    mapped = {"level": data.get("l"), "seed": data.get("s"), "knobs": data.get("k", {}),
              "actions": data.get("a", []), "claim": data.get("c"), "reason": data.get("r")}
    mapped = {k: v for k, v in mapped.items() if v is not None}
    return parse_attempt(mapped, Reader("share code", "", ActionFileError), level)
