"""The campaign's level files and reference solutions; installed as ``playground.levels`` (see
``playground/shipped.py``)."""
