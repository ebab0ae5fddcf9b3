"""Payments tests: a keyed PIN pad (the firmware simulator on a pty, driven by the host driver)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from drivers.pinpad import open_pinpad
from drivers.pinpad.sim import SimulatedPinPad
from tests.support.pinpad_fw import KBPK, initial_key_block


@pytest.fixture
async def pad() -> AsyncIterator[SimulatedPinPad]:
    pad = await open_pinpad("sim", kbpk=KBPK, ack_timeout=0.5, retries=6)
    assert isinstance(pad, SimulatedPinPad)
    async with pad:
        await pad.inject_key(initial_key_block())
        yield pad
