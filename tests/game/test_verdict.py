"""Multi-seed KEEP IT verdicts on Tune the Timeout: the textbook trade-off of a fixed timeout.

Heartbeats every 100 ms over a network whose delay has an exponential tail (mean 40 ms): a
timeout near the heartbeat interval suspects live nodes; a generous one never does, but it
detects the real crash later, one millisecond of detection for each millisecond of timeout."""

from __future__ import annotations

from playground.game.verdict import verdict_over_seeds, verdicts_over_seeds

SEEDS = range(1, 9)


def test_a_short_timeout_falsely_suspects_and_a_generous_one_does_not() -> None:
    short, generous, longer = verdicts_over_seeds(
        "tune-the-timeout", [{"timeout_ms": 120}, {"timeout_ms": 300}, {"timeout_ms": 390}],
        SEEDS, workers=2)
    assert short.seeds == generous.seeds == tuple(SEEDS)
    assert not short.won_all and short.lost
    assert all("suspected" in run.reason and "alive" in run.reason for run in short.lost)
    assert all(n > 0 for n in short.values("false_suspicions"))
    assert generous.values("false_suspicions") == (0,) * len(SEEDS)
    assert generous.wins > len(SEEDS) // 2
    assert all("max_detection_ms" in run.reason for run in generous.lost)
    later = [b - a for a, b in zip(generous.values("max_detection_ms"),
                                   longer.values("max_detection_ms"), strict=True)]
    assert later == [90] * len(SEEDS)


def test_the_verdict_is_the_same_in_one_process_and_says_so_in_words() -> None:
    verdict = verdict_over_seeds("tune-the-timeout", {"timeout_ms": 120}, [3, 1], workers=1)
    pooled = verdict_over_seeds("tune-the-timeout", {"timeout_ms": 120}, [3, 1], workers=2)
    assert verdict == pooled and verdict.seeds == (3, 1)
    assert verdict.summary().startswith("won on 0 of 2 seeds; seed 3 lost: no-false-suspicion")


def test_knobs_the_level_does_not_allow_are_refused_on_every_seed() -> None:
    verdict = verdict_over_seeds("tune-the-timeout", {"timeout_ms": 10}, [1, 2], workers=1)
    assert [run.outcome for run in verdict.runs] == ["refused", "refused"]
    assert verdict.summary() == "won on 0 of 2 seeds; seed 1 refused: timeout_ms must be >= 50"
