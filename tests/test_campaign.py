"""The campaign as shipped: covers the outline, verifies level by level."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from playground.game.campaign import levels_dir, load_campaign
from playground.game.outline import ENTRIES, OUTLINE
from playground.game.verify import verify_level

ROOT = Path(__file__).resolve().parents[1]
OUTLINE_FILE = ROOT / "docs" / "chapter-outline.md"
CAMPAIGN = load_campaign()


def read_outline(path: Path) -> list[tuple[str, list[str]]]:
    """The numbered sections and their bullet entries from the outline's table of contents."""
    sections: list[tuple[str, list[str]]] = []
    for line in path.read_text().splitlines():
        top = re.match(r"^\d+\. \[(.+?)\]", line)
        sub = re.match(r"^\s+- \[(.+?)\]", line)
        if top:
            sections.append((top.group(1), []))
        elif sub and sections:
            sections[-1][1].append(sub.group(1))
    return sections


def test_the_outline_table_matches_the_chapter_outline() -> None:
    assert read_outline(OUTLINE_FILE) == [(c, list(e)) for c, e in OUTLINE]


def test_every_outline_entry_has_a_level_and_both_modes_are_well_represented() -> None:
    covered = {(lv.chapter, lv.section) for lv in CAMPAIGN.levels}
    missing = [e for e in ENTRIES if e not in covered]
    assert not missing, f"outline entries without a level: {missing}"
    modes = [lv.mode for lv in CAMPAIGN.levels]
    assert len(CAMPAIGN.order) >= 20
    assert modes.count("break") >= 7 and modes.count("keep") >= 7
    assert modes.count("sandbox") == 1


def test_the_campaign_follows_the_outline_order() -> None:
    """Act I follows the outline, then act II follows it again."""
    positions = [(lv.act, ENTRIES.index((lv.chapter, lv.section))) for lv in CAMPAIGN.levels
                 if lv.mode != "sandbox"]
    assert positions == sorted(positions)


@pytest.mark.parametrize("level_id", [lv.id for lv in CAMPAIGN.levels])
def test_level_verifies(level_id: str) -> None:
    report = verify_level(str(levels_dir()), level_id)
    assert report["ok"], report["problems"]


def test_quorums_against_a_liar_has_exactly_the_textbook_answer() -> None:
    """pbft-quorum: with n = 4 and f = 1, only commit quorum 2f+1 = 3 with reply quorum f+1 = 2
    wins. Quorum 2 lets the traitor split n3 from the others; trusting one reply trusts the
    traitor (it sits next to the clients); waiting for more replies than n - f waits forever."""
    from playground.game.session import Session

    level = CAMPAIGN.get("pbft-quorum")
    winners, reasons = [], {}
    for quorum in range(1, 5):
        for reply_quorum in range(1, 5):
            session = Session(level, knobs={"quorum": quorum, "reply_quorum": reply_quorum})
            session.timeline.run_until(level.ticks)
            outcome = session.outcome()
            if outcome.state == "won":
                winners.append((quorum, reply_quorum))
            reasons[(quorum, reply_quorum)] = outcome.reason
    assert winners == [(3, 2)]
    assert "pbft_valid_result" in reasons[(3, 1)] and "forged" in reasons[(3, 1)]
    assert "pbft_agreement" in reasons[(2, 2)]


def test_stop_the_world_needs_a_pause_aimed_between_check_and_write() -> None:
    """gc-pause: a freeze only wins inside the 20 ms between client-1's lease check and its
    write (once per 200 ms), so freezing at random rarely works; aimed, it always does."""
    from playground.game.session import Session
    from playground.sim import Action

    level = CAMPAIGN.get("gc-pause")
    ticks = range(400, 1400, 7)
    wins = []
    for tick in ticks:
        session = Session(level, actions=[Action.make(tick, "freeze", "client-1",
                                                      duration=2000)])
        session.timeline.run_until(level.ticks)
        if session.outcome().state == "won":
            wins.append(tick)
    assert 0 < len(wins) <= 0.15 * len(ticks)
    assert all(tick % 200 <= 20 for tick in wins), wins


def test_bursty_queue_is_won_by_queueing_behind_the_backup_not_by_a_slow_link() -> None:
    """bursty-queue teaches queueing delay: the wire time the player may set is below the
    heartbeat interval, so a slow link alone never leaves a 300 ms gap; only slowing the link
    n3's backup bursts share with its heartbeats, enough that four backup messages hold it
    past the timeout, and before a burst, makes n1 suspect a live node."""
    from playground.game.session import Refused, Session
    from playground.sim import Action

    level = CAMPAIGN.get("bursty-queue")
    for brute, refusal in ((Action.make(900, "set_link", "n3->n1", latency=10_000),
                            "only change wire time per message"),
                           (Action.make(900, "set_link", "n3->n1", service_ms=400),
                            "at most 100 ms")):
        with pytest.raises(Refused, match=refusal):
            Session(level, actions=[brute])

    def outcome(tick: int, link: str, service_ms: float) -> str:
        session = Session(level, actions=[Action.make(tick, "set_link", link,
                                                      service_ms=service_ms)])
        session.run_to_end()
        return session.outcome().state

    for link in ("n2->n1", "n4->n1", "n1->n2", "n1->n3", "n1->n4"):
        assert outcome(900, link, 100) == "lost", link  # the heartbeats' own queue stays short
    assert [outcome(900, "n3->n1", s) for s in (10, 25, 80, 100)] == ["lost", "lost", "won",
                                                                      "won"]
    assert outcome(1500, "n3->n1", 100) == "won"  # before the second burst
    assert outcome(2100, "n3->n1", 100) == "lost"  # after the last one


@pytest.mark.parametrize("level_id", [lv.id for lv in CAMPAIGN.levels if lv.mode == "break"])
def test_every_reference_solution_can_be_typed_into_the_game(level_id: str) -> None:
    """Each parameter of each action of a solution is a field of the game's tool dialog (the
    set_link dialog once offered only latency and loss, and Bursty Queue needs service_ms)."""
    from playground.sim import Action
    from playground.tui.tools import parse_fields, tool_fields

    level = CAMPAIGN.get(level_id)
    for action in CAMPAIGN.solution(level_id).actions:
        fields = tool_fields(action.tool, level.toolbox.get(action.tool), action.target,
                             level.nodes)
        typed = {name: " | ".join(" ".join(g) for g in value) if name == "groups"
                 else str(value) for name, value in action.kwargs.items()}
        assert set(typed) <= {f.name for f in fields}, (action, [f.name for f in fields])
        entered = parse_fields(fields, {f.name: typed.get(f.name, "") for f in fields})
        assert Action.make(action.tick, action.tool, action.target, **entered) == action


def test_a_keep_it_loss_on_a_requirement_says_what_fell_short() -> None:
    """Nothing broke but the detector was too slow: the story names the requirement and the
    end of the run instead of "At tick -: nothing broke"."""
    from playground.game.debrief import build_debrief
    from playground.game.session import Session

    level = CAMPAIGN.get("tune-the-timeout")
    session = Session(level, knobs={"timeout_ms": 1500})
    session.run_to_end()
    debrief = build_debrief(session)
    assert debrief.state == "lost" and debrief.violation is None
    assert debrief.story.startswith(f"At tick {level.ticks}: max_detection_ms was ")
    assert "needed at most 500" in debrief.story and "nothing broke" not in debrief.story
