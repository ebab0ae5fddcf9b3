"""CMAC (NIST SP 800-38B) over an injected block cipher; block size 16 (AES) or 8 (TDES)."""

from p2pe._bin import xor


def _shift(block: bytes, size: int) -> bytes:
    rb = 0x87 if size == 16 else 0x1B
    value = int.from_bytes(block, "big") << 1
    if value >> (8 * size):
        value = (value ^ rb) & ((1 << (8 * size)) - 1)
    return value.to_bytes(size, "big")


def subkeys(cipher, key: bytes, size: int = 16):
    k0 = cipher.encrypt(key, bytes(size))
    k1 = _shift(k0, size)
    return k1, _shift(k1, size)


def cmac(cipher, key: bytes, message: bytes, size: int = 16) -> bytes:
    k1, k2 = subkeys(cipher, key, size)
    if message and len(message) % size == 0:
        last = xor(message[-size:], k1)
        head = message[:-size]
    else:
        cut = len(message) - len(message) % size
        tail = message[cut:] + b"\x80"
        tail += bytes(size - len(tail))
        last = xor(tail, k2)
        head = message[:cut]
    state = bytes(size)
    for i in range(0, len(head), size):
        state = cipher.encrypt(key, xor(state, head[i:i + size]))
    return cipher.encrypt(key, xor(state, last))
