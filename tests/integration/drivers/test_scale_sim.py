"""Every protocol's driver against its simulator on a real pty, through pyserial as on hardware.

One contract (like python-can's back2back tests) runs on each protocol; protocol-specific tests
below assert the exact request bytes the scale received.
"""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal

import pytest

from drivers.events import (
    DeviceOperationError,
    DeviceTimeout,
    ScaleState,
    ScaleStatus,
    Weight,
    WeightUnit,
)
from drivers.scale import (
    PTY_SETTINGS,
    SIM_PROTOCOLS,
    CommandUnsupported,
    ScaleClosedError,
    ScaleConfig,
    ScaleSim,
    SimReading,
    open_scale,
    protocol_class,
)

KG = WeightUnit.KG
REQUEST = {"toledo8217": b"W", "toledo8213": b"W", "nci": b"W\r", "sics": b"S\r\n",
           "dialog06": b"\x04\x0201\x1b000000\x1b\x03\x04\x05", "epelsa": b"", "cas22": b"", "dini": b""}
# Overload is not part of the Epelsa frame set the reference quotes.
OVERLOAD = [p for p in SIM_PROTOCOLS if p != "epelsa"]


async def _open(protocol: str, timeout: float = 1.0, **sim_kw: object):  # type: ignore[no-untyped-def]
    return await open_scale(ScaleConfig(protocol=protocol, backend="sim", timeout=timeout))


@pytest.mark.parametrize("protocol", SIM_PROTOCOLS)
class TestScaleContract:
    async def test_stable_weight_and_exact_request(self, protocol: str) -> None:
        async with await _open(protocol) as scale:
            scale.sim.set(Decimal("1.250"))
            reading = await scale.request_weight()
            assert isinstance(reading, Weight) and reading.unit is KG and reading.device == "scale"
            assert reading.value == Decimal("1.25")
            assert bytes(scale.sim.received) == REQUEST[protocol]

    async def test_motion_is_a_status_never_a_weight(self, protocol: str) -> None:
        async with await _open(protocol) as scale:
            scale.sim.set(Decimal("0.700"), motion=True)
            reading = await scale.request_weight()
            assert isinstance(reading, ScaleStatus) and reading.state is ScaleState.MOTION

    async def test_under_zero(self, protocol: str) -> None:
        async with await _open(protocol) as scale:
            scale.sim.set(Decimal("-0.450"), under_zero=True)
            reading = await scale.request_weight()
            assert isinstance(reading, ScaleStatus) and reading.state is ScaleState.UNDER_ZERO

    async def test_byte_at_a_time_with_garbage_in_front(self, protocol: str) -> None:
        async with await _open(protocol) as scale:
            scale.sim.byte_at_a_time = True
            scale.sim.inject(b"\x00\xfe#noise")
            scale.sim.set(Decimal("2.500"))
            assert await scale.request_weight() == Weight(Decimal("2.5"), KG, device="scale")
            assert any(r.data.startswith(b"\x00\xfe#noise") and r.offset == 0 for r in scale.rejected)

    async def test_silence_is_a_timeout_naming_the_port(self, protocol: str) -> None:
        async with await _open(protocol, timeout=0.3) as scale:
            scale.sim.silent = True
            with pytest.raises(DeviceTimeout, match=scale.port):
                await scale.request_weight()
            scale.sim.silent = False
            scale.sim.set(Decimal("1.000"))
            assert isinstance(await scale.request_weight(), Weight)  # recovers after the timeout

    async def test_close_is_idempotent_and_commands_after_it_are_a_bug(self, protocol: str) -> None:
        scale = await _open(protocol)
        async with scale:
            pass
        await scale.close()
        assert scale.closed
        with pytest.raises(ScaleClosedError):
            await scale.request_weight()

    async def test_unplugged_device_is_an_operation_error(self, protocol: str) -> None:
        sim = ScaleSim(protocol)
        port = await sim.start()
        scale = protocol_class(protocol)(port, settings=PTY_SETTINGS, timeout=1.0)
        async with scale:
            await sim.close()
            await asyncio.sleep(0.05)
            with pytest.raises(DeviceOperationError):
                await scale.request_weight()


@pytest.mark.parametrize("protocol", OVERLOAD)
async def test_overload(protocol: str) -> None:
    async with await _open(protocol) as scale:
        scale.sim.set(Decimal("31.000"), overload=True)
        reading = await scale.request_weight()
        assert isinstance(reading, ScaleStatus) and reading.state is ScaleState.OVER_CAPACITY


async def test_scripted_motion_then_stable_as_the_requests_see_it() -> None:
    async with await _open("toledo8217") as scale:
        scale.sim.script(SimReading(Decimal("0.9"), motion=True), SimReading(Decimal("1.2"), motion=True),
                         SimReading(Decimal("1.205")))
        states = [await scale.request_weight() for _ in range(4)]
        assert [getattr(s, "state", None) for s in states[:2]] == [ScaleState.MOTION, ScaleState.MOTION]
        assert states[2] == states[3] == Weight(Decimal("1.205"), KG, device="scale")
        assert bytes(scale.sim.received) == b"WWWW"
        assert [bytes([b]) for b in b"\x0201.205\r"] == [bytes([b]) for b in b"\x0201.205\r"]


# -- Toledo ------------------------------------------------------------------------------------

async def test_toledo8213_grams_are_not_read_as_kilograms() -> None:
    async with ScaleSim("toledo8213", unit=WeightUnit.G) as sim:
        sim.set(Decimal(1250))
        # The lane is configured for kg; the scale was switched to grams: `STX 001250 CR`.
        async with protocol_class("toledo8213")(sim.port, settings=PTY_SETTINGS, unit=KG) as scale:
            reading = await scale.request_weight()
    assert reading == Weight(Decimal(1250), WeightUnit.G, device="scale")
    assert reading.grams() == Decimal(1250)


async def test_toledo8217_zero_tare_and_clear() -> None:
    async with await _open("toledo8217") as scale:
        scale.sim.set(Decimal("0.120"))
        zero = await scale.zero()
        assert zero.state is ScaleState.OK and "center of zero" in zero.detail
        scale.sim.set(Decimal("0.300"))
        tare = await scale.tare()
        assert tare.state is ScaleState.OK and "net" in tare.detail
        scale.sim.set(SimReading(Decimal("1.000"), net=True))
        assert await scale.request_weight() == Weight(Decimal("1.000"), KG, device="scale", net=True)
        scale.sim.set(Decimal("1.000"), motion=True)
        assert (await scale.clear_tare()).state is ScaleState.MOTION
        assert bytes(scale.sim.received) == b"ZTWC"


async def test_toledo8217_pounds() -> None:
    async with ScaleSim("toledo8217", unit=WeightUnit.LB) as sim:
        sim.set(Decimal("2.50"))
        async with protocol_class("toledo8217")(sim.port, settings=PTY_SETTINGS, unit=WeightUnit.LB) as scale:
            assert await scale.request_weight() == Weight(Decimal("2.50"), WeightUnit.LB, device="scale")


async def test_toledo8213_has_no_tare_command() -> None:
    async with await _open("toledo8213") as scale:
        with pytest.raises(CommandUnsupported, match="toledo8213"):
            await scale.tare()
        assert scale.sim.received == b""


# -- NCI -----------------------------------------------------------------------------------------

async def test_nci_scp02_status_only_reply_and_s_command() -> None:
    async with ScaleSim("nci", variant="SCP-02") as sim:
        async with protocol_class("nci")(sim.port, settings=PTY_SETTINGS, timeout=1.0) as scale:
            sim.set(Decimal("1.000"), motion=True)
            moving = await scale.request_weight()
            sim.set(Decimal("0"))
            status = await scale.request_status()
            sim.set(Decimal("1.000"), motion=True)
            refused = await scale.zero()
            sim.set(Decimal("0.004"))
            zeroed = await scale.zero()
    assert moving.state is ScaleState.MOTION
    assert status.state is ScaleState.OK and "at zero" in status.detail
    assert refused.state is ScaleState.MOTION
    assert zeroed.state is ScaleState.OK and "at zero" in zeroed.detail
    assert sim.requests == [b"W\r", b"S\r", b"Z\r", b"Z\r"]


async def test_nci_motion_with_a_weight_attached_is_still_motion() -> None:
    async with await _open("nci") as scale:  # SCP-01 sends the weight along with the motion bit
        scale.sim.set(Decimal("0.800"), motion=True)
        assert (await scale.request_weight()).state is ScaleState.MOTION


# -- MT-SICS -------------------------------------------------------------------------------------

async def test_sics_immediate_zero_tare() -> None:
    cfg = ScaleConfig(protocol="sics", backend="sim", sics_command="SI", timeout=1.0)
    async with await open_scale(cfg) as scale:
        scale.sim.set(Decimal("0.250"), motion=True)
        assert (await scale.request_weight()).state is ScaleState.MOTION
        scale.sim.set(Decimal("0.010"))
        assert (await scale.zero()).state is ScaleState.OK
        scale.sim.set(Decimal("0.100"))
        tare = await scale.tare()
        assert tare.state is ScaleState.OK and "0.100 kg" in tare.detail
        assert scale.sim.requests == [b"SI\r\n", b"Z\r\n", b"T\r\n"]


# -- Dialog 06 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("flags", "state", "code"),
    [({"motion": True}, ScaleState.MOTION, b"20"), ({"below_minimum": True}, ScaleState.BELOW_MINIMUM, b"30"),
     ({"under_zero": True}, ScaleState.UNDER_ZERO, b"31"), ({"overload": True}, ScaleState.OVER_CAPACITY, b"32")],
)
async def test_dialog06_nak_then_record_09(flags: dict[str, bool], state: ScaleState, code: bytes) -> None:
    cfg = ScaleConfig(protocol="dialog06", backend="sim", unit_price=299, timeout=1.0)
    async with await open_scale(cfg) as scale:
        scale.sim.set(Decimal("0.020"), **flags)
        reading = await scale.request_weight()
        assert isinstance(reading, ScaleStatus) and reading.state is state
        assert reading.detail.startswith("record 09 code " + code.decode())
        assert scale.sim.requests == [b"\x04\x0201\x1b000299\x1b\x03", b"\x04\x05", b"\x04\x0208\x03"]


async def test_dialog06_weighing_and_zero() -> None:
    cfg = ScaleConfig(protocol="dialog06", backend="sim", unit_price=299, timeout=1.0)
    async with await open_scale(cfg) as scale:
        scale.sim.set(Decimal("1.250"))
        assert await scale.request_weight() == Weight(Decimal("1.25"), KG, device="scale")
        assert (await scale.zero()).state is ScaleState.OK
        assert scale.sim.requests[-1] == b"\x04\x0231\x03"


# -- continuous -----------------------------------------------------------------------------------

async def test_epelsa_never_returns_a_frame_older_than_the_request() -> None:
    async with await _open("epelsa") as scale:
        scale.sim.set(Decimal("0.500"))
        await asyncio.sleep(0.2)  # frames of 0.500 pile up unread
        scale.sim.set(Decimal("0.750"))
        await asyncio.sleep(0.01)
        reading = await scale.request_weight()
        assert reading == Weight(Decimal("0.750"), KG, device="scale")
        with pytest.raises(CommandUnsupported):
            await scale.zero()


async def test_a_timeout_after_rejected_frames_says_what_was_wrong() -> None:
    async with await _open("toledo8217", timeout=0.5) as scale:
        scale.sim.silent = True
        request = asyncio.create_task(scale.request_weight())
        while not scale.sim.received:
            await asyncio.sleep(0.005)
        scale.sim.send_raw(b"\x02\xb0\xb1.\xb2\xb5\xb0\r")  # '01.250' with parity bits: 7E1 read as 8N1
        with pytest.raises(DeviceTimeout, match=r"1 frame\(s\) rejected.*7-bit scale on a port set to 8 bits"):
            await request


async def test_a_late_reply_to_a_timed_out_request_is_not_the_next_answer() -> None:
    async with await _open("toledo8217", timeout=0.2) as scale:
        scale.sim.silent = True
        with pytest.raises(DeviceTimeout):
            await scale.request_weight()
        scale.sim.send_raw(b"\x0201.000\r")  # the old weighing, arriving after the driver gave up
        scale.sim.silent = False
        scale.sim.set(Decimal("2.000"))
        assert await scale.request_weight() == Weight(Decimal("2.000"), KG, device="scale")


# -- preset tare ----------------------------------------------------------------------------------

async def test_toledo8217_preset_tare_is_t_and_five_digits() -> None:
    async with await _open("toledo8217") as scale:
        scale.sim.set(Decimal("0.150"))  # the empty container
        status = await scale.preset_tare(Weight(Decimal("0.15"), KG))
        assert status.state is ScaleState.OK and "net" in status.detail
        scale.sim.set(SimReading(Decimal("0.600"), net=True))
        assert await scale.request_weight() == Weight(Decimal("0.600"), KG, device="scale", net=True)
        assert scale.sim.requests == [b"T00150", b"W"]
        for bad in (Weight(Decimal("0.1505"), KG), Weight(Decimal("100"), KG), Weight(Decimal("1"), WeightUnit.LB)):
            with pytest.raises(ValueError):
                await scale.preset_tare(bad)
        with pytest.raises(ValueError, match="negative"):
            await scale.preset_tare(Weight(Decimal("-1"), KG))


async def test_dialog06_preset_tare_goes_in_record_03() -> None:
    cfg = ScaleConfig(protocol="dialog06", backend="sim", unit_price=1000, timeout=1.0)
    async with await open_scale(cfg) as scale:
        status = await scale.preset_tare(Weight(Decimal("0.125"), KG))
        assert status.state is ScaleState.OK and "record 03" in status.detail
        scale.sim.set(Decimal("0.625"))  # gross on the platter; the scale subtracts the tare
        net = await scale.request_weight()
        assert net == Weight(Decimal("0.5"), KG, device="scale", tare=Decimal("0.125"), net=True)
        await scale.preset_tare(Weight(Decimal(0), KG))
        assert await scale.request_weight() == Weight(Decimal("0.625"), KG, device="scale")
        assert scale.sim.requests == [b"\x04\x0203\x1b001000\x1b0125\x03", b"\x04\x05",
                                      b"\x04\x0201\x1b001000\x1b\x03", b"\x04\x05"]


@pytest.mark.parametrize("protocol", ["toledo8213", "nci", "sics", "epelsa"])
async def test_preset_tare_is_unsupported_elsewhere(protocol: str) -> None:
    async with await _open(protocol) as scale:
        with pytest.raises(CommandUnsupported, match="preset tare"):
            await scale.preset_tare(Weight(Decimal("0.1"), KG))


@pytest.mark.parametrize("protocol", SIM_PROTOCOLS)
async def test_random_line_noise_before_every_reply_never_changes_a_weight(protocol: str) -> None:
    rng = random.Random(f"scale-noise-{protocol}")  # seeded: the same bytes every run
    weights = 0
    async with await _open(protocol) as scale:
        for _ in range(12):
            grams = rng.randrange(1, 3_000) * 10  # 8213 and NCI SCP-01 weigh to 10 g
            scale.sim.inject(rng.randbytes(rng.randrange(1, 40)))
            scale.sim.set(Decimal(grams).scaleb(-3))
            reading = await scale.request_weight()
            if isinstance(reading, Weight):
                assert reading.grams() == grams, (grams, reading)
                weights += 1
            else:
                # Only Dialog 06 has one-byte replies: a NAK byte in the noise reads as a refusal, never a weight.
                assert protocol == "dialog06" and reading.state is ScaleState.ERROR, reading
    assert weights >= 10


async def test_a_toledo_that_reports_a_weight_once_never_gets_it_repeated_as_fresh() -> None:
    async with await _open("toledo8217") as scale:
        scale.sim.report_once = True
        scale.sim.set(Decimal("0.800"))
        assert await scale.request_weight() == Weight(Decimal("0.800"), KG, device="scale")
        again = await scale.request_weight()  # the scale answers `STX ?@ CR`: no new weighing
        assert again == ScaleStatus(ScaleState.OK, "scale", "no flags")
        scale.sim.set(Decimal("0.950"))
        assert await scale.request_weight() == Weight(Decimal("0.950"), KG, device="scale")
