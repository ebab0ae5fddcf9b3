"""The P2PE channel's card-data envelope, one definition for the PIN pad (encrypt) and the
payment host (decrypt); MicroPython subset, AES injected.

A card read is protected under the working keys of one AES DUKPT KSN:
- card data: BER-TLV 5A (PAN) || 57 (track 2 equivalent), ISO 9797-1 method 2 padding,
  AES-128-CBC with a zero IV under the data-encryption key (usage 3000). The key is used once.
- PIN: ISO 9564 format-4 block under the PIN-encryption key (usage 1000).
- MAC (when used): AES-CMAC under the MAC-generation key (usage 2000), verified with 2001.
"""

from p2pe import aes_dukpt, pinblock
from p2pe._bin import equal
from p2pe.cmac import cmac
from p2pe.modes import cbc_decrypt, cbc_encrypt, pad_iso9797_m2, unpad_iso9797_m2

DEVICE_KEYS = [(aes_dukpt.DATA_ENCRYPT, aes_dukpt.AES128), (aes_dukpt.PIN_ENCRYPTION, aes_dukpt.AES128)]


def encrypt_card_data(aes, data_key: bytes, clear: bytes) -> bytes:
    return cbc_encrypt(aes, data_key, bytes(16), pad_iso9797_m2(clear))


def decrypt_card_data(aes, data_key: bytes, ciphertext: bytes) -> bytes:
    if not ciphertext or len(ciphertext) % 16:
        raise ValueError("card data ciphertext is not whole AES blocks")
    return unpad_iso9797_m2(cbc_decrypt(aes, data_key, bytes(16), ciphertext))


def generate_mac(aes, mac_key: bytes, message: bytes) -> bytes:
    return cmac(aes, mac_key, message)


def verify_mac(aes, mac_key: bytes, message: bytes, mac: bytes) -> bool:
    return equal(cmac(aes, mac_key, message)[:len(mac)], mac) and len(mac) >= 4


def host_decrypt(aes, bdk: bytes, ksn: bytes, ciphertext: bytes, pin_block: bytes = b"", pan: str = ""):
    """Payment host side: (clear card data, PIN or None) from a card read, with the BDK."""
    # usage 3000 names the direction (originator -> receiver), so the receiver derives 3000 too;
    # 3001 would be the key for data the host sends back to the pad
    data_key = aes_dukpt.host_working_key(aes, bdk, ksn, aes_dukpt.DATA_ENCRYPT, aes_dukpt.AES128)
    clear = decrypt_card_data(aes, data_key, ciphertext)
    pin = None
    if pin_block:
        pin_key = aes_dukpt.host_working_key(aes, bdk, ksn, aes_dukpt.PIN_ENCRYPTION, aes_dukpt.AES128)
        pin = pinblock.decrypt_format4(aes, pin_key, pin_block, pan)
    return clear, pin
