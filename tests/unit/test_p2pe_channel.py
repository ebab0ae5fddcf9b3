"""The channel envelope and AES-CMAC (NIST SP 800-38B / RFC 4493 examples)."""

from __future__ import annotations

import pytest

from p2pe import aes_dukpt, channel, pinblock
from p2pe.cmac import cmac
from p2pe.host import AES
from tests.support.vectors import h

RFC4493_KEY = h("2b7e151628aed2a6abf7158809cf4f3c")
RFC4493_MSG = h("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411"
                "e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
CMAC_CASES = [(0, "bb1d6929e95937287fa37d129b756746"), (16, "070a16b46b4d4144f79bdd9dd04a287c"),
              (40, "dfa66747de9ae63030ca32611497c827"), (64, "51f0bebf7e3b9d92fc49741779363cfe")]


def test_cmac_case_count() -> None:
    assert len(CMAC_CASES) == 4


@pytest.mark.parametrize(("length", "mac"), CMAC_CASES)
def test_aes_cmac_rfc4493(length: int, mac: str) -> None:
    assert cmac(AES, RFC4493_KEY, RFC4493_MSG[:length]) == h(mac)


def test_device_envelope_opens_on_the_host_with_the_bdk() -> None:
    bdk, ikid = h("FEDCBA9876543210F1F1F1F1F1F1F1F1"), h("1234567890123456")
    reg = aes_dukpt.KeyRegister.load(AES, aes_dukpt.initial_key(AES, bdk, ikid), ikid)
    ksn, (data_key, pin_key) = reg.next_transaction(channel.DEVICE_KEYS)
    clear = h("5A084761739001010119")
    ct = channel.encrypt_card_data(AES, data_key, clear)
    epb = pinblock.encrypt_format4(AES, pin_key, "2468", "4761739001010119", bytes(8))
    assert len(ct) == 16
    assert channel.host_decrypt(AES, bdk, ksn, ct, epb, "4761739001010119") == (clear, "2468")
    with pytest.raises(ValueError):
        channel.host_decrypt(AES, bytes(16), ksn, ct)  # wrong BDK: padding check fails


def test_mac_generation_and_verification_keys() -> None:
    bdk, ksn = h("FEDCBA9876543210F1F1F1F1F1F1F1F1"), h("123456789012345600000001")
    gen = aes_dukpt.host_working_key(AES, bdk, ksn, aes_dukpt.MAC_GENERATION, aes_dukpt.AES128)
    assert gen == h("A2DC23DE6FDE0824A2BC321E08E4B8B7")
    mac = channel.generate_mac(AES, gen, b"amount=1234")
    assert channel.verify_mac(AES, gen, b"amount=1234", mac)
    assert not channel.verify_mac(AES, gen, b"amount=1235", mac)
    assert not channel.verify_mac(AES, gen, b"amount=1234", mac[:3])


def test_initial_key_block_for_injection() -> None:
    from p2pe import tr31
    from p2pe.host import initial_key_block

    kbpk, bdk, ikid = bytes(range(32)), h("FEDCBA9876543210F1F1F1F1F1F1F1F1"), h("1234567890123456")
    block = initial_key_block(bdk, ikid, kbpk)
    kb = tr31.unwrap(kbpk, block, AES)
    assert (kb.usage, kb.optional["IK"], kb.key) == ("B1", "1234567890123456", h("1273671EA26AC29AFA4D1084127652A1"))
    assert initial_key_block(bdk, ikid, kbpk) != block  # fresh random padding every time
