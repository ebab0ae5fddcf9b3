"""Host-side block primitives over the ``cryptography`` package (CPython only)."""

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class CryptographyAES:
    """The injected AES block primitive for the host: one 16-byte block, ECB."""

    def encrypt(self, key: bytes, block: bytes) -> bytes:
        enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
        return enc.update(block) + enc.finalize()

    def decrypt(self, key: bytes, block: bytes) -> bytes:
        dec = Cipher(algorithms.AES(key), modes.ECB()).decryptor()
        return dec.update(block) + dec.finalize()


class CryptographyTDES:
    """TDES (8-byte block, ECB); an 8-byte key is single DES (K1 = K2 = K3)."""

    def encrypt(self, key: bytes, block: bytes) -> bytes:
        enc = Cipher(TripleDES(_tdes_key(key)), modes.ECB()).encryptor()
        return enc.update(block) + enc.finalize()

    def decrypt(self, key: bytes, block: bytes) -> bytes:
        dec = Cipher(TripleDES(_tdes_key(key)), modes.ECB()).decryptor()
        return dec.update(block) + dec.finalize()


def _tdes_key(key: bytes) -> bytes:
    if len(key) == 8:
        return key * 3
    if len(key) == 16:
        return key + key[:8]
    if len(key) == 24:
        return key
    raise ValueError(f"a TDES key is 8, 16 or 24 bytes, not {len(key)}")


AES = CryptographyAES()
TDES = CryptographyTDES()


def initial_key_block(bdk: bytes, initial_key_id: bytes, kbpk: bytes) -> str:
    """The TR-31 block (version D, usage B1, IK optional block) that injects a PIN pad's AES DUKPT
    initial key, derived from ``bdk`` for the 8-byte ``initial_key_id``, wrapped under ``kbpk``."""
    import os

    from p2pe import aes_dukpt, tr31

    ik = aes_dukpt.initial_key(AES, bdk, initial_key_id)
    return tr31.wrap_d(kbpk, AES, ik, "B1", "A", "X", [("IK", initial_key_id.hex().upper())], os.urandom(16))
