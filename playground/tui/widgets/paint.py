"""Turning ``(text, class)`` runs into strips styled by the widget's component classes."""

from __future__ import annotations

from collections.abc import Iterable

from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from playground.game.words import MORE

Runs = list[tuple[str, str]]
#: The fewest lines a view keeps drawn (see :func:`fit_cache`).
MIN_CACHED_LINES = 64


class ClassStyles:
    """Rich styles of a widget's component classes (``prefix--name``), cached until the
    theme or the CSS changes (call :meth:`clear` from ``notify_style_update``)."""

    def __init__(self, widget: Widget, prefix: str) -> None:
        self.widget = widget
        self.prefix = prefix
        self._cache: dict[str, Style] = {}

    def __call__(self, name: str) -> Style:
        style = self._cache.get(name)
        if style is None:
            base = self.widget.rich_style
            if name:
                try:
                    extra = self.widget.get_component_rich_style(
                        f"{self.prefix}--{name}", partial=True)
                except KeyError:
                    extra = Style()
                style = base + extra
            else:
                style = base
            self._cache[name] = style
        return style

    def clear(self) -> None:
        self._cache.clear()


def runs_to_strip(runs: Iterable[tuple[str, str]], styles: ClassStyles, width: int) -> Strip:
    """A strip exactly ``width`` cells wide (cropped or padded with the base style)."""
    segments = [Segment(text, styles(cls)) for text, cls in runs if text]
    return Strip(segments).adjust_cell_length(width, styles(""))


def crop(runs: Iterable[tuple[str, str]], width: int) -> Runs:
    """Runs cut to at most ``width`` characters; if anything was cut, the last one is ``…``
    (text is never cut silently: the full text is in a detail line)."""
    runs = list(runs)
    if sum(len(text) for text, _ in runs) <= width:
        return runs
    out: Runs = []
    used = 0
    room = max(0, width - 1)
    for text, cls in runs:
        if used >= room:
            break
        piece = text[: room - used]
        out.append((piece, cls))
        used += len(piece)
    if width > 0:
        out.append((MORE, out[-1][1] if out else ""))
    return out


def fit_cache(cache: LRUCache, height: int) -> None:
    """Keep about two screens of a view's lines: enough to scroll without redrawing, and no
    more (a strip with its caches is over a kilobyte, and a game runs for hours)."""
    cache.maxsize = max(MIN_CACHED_LINES, 2 * height)
    cache.clear()


def pad(text: str, width: int) -> str:
    """``text`` cut or padded to ``width`` characters."""
    return text[:width].ljust(width)


def set_virtual_height(view: ScrollView, height: int) -> None:
    """Grow or shrink a Line API view's scrollable height without laying out the screen.

    Assigning ``virtual_size`` asks for a layout of the whole screen, on every frame for a
    view that grows with time. The views that use this always show their vertical scrollbar
    (``overflow-y: scroll``), so a new height only moves the scrollbar's thumb.
    """
    size = Size(view.size.width, height)
    if size != view.virtual_size:
        view.set_reactive(Widget.virtual_size, size)
        view._scroll_update(size)  # the scrollbar's window, without a layout
