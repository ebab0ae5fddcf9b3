"""TDES DUKPT per ANSI X9.24-1-2009, host side, for legacy PIN pads (MicroPython has no DES).

KSN = 10 bytes: key set ID and device ID (59 bits) || 21-bit transaction counter. A device never
uses a counter with more than 10 one-bits; when it would, it skips ahead ("rollover"), so
``next_counter`` gives the counter a compliant device uses after a given one.
"""

from __future__ import annotations

from p2pe._bin import ones, xor
from p2pe.host import TDES
from p2pe.modes import cbc_encrypt

KEY_MASK = bytes.fromhex("C0C0C0C000000000C0C0C0C000000000")
PIN_VARIANT = bytes.fromhex("00000000000000FF00000000000000FF")
MAC_REQUEST_VARIANT = bytes.fromhex("000000000000FF00000000000000FF00")
MAC_RESPONSE_VARIANT = bytes.fromhex("00000000FF00000000000000FF000000")
DATA_REQUEST_VARIANT = bytes.fromhex("0000000000FF00000000000000FF0000")
DATA_RESPONSE_VARIANT = bytes.fromhex("000000FF00000000000000FF00000000")
COUNTER_BITS = 21
MAX_COUNTER = (1 << COUNTER_BITS) - 1
MAX_ONE_BITS = 10


def _split(ksn: bytes) -> tuple[bytes, int]:
    if len(ksn) != 10:
        raise ValueError(f"a TDES DUKPT KSN is 10 bytes, not {len(ksn)}")
    right = int.from_bytes(ksn[2:], "big")
    return (right & ~MAX_COUNTER).to_bytes(8, "big"), right & MAX_COUNTER


def ipek(bdk: bytes, ksn: bytes) -> bytes:
    """The initial PIN encryption key for the device that owns ``ksn`` (counter bits ignored)."""
    base, _ = _split(ksn)
    base = (ksn[:2] + base)[:8]  # leftmost 8 bytes of the KSN with the counter zeroed
    return TDES.encrypt(bdk, base) + TDES.encrypt(xor(bdk, KEY_MASK), base)


def _nrkgp(key: bytes, reg: bytes) -> bytes:
    """The non-reversible key generation process (X9.24-1 A.2)."""
    def half(k: bytes) -> bytes:
        return xor(TDES.encrypt(k[:8], xor(reg, k[8:])), k[8:])
    return half(xor(key, KEY_MASK)) + half(key)


def transaction_key(ipek_: bytes, ksn: bytes) -> bytes:
    """The 'future' key for the KSN's counter before any variant: one NRKGP per one-bit, high to low."""
    base, counter = _split(ksn)
    reg = int.from_bytes(base, "big")
    key = ipek_
    bit = 1 << (COUNTER_BITS - 1)
    while bit:
        if counter & bit:
            reg |= bit
            key = _nrkgp(key, reg.to_bytes(8, "big"))
        bit >>= 1
    return key


def derive(bdk: bytes, ksn: bytes) -> bytes:
    return transaction_key(ipek(bdk, ksn), ksn)


def pin_key(bdk: bytes, ksn: bytes) -> bytes:
    return xor(derive(bdk, ksn), PIN_VARIANT)


def mac_request_key(bdk: bytes, ksn: bytes) -> bytes:
    return xor(derive(bdk, ksn), MAC_REQUEST_VARIANT)


def mac_response_key(bdk: bytes, ksn: bytes) -> bytes:
    return xor(derive(bdk, ksn), MAC_RESPONSE_VARIANT)


def _one_way(variant_key: bytes) -> bytes:
    return TDES.encrypt(variant_key, variant_key[:8]) + TDES.encrypt(variant_key, variant_key[8:])


def data_request_key(bdk: bytes, ksn: bytes) -> bytes:
    return _one_way(xor(derive(bdk, ksn), DATA_REQUEST_VARIANT))


def data_response_key(bdk: bytes, ksn: bytes) -> bytes:
    return _one_way(xor(derive(bdk, ksn), DATA_RESPONSE_VARIANT))


def encrypt_data(key: bytes, data: bytes) -> bytes:
    """TDES-CBC, zero IV, zero padding to 8 bytes (as the X9.24-1 A.4 data)."""
    if len(data) % 8:
        data += bytes(8 - len(data) % 8)
    return cbc_encrypt(TDES, key, bytes(8), data)


def x919_mac(key: bytes, data: bytes) -> bytes:
    """ANSI X9.19 retail MAC (ISO 9797-1 algorithm 3, padding method 1), 8 bytes."""
    if len(data) % 8 or not data:
        data += bytes(8 - len(data) % 8)
    state = bytes(8)
    for i in range(0, len(data), 8):
        state = TDES.encrypt(key[:8], xor(state, data[i:i + 8]))
    return TDES.encrypt(key[:8], TDES.decrypt(key[8:], state))


def next_counter(counter: int) -> int | None:
    """The counter a compliant device uses after ``counter``; None when the device is exhausted.

    Counters with more than 10 one-bits are skipped by adding the lowest one-bit (the rollover).
    """
    nxt = counter + 1
    while nxt <= MAX_COUNTER and ones(nxt) > MAX_ONE_BITS:
        nxt += nxt & -nxt
    return nxt if nxt <= MAX_COUNTER else None


def with_counter(ksn: bytes, counter: int) -> bytes:
    base, _ = _split(ksn)
    return ksn[:2] + (int.from_bytes(base, "big") | counter).to_bytes(8, "big")
