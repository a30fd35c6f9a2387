"""Exceptions raised by the engine's public functions.

Every error the engine raises for bad input derives from :class:`SimError` (a
:class:`~playground.errors.PlaygroundError`, and a ``ValueError``), so callers (the CLI, level
loader, UI) can turn any of them into a one-line message without a traceback.
"""

from __future__ import annotations

from playground.errors import PlaygroundError


class SimError(PlaygroundError, ValueError):
    """Base class: bad input to the simulation engine."""


class UnknownNodeError(SimError):
    """A node name that the scenario does not define."""

    def __init__(self, name: object, known: tuple[str, ...] = ()) -> None:
        self.name = name
        self.known = known
        hint = f" (known: {', '.join(known)})" if known else ""
        super().__init__(f"unknown node {name!r}{hint}")


class UnknownLinkError(SimError):
    """A link target that is not of the form 'a->b' or 'a-b' between two known nodes."""


class InvalidTickError(SimError):
    """A tick that is negative, not an integer, or already in the past."""


class MalformedActionError(SimError):
    """An action whose tool, target or parameters are not valid."""


class ScenarioError(SimError):
    """A scenario (cluster description) that cannot be simulated."""


class ProgramError(SimError):
    """A node program misused its context (sent to an unknown peer, bad timer delay...)."""
