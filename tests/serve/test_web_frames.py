"""What a browser is sent of its game's screen: changed rows only, slow browsers get the latest
screen. Each check feeds a terminal emulator both the game's own bytes and what the outbox
sends, and compares the two screens cell by cell."""

from __future__ import annotations

import random

import pyte

from playground.serve.frames import Outbox, parse_frame

COLS, ROWS = 40, 8
STYLES = (b"\x1b[38;2;224;224;224;48;2;18;18;18m", b"\x1b[1;38;2;254;166;43;48;2;0;0;0m")


def row_write(row: int, column: int, text: str, style: bytes = STYLES[0]) -> bytes:
    """One row as Textual's web driver writes it: move, styled text, reset."""
    return b"\x1b[%d;%dH%s%s\x1b[0m" % (row, column, style, text.encode())


def frame(writes: list[bytes]) -> bytes:
    """Rows as Textual joins them (a newline between two, none after the last), then the
    cursor parked top left."""
    return b"\n".join(writes) + b"\x1b[1;1H"


def full_frame(lines: list[str]) -> bytes:
    return frame([row_write(y + 1, 1, line.ljust(COLS)[:COLS]) for y, line in enumerate(lines)])


def cells(screen: pyte.Screen) -> list[list[pyte.screens.Char]]:
    return [[screen.buffer[y][x] for x in range(COLS)] for y in range(ROWS)]


class Browser:
    def __init__(self) -> None:
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.received = 0

    def feed(self, data: bytes) -> None:
        self.received += len(data)
        self.stream.feed(data)


def test_an_unchanged_screen_is_not_sent_again_and_a_changed_row_is() -> None:
    lines = [f"node n{i} follower term 1" for i in range(ROWS)]
    outbox = Outbox()
    outbox.put(full_frame(lines))
    first = outbox.take()
    assert b"node n7" in first
    outbox.put(full_frame(lines))
    assert outbox.take() == b""  # nothing changed: nothing sent
    lines[3] = "node n3 LEADER term 2"
    outbox.put(full_frame(lines))
    update = outbox.take()
    assert b"LEADER" in update and b"node n2" not in update and b"node n4" not in update


def test_frames_waiting_for_a_slow_browser_merge_into_the_latest_screen() -> None:
    rng = random.Random(7)
    game, browser = Browser(), Browser()
    outbox = Outbox()
    for frame_number in range(200):
        if rng.random() < 0.3:  # a full repaint
            data = full_frame([f"t={frame_number} row {y} " + "#" * rng.randrange(20)
                               for y in range(ROWS)])
        else:  # a partial update of a few spans, some on the same row
            spans = sorted((rng.randrange(1, ROWS + 1), rng.randrange(1, COLS - 8))
                           for _ in range(rng.randrange(1, 4)))
            data = frame([row_write(row, column, f"{frame_number:>5}", rng.choice(STYLES))
                          for row, column in spans])
        game.feed(data)
        outbox.put(data)
        if rng.random() < 0.2:  # the browser is ready only now and then
            browser.feed(outbox.take())
            assert cells(browser.screen) == cells(game.screen)
    browser.feed(outbox.take())
    assert cells(browser.screen) == cells(game.screen)
    assert browser.received < game.received / 2


def test_other_output_goes_out_in_order_and_makes_every_row_unknown() -> None:
    outbox = Outbox()
    frame = full_frame(["same"] * ROWS)
    outbox.put(frame)
    outbox.take()
    outbox.put(b"\x1b[?1049h")  # the game switched screens: what is shown is unknown
    outbox.put(frame)
    sent = outbox.take()
    assert sent.startswith(b"\x1b[?1049h") and sent.count(b"same") == ROWS
    assert parse_frame(b"\x1b[2J") is None
    assert parse_frame(b"\x1b[1;1Hplain\x07text") is None  # a bell is not a row's text


def test_a_resized_browser_gets_every_row_again() -> None:
    outbox = Outbox()
    frame = full_frame(["same"] * ROWS)
    outbox.put(frame)
    outbox.take()
    outbox.forget()
    outbox.put(frame)
    assert outbox.take().count(b"same") == ROWS


def test_the_baseline_sends_every_byte_the_game_wrote() -> None:
    outbox = Outbox(send_all=True)
    frame = full_frame(["same"] * ROWS)
    outbox.put(frame)
    outbox.put(frame)
    assert outbox.take() == frame + frame
