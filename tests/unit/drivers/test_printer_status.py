"""DLE EOT real-time status replies: every bit, and garbage / short replies as typed errors."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.events import FrameError, PrinterStatus
from drivers.printer import STATUS_QUERY, DrawerLevel, StatusBits, parse_status_reply
from drivers.printer.status import encode_status_byte

READY = bytes([0x12, 0x12, 0x12, 0x12])


def test_query_asks_dle_eot_1_2_3_4() -> None:
    assert STATUS_QUERY == bytes.fromhex("10 04 01 10 04 02 10 04 03 10 04 04")


def test_ready_printer() -> None:
    bits = parse_status_reply(READY)
    assert not any(dataclasses.astuple(bits))
    assert bits.to_status(device="p1") == PrinterStatus(
        online=True, paper_out=False, paper_near_end=False, cover_open=False,
        drawer_open=False, device="p1", detail="ready",
    )


@pytest.mark.parametrize(
    ("index", "mask", "field"),
    [
        (0, 0x04, "drawer_pin_high"),
        (0, 0x08, "offline"),
        (1, 0x04, "cover_open"),
        (1, 0x08, "feed_button"),
        (1, 0x20, "paper_end_stop"),
        (1, 0x40, "error"),
        (2, 0x08, "autocutter_error"),
        (2, 0x20, "unrecoverable_error"),
        (2, 0x40, "auto_recoverable_error"),
        (3, 0x0C, "paper_near_end"),
        (3, 0x60, "paper_out"),
    ],
)
def test_every_status_bit(index: int, mask: int, field: str) -> None:
    reply = bytearray(READY)
    reply[index] |= mask
    bits = parse_status_reply(bytes(reply))
    assert {f for f, v in dataclasses.asdict(bits).items() if v} == {field}
    assert encode_status_byte(bits, index + 1) == reply[index]


@pytest.mark.parametrize(("paper", "near", "out"), [(0x16, True, False), (0x1A, True, False), (0x32, False, True), (0x52, False, True), (0x7E, True, True)])
def test_paper_sensor_pairs_either_bit_counts(paper: int, near: bool, out: bool) -> None:
    bits = parse_status_reply(bytes([0x12, 0x12, 0x12, paper]))
    assert (bits.paper_near_end, bits.paper_out) == (near, out)


def test_folded_status_for_the_attendant() -> None:
    bits = parse_status_reply(bytes([0x1E, 0x36, 0x1A, 0x7E]))
    status = bits.to_status(device="lane-3", drawer_level=DrawerLevel.HIGH)
    assert status == PrinterStatus(
        online=False, paper_out=True, paper_near_end=True, cover_open=True, drawer_open=True,
        device="lane-3", detail="offline, cover open, paper out, autocutter error",
    )


@pytest.mark.parametrize(("level", "pin_high", "drawer"), [
    (DrawerLevel.HIGH, True, True), (DrawerLevel.HIGH, False, False),
    (DrawerLevel.LOW, True, False), (DrawerLevel.LOW, False, True),
    (DrawerLevel.NONE, True, None), (DrawerLevel.NONE, False, None),
])
def test_drawer_level_decides_what_pin_3_means(level: DrawerLevel, pin_high: bool, drawer: bool | None) -> None:
    reply = bytes([0x16 if pin_high else 0x12, 0x12, 0x12, 0x12])
    assert parse_status_reply(reply).to_status(drawer_level=level).drawer_open is drawer


@pytest.mark.parametrize(
    ("reply", "offset", "reason"),
    [
        (b"", 0, "truncated: 0 of 4 bytes, no printer (n=1)"),
        (bytes([0x12, 0x12]), 2, "truncated: 2 of 4 bytes, no error cause (n=3)"),
        (bytes([0x00, 0x12, 0x12, 0x12]), 0, "0x00 is not a DLE EOT printer (n=1) reply"),
        (bytes([0x12, 0x92, 0x12, 0x12]), 1, "0x92 is not a DLE EOT offline cause (n=2) reply"),
        (bytes([0x12, 0x12, 0x13, 0x12]), 2, "0x13 is not a DLE EOT error cause (n=3) reply"),
        (bytes([0x12, 0x12, 0x12, 0x02]), 3, "0x02 is not a DLE EOT paper sensor (n=4) reply"),
        (READY + b"\x12", 4, "1 unexpected trailing bytes"),
        (b"OK\r\n", 0, "0x4f is not"),
    ],
)
def test_garbage_and_short_replies_are_typed_errors_with_offset(reply: bytes, offset: int, reason: str) -> None:
    with pytest.raises(FrameError) as info:
        parse_status_reply(reply)
    assert info.value.offset == offset
    assert reason in info.value.reason
    assert info.value.data == reply


@given(st.binary(max_size=8))
def test_random_bytes_give_only_typed_results(data: bytes) -> None:
    try:
        bits = parse_status_reply(data)
    except FrameError as err:
        assert 0 <= err.offset <= len(data)
        return
    assert isinstance(bits, StatusBits)
    assert len(data) == 4 and all(b & 0x93 == 0x12 for b in data)


@given(st.builds(StatusBits, *[st.booleans()] * 11))
def test_simulator_encoding_round_trips(bits: StatusBits) -> None:
    reply = bytes(encode_status_byte(bits, n) for n in (1, 2, 3, 4))
    decoded = parse_status_reply(reply)
    # near-end and out are two-bit sensors: one flag each survives exactly
    assert decoded == bits
