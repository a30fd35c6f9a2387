"""Nothing is cut silently: a card or log line too long for its place ends with ``…`` and the
whole text is one key or click away in the detail line; the links panel puts links that share
a state on one line and shows a changed link's new state."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from playground.game.campaign import load_campaign
from playground.game.words import MORE
from playground.tui.cards import card_detail, card_lines
from playground.tui.controller import PlayController
from playground.tui.model import History, link_views, node_views
from playground.tui.widgets.eventlog import EventLog
from playground.tui.widgets.panels import DetailLine, LinksPanel
from tests.tui.conftest import CAMPAIGN, make_app, start

TALL = (120, 40)


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(CAMPAIGN)


def _text(runs) -> str:
    return "".join(t for t, _ in runs)


def test_a_card_cuts_the_value_not_the_tick_and_says_so(campaign) -> None:
    c = PlayController(campaign.get("sandbox"))
    c.advance_to(50)
    history = History(c.level.nodes)
    history.sync(c.world.trace)
    view = attrs.evolve(node_views(c.world, history)[0], decision="commit=n3-t1-4 @1008")
    lines = [_text(line) for line in card_lines(view, 20, compact=True, height=6)]
    decision = next(line for line in lines if "★" in line)
    assert "@1008" in decision and MORE in decision  # "★ commit=n3… @1008"
    assert "commit=n3-t1-4 @1008" in card_detail(view)


def test_a_card_with_more_lines_than_room_ends_its_last_line_with_an_ellipsis(campaign) -> None:
    c = PlayController(campaign.get("sandbox"))
    c.advance_to(50)
    history = History(c.level.nodes)
    history.sync(c.world.trace)
    view = attrs.evolve(node_views(c.world, history)[0], decision="write=v1 @40",
                        extra=(("queue_depth", "3"), ("lease_ms", "500")))
    lines = [_text(line).rstrip() for line in card_lines(view, 40, compact=True)]
    assert lines[-1].endswith(MORE)
    detail = card_detail(view)
    assert "queue depth 3" in detail and "write=v1 @40" in detail


async def test_a_cut_card_puts_its_whole_text_in_the_detail_line(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start(pilot, "sandbox")
        screen.action_seek(600)
        await pilot.pause()
        detail = screen.query_one(DetailLine)
        cuts = 0
        for key in "12345":
            await pilot.press(key)
            await pilot.pause()
            node = screen.controller.selection
            cut = screen.query_one("#grid").is_cut(node)
            assert detail.display == cut
            if cut:
                cuts += 1
                view = next(v for v in node_views(screen.controller.world, screen.history)
                            if v.name == node)
                assert detail.markup_text.replace("\\[", "[") == card_detail(view)
        assert cuts, "at 80x24 some card is cut"


async def test_a_cut_log_line_ends_with_an_ellipsis_and_a_click_shows_it(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=TALL) as pilot:
        screen = await start(pilot, "sandbox")
        await pilot.press("1", "l", "c")  # a cut: a long fault line
        screen.action_seek(400)
        await pilot.pause()
        log = screen.query_one(EventLog)
        width = log.scrollable_content_region.width
        from playground.game.debrief import describe_event

        texts = [describe_event(e) for e in log.lines]
        top = int(log.scroll_offset.y)
        long = [i for i in range(top, min(len(texts), top + log.size.height))
                if len(texts[i]) - len(texts[i].split(" ")[0]) + 7 > width]
        assert long, "some line on screen is too long for the log"
        row = long[0] - top
        shown = log.render_line(row).text.rstrip()
        assert shown.endswith(MORE)
        await pilot.click(EventLog, offset=(10, row))
        await pilot.pause()
        detail = screen.query_one(DetailLine)
        assert detail.display and detail.markup_text.replace("\\[", "[") == texts[long[0]]
        await pilot.press("2")  # choosing something else lets the event go
        await pilot.pause()
        assert texts[long[0]] not in detail.markup_text


async def test_links_sharing_a_state_share_a_line_and_a_change_shows(data_dir: Path) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=TALL) as pilot:
        screen = await start(pilot, "sandbox")
        c = screen.controller
        for link in ("n1<->n2", "n1<->n3", "n1<->n4"):
            c.select(link)
            assert c.apply("set_link", {"service_ms": "150"}).ok, link
        c.select("n5")
        screen.selection = "n5"
        screen.sync_view()
        await pilot.pause()
        views = link_views(c.world)
        assert len(views) == 3 and {v.state for v in views} == {
            "wire time 150 ms a message"}
        lines = [line for line in screen.query_one(LinksPanel).markup_text.splitlines()
                 if "150 ms" in line]
        assert len(lines) == 1
        assert all(pair in lines[0] for pair in ("n1-n2", "n1-n3", "n1-n4"))
        c.select("n1<->n2")
        assert c.apply("set_link", {"service_ms": "400"}).ok
        screen.sync_view()
        await pilot.pause()
        panel = screen.query_one(LinksPanel).markup_text
        assert "400 ms" in panel and "150 ms" in panel  # the changed link, and the others
