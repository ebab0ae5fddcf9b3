"""The payment host's card-read decryption: AES DUKPT (the pad's envelope) and legacy TDES DUKPT."""

from __future__ import annotations

import pytest

from p2pe import pinblock, tdes_dukpt
from p2pe.host import TDES
from p2pe.payhost.card import CardDataError, decrypt_read, parse_clear, pin_error
from p2pe.payhost.config import Rules
from p2pe.payhost.rules import decide
from tests.support.payhost import PAN, card_read, clear_card
from tests.support.pinpad_fw import BDK, EXPECTED_CLEAR

TDES_BDK = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")  # the X9.24-1 test BDK
TDES_KSN = bytes.fromhex("FFFF9876543210E00008")


def test_the_test_card_record_is_the_pads_clear_data() -> None:
    assert clear_card() == EXPECTED_CLEAR
    assert parse_clear(EXPECTED_CLEAR) == (PAN, PAN + "D22122011758928889")


def test_aes_read_with_pin() -> None:
    ksn, data, block = card_read(7, pin="4321")
    card = decrypt_read(BDK, ksn, data, block)
    assert (card.pan, card.pin, card.masked()) == (PAN, "4321", "476173******0119")
    assert PAN not in repr(card)


def test_tdes_read_with_a_format0_pin_block() -> None:
    data = tdes_dukpt.encrypt_data(tdes_dukpt.data_request_key(TDES_BDK, TDES_KSN), clear_card())
    block = pinblock.encrypt_format0(TDES, tdes_dukpt.pin_key(TDES_BDK, TDES_KSN), "1234", PAN)
    card = decrypt_read(TDES_BDK, TDES_KSN, data, block)
    assert (card.pan, card.track2, card.pin) == (PAN, PAN + "D22122011758928889", "1234")


def test_wrong_key_bad_pin_block_and_bad_ksn_are_typed_errors_without_card_data() -> None:
    ksn, data, _ = card_read(3, pin="1234")
    with pytest.raises(CardDataError) as err:
        decrypt_read(bytes(16), ksn, data)
    assert PAN not in str(err.value)
    with pytest.raises(CardDataError) as err:
        decrypt_read(BDK, ksn, data, bytes(16))
    assert pin_error(err.value)
    with pytest.raises(CardDataError, match="12 bytes"):
        decrypt_read(BDK, ksn[:11], data)


def test_rules_by_amount_pan_and_pin() -> None:
    r = Rules(slow_seconds=1.5, hang_seconds=9)
    assert [(d.state, d.code, d.approved, d.decide_after, d.answer_after) for d in (
        decide(r, 1000, PAN, None, False), decide(r, 1005, PAN, None, False), decide(r, 1051, PAN, None, False),
        decide(r, 1010, PAN, None, False), decide(r, 1077, PAN, None, False), decide(r, 1098, PAN, None, False),
        decide(r, 1099, PAN, None, False), decide(r, 1000, PAN, "0000", False), decide(r, 1000, PAN, None, True),
        decide(r, 1000, "4000000000009995", None, False))] == [
        ("approved", "00", 1000, 0, 0), ("declined", "05", 0, 0, 0), ("declined", "51", 0, 0, 0),
        ("partial", "10", 505, 0, 0), ("approved", "00", 1077, 1.5, 0), ("approved", "00", 1098, 9, 0),
        ("approved", "00", 1099, 0, 9), ("declined", "55", 0, 0, 0), ("declined", "55", 0, 0, 0),
        ("declined", "51", 0, 0, 0)]
