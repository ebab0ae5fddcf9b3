"""The PIN-pad frame and message codec: exact bytes, typed errors with offsets, recovery from noise."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.events import CardRead, EntryMode, FrameError
from drivers.pinpad import protocol
from drivers.pinpad.firmware import wire


def frames_of(items: list) -> list[wire.Frame]:
    return [i for i in items if isinstance(i, wire.Frame)]


def test_crc_check_value_and_exact_frame_bytes() -> None:
    assert wire.crc16(b"123456789") == 0x29B1  # CRC-16/CCITT-FALSE check value
    frame = wire.encode_frame(7, bytes([wire.STATUS]))
    body = b"\x00\x01\x07\x20\x03"
    assert frame == b"\x02" + body + wire.crc16(body).to_bytes(2, "big")
    start = wire.encode_message(wire.START, {"txn": "T1", "amount": 1234, "currency": "EUR"})
    assert start == b"\x22\x02T1\x02\x04\xd2\x03EUR"


def test_message_round_trip() -> None:
    fields = {"txn": "T-9", "entry_mode": "chip", "masked_pan": "476173******0119", "ksn": bytes(12),
              "pin_block": bytes(16), "ciphertext": bytes(32)}
    kind, back = wire.decode_message(wire.encode_message(wire.CARD_READ, fields))
    assert (kind, back) == (wire.CARD_READ, fields)
    read = protocol.decode(wire.encode_message(wire.CARD_READ, fields), "pad")
    assert read == CardRead("T-9", bytes(32), bytes(12), "476173******0119", EntryMode.CHIP, bytes(16), False, "pad")


@pytest.mark.parametrize(("payload", "offset", "reason"), [
    (b"", 0, "empty payload"),
    (b"\x99", 0, "unknown message type 0x99"),
    (b"\x22", 1, "field 'txn' missing"),
    (b"\x22\x05T1", 1, "field 'txn' runs past the payload"),
    (b"\x22\x00\x01\x01\x03EUR", 2, "transaction id must be 1-32 printable ASCII bytes"),
    (b"\x22\x02T1\x00\x03EUR", 5, "unsigned field must be 1-8 bytes"),
    (b"\x22\x02T1\x01\x05\x03eur", 7, "currency must be 3 upper-case letters"),
    (b"\x22\x02T1\x01\x05\x03EURX", 10, "1 trailing bytes after the last field"),
    (b"\x21\x02\xff\xfe", 2, "text is not UTF-8"),
])
def test_bad_payloads_are_typed_errors_with_offsets(payload: bytes, offset: int, reason: str) -> None:
    with pytest.raises(wire.WireError) as err:
        wire.decode_message(payload)
    assert (err.value.offset, err.value.reason) == (offset, reason)


def test_host_refuses_a_clear_pan_and_unknown_entry_mode() -> None:
    base = {"txn": "T", "entry_mode": "chip", "masked_pan": "4761739001010119", "ksn": bytes(12),
            "pin_block": b"", "ciphertext": bytes(16)}
    with pytest.raises(FrameError, match="not masked"):
        protocol.decode(wire.encode_message(wire.CARD_READ, base))
    with pytest.raises(FrameError, match="unknown entry mode"):
        protocol.decode(wire.encode_message(wire.CARD_READ, base | {"entry_mode": "telepathy",
                                                                    "masked_pan": "476173******0119"}))
    with pytest.raises(FrameError, match="not something a PIN pad sends"):
        protocol.decode(wire.encode_message(wire.STATUS))


def test_deframer_errors_carry_stream_offsets() -> None:
    good = wire.encode_frame(1, bytes([wire.STATUS]))
    bad_crc = good[:-1] + bytes([good[-1] ^ 1])
    d = wire.Deframer()
    items = d.feed(b"ab" + bad_crc + good)
    assert [(type(i).__name__, getattr(i, "reason", None), i.offset) for i in items] == [
        ("WireError", "2 bytes of noise before STX", 0),
        ("WireError", "CRC mismatch", 2 + len(good) - 2),
        ("WireError", f"{len(good) - 1} bytes of noise before STX", 3),
        ("Frame", None, 2 + len(good)),
    ]
    over = b"\x02\xff\xff"
    items = wire.Deframer().feed(over + good)
    assert items[0].reason == "length 65535 exceeds 512" and items[0].offset == 1
    assert frames_of(items)[0].offset == 3


def test_partial_frames_wait_and_flush_gives_up_on_them() -> None:
    good = wire.encode_frame(3, bytes([wire.STATUS]))
    d = wire.Deframer()
    assert d.feed(good[:4]) == []
    assert frames_of(d.feed(good[4:]))[0].seq == 3
    assert d.feed(b"\x02\x00\x10\x01") == []
    flushed = d.flush()
    assert next(i.reason for i in flushed) == "frame truncated: 4 of 23 bytes"
    assert d.pending == 0


payloads = st.binary(min_size=1, max_size=64)
noise = st.binary(max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(noise, st.integers(0, 255), payloads), min_size=1, max_size=6), noise,
       st.integers(1, 17))
def test_valid_frames_embedded_in_garbage_are_recovered_in_order(parts, tail, chunk) -> None:
    stream = b""
    sent = []
    for garbage, seq, payload in parts:
        stream += garbage + wire.encode_frame(seq, payload)
        sent.append((seq, payload))
    stream += tail
    d = wire.Deframer()
    items = []
    for i in range(0, len(stream), chunk):  # arrives in arbitrary pieces
        items += d.feed(stream[i:i + chunk])
    items += d.flush()
    got = [(f.seq, f.payload) for f in frames_of(items)]
    # garbage may itself contain a valid-looking frame only with negligible probability (CRC-16 + ETX)
    assert [g for g in got if g in sent] == sent
    assert d.pending == 0
