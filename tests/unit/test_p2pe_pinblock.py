"""ISO 9564 PIN blocks against every vector in iso9564_pinblocks.json; psec as an independent check."""

from __future__ import annotations

import psec.pinblock
import pytest
from hypothesis import given
from hypothesis import strategies as st

from p2pe import pinblock
from p2pe.errors import PinBlockError
from p2pe.host import AES
from tests.support.vectors import h, load

DATA = load("iso9564_pinblocks.json")
F0 = DATA["format_0_clear_blocks"]
F4_PIN = DATA["format_4_pin_fields"]
F4_PAN = DATA["format_4_pan_fields"]
F4_X924 = DATA["format_4_encrypted_x9_24_3"]["vectors"]
F4_PSEC = DATA["format_4_encrypted_psec"]["vectors"]


def test_vector_counts() -> None:
    assert (len(F0), len(F4_PIN), len(F4_PAN), len(F4_X924), len(F4_PSEC)) == (5, 2, 4, 8, 3)


@pytest.mark.parametrize("row", F0, ids=lambda r: r["pin"] + "/" + r["pan"])
def test_format0_clear(row: dict) -> None:
    block = pinblock.format0_clear(row["pin"], row["pan"])
    assert block == h(row["clear_pin_block"])
    assert pinblock.format0_pin(block, row["pan"]) == row["pin"]
    assert psec.pinblock.encode_pinblock_iso_0(row["pin"], row["pan"]) == block


@pytest.mark.parametrize("row", F4_PIN, ids=lambda r: r["pin"])
def test_format4_pin_field(row: dict) -> None:
    field = pinblock.format4_pin_field(row["pin"], bytes(8))
    assert field[:8] == h(row["plaintext_pin_field_first8"])


@pytest.mark.parametrize("row", F4_PAN, ids=lambda r: r["pan"])
def test_format4_pan_field(row: dict) -> None:
    assert pinblock.format4_pan_field(row["pan"]) == h(row["pan_field"])
    assert psec.pinblock.encode_pan_field_iso_4(row["pan"]) == h(row["pan_field"])


@pytest.mark.parametrize("row", F4_X924, ids=lambda r: r["aes_key"])
def test_format4_x9_24_3(row: dict) -> None:
    key, fill = h(row["aes_key"]), h(row["plaintext_pin_field"])[8:]
    assert pinblock.format4_pin_field(row["pin"], fill) == h(row["plaintext_pin_field"])
    block = pinblock.encrypt_format4(AES, key, row["pin"], row["pan"], fill)
    assert block == h(row["encrypted_pin_block"])
    assert pinblock.decrypt_format4(AES, key, block, row["pan"]) == row["pin"]


@pytest.mark.parametrize("row", F4_PSEC, ids=lambda r: r["aes_key"])
def test_format4_decipher(row: dict) -> None:
    key, block = h(row["aes_key"]), h(row["encrypted_pin_block"])
    assert pinblock.decrypt_format4(AES, key, block, row["pan"]) == row["pin"]
    assert psec.pinblock.decipher_pinblock_iso_4(key, block, row["pan"]) == row["pin"]


@given(pin=st.text("0123456789", min_size=4, max_size=12), pan=st.text("0123456789", min_size=1, max_size=19),
       fill=st.binary(min_size=8, max_size=8), key=st.binary(min_size=16, max_size=16))
def test_format4_agrees_with_psec(pin: str, pan: str, fill: bytes, key: bytes) -> None:
    block = pinblock.encrypt_format4(AES, key, pin, pan, fill)
    assert psec.pinblock.decipher_pinblock_iso_4(key, block, pan) == pin
    assert pinblock.decrypt_format4(AES, key, block, pan) == pin


@pytest.mark.parametrize(("pin", "pan", "field"), [
    ("123", "4111111111111111", "pin"), ("1234567890123", "4111111111111111", "pin"),
    ("12a4", "4111111111111111", "pin"), ("1234", "", "pan"), ("1234", "41111111111111111111", "pan"),
    ("1234", "4111-1111", "pan"),
])
def test_bad_inputs_are_typed_errors(pin: str, pan: str, field: str) -> None:
    with pytest.raises(PinBlockError) as err:
        pinblock.encrypt_format4(AES, bytes(16), pin, pan, bytes(8))
    assert err.value.field == field


def test_wrong_pan_or_key_does_not_yield_a_pin() -> None:
    row = F4_X924[0]
    with pytest.raises(PinBlockError):
        pinblock.decrypt_format4(AES, h(row["aes_key"]), h(row["encrypted_pin_block"]), "5111111111111111")
    with pytest.raises(PinBlockError):
        pinblock.decrypt_format4(AES, bytes(16), h(row["encrypted_pin_block"]), row["pan"])
