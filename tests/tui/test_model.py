"""The UI's logic without a terminal: views, cards, diagram, controller, tools, debrief."""

from __future__ import annotations

import pytest

from playground.game.campaign import load_campaign
from playground.game.debrief import build_debrief, describe_event, render_template
from playground.sim.trace import Event
from playground.tui.cards import card_lines
from playground.tui.codex import codex_entries, explain, tool_text, tools_met
from playground.tui.controller import PlayController
from playground.tui.diagram import DiagramModel, Geometry, default_scale
from playground.tui.model import History, link_views, meters, node_views
from playground.tui.settings import Settings
from playground.tui.stepper import MAX_FRAME_SECONDS, Stepper
from playground.tui.tools import FieldError, parse_fields, tool_fields
from tests.tui.conftest import CAMPAIGN


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(CAMPAIGN)


def text(runs) -> str:
    return "".join(t for t, _ in runs)


def test_render_template_fills_known_and_keeps_unknown_placeholders() -> None:
    values = {"violation_tick": 12, "x": 1.5}
    assert render_template("at {violation_tick}: {nope} {x:.0f}", values) == "at 12: {nope} 2"
    assert render_template("stray { brace", values) == "stray { brace"
    assert render_template("{x:zz}", values) == "{x:zz}"


def test_describe_event_covers_every_kind() -> None:
    kinds = {
        "send": {"id": 1, "dst": "b", "payload": {"type": "hb"}},
        "deliver": {"id": 1, "src": "a", "sent": 3, "dup_of": 0},
        "drop": {"id": 1, "link": "a->b", "reason": "lost"},
        "hold": {"id": 1, "link": "a->b", "held": 2},
        "timer": {"name": "t"}, "state": {"role": "leader"},
        "decide": {"key": "k", "value": "v", "index": 1},
        "observe": {"what": "w", "x": 1}, "command": {"name": "set", "args": {"v": 1}},
        "fault": {"tool": "freeze", "target": "a", "duration": 5, "effect": "3 pending"},
        "violation": {"invariant": "i", "detail": "d"}, "start": {"seed": 1}, "other": {},
    }
    for kind, data in kinds.items():
        line = describe_event(Event(1, 7, kind, "a", 1.0, 1.0, data))
        assert line.startswith("t=7"), line


def test_clock_jump_back_is_visible_and_truth_is_stated(campaign) -> None:
    level = campaign.get("clock-step")
    c = PlayController(level)
    c.advance_to(1000)
    c.select("n3")
    assert c.apply("step_clock", {"delta_ms": "-900"}).ok
    c.advance_to(1200)
    history = History(level.nodes)
    history.sync(c.world.trace)
    n3 = node_views(c.world, history)[2]
    assert n3.jumped is not None and n3.jumped < 0
    lines = [text(r) for r in card_lines(n3, 30, compact=False)]
    assert "↶" in lines[1]
    assert any("clock ran back" in line for line in lines)


def test_frozen_deposed_leader_card(campaign) -> None:
    level = campaign.get("lease-pause")
    c = PlayController(level)
    c.advance_to(1069)
    c.select("n3")
    assert c.apply("freeze", {"duration": "1500"}).ok
    c.advance_to(1900)
    history = History(level.nodes)
    history.sync(c.world.trace)
    n3 = node_views(c.world, history)[2]
    assert n3.status == "frozen" and n3.stale_leader and n3.lease_over
    full = "\n".join(text(r) for r in card_lines(n3, 34, compact=False))
    assert "FROZEN" in full and "deposed" in full and "✗over" in full
    compact = [text(r) for r in card_lines(n3, 24, compact=True)]
    assert len(compact) == 3 and all(len(line) == 24 for line in compact)


def test_link_views_name_cuts_one_way_and_holds(campaign) -> None:
    c = PlayController(campaign.get("sandbox"))
    c.advance_to(10)
    c.select("n1->n2")
    assert c.apply("cut").ok
    c.select("n3<->n4")
    assert c.apply("cut").ok
    c.select("n2<->n5")
    assert c.apply("hold", {"count": ""}).ok
    views = {v.target: v for v in link_views(c.world)}
    assert "one way" in views["n1->n2"].text
    assert views["n3<->n4"].severity == "cut"
    assert views["n2<->n5"].severity == "held"


def test_meters_report_broken_invariant(campaign) -> None:
    level = campaign.get("two-faced")
    c = PlayController(level)
    c.advance_to(600)
    c.select("n3")
    assert c.apply("lie").ok
    c.advance_to(800)
    m = meters(c.world, level.protocol.invariants, level.protocol.liveness)
    assert not m.safety_ok and "agreement" in m.safety_text
    assert dict(m.invariants)["agreement"] is False


def test_diagram_rows_have_exact_width_and_flag_violations(campaign) -> None:
    level = campaign.get("two-faced")
    c = PlayController(level)
    c.advance_to(600)
    c.select("n3")
    c.apply("lie")
    c.advance_to(800)
    model = DiagramModel(level.nodes, default_scale(level.ticks))
    model.sync(c.world.trace)
    for width in (40, 80, 120):
        geometry = Geometry.of(width, len(level.nodes))
        for row in range(0, model.row_of(800) + 1):
            assert sum(len(t) for t, _ in model.render_row(row, geometry)) == width
    assert model.violations
    row = model.violations[0][0]
    rendered = model.render_row(row, Geometry.of(120, 3))
    assert any(cls == "violation" for _, cls in rendered)
    # a rewind rebuilds the diagram
    generation = model.generation
    c.rewind_to(300)
    assert model.sync(c.world.trace) and model.generation > generation
    assert not model.violations


def test_controller_acts_next_tick_and_forks_in_the_past(campaign) -> None:
    c = PlayController(campaign.get("first-cut"))
    c.advance_to(1000)
    c.select("n3")
    c.next_link()
    first = c.apply("cut")
    c.next_link()
    second = c.apply("cut")
    assert first.ok and second.ok and first.action.tick < second.action.tick
    assert len(c.session.player_actions) == 2
    c.advance_to(1400)
    c.rewind_to(1001)
    assert c.in_past and c.forks_if_acting()
    c.select("n1<->n2")
    result = c.apply("partition", {"groups": "n1 | n2 n3"})
    assert result.ok and "forked" in result.message, result
    assert [a.tool for a in c.session.player_actions] == ["cut", "partition"]
    assert not c.in_past


def test_controller_refusals_say_why(campaign) -> None:
    c = PlayController(campaign.get("two-faced"))
    c.advance_to(100)
    assert c.apply("cut").message == "no cut link in this level's toolbox (it has: make lie)"
    assert c.apply("set_link").message == ("no slow/lossy in this level's toolbox "
                                           "(it has: make lie)")
    c.select("n3")
    assert c.apply("lie").ok
    refused = c.apply("lie")
    assert not refused.ok and "No lies left: this level allows 1" in refused.message
    keep = PlayController(campaign.get("keep-it"))
    assert "KEEP IT" in keep.apply("cut").message
    pause = PlayController(campaign.get("lease-pause"))
    pause.select("n3")
    too_long = pause.apply("freeze", {"duration": "5000"})
    assert not too_long.ok and "at most 1500" in too_long.message


def test_a_dialog_value_out_of_range_is_refused_under_its_field_label(campaign) -> None:
    c = PlayController(campaign.get("sandbox"))
    c.select("n1->n2")
    refused = c.apply("set_link", {"latency": "-5"})
    assert not refused.ok and refused.message == "latency (ms): must be >= 0, got -5"
    refused = c.apply("set_link", {"loss": "1.5"})
    assert refused.message == "loss (0..1): must be between 0 and 1, got 1.5"
    c.select("n1")
    refused = c.apply("freeze", {"duration": "0"})
    assert refused.message == "pause for (ms): must be > 0, got 0"
    assert not c.session.player_actions


def test_link_selection_cycles(campaign) -> None:
    c = PlayController(campaign.get("first-cut"))
    c.select("n1")
    assert c.next_link().ok and c.selection == "n1<->n2"
    assert c.next_link().ok and c.selection == "n1<->n3"
    assert c.flip_link().ok and c.selection == "n1->n3"
    assert c.flip_link().ok and c.selection == "n3->n1"
    assert c.flip_link().ok and c.selection == "n1<->n3"
    assert not c.select_index(9).ok
    assert not c.select("n1->zz").ok


def test_knobs_step_and_restart(campaign) -> None:
    c = PlayController(campaign.get("keep-lease"))
    assert c.knob_step("clock", 1).ok and c.draft_knobs["clock"] == "mono"
    assert c.knob_step("lease_ms", 1).ok and c.draft_knobs["lease_ms"] == 250
    for _ in range(40):
        c.knob_step("lease_ms", 1)
    assert c.draft_knobs["lease_ms"] == 1000
    for _ in range(16):
        c.knob_step("lease_ms", -1)
    assert c.draft_knobs["lease_ms"] == 200
    assert not c.knob_step("nope", 1).ok
    assert c.apply_knobs().ok and c.session.knobs["clock"] == "mono"
    c.advance_to(c.level.ticks)
    assert c.outcome().state == "won"


def test_step_event_and_claim(campaign) -> None:
    c = PlayController(campaign.get("first-cut"))
    c.advance_to(0)
    before = len(c.world.trace)
    assert c.step_event() and len(c.world.trace) > before
    assert c.claim_unbreakable(1).ok
    assert c.outcome().state == "lost" and c.finished
    assert c.new_outcome() is not None and c.new_outcome() is None


def test_debrief_of_a_win_names_the_causes(campaign) -> None:
    c = PlayController(campaign.get("first-cut"))
    c.advance_to(1000)
    c.select("n3<->n1")
    c.apply("cut")
    c.select("n3<->n2")
    c.apply("cut")
    c.advance_to(3000)
    d = build_debrief(c.session)
    assert d.won and d.violation is not None and len(d.causes) == 2
    assert d.story.startswith(f"At tick {d.violation.tick}: n3 wrote")
    assert d.share_code.startswith("DSP2-") and d.par[0].met is True


def test_tool_fields_defaults_come_from_the_budget(campaign) -> None:
    level = campaign.get("lease-pause")
    (field,) = tool_fields("freeze", level.toolbox["freeze"], "n3", level.nodes)
    assert field.default == "1500" and field.required
    (groups,) = tool_fields("partition", None, "n2", ("n1", "n2", "n3"))
    assert groups.default == "n2 | n1 n3"
    assert parse_fields((groups,), {"groups": "n1 n2 | n3"}) == {"groups": [["n1", "n2"], ["n3"]]}
    with pytest.raises(FieldError) as typo:
        parse_fields((field,), {"duration": "soon"})
    assert str(typo.value) == "pause for (ms): soon is not a number; type one such as 1500"
    with pytest.raises(FieldError):
        parse_fields((field,), {"duration": ""})


def test_the_link_dialog_asks_only_for_the_settings_a_level_allows() -> None:
    from playground.game.level import Budget
    from playground.sim.actions import TOOLS

    every = tool_fields("set_link", None, "n1->n2", ("n1", "n2"))
    assert {f.name for f in every} == set(TOOLS["set_link"].params)  # all of them, none required
    assert not any(f.required for f in every)
    assert parse_fields(every, {"latency": "200", "service_ms": "40"}) == {
        "latency": 200, "service_ms": 40}
    (only,) = tool_fields("set_link", Budget("set_link", settings=("service_ms",)), "n2->n1",
                          ("n1", "n2"))
    assert only.name == "service_ms" and only.required and only.default == ""
    with pytest.raises(FieldError):
        parse_fields((only,), {"service_ms": ""})
    (capped,) = tool_fields("set_link", Budget("set_link", settings=("service_ms",),
                                               max_service_ms=100), "n2->n1", ("n1", "n2"))
    assert "at most 100 ms" in capped.help and capped.default == "100"


def test_stepper_carries_fractions_and_caps_stalls() -> None:
    s = Stepper(1)
    assert sum(s.due(1 / 30) for _ in range(30)) == 50
    s.set(64)
    assert s.due(10.0) == int(MAX_FRAME_SECONDS * 50 * 64)
    assert s.faster() == 64 and s.slower() == 16
    with pytest.raises(ValueError):
        s.set(3)


def test_settings_ignore_bad_values() -> None:
    assert Settings.from_dict({"theme": 3, "speed": 5, "colour": "no"}) == Settings()
    assert Settings.from_dict({"speed": 16, "colour": False}).to_dict()["speed"] == 16


def test_codex_explains_known_concepts_and_falls_back(campaign) -> None:
    assert explain("Fencing Tokens") and explain("split-brain")
    entries = codex_entries(campaign.levels, {"first-cut"})
    known = [e for e in entries if e.known]
    assert {e.concept for e in known} == {"network partition", "split brain", "lease"}
    assert all(e.text for e in entries)


def test_codex_explains_the_tools_met_from_the_table_of_tools(campaign) -> None:
    assert tools_met(campaign.levels, set()) == []
    assert tools_met(campaign.levels, {"first-cut"}) == ["cut", "heal", "partition"]
    freeze = tool_text("freeze")
    assert freeze.startswith("Stop-the-world pause") and "pause for (ms): unfreeze after" in freeze
    assert "It undoes freeze." in tool_text("unfreeze")
    assert "how it lies: equivocate, forge, silent, replay, clock" in tool_text("lie")


def test_typed_knob_values_are_checked_against_range_and_step_in_words(campaign) -> None:
    c = PlayController(campaign.get("keep-lease"))  # lease (ms): 50 to 1000 in steps of 50
    assert c.knob_type("lease_ms", "300").ok and c.draft_knobs["lease_ms"] == 300
    assert isinstance(c.draft_knobs["lease_ms"], int)
    between = c.knob_type("lease_ms", "320")
    assert not between.ok and "try 300 or 350" in between.message
    out = c.knob_type("lease_ms", "2000")
    assert not out.ok and "from 50 to 1000 in steps of 50" in out.message
    assert "type a number" in c.knob_type("lease_ms", "soon").message
    assert c.draft_knobs["lease_ms"] == 300
    assert c.knob_type("clock", "mono").ok and c.draft_knobs["clock"] == "mono"
    assert "pick one of tod, mono" in c.knob_type("clock", "wall").message
    assert c.knob_end("lease_ms", high=True).ok and c.draft_knobs["lease_ms"] == 1000
    assert c.knob_step("lease_ms", -10).ok and c.draft_knobs["lease_ms"] == 500


def test_a_refused_target_says_which_ones_and_how_to_pick_one(campaign) -> None:
    c = PlayController(campaign.get("split"))  # cut only on a->b
    c.advance_to(10)
    c.select("b->a")
    refused = c.apply("cut")
    assert not refused.ok and not c.session.player_actions
    assert "cut link works only on the link a→b here" in refused.message
    assert "d to turn its direction" in refused.message and "->" not in refused.message
    c.select("a->b")
    assert c.apply("cut").ok


def test_a_link_dialog_picks_the_link_and_its_direction_from_a_list(campaign) -> None:
    c = PlayController(campaign.get("sandbox"))
    c.advance_to(10)
    c.select("n2")
    c.next_link()
    link, *rest = c.dialog_fields("hold")
    assert link.choices == ("n1<->n2", "n1->n2", "n2->n1") and link.default == "n1<->n2"
    assert "n2 → n1 only" in link.choice_labels and rest == list(c.fields_for("hold"))
    done = c.apply("hold", {"link": "n2->n1", "count": "3"})
    assert done.ok and done.action is not None and done.action.target == "n2->n1"
    assert c.world.links[("n2", "n1")].holding and not c.world.links[("n1", "n2")].holding


def test_a_level_that_names_its_links_offers_them_in_the_dialog() -> None:
    from playground.game.campaign import load_campaign

    c = PlayController(load_campaign().get("bursty-queue"))  # set_link on links of n1 only
    c.advance_to(100)
    c.select("n3")
    assert c.target_for("set_link")[1]  # no link selected...
    link, *_ = c.dialog_fields("set_link")  # ...but the dialog lists the allowed ones
    assert link.choices == ("n2->n1", "n3->n1", "n4->n1", "n1->n2", "n1->n3", "n1->n4")
    assert link.choice_labels[1] == "n3 → n1 only"
    assert link.default == "n3->n1"  # the first allowed link of the selected node
    done = c.apply("set_link", {"link": "n3->n1", "service_ms": "100"})
    assert done.ok and done.action is not None and done.action.target == "n3->n1"
