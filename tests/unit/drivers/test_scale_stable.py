"""stable_weight: only a stable weight above zero ever comes out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from drivers.events import DeviceTimeout, ScaleState, ScaleStatus, Weight, WeightUnit
from drivers.scale import NoStableWeight, Reading, stable_weight

KG = WeightUnit.KG


async def _stream(*readings: Reading, then_wait: bool = False) -> AsyncIterator[Reading]:
    for r in readings:
        yield r
    if then_wait:
        await asyncio.Event().wait()  # a scale that goes quiet


async def test_skips_motion_zero_and_negative_and_returns_the_first_good_weight() -> None:
    stream = _stream(
        ScaleStatus(ScaleState.MOTION),
        Weight(Decimal(0), KG),
        Weight(Decimal("-0.010"), KG),
        ScaleStatus(ScaleState.UNDER_ZERO),
        Weight(Decimal("0.412"), KG),
        Weight(Decimal("0.999"), KG),
    )
    assert await stable_weight(stream, timeout=5) == Weight(Decimal("0.412"), KG)


async def test_times_out_with_the_last_reading_when_only_motion_arrives() -> None:
    stream = _stream(ScaleStatus(ScaleState.MOTION, detail="in motion"), then_wait=True)
    with pytest.raises(NoStableWeight) as info:
        await stable_weight(stream, timeout=0.05)
    assert info.value.last == ScaleStatus(ScaleState.MOTION, detail="in motion")
    assert isinstance(info.value, DeviceTimeout) and isinstance(info.value, TimeoutError)
    assert "motion" in str(info.value)


async def test_a_stream_that_ends_without_a_weight_raises() -> None:
    with pytest.raises(NoStableWeight, match=r"0\.000 kg, not above zero"):
        await stable_weight(_stream(Weight(Decimal("0.000"), KG)), timeout=5)
