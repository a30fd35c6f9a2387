"""The solver on shipped levels (textbook answers) and on constructed ones (shrinking)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from playground.cli import main
from playground.game.campaign import load_campaign
from playground.game.level import Level, load_level
from playground.game.solve import BreakReport, Search, shrink, solve, solve_break
from playground.game.solve_keep import KeepReport, axis, thin
from playground.game.solve_report import to_json
from playground.game.solve_space import alphabet
from playground.game.sweep import Job, run_many
from playground.sim import Action

LEVELS = Path(__file__).resolve().parents[2] / "levels"


def shipped(level_id: str) -> Level:
    return load_campaign(LEVELS).get(level_id)


def constructed(tmp_path: Path, level_id: str, old: str, new: str) -> Path:
    """A copy of a shipped level with one piece of its text replaced."""
    text = (LEVELS / f"{level_id}.toml").read_text()
    assert old in text
    path = tmp_path / f"{level_id}.toml"
    path.write_text(text.replace(old, new))
    return path


def test_stale_read_needs_a_partition_that_splits_writer_and_reader_across_replicas() -> None:
    level = shipped("stale-read-partition")
    report = solve_break(level, level.id, budget=150, workers=1)
    assert report.confirmed and report.solutions
    for solution in report.solutions:
        (action,) = solution.actions
        assert action.tool == "partition"
        groups = [set(g) for g in action.kwargs["groups"]]
        writer = next(g for g in groups if "c1" in g)
        reader = next(g for g in groups if "c2" in g)
        assert writer is not reader, "c1 and c2 must be cut apart"
        assert writer & {"n1", "n2", "n3"} and reader & {"n1", "n2", "n3"}, \
            "each side keeps a replica, so both the write and the read succeed"
    assert 0 < report.winning_fraction < 1
    assert report.hint.startswith("a partition at the right moment between t=")
    assert "groups" not in report.hint


def test_a_solution_share_code_replays_with_playground_run(
        capsys: pytest.CaptureFixture[str]) -> None:
    level = shipped("stale-read-partition")
    best = solve_break(level, level.id, budget=100, workers=1).solutions[0]
    assert main(["run", level.id, "--share", best.share_code, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["outcome"] == "won"
    assert result["violations"][0]["tick"] == best.violation_tick


def test_the_table_names_the_moves_in_words_and_prints_whole_share_codes(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", "three-generals", "--budget", "40", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "broken with 1 action" in out and "Minimal solutions" in out
    assert "lie n" in out and "strategy" in out and "[" not in out.split("Minimal")[1]
    codes = [line.split(": ", 1)[1] for line in out.splitlines()
             if line.startswith("share code ")]
    assert codes and all(main(["run", "three-generals", "--share", c]) == 0 for c in codes)


def test_bursty_queue_breaks_only_through_the_backups_link_below_the_wire_time_limit() -> None:
    """The search tries wire times up to the level's limit and no further; only slowing the
    link n3's backup shares with its heartbeats wins, and few random attacks do."""
    level = shipped("bursty-queue")
    limit = level.toolbox["set_link"].max_service_ms
    tried = {dict(move.params)["service_ms"] for move in alphabet(level)}
    assert limit is not None and max(tried) == limit and len(tried) >= 4
    report = solve_break(level, level.id, budget=150, workers=1)
    assert report.confirmed and report.solutions
    for solution in report.solutions:
        (action,) = solution.actions
        assert action.target == "n3->n1" and action.kwargs["service_ms"] <= limit
    assert report.winning_fraction <= 0.05


def test_an_unbreakable_level_is_never_claimed_broken() -> None:
    level = shipped("four-generals")
    report = solve_break(level, level.id, budget=120, workers=1)
    assert report.solutions == ()
    assert report.confirmed and report.tried >= 120
    assert report.space > report.tried


def test_a_level_wrongly_marked_unbreakable_is_not_confirmed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = constructed(tmp_path, "stale-read-partition", 'mode = "break"',
                       'mode = "break"\nunbreakable = true')
    text = path.read_text().replace("[toolbox]", '[claim]\nreasons = ["a", "b", "c"]\n'
                                                 'right = 1\n\n[toolbox]', 1)
    path.write_text(text)
    assert main(["solve", str(path), "--budget", "100", "--workers", "1", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["confirmed"] is False and report["solutions"]
    assert "unbreakable" in report["verdict"]


def test_shrinking_drops_every_action_the_win_does_not_need(tmp_path: Path) -> None:
    path = constructed(tmp_path, "delayed-write", "[toolbox]\n",
                       '[toolbox]\nheal = { count = 2, targets = ["storage->lock"] }\n')
    level = load_level(path)
    hold = Action.make(1050, "hold", "client-1->storage", count=1)
    release = Action.make(1950, "release", "client-1->storage")
    noise = (Action.make(1200, "heal", "storage->lock"), Action.make(2500, "heal",
                                                                     "storage->lock"))
    padded = (hold, noise[0], release, noise[1])
    search = Search(level, str(path), 1, None)
    (win,) = search.run("test", [padded])
    assert win.outcome == "won"
    shrunk = shrink(search, win)
    assert shrunk.outcome == "won"
    assert shrunk.job.actions == (hold, release)
    smaller = run_many([Job(str(path), None, subset) for subset in ((hold,), (release,), ())],
                       workers=1)
    assert [r.outcome for r in smaller] == ["lost", "lost", "lost"]


def test_the_search_is_deterministic_for_a_seed_and_varies_with_it() -> None:
    level = shipped("charge-twice")

    def run(seed: int) -> dict[str, object]:
        report = solve(level, level.id, search_seed=seed, budget=60, workers=1)
        assert isinstance(report, BreakReport)
        return {k: v for k, v in to_json(report).items() if k != "seconds"}

    first = run(7)
    assert run(7) == first
    assert run(8) != first


def test_pbft_keep_it_only_quorum_three_with_two_matching_replies_wins() -> None:
    level = shipped("pbft-quorum")
    report = solve(level, level.id, seeds=2, workers=1)
    assert isinstance(report, KeepReport)
    assert report.tried == report.grid == 16
    assert [dict(s.knobs) for s in report.winners] == [{"quorum": 3, "reply_quorum": 2}]
    assert report.won_everywhere == 1 and report.confirmed
    assert report.winning_fraction == pytest.approx(1 / 16)


def test_tune_the_timeout_winners_sit_between_latency_tail_and_deadline() -> None:
    level = shipped("tune-the-timeout")
    report = solve(level, level.id, seeds=1, budget=80, workers=1)
    assert isinstance(report, KeepReport) and report.confirmed
    assert report.tried < report.grid  # the grid was thinned to the budget
    for setting in report.winners:
        assert 150 <= setting.knobs["timeout_ms"] <= 400
    best = {b.metric: b.value for b in report.best}
    assert best["max_detection_ms"] <= 400


def test_thinning_keeps_both_ends_and_respects_the_limit() -> None:
    axes = {"t": list(range(0, 101)), "on": [True, False]}
    thinned = thin(axes, {"t"}, 30)
    assert thinned["on"] == [True, False]
    assert thinned["t"][0] == 0 and thinned["t"][-1] == 100
    assert len(thinned["t"]) * 2 <= 30
    assert axis(shipped("tune-the-timeout").player_knobs["timeout_ms"])[:3] == [50, 60, 70]


def exit_status(argv: list[str]) -> int:
    """``main``'s status, whether it returns it or argparse exits with it."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


@pytest.mark.parametrize("argv", [
    ["solve", "no-such-level"],
    ["solve", "stale-read-partition", "--seeds", "0"],
    ["solve", "stale-read-partition", "--budget", "lots"],
    ["solve", "sandbox"],
    ["solve", "missing/level.toml"],
])
def test_bad_input_is_one_line_and_exit_2(argv: list[str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_status(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_the_keep_it_search_does_not_depend_on_par(tmp_path: Path) -> None:
    """Par is set from the solver's optimum, so the search must not steer by par's values:
    a level with a far looser par gets the same settings tried and the same optimum."""
    loose = load_level(constructed(tmp_path, "tune-the-timeout", "max_detection_ms = 301",
                                   "max_detection_ms = 2000"))
    level = shipped("tune-the-timeout")
    reports = [solve(lv, str(lv.path), seeds=1, budget=60, workers=1) for lv in (level, loose)]
    assert all(isinstance(r, KeepReport) for r in reports)
    first, second = (to_json(r) for r in reports)
    assert first["optimum"] == second["optimum"] and first["optimum"] is not None
    assert first["settings_tried"] == second["settings_tried"]
    assert [(b["metric"], b["value"]) for b in first["best"]] == \
        [(b["metric"], b["value"]) for b in second["best"]]
