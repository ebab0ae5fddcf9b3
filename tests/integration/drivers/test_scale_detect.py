"""Auto-detection probes only with the Toledo echo, and leaves the scale as it found it."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from drivers.events import DeviceInitError, Weight, WeightUnit
from drivers.scale import PTY_SETTINGS, ScaleSim, detect_protocol, protocol_class, stable_weight
from drivers.scale.sim import SimReading


async def test_toledo_answers_the_echo_probe_and_leaves_echo_mode() -> None:
    async with ScaleSim("toledo8217") as sim:
        assert await detect_protocol(sim.port, PTY_SETTINGS, timeout=1.0) == "toledo8217"
        async with asyncio.timeout(2):
            while not sim.received.endswith(b"F"):
                await asyncio.sleep(0.005)
        assert bytes(sim.received) == b"EhelloF"  # Odoo's probe: `Ehello`, expect `\x02E\rhello`, then `F`
        sim.set(Decimal("0.500"))
        async with protocol_class("toledo8217")(sim.port, settings=PTY_SETTINGS) as scale:
            assert await scale.request_weight() == Weight(Decimal("0.500"), WeightUnit.KG, device="scale")


@pytest.mark.parametrize("protocol", ["nci", "sics", "dialog06", "toledo8213"])
async def test_other_scales_are_not_guessed(protocol: str) -> None:
    async with ScaleSim(protocol) as sim:
        with pytest.raises(DeviceInitError, match="set `protocol`"):
            await detect_protocol(sim.port, PTY_SETTINGS, timeout=0.3)


async def test_stable_weight_polls_a_real_scale_until_the_platter_settles() -> None:
    async with ScaleSim("nci") as sim:
        sim.script(SimReading(Decimal("0")), SimReading(Decimal("0.3"), motion=True),
                   SimReading(Decimal("0.41"), motion=True), SimReading(Decimal("0.412")))
        async with protocol_class("nci")(sim.port, settings=PTY_SETTINGS, timeout=1.0) as scale:
            weight = await stable_weight(scale, timeout=5, interval=0.01)
    assert weight == Weight(Decimal("0.41"), WeightUnit.KG, device="scale")  # SCP-01 sends two decimals
    assert sim.requests == [b"W\r"] * 4


async def test_open_scale_with_protocol_auto_detects_a_toledo() -> None:
    from drivers.scale import ScaleConfig, open_scale
    from drivers.scale.toledo import Toledo8217Scale

    async with ScaleSim("toledo8217") as sim:
        sim.set(Decimal("0.275"))
        cfg = ScaleConfig(protocol="auto", port=sim.port, serial=PTY_SETTINGS, timeout=1.0)
        async with await open_scale(cfg) as scale:
            assert isinstance(scale, Toledo8217Scale)
            assert await scale.request_weight() == Weight(Decimal("0.275"), WeightUnit.KG, device="scale")
