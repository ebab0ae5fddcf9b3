"""Produce sold by weight through a real scale driver talking to the Toledo 8217 simulator on a pty."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from appliance.devices import ScaleWeights
from appliance.domain.money import Money
from appliance.lane import Lane, LaneConfig, LaneError
from appliance.lane_events import WeighingRequested
from appliance.store.journal import Journal
from appliance.store.replica import Replica
from appliance.store_profile import StoreProfile
from drivers.scale import Scale, ScaleConfig, SimReading, open_scale
from tests.support.clock import T0, FixedClock


@pytest.fixture
async def scale() -> AsyncIterator[Scale]:
    s = await open_scale(ScaleConfig(protocol="toledo8217", backend="sim", timeout=1.0))
    async with s:
        yield s


@pytest.fixture
async def scale_lane(stores: tuple[Replica, Journal], profile: StoreProfile, scale: Scale) -> Lane:
    replica, journal = stores
    lane = Lane(LaneConfig("lane-01"), profile, replica, journal, clock=FixedClock(T0),
                scale=ScaleWeights(scale), weight_timeout_s=1.5)
    await lane.start()
    return lane


async def test_plu_waits_for_a_stable_weight(scale_lane: Lane, scale: Scale) -> None:
    q = scale_lane.subscribe()
    scale.sim.script(SimReading(Decimal("0.4"), motion=True), SimReading(Decimal("0.7"), motion=True),
                     SimReading(Decimal("0.755")))
    line = await scale_lane.scan("4011")  # bananas 1.99/kg
    v = scale_lane.view()
    assert v is not None
    ln = v.lines[0]
    assert (line, ln.quantity, ln.unit, ln.amount) == (1, Decimal("0.755"), "kg", Money(150, "EUR"))
    weighing = [e for e in _drain(q) if isinstance(e, WeighingRequested)]
    assert weighing == [WeighingRequested("Bananen", Money(199, "EUR"), "kg")]


async def test_empty_scale_makes_no_line(scale_lane: Lane, scale: Scale) -> None:
    scale.sim.set(Decimal(0))
    with pytest.raises(LaneError, match="did not settle"):
        await scale_lane.scan("4131")
    assert scale_lane.sale is None


async def test_motion_that_never_settles_and_under_zero_make_no_line(scale_lane: Lane, scale: Scale) -> None:
    await scale_lane.scan("4260000000028")
    scale.sim.set(Decimal("1.2"), motion=True)
    with pytest.raises(LaneError, match="keep it still"):
        await scale_lane.scan("4011")
    scale.sim.set(Decimal("0.3"), under_zero=True)
    with pytest.raises(LaneError):
        await scale_lane.scan("4011")
    assert len(scale_lane.view().lines) == 1  # type: ignore[union-attr]


async def test_a_weight_on_the_label_does_not_ask_the_scale(scale_lane: Lane, scale: Scale) -> None:
    scale.sim.set(Decimal(0))
    await scale_lane.scan("2811115004122")  # the deli label carries 0.412 kg
    assert scale_lane.view().lines[0].quantity == Decimal("0.412")  # type: ignore[union-attr]


def _drain(q) -> list:  # type: ignore[no-untyped-def]
    out = []
    while not q.empty():
        out.append(q.get_nowait())
    return out
