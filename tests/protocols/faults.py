"""Random non-Byzantine faults for the protocols' hypothesis properties.

One strategy, :func:`faults`, draws a single fault action among ``nodes``; each property says
which kinds of fault it tolerates and how long pauses, outages, clock steps and link changes
may be, since a property holds only within its own bounds (a stream completes after a heal; a
detector with safe settings is never wrong when nodes only crash).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hypothesis import strategies as st

from playground.sim import Action

#: Every kind :func:`faults` can draw.
KINDS = ("cut", "heal", "partition", "isolate", "hold", "release", "freeze", "crash",
         "crash_stop", "step_clock", "set_rate", "set_drift", "set_link")


def faults(nodes: Sequence[str], ticks: st.SearchStrategy[int], kinds: Sequence[str], *,
           pause_ms: int = 1_000, recover_ms: int = 1_000, step_ms: int = 5_000,
           ppm: int = 200, loss: float = 0.5, latency_ms: int | None = None,
           min_latency_ms: int = 0, duplicate: float | None = None,
           jitter_ms: int | None = None, hold_max: int | None = 5, one_way: bool = True,
           clock_nodes: Sequence[str] | None = None) -> st.SearchStrategy[Action]:
    """One random fault of one of ``kinds`` at a tick from ``ticks``.

    ``cut``/``hold``/``release``/``set_link`` take a link between two of ``nodes`` (both ways,
    and one way if ``one_way``); ``hold`` holds up to ``hold_max`` messages (``None``: until
    released); ``heal`` one of those links or ``*``; ``partition`` splits off a random group of
    up to three nodes, ``isolate`` a single node; ``freeze`` lasts up to
    ``pause_ms``; ``crash`` recovers within ``recover_ms`` and ``crash_stop`` does not;
    ``step_clock`` jumps up to ``±step_ms``; ``set_rate`` and ``set_drift`` up to ``±ppm``,
    on ``clock_nodes`` (default: every node); ``set_link`` sets a loss up to ``loss`` and,
    where given, a latency from ``min_latency_ms`` to ``latency_ms``, a duplication rate up
    to ``duplicate`` and a jitter up to ``jitter_ms``.
    """
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown fault kinds {sorted(unknown)}")
    node = st.sampled_from(tuple(nodes))
    clocked = st.sampled_from(tuple(clock_nodes or nodes))
    arrows = ("->", "<->") if one_way else ("<->",)
    link = st.sampled_from([f"{a}{arrow}{b}" for a in nodes for b in nodes if a != b
                            for arrow in arrows])
    others = {n: [m for m in nodes if m != n] for n in nodes}
    settings = {"loss": st.floats(0, loss)}
    if latency_ms is not None:
        settings["latency"] = st.integers(min_latency_ms, latency_ms)
    if duplicate is not None:
        settings["duplicate"] = st.floats(0, duplicate)
    if jitter_ms is not None:
        settings["jitter"] = st.integers(0, jitter_ms)
    link_settings = st.fixed_dictionaries(settings)

    def split(side: list[str]) -> list[list[str]]:
        return [side, [n for n in nodes if n not in side]]

    makers: dict[str, Callable[[int], st.SearchStrategy[Action]]] = {
        "cut": lambda t: st.builds(lambda x: Action.make(t, "cut", x), link),
        "heal": lambda t: st.builds(lambda x: Action.make(t, "heal", x),
                                    st.one_of(link, st.just("*"))),
        "partition": lambda t: st.builds(
            lambda side: Action.make(t, "partition", groups=split(side)),
            st.lists(node, min_size=1, max_size=3, unique=True)),
        "isolate": lambda t: st.builds(
            lambda n: Action.make(t, "partition", "*", groups=[[n], others[n]]), node),
        "hold": lambda t: (
            st.builds(lambda x: Action.make(t, "hold", x), link) if hold_max is None else
            st.builds(lambda x, c: Action.make(t, "hold", x, count=c), link,
                      st.integers(1, hold_max))),
        "release": lambda t: st.builds(lambda x: Action.make(t, "release", x), link),
        "freeze": lambda t: st.builds(lambda n, d: Action.make(t, "freeze", n, duration=d),
                                      node, st.integers(1, pause_ms)),
        "crash": lambda t: st.builds(
            lambda n, r: Action.make(t, "crash", n, recover_after=r), node,
            st.integers(1, recover_ms)),
        "crash_stop": lambda t: st.builds(lambda n: Action.make(t, "crash", n), node),
        "step_clock": lambda t: st.builds(
            lambda n, d: Action.make(t, "step_clock", n, delta_ms=d), clocked,
            st.integers(-step_ms, step_ms)),
        "set_rate": lambda t: st.builds(lambda n, p: Action.make(t, "set_rate", n, ppm=p),
                                        clocked, st.integers(-ppm, ppm)),
        "set_drift": lambda t: st.builds(lambda n, p: Action.make(t, "set_drift", n, ppm=p),
                                         clocked, st.integers(-ppm, ppm)),
        "set_link": lambda t: st.builds(lambda x, settings: Action.make(t, "set_link", x,
                                                                        **settings),
                                        link, link_settings),
    }
    return st.tuples(ticks, st.sampled_from(tuple(kinds))).flatmap(
        lambda pair: makers[pair[1]](pair[0]))
