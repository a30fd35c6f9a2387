"""Every shipped protocol's knobs, in one place: each says what it does and what value is
safe, a number has a range, and the default passes the knob's own check unchanged."""

from __future__ import annotations

import importlib

import pytest

from playground.protocols.registry import PROTOCOL_MODULES, ProtocolSpec


def shipped_specs() -> list[ProtocolSpec]:
    """The specs of the protocol modules (not ones tests register)."""
    specs = []
    for name in PROTOCOL_MODULES:
        module = importlib.import_module(f"playground.protocols.{name}")
        specs += [module.SPEC, *getattr(module, "EXTRA_SPECS", ())]
    return specs


@pytest.mark.parametrize("spec", shipped_specs(), ids=lambda s: s.name)
def test_every_knob_documents_itself_its_safe_value_and_its_range(spec: ProtocolSpec) -> None:
    assert spec.knobs
    for knob in spec.knobs:
        assert knob.safe and knob.doc, knob.name
        if knob.kind in ("int", "float"):
            assert knob.low is not None and knob.high is not None, knob.name
        assert knob.check(knob.default, spec.default_nodes) == knob.default, knob.name
