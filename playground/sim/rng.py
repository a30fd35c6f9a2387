"""Named random streams.

Every source of randomness in a run is its own :class:`random.Random`, seeded from the run's
seed *and* a purpose and a name (``stream(7, "link", "n1->n2")``). String seeds are hashed with
SHA-512 by :mod:`random`, so streams are identical in every process and under any
``PYTHONHASHSEED``. Because streams are separate, an action on one link never reshuffles the
randomness of another link or node.
"""

from __future__ import annotations

import random


def stream(seed: int, purpose: str, name: str) -> random.Random:
    """Return the random stream for ``purpose`` and ``name`` within run ``seed``."""
    return random.Random(f"{seed}:{purpose}:{name}")
