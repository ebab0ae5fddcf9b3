"""ECB/CBC/CTR over an injected block cipher (``cipher.encrypt(key, block)`` / ``decrypt``)."""

from p2pe._bin import xor


def ecb_encrypt(cipher, key: bytes, data: bytes, size: int = 16) -> bytes:
    out = b""
    for i in range(0, len(data), size):
        out += cipher.encrypt(key, data[i:i + size])
    return out


def cbc_encrypt(cipher, key: bytes, iv: bytes, data: bytes) -> bytes:
    size = len(iv)
    if len(data) % size:
        raise ValueError("CBC input is not a whole number of blocks")
    out = b""
    prev = iv
    for i in range(0, len(data), size):
        prev = cipher.encrypt(key, xor(data[i:i + size], prev))
        out += prev
    return out


def cbc_decrypt(cipher, key: bytes, iv: bytes, data: bytes) -> bytes:
    size = len(iv)
    if len(data) % size:
        raise ValueError("CBC input is not a whole number of blocks")
    out = b""
    prev = iv
    for i in range(0, len(data), size):
        block = data[i:i + size]
        out += xor(cipher.decrypt(key, block), prev)
        prev = block
    return out


def ctr_crypt(cipher, key: bytes, iv: bytes, data: bytes) -> bytes:
    size = len(iv)
    counter = int.from_bytes(iv, "big")
    modulus = 1 << (8 * size)
    out = b""
    for i in range(0, len(data), size):
        stream = cipher.encrypt(key, counter.to_bytes(size, "big"))
        chunk = data[i:i + size]
        out += xor(chunk, stream[:len(chunk)])
        counter = (counter + 1) % modulus
    return out


def pad_iso9797_m2(data: bytes, size: int = 16) -> bytes:
    """ISO/IEC 9797-1 padding method 2: 0x80 then zeros; always adds at least one byte."""
    data = data + b"\x80"
    while len(data) % size:
        data += b"\x00"
    return data


def unpad_iso9797_m2(data: bytes) -> bytes:
    end = len(data) - 1
    while end >= 0 and data[end] == 0:
        end -= 1
    if end < 0 or data[end] != 0x80:
        raise ValueError("padding is not ISO 9797-1 method 2")
    return data[:end]
