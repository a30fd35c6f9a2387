"""Byzantine faults (Kleppmann, DDIA ch. 8 "Byzantine Faults"): the protocols of the section.

- ``oral_messages``: OM(m), Lamport, Shostak and Pease, "The Byzantine Generals Problem"
  (ACM TOPLAS 1982), section 4 (:mod:`playground.protocols.bft_generals`);
- ``signed_messages``: SM(m), same paper, section 5 (:mod:`playground.protocols.bft_generals`);
- ``pbft``: the normal case of PBFT, Castro and Liskov (OSDI 1999), section 4.2
  (:mod:`playground.protocols.bft_pbft`).

Register this module (``"bft"``) in ``PROTOCOL_MODULES``: it publishes all three specs.
"""

from __future__ import annotations

from playground.protocols.bft_generals import OM_SPEC, SM_SPEC
from playground.protocols.bft_pbft import PBFT_SPEC

SPEC = OM_SPEC
EXTRA_SPECS = (SM_SPEC, PBFT_SPEC)

__all__ = ["EXTRA_SPECS", "OM_SPEC", "PBFT_SPEC", "SM_SPEC", "SPEC"]
