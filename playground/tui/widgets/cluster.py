"""The cluster grid: a card per node, drawn with the Line API from cached strips.

A card line that reads the same as before is the same strip, so a new frame repaints only
the lines that changed (mostly the clocks), not the grid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from playground.game.words import MORE
from playground.sim.network import parse_link
from playground.tui.cards import (
    COMPACT_HEIGHT,
    COMPACT_MIN_WIDTH,
    FULL_HEIGHT,
    FULL_MIN_WIDTH,
    TINY_HEIGHT,
    TINY_MIN_WIDTH,
    card_lines,
)
from playground.tui.model import NodeView
from playground.tui.widgets.paint import ClassStyles, runs_to_strip

#: Card sizes from the roomiest: (compact, least width, height).
SIZES = ((False, FULL_MIN_WIDTH, FULL_HEIGHT), (True, COMPACT_MIN_WIDTH, COMPACT_HEIGHT),
         (True, TINY_MIN_WIDTH, TINY_HEIGHT))


@attrs.frozen
class Plan:
    """Where each card goes for a width: rows of node names, card size, compact or not."""

    rows: tuple[tuple[str, ...], ...]
    card_width: int
    card_height: int
    compact: bool

    @property
    def height(self) -> int:
        return len(self.rows) * self.card_height

    def position(self, node: str) -> tuple[int, int] | None:
        for r, row in enumerate(self.rows):
            if node in row:
                return r, row.index(node)
        return None

    def node_at(self, x: int, y: int) -> str | None:
        r = y // self.card_height
        c = x // self.card_width
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            return self.rows[r][c]
        return None


def plan_grid(nodes: Sequence[str], layout: Mapping[str, tuple[int, int]], width: int,
              max_height: int) -> Plan:
    """Lay out cards: nodes sharing a layout row share a grid row (wrapping when narrow);
    full cards if they fit in ``max_height``, else compact ones, else tiny ones (a header
    and one line: what they cut is in the detail line)."""
    groups: dict[int, list[tuple[int, int, str]]] = {}
    for i, name in enumerate(nodes):
        col, row = layout.get(name, (i, 0))
        groups.setdefault(row, []).append((col, i, name))
    ordered = [[name for _, _, name in sorted(groups[r])] for r in sorted(groups)]
    for compact, min_width, card_height in SIZES:
        widest = max(len(g) for g in ordered) if ordered else 1
        cols = max(1, min(widest, width // min_width))
        rows: list[tuple[str, ...]] = []
        for group in ordered:
            for start in range(0, len(group), cols):
                rows.append(tuple(group[start:start + cols]))
        card_width = max(min_width, width // cols) if cols > 1 else max(min_width, min(width, 44))
        plan = Plan(tuple(rows), card_width, card_height, compact)
        if plan.height <= max_height:
            return plan
    return plan  # the smallest cards, even if they do not fit


class ClusterGrid(Widget, can_focus=True):
    """Node cards. Click a card or use the arrows to select a node."""

    BINDINGS = [
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
    ]

    COMPONENT_CLASSES = {
        "cluster--border", "cluster--border-selected", "cluster--border-linked",
        "cluster--border-crashed", "cluster--name", "cluster--selected", "cluster--linked",
        "cluster--leader", "cluster--stale", "cluster--role", "cluster--term",
        "cluster--label", "cluster--value", "cluster--clock", "cluster--jump",
        "cluster--warn", "cluster--ok", "cluster--frozen", "cluster--crashed",
        "cluster--lying", "cluster--truth", "cluster--truth-label", "cluster--decide",
    }

    class NodeChosen(Message):
        """The player clicked a card or moved the selection with the arrows."""

        def __init__(self, node: str) -> None:
            super().__init__()
            self.node = node

    def __init__(self, nodes: Sequence[str], layout: Mapping[str, tuple[int, int]],
                 *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.nodes = tuple(nodes)
        self.node_layout = dict(layout)
        self.views: dict[str, NodeView] = {}
        self.selection: str | None = None
        self.max_height = 14
        self._styles = ClassStyles(self, "cluster")
        # Cards of the nodes as they are now (and selected or not): old clock readings go.
        self._cards: LRUCache[tuple, list[Strip]] = LRUCache(4 * max(8, len(self.nodes)))
        # strips by the runs they draw: an unchanged line of a changed card is the same strip
        self._lines: LRUCache[tuple, Strip] = LRUCache(16 * max(8, len(self.nodes)))
        self._plan_cache: tuple[tuple[int, int], Plan] | None = None
        self._drawn: dict[int, tuple[Strip, ...]] = {}  # the card pieces on each line now

    # data in -------------------------------------------------------------------------
    def update_views(self, views: Sequence[NodeView], selection: str | None) -> None:
        """New node views; repaints only if something shown changed."""
        new = {v.name: v for v in views}
        if new != self.views or selection != self.selection:
            self.views = new
            self.selection = selection
            if not self._drawn:
                self.refresh()
                return
            width, height = self.size
            plan, linked = self.plan(width), self._linked()
            changed = [Region(0, y, width, 1) for y in range(height)
                       if self._pieces(y, plan, linked) != self._drawn.get(y)]
            if changed:
                self.refresh(*changed)

    def set_max_height(self, lines: int) -> None:
        if lines != self.max_height:
            self.max_height = lines
            self._plan_cache = None
            self.refresh(layout=True)

    # layout --------------------------------------------------------------------------
    def plan(self, width: int | None = None) -> Plan:
        width = self.size.width if width is None else width
        key = (width, self.max_height)
        if self._plan_cache is None or self._plan_cache[0] != key:
            self._plan_cache = (key, plan_grid(self.nodes, self.node_layout, max(width, 1),
                                               self.max_height))
        return self._plan_cache[1]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.plan(width).height

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cards.clear()
        self._lines.clear()
        self._drawn.clear()

    # painting ------------------------------------------------------------------------
    def _linked(self) -> set[str]:
        sel = self.selection
        if not sel or sel in self.nodes:
            return set()
        try:
            a, b, _ = parse_link(sel)
        except ValueError:
            return set()
        return {a, b}

    def _card(self, node: str, plan: Plan, linked: bool) -> list[Strip]:
        view = self.views.get(node)
        selected = node == self.selection
        key = (view, plan.card_width, plan.card_height, plan.compact, selected, linked)
        strips = self._cards.get(key)
        if strips is None:
            if view is None:
                strips = [Strip.blank(plan.card_width, self._styles(""))] * plan.card_height
            else:
                lines = card_lines(view, plan.card_width, compact=plan.compact,
                                   selected=selected, linked=linked, height=plan.card_height)
                strips = [self._strip(line, plan.card_width) for line in lines]
            self._cards[key] = strips
        return strips

    def is_cut(self, node: str) -> bool:
        """True if ``node``'s card, as drawn now, cut something (it shows ``…``)."""
        plan = self.plan()
        if not self.size.width or node not in self.views or plan.position(node) is None:
            return False
        strips = self._card(node, plan, node in self._linked())
        return any(MORE in strip.text for strip in strips)

    def _strip(self, runs: list[tuple[str, str]], width: int) -> Strip:
        key = (tuple(runs), width)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._lines[key] = runs_to_strip(runs, self._styles, width)
        return strip

    def _pieces(self, y: int, plan: Plan, linked: set[str]) -> tuple[Strip, ...]:
        """The card lines side by side on line ``y`` (none below the last row)."""
        row_index, line = divmod(y, plan.card_height)
        if row_index >= len(plan.rows):
            return ()
        return tuple(self._card(node, plan, node in linked)[line]
                     for node in plan.rows[row_index])

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        pieces = self._drawn[y] = self._pieces(y, self.plan(width), self._linked())
        if not pieces:
            return Strip.blank(width, self._styles(""))
        return Strip.join(pieces).adjust_cell_length(width, self._styles(""))

    # input ---------------------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        node = self.plan().node_at(event.x, event.y)
        if node is not None:
            self.post_message(self.NodeChosen(node))

    def action_move(self, drow: int, dcol: int) -> None:
        plan = self.plan()
        current = self.selection if self.selection in self.nodes else None
        if current is None:
            linked = sorted(self._linked(), key=self.nodes.index)
            current = linked[0] if linked else self.nodes[0]
        pos = plan.position(current)
        if pos is None:
            return
        r, c = pos
        if dcol:
            flat = [n for row in plan.rows for n in row]
            index = (flat.index(current) + dcol) % len(flat)
            self.post_message(self.NodeChosen(flat[index]))
            return
        r = (r + drow) % len(plan.rows)
        c = min(c, len(plan.rows[r]) - 1)
        self.post_message(self.NodeChosen(plan.rows[r][c]))
