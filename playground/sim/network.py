"""The network: directed links with latency, loss, duplication, jitter, queues and faults.

Each directed link ``a->b`` has a :class:`LinkSpec` (how it behaves when healthy) and runtime
state (cut, holding messages, its transmit queue). Every message gets an id and a *fate*:
delivered at a tick, dropped for a named reason, or held until released.

Delays are drawn from the link's own random stream, always in the same order per message
(loss, latency, jitter, duplication), so cutting or holding a link does not shift the draws of
later messages on it, and never touches any other link's stream.
"""

from __future__ import annotations

import math
import random
from collections import deque
from math import log
from typing import Any, Literal

import attrs

from playground.sim.errors import ScenarioError, UnknownLinkError

LatencyKind = Literal["constant", "uniform", "exponential"]


def _non_negative(instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and (not isinstance(value, int | float) or not math.isfinite(value)
                              or value < 0):
        raise ScenarioError(f"{attribute.name} must be a finite number >= 0, got {value!r}")


def _probability(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ScenarioError(f"{attribute.name} must be a probability in [0, 1], got {value!r}")


@attrs.frozen
class Latency:
    """A one-way delay distribution in milliseconds.

    ``constant``: always ``base``. ``uniform``: between ``base`` and ``high``.
    ``exponential``: ``base`` (the floor: propagation delay) plus an exponential tail of mean
    ``mean`` (queueing in switches), the shape measured in real networks.
    """

    kind: LatencyKind = "constant"
    base: float = attrs.field(default=5.0, validator=_non_negative)
    high: float | None = attrs.field(default=None, validator=_non_negative)
    mean: float | None = attrs.field(default=None, validator=_non_negative)

    def __attrs_post_init__(self) -> None:
        if self.kind not in ("constant", "uniform", "exponential"):
            raise ScenarioError(
                f"latency kind must be constant, uniform or exponential, got {self.kind!r}"
            )
        if self.kind == "uniform" and (self.high is None or self.high < self.base):
            raise ScenarioError("uniform latency needs high >= base")
        if self.kind == "exponential" and not self.mean:
            raise ScenarioError("exponential latency needs mean > 0")

    @classmethod
    def constant(cls, ms: float) -> Latency:
        return cls("constant", ms)

    @classmethod
    def uniform(cls, low: float, high: float) -> Latency:
        return cls("uniform", low, high=high)

    @classmethod
    def exponential(cls, floor: float, mean: float) -> Latency:
        return cls("exponential", floor, mean=mean)

    def sample(self, rng: random.Random) -> float:
        """Draw one delay. Always consumes exactly one draw from ``rng``."""
        return self.sample_from(rng.random())

    def sample_from(self, u: float) -> float:
        """The delay for the uniform draw ``u`` in ``[0, 1)``."""
        if self.kind == "constant":
            return self.base
        if self.kind == "uniform":
            assert self.high is not None
            return self.base + (self.high - self.base) * u
        assert self.mean is not None
        return self.base - self.mean * math.log(1.0 - u)

    @property
    def bound(self) -> float:
        """The largest delay this distribution can produce (``inf`` for exponential)."""
        if self.kind == "constant":
            return self.base
        if self.kind == "uniform":
            assert self.high is not None
            return self.high
        return math.inf


@attrs.frozen
class LinkSpec:
    """How a directed link behaves when it is not faulted.

    - ``latency``: the propagation delay distribution.
    - ``loss``, ``duplicate``: per-message probabilities.
    - ``jitter``: extra uniform delay in ``[0, jitter]`` ms; large jitter reorders messages.
    - ``service_ms``: time to put one message on the wire (the inverse of bandwidth). With
      ``service_ms > 0`` messages sent faster than that wait in a queue: queueing delay.
    - ``queue_limit``: messages waiting in the queue at most; the next one is tail-dropped.
    - ``circuit``: a synchronous circuit: the delay is exactly ``latency.base``, nothing is
      lost, duplicated or jittered, and capacity is reserved: a message sent while the
      circuit's slot is busy (within ``service_ms`` of the last one) is refused, not queued.
    """

    latency: Latency = Latency()
    loss: float = attrs.field(default=0.0, validator=_probability)
    duplicate: float = attrs.field(default=0.0, validator=_probability)
    jitter: float = attrs.field(default=0.0, validator=_non_negative)
    service_ms: float = attrs.field(default=0.0, validator=_non_negative)
    queue_limit: int | None = attrs.field(default=None, validator=_non_negative)
    circuit: bool = False

    def evolve(self, **changes: Any) -> LinkSpec:
        """A copy with some fields changed (validated)."""
        return attrs.evolve(self, **changes)


#: A message in flight: ``(id, link, payload, sent_tick, dup_of)``; ``dup_of`` is the id of the
#: message it duplicates, or ``None``. A plain tuple: the engine makes one per message.
Message = tuple[int, "Link", Any, int, int | None]


class Link:
    """Runtime state of one directed link."""

    __slots__ = (
        "cut",
        "departures",
        "dst",
        "free_at",
        "held",
        "hold_remaining",
        "holding",
        "name",
        "rng",
        "spec",
        "src",
    )

    def __init__(self, src: str, dst: str, spec: LinkSpec, rng: random.Random) -> None:
        self.src = src
        self.dst = dst
        self.name = f"{src}->{dst}"
        self.spec = spec
        self.rng = rng
        self.cut = False
        self.holding = False
        self.hold_remaining: int | None = None
        self.held: list[Message] = []
        self.free_at = 0.0
        self.departures: deque[float] = deque()

    def status(self) -> dict[str, Any]:
        """What the UI shows about this link."""
        return {
            "link": self.name,
            "cut": self.cut,
            "holding": self.holding,
            "held": len(self.held),
            "loss": self.spec.loss,
            "latency": self.spec.latency.base,
            "circuit": self.spec.circuit,
        }

    def transmit(self, now: int) -> tuple[float | None, str | None, float | None]:
        """Decide a new message's fate at send time.

        Returns ``(delay, drop_reason, duplicate_delay)``: the true delay until arrival (or
        ``None`` if dropped), why it was dropped, and the delay of a duplicate copy if any.
        Draws are always taken in the same order, whatever the fate.
        """
        spec = self.spec
        random = self.rng.random
        u_loss = random()
        latency = spec.latency
        u = random()
        if latency.kind == "exponential":
            # an exponential latency always has its mean (so the ignore)
            delay = latency.base - latency.mean * log(1.0 - u)  # type: ignore[operator]
        else:
            delay = latency.sample_from(u)
        u_jitter = random()
        u_dup = random()
        dup_extra = latency.sample(self.rng) if spec.duplicate else 0.0
        if spec.circuit:
            if self.free_at > now:
                return None, "circuit busy", None
            self.free_at = now + spec.service_ms
            return spec.latency.base, None, None
        if self.cut:
            return None, "link cut", None
        if u_loss < spec.loss:
            return None, "lost", None
        delay += spec.jitter * u_jitter
        if spec.service_ms:
            departures = self.departures
            while departures and departures[0] <= now:
                departures.popleft()
            if spec.queue_limit is not None and len(departures) >= spec.queue_limit:
                return None, "queue full", None
            depart = max(float(now), self.free_at) + spec.service_ms
            self.free_at = depart
            departures.append(depart)
            delay += depart - now
        dup_delay = None
        if u_dup < spec.duplicate:
            dup_delay = delay + dup_extra
        return delay, None, dup_delay

    def queue_length(self, now: int) -> int:
        """Messages still waiting to be put on the wire at ``now``."""
        return sum(1 for d in self.departures if d > now)


def parse_link(target: str) -> tuple[str, str, bool]:
    """Split ``'a->b'`` (one direction) or ``'a-b'`` / ``'a<->b'`` (both) into its parts.

    Returns ``(a, b, both_directions)``; raises :class:`UnknownLinkError` (a ``ValueError``)
    if the text is not a link.
    """
    for sep, both in (("<->", True), ("->", False), ("-", True)):
        if sep not in target:
            continue
        if sep == "-" and target.count("-") != 1:
            break  # names may contain '-': then only '->' and '<->' are unambiguous
        a, _, b = target.partition(sep)
        a, b = a.strip(), b.strip()
        if a and b and a != b and sep not in b:
            return a, b, both
        break
    raise UnknownLinkError(f"not a link: {target!r} (expected 'a->b' or 'a-b')")
