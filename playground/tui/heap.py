"""Keep Python's cycle collector off the objects that live as long as the game.

The collector's full passes walk every tracked object. A game holds a few hundred thousand
long-lived ones (Textual, its CSS, the campaign, the level's trace), and at 16x those passes
were a third of a frame's CPU. :func:`settle_heap` collects what is garbage now, then moves
every survivor to the permanent generation (``gc.freeze``), which the collector skips. It
first thaws what an earlier call froze, so the last level's world (a reference cycle) is
collected rather than kept forever. Call it where a pause of some milliseconds is unseen:
after the first frame, and when a level starts. It also lets more young objects pile up
between the cheap young collections (:data:`YOUNG_THRESHOLD` instead of 700): a frame
allocates thousands of short-lived strips and segments.
"""

from __future__ import annotations

import gc

#: Allocations between collections of the youngest generation (Python's default: 700).
YOUNG_THRESHOLD = 5000


def settle_heap() -> None:
    """Collect garbage, then exempt every surviving object from future collections."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    gc.unfreeze()
    gc.collect()
    gc.freeze()
