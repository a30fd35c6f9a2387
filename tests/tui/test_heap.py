"""settle_heap: long-lived objects leave the collector's sight; garbage does not stay."""

from __future__ import annotations

import gc
import weakref

from playground.tui.heap import YOUNG_THRESHOLD, settle_heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cycle collector frees it


def test_survivors_are_frozen_and_last_times_cycles_are_still_collected() -> None:
    try:
        kept = Node()
        first = Node()
        settle_heap()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        # ``first`` was alive when frozen; once unreachable, the next settle still frees it.
        probe = weakref.ref(first)
        del first
        gc.collect()
        assert probe() is not None  # frozen: full collections skip it...
        settle_heap()
        assert probe() is None  # ...until the next settle thaws and collects
        assert isinstance(kept, Node)
    finally:
        gc.unfreeze()
        gc.set_threshold(700, 10, 10)
