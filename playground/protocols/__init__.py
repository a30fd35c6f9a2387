"""The chapter's mechanisms as node programs, with their knobs and invariants.

Never imports Textual, Rich or asyncssh (a test enforces it)."""
