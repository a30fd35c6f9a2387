"""Levels, action files, scoring and progress (data in, results out; no UI)."""
