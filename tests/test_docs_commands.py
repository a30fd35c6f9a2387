"""Every ``playground ...`` command the README and docs/ show works as documented, and every
link and picture in them is a file in the repository.

Commands in code blocks run for real, from the repository root, in a fresh data dir; a trailing
comment saying ``exit N`` documents their exit status (0 if it says none). Table rows give
synopses (``playground run LEVEL [--json]``): their subcommand must exist and every option they
show must be one its ``--help`` lists.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: Commands with one of these words are not run: they would not return on their own, or they
#: need a service the test cannot start. They are checked with ``--help`` instead: the
#: subcommand exists and lists every option the command uses.
NOT_RUN = {
    "serve": "starts a workshop server that runs until stopped",
    "play": "the interactive game",
    "--cluster": "needs a Dask scheduler started by hand",
}


def _code_block_commands(text: str) -> list[tuple[int, str]]:
    found, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif fenced and line.strip().startswith("playground "):
            found.append((number, line.strip()))
    return found


def _table_synopses(text: str) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("|"):
            found += [(number, span.replace("\\|", "|"))
                      for span in re.findall(r"`((?:[^`\\]|\\.)*)`", line)
                      if span.startswith("playground ")]
    return found


def _collect(kind: str) -> list[tuple[str, str]]:
    pick = _code_block_commands if kind == "block" else _table_synopses
    return [(f"{doc.relative_to(ROOT)}:{number}", command)
            for doc in DOCS for number, command in pick(doc.read_text())]


BLOCKS = _collect("block")
SYNOPSES = _collect("table")


def _documented_exit(command: str) -> tuple[list[str], int]:
    """The command's words and the exit status its comment documents."""
    words = shlex.split(command, comments=True)
    comment = command.partition("#")[2]
    status = re.search(r"\bexit (\d+)", comment)
    return words[1:], int(status.group(1)) if status else 0


def _playground(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PLAYGROUND_LEVELS_DIR", "PLAYGROUND_PLAYER")}
    env["PLAYGROUND_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "playground", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def _subcommand(words: list[str]) -> list[str]:
    """The leading subcommand words of a synopsis (``serve ssh``, ``run``)."""
    out = []
    for word in words:
        if word.startswith(("-", "[")) or word.isupper() or word == "|":
            break
        out.append(word)
    return out


def test_the_docs_show_commands_to_check() -> None:
    assert len(BLOCKS) >= 5 and len(SYNOPSES) >= 6
    assert any(words[1:2] == ["run"] for _, c in BLOCKS if (words := c.split()))


@pytest.mark.parametrize(("where", "command"), BLOCKS, ids=[w for w, _ in BLOCKS])
def test_a_documented_command_exits_as_documented(where: str, command: str,
                                                  tmp_path: Path) -> None:
    args, status = _documented_exit(command)
    if set(args) & NOT_RUN.keys():
        _assert_options_exist(where, command, _subcommand(args), tmp_path)
        return
    done = _playground(args, tmp_path)
    assert done.returncode == status, f"{where}: {command}\n{done.stdout}{done.stderr}"
    assert done.stdout.strip() or done.stderr.strip(), f"{where}: {command} printed nothing"
    assert "Traceback" not in done.stderr, f"{where}: {command}\n{done.stderr}"
    if status == 2:
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


@pytest.mark.parametrize(("where", "synopsis"), SYNOPSES, ids=[w for w, _ in SYNOPSES])
def test_a_documented_synopsis_names_real_options(where: str, synopsis: str,
                                                  tmp_path: Path) -> None:
    words = synopsis.split()[1:]
    alternatives = [words]
    if "|" in words[: len(_subcommand(words)) + 1]:  # "serve ssh | web": both subcommands
        head = _subcommand(words)
        alternatives = [head, [*head[:-1], words[len(head) + 1]]]
    for alternative in alternatives:
        _assert_options_exist(where, synopsis, _subcommand(alternative), tmp_path)


def _assert_options_exist(where: str, command: str, subcommand: list[str],
                          data_dir: Path) -> None:
    """``playground SUBCOMMAND --help`` works and lists every ``--option`` of ``command``."""
    helped = _playground([*subcommand, "--help"], data_dir)
    assert helped.returncode == 0, f"{where}: {command}\n{helped.stderr}"
    options = re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", command.partition("#")[0])
    missing = [o for o in options if o not in helped.stdout]
    assert not missing, f"{where}: {command}: not an option of {subcommand}: {missing}"


def test_every_link_and_picture_in_the_docs_is_a_file_in_the_repository() -> None:
    broken = []
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text()):
            if re.match(r"[a-z]+:", target):  # a web address
                continue
            path = (doc.parent / target).resolve()
            if not path.is_relative_to(ROOT) or not path.exists():
                broken.append(f"{doc.relative_to(ROOT)}: {target}")
    assert not broken
