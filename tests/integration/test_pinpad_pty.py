"""The firmware as a separate process on real ptys, driven by the host driver; the card data is
decrypted here with the BDK through p2pe, as the payment host will."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
from collections.abc import AsyncIterator

import pytest

from drivers.events import DeviceTimeout, EntryMode
from drivers.pinpad import PinPadRefused, open_pinpad
from drivers.pinpad.serial import SerialPinPad
from drivers.pinpad.sim import RUNNER, FirmwareSimulator, SimulatedPinPad
from p2pe import aes_dukpt, pinblock
from p2pe.host import AES
from p2pe.modes import cbc_decrypt, unpad_iso9797_m2
from tests.support.pinpad_fw import (
    BDK,
    CHIP_RECORDS,
    EXPECTED_CLEAR,
    FCI_VISA,
    IKID,
    KBPK,
    TRACK2,
    initial_key_block,
)

PAN = "4761739001010119"


@pytest.fixture
async def pad() -> AsyncIterator[SimulatedPinPad]:
    pad = await open_pinpad("sim", kbpk=KBPK, ack_timeout=0.5, retries=6)
    assert isinstance(pad, SimulatedPinPad)
    async with pad:
        await pad.inject_key(initial_key_block())
        yield pad


def decrypt(read) -> tuple[bytes, str | None]:
    key = aes_dukpt.host_working_key(AES, BDK, read.ksn, aes_dukpt.DATA_ENCRYPT, aes_dukpt.AES128)
    clear = unpad_iso9797_m2(cbc_decrypt(AES, key, bytes(16), read.ciphertext))
    pin = None
    if read.pin_block:
        pkey = aes_dukpt.host_working_key(AES, BDK, read.ksn, aes_dukpt.PIN_ENCRYPTION, aes_dukpt.AES128)
        pin = pinblock.decrypt_format4(AES, pkey, read.pin_block, PAN)
    return clear, pin


async def test_chip_contactless_and_fallback_reads_decrypt_with_the_bdk(pad: SimulatedPinPad) -> None:
    sim = pad.simulator
    status = await pad.status()
    assert (status.state, status.ksn) == ("idle", IKID + b"\x00\x00\x00\x01")

    await pad.start_transaction("chip-1", 2599, "EUR")
    await sim.wait_display("EUR 25.99 INSERT, TAP OR SWIPE")
    sim.insert_chip(*CHIP_RECORDS)
    await sim.wait_display("ENTER PIN")
    sim.enter_pin("1234")
    chip = await pad.wait_card("chip-1", timeout=30)

    await pad.start_transaction("tap-2", 450, "EUR")
    sim.tap(FCI_VISA, CHIP_RECORDS[0])
    tap = await pad.wait_card("tap-2", timeout=30)

    await pad.start_transaction("swipe-3", 8000, "EUR")
    sim.chip_error()
    await sim.wait_display("CHIP ERROR - SWIPE CARD")
    sim.swipe(TRACK2)
    await sim.wait_display("EUR 80.00 ENTER PIN")
    sim.enter_pin("987654")
    swipe = await pad.wait_card("swipe-3", timeout=30)

    assert [(r.transaction_id, r.entry_mode, r.masked_pan, r.ksn[-4:], r.late) for r in (chip, tap, swipe)] == [
        ("chip-1", EntryMode.CHIP, "476173******0119", b"\x00\x00\x00\x01", False),
        ("tap-2", EntryMode.CONTACTLESS, "476173******0119", b"\x00\x00\x00\x02", False),
        ("swipe-3", EntryMode.MAGSTRIPE_FALLBACK, "476173******0119", b"\x00\x00\x00\x03", False),
    ]
    assert [decrypt(r) for r in (chip, tap, swipe)] == [
        (EXPECTED_CLEAR, "1234"), (EXPECTED_CLEAR, None), (EXPECTED_CLEAR, "987654")]
    assert [pad.pending_event() for _ in range(3)] == [chip, tap, swipe]
    assert PAN.encode() not in chip.ciphertext + chip.pin_block


async def test_cancel_cancels_only_the_transaction_it_names(pad: SimulatedPinPad) -> None:
    await pad.start_transaction("A", 100, "EUR")
    assert await pad.cancel("B") is False
    assert (await pad.status()).transaction_id == "A"
    assert await pad.cancel("A") is True
    assert (await pad.status()).transaction_id is None


async def test_stale_amount_on_the_pad_is_cancelled_before_a_new_one(tmp_path) -> None:
    async with FirmwareSimulator(tmp_path / "flash", KBPK) as sim:
        first = await SerialPinPad(sim.port, ack_timeout=0.5, retries=6).open()
        await first.inject_key(initial_key_block())
        await first.start_transaction("old-1", 999, "EUR")
        await first.close()  # the lane restarts; the pad still shows EUR 9.99
        async with await SerialPinPad(sim.port, ack_timeout=0.5, retries=6).open() as second:
            await second.start_transaction("new-2", 500, "EUR")
            assert (await second.status()).transaction_id == "new-2"
            assert "CANCELLED" in sim.displays
            sim.tap(CHIP_RECORDS[0])
            read = await second.wait_card("new-2", timeout=30)
            assert read.transaction_id == "new-2"


async def test_late_tap_after_the_lane_gave_up_is_reported_for_reversal(pad: SimulatedPinPad) -> None:
    sim = pad.simulator
    loop = asyncio.get_running_loop()
    await pad.start_transaction("slow-1", 9000, "EUR")
    sim.insert_chip(CHIP_RECORDS[0])
    await sim.wait_display("ENTER PIN")
    assert pad._fd is not None
    loop.remove_reader(pad._fd)  # the lane stops hearing the pad (busy, or a cable glitch)...
    try:
        sim.enter_pin("1234")
        await sim.wait_display("PROCESSING")  # ...just as the pad sends the card read
        with pytest.raises(DeviceTimeout):
            await pad.wait_card("slow-1", timeout=0.3)  # the lane gives up; its cancel goes unanswered
    finally:
        loop.add_reader(pad._fd, pad._readable)
    late = await asyncio.wait_for(anext(pad.events()), 30)
    assert (late.transaction_id, late.late, late.entry_mode) == ("slow-1", True, EntryMode.CHIP)
    assert decrypt(late) == (EXPECTED_CLEAR, "1234")
    assert await pad.result("slow-1") == dataclasses.replace(late, late=False)


async def test_self_test_and_refusals(pad: SimulatedPinPad) -> None:
    result = await pad.self_test()
    assert result.passed, result.detail
    assert result.detail == "aes=ok dukpt=ok pinblock=ok tr31=ok wire=ok card=ok"
    with pytest.raises(PinPadRefused) as err:
        await pad.inject_key(initial_key_block())
    assert err.value.code == "KEY_PRESENT"
    await pad.start_transaction("busy-1", 100, "EUR")
    with pytest.raises(PinPadRefused) as err:
        await pad.display("hello")
    assert (err.value.code, err.value.transaction_id) == ("BUSY", "busy-1")


async def test_noise_on_the_line_is_survived(pad: SimulatedPinPad) -> None:
    fd = os.open(pad.simulator.port, os.O_WRONLY | os.O_NOCTTY)
    try:
        os.write(fd, b"\x02\x00\x05garbage\x03\x00\x00\xff\x02\x01")
    finally:
        os.close(fd)
    status = await pad.status()
    assert status.state == "idle"


async def test_a_pad_without_a_key_refuses_to_start() -> None:
    async with await open_pinpad("sim", kbpk=KBPK) as pad:
        with pytest.raises(PinPadRefused) as err:
            await pad.start_transaction("T", 100, "EUR")
        assert err.value.code == "NO_KEY"


async def test_standalone_simulator_prints_its_ptys_and_serves_the_driver(tmp_path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(RUNNER), "--flash", str(tmp_path), "--kbpk", KBPK.hex(),
        stdout=asyncio.subprocess.PIPE)
    try:
        assert proc.stdout is not None
        host = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().split()
        reader = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().split()
        assert host[0] == "HOST" and reader[0] == "READER"
        assert (tmp_path / "kbpk.bin").stat().st_mode & 0o777 == 0o600
        reader_fd = os.open(reader[1], os.O_RDWR | os.O_NOCTTY)
        try:
            async with await SerialPinPad(host[1], ack_timeout=0.5, retries=6).open() as pad:
                await pad.inject_key(initial_key_block())
                await pad.start_transaction("S-1", 300, "USD")
                os.write(reader_fd, b"TAP " + CHIP_RECORDS[0].hex().encode() + b"\n")
                read = await pad.wait_card("S-1", timeout=30)
                assert (read.entry_mode, read.ksn) == (EntryMode.CONTACTLESS, IKID + b"\x00\x00\x00\x01")
                assert decrypt(read) == (EXPECTED_CLEAR, None)
        finally:
            os.close(reader_fd)
    finally:
        proc.terminate()
        await proc.wait()


async def test_event_iteration_ends_when_the_pad_closes() -> None:
    pad = await open_pinpad("sim", kbpk=KBPK)
    events = [e async for e in _until_closed(pad)]
    assert events == []


async def _until_closed(pad: SimulatedPinPad) -> AsyncIterator:
    asyncio.get_running_loop().call_later(0.2, lambda: asyncio.ensure_future(pad.close()))
    async for event in pad.events():
        yield event
