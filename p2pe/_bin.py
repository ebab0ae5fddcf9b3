"""Byte helpers that behave the same on MicroPython and CPython."""


def xor(a: bytes, b: bytes) -> bytes:
    if len(a) != len(b):
        raise ValueError("xor of unequal lengths")
    return bytes([x ^ y for x, y in zip(a, b)])


def unhex(text: str) -> bytes:
    return bytes.fromhex(text)


def tohex(data: bytes) -> str:
    # MicroPython's bytes.hex() is lowercase like CPython's; callers want the payments-industry upper case.
    return data.hex().upper()


def u16(value: int) -> bytes:
    return value.to_bytes(2, "big")


def u32(value: int) -> bytes:
    return value.to_bytes(4, "big")


def equal(a: bytes, b: bytes) -> bool:
    """Compare without an early exit, so a MAC check does not leak how much matched."""
    if len(a) != len(b):
        return False
    diff = 0
    for x, y in zip(a, b):
        diff |= x ^ y
    return diff == 0


def ones(value: int) -> int:
    return bin(value).count("1")
