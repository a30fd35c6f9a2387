"""Claiming a level unbreakable needs the right reason: a right claim with a wrong reason is
not a win. The reasons are level data, checked like the rest of the file; action files and
share codes carry the reason's number."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.cli import main
from playground.game.actionfile import Attempt, parse_share_code
from playground.game.campaign import load_campaign
from playground.game.errors import ActionFileError
from playground.game.session import Refused, Session

CAMPAIGN = load_campaign()
LEVELS = Path(CAMPAIGN.get("circuit").path).parent


@pytest.mark.parametrize("level_id", ["circuit", "four-generals"])
def test_only_the_right_reason_wins_an_unbreakable_level(level_id: str) -> None:
    level = CAMPAIGN.get(level_id)
    assert level.unbreakable and len(level.claim_reasons) == 3
    outcomes = {}
    for reason in (1, 2, 3):
        session = Session(level, claim="unbreakable", reason=reason)
        session.run_to_end()
        outcomes[reason] = session.outcome()
    right = level.right_reason
    assert outcomes[right].state == "won"
    for reason, outcome in outcomes.items():
        if reason != right:
            assert outcome.state == "lost" and "not for the reason" in outcome.reason


def test_the_circuit_holds_because_its_delay_is_bounded() -> None:
    """The chapter's words: a synchronous network's bounded delay makes a timeout exact."""
    level = CAMPAIGN.get("circuit")
    assert "delay is bounded" in level.claim_reasons[level.right_reason - 1]
    generals = CAMPAIGN.get("four-generals")
    assert "3f+1" in generals.claim_reasons[generals.right_reason - 1]


def test_a_claim_on_a_breakable_level_loses_whatever_the_reason() -> None:
    level = CAMPAIGN.get("split-brain")
    assert level.right_reason is None and len(level.claim_reasons) == 3
    for reason in (1, 2, 3):
        session = Session(level, claim="unbreakable", reason=reason)
        session.run_to_end()
        assert session.outcome().state == "lost"


def test_a_claim_without_a_reason_is_refused() -> None:
    with pytest.raises(Refused, match="needs its reason"):
        Session(CAMPAIGN.get("circuit"), claim="unbreakable")


def test_the_reason_travels_in_share_codes_and_action_files(tmp_path: Path) -> None:
    attempt = Attempt("circuit", None, {}, (), "unbreakable", 2)
    assert parse_share_code(attempt.to_share_code(), CAMPAIGN.get("circuit")) == attempt
    path = tmp_path / "claim.toml"
    path.write_text(attempt.to_toml())
    assert main(["run", "circuit", "--actions", str(path)]) == 0
    path.write_text(Attempt("circuit", None, {}, (), "unbreakable", 1).to_toml())
    assert main(["run", "circuit", "--actions", str(path)]) == 1


def test_an_old_share_code_claiming_without_a_reason_is_refused_in_words() -> None:
    old = Attempt("circuit", None, {}, (), "unbreakable").to_share_code()  # as codes were
    with pytest.raises(ActionFileError, match=r"without a reason .*claim again"):
        parse_share_code(old)


def test_an_action_file_claim_without_a_reason_names_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "claim.toml"
    path.write_text('level = "circuit"\nclaim = "unbreakable"\n')
    assert main(["run", "circuit", "--actions", str(path)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"playground: {path}:2: claim: a claim needs its reason: reason = 1..3")
    path.write_text('level = "circuit"\nclaim = "unbreakable"\nreason = 4\n')
    assert main(["run", "circuit", "--actions", str(path)]) == 2
    assert f"{path}:3: reason: must be 1..3" in capsys.readouterr().err
    path.write_text('level = "circuit"\nreason = 2\n')
    assert main(["run", "circuit", "--actions", str(path)]) == 2
    assert f"{path}:2: reason: a reason goes with claim" in capsys.readouterr().err


@pytest.mark.parametrize(("old", "new", "message"), [
    ("right = 2\n", "", "claim.right: missing (this key is required)"),
    ("right = 2\n", "right = 4\n", "claim.right: must be 1..3"),
    ('    "the delay is bounded, so a timeout above it is exact",\n', "",
     "claim.reasons: must be 3 short reasons"),
    ("unbreakable = true\n", "", "claim.right: this level can be broken: no reason is right"),
])
def test_bad_claim_data_is_named_at_its_line(tmp_path: Path, old: str, new: str, message: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    text = (LEVELS / "circuit.toml").read_text()
    assert old in text
    path = tmp_path / "circuit.toml"
    path.write_text(text.replace(old, new, 1))
    assert main(["check-level", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"playground: {path}:") and message in err and "\n" not in err


def test_an_unbreakable_level_without_reasons_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (LEVELS / "circuit.toml").read_text()
    start = text.index("[claim]")
    path = tmp_path / "circuit.toml"
    path.write_text(text[:start] + text[text.index("[toolbox]"):])
    assert main(["check-level", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:6: unbreakable: an unbreakable level needs a [claim] table" in err
