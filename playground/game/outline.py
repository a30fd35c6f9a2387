"""The chapter's outline: four sections and fourteen entries, in order.

A level names a (chapter section, outline entry) pair; the pair is unique ("Process Pauses"
appears under two sections). ``docs/chapter-outline.md`` is the source; a test checks this
table against it.
"""

from __future__ import annotations

OUTLINE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Faults and Partial Failures", (
        "Cloud Computing and Supercomputing",
        "Building a Reliable System from Unreliable Components",
    )),
    ("Unreliable Networks", (
        "Network Faults in Practice",
        "Detecting Faults",
        "Timeouts and Unbounded Delays",
        "Synchronous Versus Asynchronous Networks",
    )),
    ("Unreliable Clocks", (
        "Monotonic Versus Time of Day Clocks",
        "Clock Synchronization and Accuracy",
        "Relying on Synchronized Clocks",
        "Process Pauses",
    )),
    ("Knowledge, Truth, and Lies", (
        "The Truth Is Defined by the Majority",
        "Byzantine Faults",
        "Process Pauses",
        "System Model and Reality",
    )),
)

CHAPTERS: tuple[str, ...] = tuple(chapter for chapter, _ in OUTLINE)
ENTRIES: tuple[tuple[str, str], ...] = tuple(
    (chapter, entry) for chapter, entries in OUTLINE for entry in entries
)


def entry_index(chapter: str, section: str) -> int:
    """Position of an outline entry (for sorting the campaign map); -1 if unknown."""
    try:
        return ENTRIES.index((chapter, section))
    except ValueError:
        return -1
