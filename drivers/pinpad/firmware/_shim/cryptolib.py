"""CPython stand-in for MicroPython's ``cryptolib`` (ECB and CBC) over the ``cryptography`` package."""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class aes:
    def __init__(self, key: bytes, mode: int, iv: bytes | None = None) -> None:
        chosen = modes.ECB() if mode == 1 else modes.CBC(iv or bytes(16))
        cipher = Cipher(algorithms.AES(bytes(key)), chosen)
        self._enc = cipher.encryptor()
        self._dec = cipher.decryptor()
        self._used: str | None = None

    def _once(self, how: str) -> None:
        # cryptolib objects serve one direction only; keep the firmware honest about that
        if self._used not in (None, how):
            raise OSError("cryptolib.aes object used for both directions")
        self._used = how

    def encrypt(self, data: bytes) -> bytes:
        self._once("enc")
        return self._enc.update(bytes(data))

    def decrypt(self, data: bytes) -> bytes:
        self._once("dec")
        return self._dec.update(bytes(data))
