"""The firmware's device logic and link, in-process, on fake ports (the pty tests run it as a process)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.pinpad.firmware import card, wire
from p2pe import aes_dukpt, pinblock
from p2pe.host import AES
from p2pe.modes import cbc_decrypt, unpad_iso9797_m2
from tests.support.pinpad_fw import (
    BDK,
    CHIP_RECORDS,
    EXPECTED_CLEAR,
    FCI_VISA,
    IKID,
    MAGSTRIPE_ONLY,
    TRACK2,
    Board,
    MemFlash,
    initial_key_block,
)
from tests.support.vectors import load

SAMPLES = load("emv_tlv_samples.json")["samples"]


def _hexify(tree: dict) -> dict:
    return {k: _hexify(v) if isinstance(v, dict) else v.hex().upper() for k, v in tree.items()}


def test_sample_count() -> None:
    assert len(SAMPLES) == 7


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s["id"])
def test_tlv_parser_matches_reference_decoding(sample: dict) -> None:
    assert _hexify(card.parse_tlv(bytes.fromhex(sample["hex"]))) == sample["decoded_with_pyemv_tlv"]


@pytest.mark.parametrize(("data", "offset", "reason"), [
    ("5A", 1, "length missing for tag 5A"),
    ("5A0512", 2, "value of tag 5A runs past the end"),
    ("9F", 0, "tag runs past the end"),
    ("5A83000001", 1, "bad long-form length for tag 5A"),
])
def test_tlv_defects_are_typed(data: str, offset: int, reason: str) -> None:
    with pytest.raises(card.CardError) as err:
        card.parse_tlv(bytes.fromhex(data))
    assert (err.value.offset, err.value.reason) == (offset, reason)


def test_luhn_failing_sample_pan_is_rejected() -> None:
    with pytest.raises(card.CardError, match="Luhn"):
        card.from_emv([bytes.fromhex(SAMPLES[0]["hex"])])


@pytest.mark.parametrize(("pan", "masked"), [
    ("4761739001010119", "476173******0119"), ("4761739001010", "476173***1010"),
    ("4761739001010119123", "476173*********9123"), ("123456789012", "********9012"),
])
def test_masking_shows_first_six_last_four_at_most(pan: str, masked: str) -> None:
    assert card.mask_pan(pan) == masked


def decrypt(fields: dict) -> tuple[bytes, str | None]:
    ksn = fields["ksn"]
    key = aes_dukpt.host_working_key(AES, BDK, ksn, aes_dukpt.DATA_ENCRYPT, aes_dukpt.AES128)
    clear = unpad_iso9797_m2(cbc_decrypt(AES, key, bytes(16), fields["ciphertext"]))
    pin = None
    if fields["pin_block"]:
        pkey = aes_dukpt.host_working_key(AES, BDK, ksn, aes_dukpt.PIN_ENCRYPTION, aes_dukpt.AES128)
        pin = pinblock.decrypt_format4(AES, pkey, fields["pin_block"], "4761739001010119")
    return clear, pin


def start(board: Board, txn: str = "T1", amount: int = 1234) -> None:
    assert board.ask(wire.START, {"txn": txn, "amount": amount, "currency": "EUR"}) == [
        (wire.OK, {"request": wire.START, "txn": txn})]


def test_chip_read_with_pin() -> None:
    b = Board()
    start(b)
    assert b.displays[-1] == "EUR 12.34 INSERT, TAP OR SWIPE"
    assert b.reader("CHIP " + " ".join(r.hex() for r in CHIP_RECORDS)) == []
    assert b.displays[-1] == "EUR 12.34 ENTER PIN"
    [(kind, fields)] = b.reader("PIN 1234")
    assert kind == wire.CARD_READ
    assert (fields["txn"], fields["entry_mode"], fields["masked_pan"]) == ("T1", "chip", "476173******0119")
    assert fields["ksn"] == IKID + b"\x00\x00\x00\x01"
    assert decrypt(fields) == (EXPECTED_CLEAR, "1234")
    assert b.pad.state()[:3] == ("idle", None, 2)


def test_contactless_under_cvm_limit_takes_no_pin_and_over_it_does() -> None:
    b = Board()
    start(b, "T1", 500)
    [(_, fields)] = b.reader("TAP " + FCI_VISA.hex() + " " + CHIP_RECORDS[0].hex())
    assert (fields["entry_mode"], fields["pin_block"]) == ("contactless", b"")
    assert decrypt(fields) == (EXPECTED_CLEAR, None)
    start(b, "T2", 9000)
    assert b.reader("TAP " + CHIP_RECORDS[0].hex()) == []
    [(_, fields)] = b.reader("PIN 4321")
    assert fields["ksn"][-4:] == b"\x00\x00\x00\x02"
    key = aes_dukpt.host_working_key(AES, BDK, fields["ksn"], aes_dukpt.PIN_ENCRYPTION, aes_dukpt.AES128)
    assert pinblock.decrypt_format4(AES, key, fields["pin_block"], "4761739001010119") == "4321"


def test_swiping_a_chip_card_needs_a_chip_failure_first() -> None:
    b = Board()
    start(b)
    assert b.reader("SWIPE " + TRACK2) == []
    assert b.displays[-1] == "USE CHIP READER"
    assert b.pad.state()[0] == "wait_card"
    b.reader("CHIPERR")
    assert b.reader("SWIPE " + TRACK2) == []
    [(_, fields)] = b.reader("PIN 1234")
    assert fields["entry_mode"] == "magstripe_fallback"
    assert decrypt(fields) == (EXPECTED_CLEAR, "1234")


def test_magstripe_only_card() -> None:
    b = Board()
    start(b)
    b.reader("SWIPE " + MAGSTRIPE_ONLY)
    [(_, fields)] = b.reader("PIN 1234")
    assert fields["entry_mode"] == "magstripe"
    clear, _ = decrypt(fields)
    assert clear.endswith(bytes.fromhex("D22121011758928889"))


def test_cancel_cancels_only_the_named_transaction() -> None:
    b = Board()
    start(b, "A")
    [(kind, fields)] = b.ask(wire.CANCEL, {"txn": "B"})
    assert (kind, fields["code"], fields["txn"]) == (wire.ERROR, "NOT_PENDING", "A")
    assert b.pad.state()[1] == ("A", 1234, "EUR")
    assert b.ask(wire.CANCEL, {"txn": "A"}) == [(wire.OK, {"request": wire.CANCEL, "txn": "A"})]
    assert b.pad.state()[:2] == ("idle", None)


def test_second_start_is_refused_while_one_is_pending() -> None:
    b = Board()
    start(b, "A")
    [(kind, fields)] = b.ask(wire.START, {"txn": "B", "amount": 1, "currency": "EUR"})
    assert (kind, fields["code"], fields["txn"]) == (wire.ERROR, "BUSY", "A")
    start(b, "A")  # the same transaction again is fine (a retried request)


def test_result_returns_ciphertext_only_and_reused_ids_are_refused() -> None:
    b = Board()
    start(b)
    b.reader("CHIP " + CHIP_RECORDS[0].hex())
    [(_, read)] = b.reader("PIN 1234")
    assert b.ask(wire.RESULT, {"txn": "T1"}) == [(wire.CARD_READ, read)]
    assert b.ask(wire.RESULT, {"txn": "nope"}) == [(wire.TXN_STATE, {"txn": "nope", "state": "unknown"})]
    [(kind, fields)] = b.ask(wire.START, {"txn": "T1", "amount": 5, "currency": "EUR"})
    assert (kind, fields["code"]) == (wire.ERROR, "DUPLICATE")


def test_key_is_injected_once_and_survives_a_reboot() -> None:
    b = Board()
    [(kind, fields)] = b.ask(wire.KEY_INJECT, {"key_block": initial_key_block()})
    assert (kind, fields["code"]) == (wire.ERROR, "KEY_PRESENT")
    start(b)
    b.reader("CHIP " + CHIP_RECORDS[0].hex())
    b.reader("PIN 1234")
    again = Board(flash=b.flash, keyed=False)
    [(kind, fields)] = again.ask(wire.STATUS)
    assert (fields["state"], fields["ksn"]) == ("idle", IKID + b"\x00\x00\x00\x02")


@pytest.mark.parametrize(("block", "code"), [
    (initial_key_block(kbpk=bytes(16)), "BAD_KEY_BLOCK"),  # wrong KBPK: MAC fails
    (initial_key_block()[:-1] + "0", "BAD_KEY_BLOCK"),
    ("D0016B1AX00N0000", "BAD_KEY_BLOCK"),
])
def test_bad_key_blocks_are_refused(block: str, code: str) -> None:
    b = Board(keyed=False)
    [(kind, fields)] = b.ask(wire.KEY_INJECT, {"key_block": block})
    assert (kind, fields["code"]) == (wire.ERROR, code)
    assert b.pad.state()[0] == "no_key"


def test_no_kbpk_no_key() -> None:
    b = Board(flash=MemFlash(), keyed=False)
    [(_kind, fields)] = b.ask(wire.KEY_INJECT, {"key_block": initial_key_block()})
    assert fields["code"] == "NO_KBPK"
    [(_kind, fields)] = b.ask(wire.START, {"txn": "T", "amount": 5, "currency": "EUR"})
    assert fields["code"] == "NO_KEY"


def test_retransmitted_request_is_acked_and_acted_on_once() -> None:
    b = Board()
    frame = wire.encode_frame(50, wire.encode_message(wire.START, {"txn": "X", "amount": 5, "currency": "EUR"}))
    assert len(b.raw(frame)) == 1
    b.port.inbox += frame
    assert b.step() == []  # ACKed again, no second reply
    assert b.pad.state()[1] == ("X", 5, "EUR")


def test_unacked_reply_is_retransmitted_then_dropped() -> None:
    b = Board()
    b.port.inbox += wire.encode_frame(9, wire.encode_message(wire.STATUS))
    b.link.poll()
    for item in b.pad.request(wire.STATUS, {}):
        b.link.send(*item)
    first = b.port.sent
    b.port.sent = b""
    b.clock += 301
    b.link.poll()
    assert b.port.sent == first[-len(b.port.sent):]  # the same reply frame again
    for _ in range(5):
        b.clock += 301
        b.link.poll()
    assert b.link._outstanding is None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_fuzzed_bytes_change_no_state(noise: bytes) -> None:
    b = FUZZ_BOARD
    before = b.pad.state()
    b.raw(noise)
    b.clock += 1000
    b.step()
    assert b.pad.state() == before


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 255), st.binary(min_size=1, max_size=80))
def test_fuzzed_payloads_in_valid_frames_change_no_state(seq: int, payload: bytes) -> None:
    try:
        wire.decode_message(payload)
    except wire.WireError:
        pass
    else:
        return  # a well-formed request is not fuzz; the typed cases are tested above
    b = FUZZ_BOARD
    before = b.pad.state()
    replies = b.raw(wire.encode_frame(seq, payload))
    # link control (ACK/NAK) and repeats of the previous frame get no reply; anything else one error
    assert all((k, f["code"]) == (wire.ERROR, "BAD_MESSAGE") for k, f in replies)
    if payload[0] not in (wire.ACK, wire.NAK) and b.link._last_rx == (seq, payload):
        assert len(replies) <= 1
    assert b.pad.state() == before


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40), st.integers(0, 255))
def test_corrupted_frames_change_no_state(pos: int, flip: int) -> None:
    b = FUZZ_BOARD
    frame = bytearray(wire.encode_frame(77, wire.encode_message(wire.CANCEL, {"txn": "F"})))
    frame[pos % len(frame)] ^= flip or 1
    before = b.pad.state()
    b.raw(bytes(frame))
    b.clock += 1000
    b.step()
    assert b.pad.state() == before


FUZZ_BOARD = Board()
FUZZ_BOARD.ask(wire.START, {"txn": "F", "amount": 100, "currency": "EUR"})
