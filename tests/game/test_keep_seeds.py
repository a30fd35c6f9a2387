"""KEEP IT over many seeds: a level with ``seeds = N`` is won only if the player's knobs win
on all N seeds, in ``playground run`` (and so ``verify``) as in the game.

Tune the Timeout is the textbook case: delays have an exponential tail, so a timeout that
rides out seed 1's tail may sit inside another seed's, and a long one detects the crash late.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from playground.cli import main
from playground.game.campaign import load_campaign
from playground.game.histogram import seed_histogram
from playground.game.verdict import key_metric, level_verdict

CAMPAIGN = load_campaign()
TUNE = CAMPAIGN.get("tune-the-timeout")


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    status = main(["run", *args, "--json"])
    return status, json.loads(capsys.readouterr().out)


def knobs_file(tmp_path: Path, level: str, **knobs: object) -> str:
    path = tmp_path / "knobs.toml"
    lines = [f'level = "{level}"', "[knobs]", *(f"{k} = {json.dumps(v)}" for k, v in
                                                 knobs.items())]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.mark.parametrize("level_id", ["tune-the-timeout", "phi-accrual", "stay-up"])
def test_the_reference_solution_holds_on_every_seed_the_level_states(
        level_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    level = CAMPAIGN.get(level_id)
    assert level.seeds == 20
    status, result = run_json(capsys, level_id, "--actions",
                              f"levels/solutions/{level_id}.toml")
    assert status == 0 and result["outcome"] == "won"
    seeds = result["seeds"]
    assert (seeds["first"], seeds["last"], seeds["won"]) == (1, 20, 20)
    assert [run["seed"] for run in seeds["runs"]] == list(range(1, 21))
    assert result["reason"].endswith("on all 20 seeds")


def test_a_timeout_that_wins_the_levels_seed_can_still_lose_the_level(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """280 ms rides out seed 1's tail: played on that seed alone it wins, over the level's
    20 seeds it loses, and each seed the verdict names loses when replayed alone."""
    actions = knobs_file(tmp_path, "tune-the-timeout", timeout_ms=280)
    status, one = run_json(capsys, "tune-the-timeout", "--actions", actions, "--seed", "1")
    assert status == 0 and one["outcome"] == "won" and "seeds" not in one
    status, judged = run_json(capsys, "tune-the-timeout", "--actions", actions)
    assert status == 1 and judged["outcome"] == "lost" and judged["score"] == 0
    lost = [run["seed"] for run in judged["seeds"]["runs"] if run["outcome"] != "won"]
    assert lost and 1 not in lost and judged["seeds"]["won"] == 20 - len(lost)
    assert judged["reason"].startswith(f"lost on {len(lost)} of 20 seeds")
    assert judged["trace_sha256"] == one["trace_sha256"]  # the run shown is the level's seed
    for seed in lost:
        status, alone = run_json(capsys, "tune-the-timeout", "--actions", actions,
                                 "--seed", str(seed))
        assert status == 1 and "suspected" in alone["reason"]


def test_too_long_a_timeout_loses_on_the_seed_whose_last_heartbeat_was_slow() -> None:
    """Detection time is the timeout plus how late the last heartbeat was: past a point some
    seed's late heartbeat pushes detection over the 500 ms bound."""
    metric = key_metric(TUNE)
    assert metric == "max_detection_ms"
    fine, late = (level_verdict(TUNE, {"timeout_ms": t}, workers=2) for t in (300, 400))
    assert fine.won_all and not late.won_all
    assert all("max_detection_ms" in run.reason for run in late.lost)
    slower = [b - a for a, b in zip(fine.values(metric), late.values(metric), strict=True)]
    assert slower == [100] * 20


def test_the_histogram_counts_every_seed_once_and_marks_the_losing_ones() -> None:
    verdict = level_verdict(TUNE, {"timeout_ms": 280}, workers=2)
    bins = seed_histogram(verdict, "max_detection_ms")
    assert 1 < len(bins) <= 6
    assert sorted(s for b in bins for s in b.seeds) == list(range(1, 21))
    assert sorted(s for b in bins for s in b.lost) == sorted(r.seed for r in verdict.lost)
    values = dict(zip(verdict.seeds, verdict.values("max_detection_ms"), strict=True))
    for b in bins:
        assert b.low is not None and b.high is not None
        assert all(b.low <= values[s] <= b.high for s in b.seeds)
    assert [b.low for b in bins] == sorted(b.low for b in bins)


@pytest.mark.parametrize(("old", "new", "field"), [
    ("seed = 1\nseeds = 20", "seed = 1\nseeds = 0", "seeds"),
    ("seed = 1\nseeds = 20", "seed = 1\nseeds = 101", "seeds"),
    ("seed = 1\nseeds = 20", 'seed = 1\nseeds = "many"', "seeds"),
])
def test_a_bad_seed_count_is_named_at_its_line(tmp_path: Path, old: str, new: str, field: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    text = Path(TUNE.path).read_text()
    assert old in text
    path = tmp_path / "tune-the-timeout.toml"
    path.write_text(text.replace(old, new, 1))
    assert main(["check-level", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1)
                if t.startswith(f"{field} ="))
    assert err.startswith(f"playground: {path}:{line}: {field}: ") and "\n" not in err


def test_only_a_keep_level_is_judged_over_several_seeds(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (Path(TUNE.path).parent / "gc-pause.toml").read_text()
    path = tmp_path / "gc-pause.toml"
    path.write_text(text.replace("\nseed = 1\n", "\nseed = 1\nseeds = 5\n", 1))
    assert main(["check-level", str(path)]) == 2
    assert "seeds: only a keep level is judged over several seeds" in capsys.readouterr().err
