"""ISO 9564-1 PIN blocks: format 4 (AES, 16 bytes) and format 0 (TDES, 8 bytes).

The block cipher is injected like everywhere in p2pe, so format 4 runs in the PIN pad.
"""

from p2pe._bin import tohex, unhex, xor
from p2pe.errors import PinBlockError


def _check_pin(pin: str) -> None:
    if not 4 <= len(pin) <= 12 or not pin.isdigit():
        raise PinBlockError("pin", "a PIN is 4 to 12 decimal digits")


def _check_pan(pan: str, low: int = 1) -> None:
    if not low <= len(pan) <= 19 or not pan.isdigit():
        raise PinBlockError("pan", "a PAN is " + str(low) + " to 19 decimal digits")


def format4_pin_field(pin: str, fill: bytes) -> bytes:
    _check_pin(pin)
    if len(fill) != 8:
        raise PinBlockError("fill", "format 4 needs 8 random fill bytes")
    text = "4" + "%X" % len(pin) + pin
    text += "A" * (16 - len(text))
    return unhex(text) + fill


def format4_pan_field(pan: str) -> bytes:
    _check_pan(pan)
    if len(pan) < 12:
        text = "0" + "0" * (12 - len(pan)) + pan
    else:
        text = "%X" % (len(pan) - 12) + pan
    text += "0" * (32 - len(text))
    return unhex(text)


def encrypt_format4(aes, key: bytes, pin: str, pan: str, fill: bytes) -> bytes:
    """EPB = AES(K, AES(K, PIN field) XOR PAN field)."""
    inner = aes.encrypt(key, format4_pin_field(pin, fill))
    return aes.encrypt(key, xor(inner, format4_pan_field(pan)))


def decrypt_format4(aes, key: bytes, block: bytes, pan: str) -> str:
    """The PIN inside a format-4 EPB; raises PinBlockError if the block is not format 4."""
    if len(block) != 16:
        raise PinBlockError("pin_block", "a format-4 block is 16 bytes")
    inner = xor(aes.decrypt(key, block), format4_pan_field(pan))
    text = tohex(aes.decrypt(key, inner)[:8])
    return _pin_from_field(text, "4", "A")


def _pin_from_field(text: str, control: str, filler: str) -> str:
    if text[0] != control:
        raise PinBlockError("pin_block", "control field is " + text[0] + ", expected " + control)
    length = int(text[1], 16)
    if not 4 <= length <= 12:
        raise PinBlockError("pin_block", "PIN length " + str(length) + " is outside 4..12")
    pin = text[2:2 + length]
    if not pin.isdigit():
        raise PinBlockError("pin_block", "PIN digits are not decimal")
    if text[2 + length:] != filler * (14 - length):
        raise PinBlockError("pin_block", "fill is not " + filler)
    return pin


def format0_clear(pin: str, pan: str) -> bytes:
    _check_pin(pin)
    _check_pan(pan, 13)
    text = "0" + "%X" % len(pin) + pin
    text += "F" * (16 - len(text))
    return xor(unhex(text), unhex("0000" + pan[-13:-1]))


def format0_pin(clear: bytes, pan: str) -> str:
    _check_pan(pan, 13)
    if len(clear) != 8:
        raise PinBlockError("pin_block", "a format-0 block is 8 bytes")
    return _pin_from_field(tohex(xor(clear, unhex("0000" + pan[-13:-1]))), "0", "F")


def encrypt_format0(tdes, key: bytes, pin: str, pan: str) -> bytes:
    return tdes.encrypt(key, format0_clear(pin, pan))


def decrypt_format0(tdes, key: bytes, block: bytes, pan: str) -> str:
    return format0_pin(tdes.decrypt(key, block), pan)
