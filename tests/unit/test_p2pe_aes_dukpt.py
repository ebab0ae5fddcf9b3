"""AES DUKPT (X9.24-3-2017) against every value in aes_dukpt_x9_24_3.json, host and device side."""

from __future__ import annotations

import pytest

from p2pe import aes_dukpt as d
from p2pe import pinblock
from p2pe.errors import KeyExhausted, KeyStateError
from p2pe.host import AES
from tests.support.vectors import h, load

DATA = load("aes_dukpt_x9_24_3.json")
MAIN = DATA["vector_sets"][0]
ALL_USAGES = DATA["vector_sets"][1]
BDK, IKID = h(MAIN["bdk"]), h(MAIN["initial_key_id"])
IK = h(MAIN["initial_key"])

FIELD_USAGE = {
    "pin_encryption_key_aes128": d.PIN_ENCRYPTION,
    "mac_generation_key_aes128": d.MAC_GENERATION,
    "data_encryption_encrypt_key_aes128": d.DATA_ENCRYPT,
}
COUNTER_CASES = [(c, f) for c in MAIN["counters"] for f in FIELD_USAGE]
OTHER_COUNTERS = MAIN["derivation_keys_at_other_counters"]
UPDATE = MAIN["update_key_counter_FFFFFFFF"]
UPDATE_CASES = [("kek_aes128", d.AES128), ("kek_2tdea", d.TDEA2), ("kek_3tdea", d.TDEA3)]
USAGE_NAMES = {"pin_encryption": d.PIN_ENCRYPTION, "mac_generation": d.MAC_GENERATION,
               "mac_verification": d.MAC_VERIFICATION, "mac_both": d.MAC_BOTH,
               "data_encrypt": d.DATA_ENCRYPT, "data_decrypt": d.DATA_DECRYPT, "data_both": d.DATA_BOTH}
ALL_USAGE_CASES = list(ALL_USAGES["aes128_working_keys"].items())
TDES_PIN_CASES = [("pin_encryption_key_2tdea", d.TDEA2), ("pin_encryption_key_3tdea", d.TDEA3)]


def test_vector_counts() -> None:
    assert len(MAIN["counters"]) == 8
    assert len(COUNTER_CASES) == 24
    assert len(OTHER_COUNTERS) == 8
    assert len(ALL_USAGE_CASES) == 7
    assert len(DATA["vector_sets"]) == 2


def test_initial_key_from_bdk() -> None:
    assert d.initial_key(AES, BDK, IKID) == IK
    assert h(ALL_USAGES["initial_key"]) == IK


@pytest.mark.parametrize("row", MAIN["counters"], ids=lambda r: r["ksn"])
def test_derivation_key_per_counter(row: dict) -> None:
    ikid, counter = d.split_ksn(h(row["ksn"]))
    assert counter == row["transaction_counter"]
    assert d.derivation_key(AES, IK, ikid, counter) == h(row["derivation_key"])


@pytest.mark.parametrize(("row", "field"), COUNTER_CASES, ids=lambda v: v["ksn"] if isinstance(v, dict) else v)
def test_working_key_per_counter(row: dict, field: str) -> None:
    key = d.host_working_key(AES, BDK, h(row["ksn"]), FIELD_USAGE[field], d.AES128)
    assert key == h(row[field])


@pytest.mark.parametrize("row", OTHER_COUNTERS, ids=lambda r: r["ksn"])
def test_derivation_key_at_other_counters(row: dict) -> None:
    ikid, counter = d.split_ksn(h(row["ksn"]))
    assert counter == row["transaction_counter"]
    assert d.derivation_key(AES, IK, ikid, counter) == h(row["derivation_key"])


def test_derivation_key_at_last_counter() -> None:
    assert d.derivation_key(AES, IK, IKID, 0xFFFFFFFF) == h(UPDATE["derivation_key"])


@pytest.mark.parametrize(("field", "kind"), UPDATE_CASES)
def test_key_encryption_keys_at_last_counter(field: str, kind: str) -> None:
    dkey = h(UPDATE["derivation_key"])
    assert d.working_key(AES, dkey, IKID, 0xFFFFFFFF, d.KEK, kind) == h(UPDATE[field])


@pytest.mark.parametrize(("name", "expected"), ALL_USAGE_CASES)
def test_every_usage_at_counter_1(name: str, expected: str) -> None:
    dkey = h(ALL_USAGES["derivation_key"])
    assert d.derivation_key(AES, IK, IKID, 1) == dkey
    assert d.working_key(AES, dkey, IKID, 1, USAGE_NAMES[name], d.AES128) == h(expected)


@pytest.mark.parametrize(("field", "kind"), TDES_PIN_CASES)
def test_tdes_pin_keys_from_aes_bdk(field: str, kind: str) -> None:
    key = d.host_working_key(AES, BDK, h(ALL_USAGES["ksn"]), d.PIN_ENCRYPTION, kind)
    assert key == h(ALL_USAGES[field])
    assert len(key) == (16 if kind == d.TDEA2 else 24)


def test_device_register_reproduces_the_first_eight_transactions() -> None:
    reg = d.KeyRegister.load(AES, IK, IKID)
    for row in MAIN["counters"]:
        assert reg.ksn() == h(row["ksn"])
        ksn, (pin, mac, data) = reg.next_transaction(
            [(d.PIN_ENCRYPTION, d.AES128), (d.MAC_GENERATION, d.AES128), (d.DATA_ENCRYPT, d.AES128)])
        assert ksn == h(row["ksn"])
        assert (pin, mac, data) == (h(row["pin_encryption_key_aes128"]), h(row["mac_generation_key_aes128"]),
                                    h(row["data_encryption_encrypt_key_aes128"]))


def test_device_register_with_aes256_bdk_matches_host() -> None:
    bdk = bytes(range(32))
    ik = d.initial_key(AES, bdk, IKID)
    assert len(ik) == 32
    reg = d.KeyRegister.load(AES, ik, IKID)
    for _ in range(40):
        ksn, (key,) = reg.next_transaction([(d.DATA_ENCRYPT, d.AES256)])
        assert key == d.host_working_key(AES, bdk, ksn, d.DATA_ENCRYPT, d.AES256)
        assert len(key) == 32


def _register_at(counter: int) -> d.KeyRegister:
    """A register as a device would hold it at ``counter`` (keys computed by the host)."""
    low = (counter & -counter).bit_length() - 1
    keys = {low: d.derivation_key(AES, IK, IKID, counter)}
    for pos in range(low + 1, 32):
        if not counter >> pos & 1:
            keys[pos] = d.derivation_key(AES, IK, IKID, (counter >> (pos + 1) << (pos + 1)) | (1 << pos))
    return d.KeyRegister.restore(AES, IKID, counter, keys)


def test_counter_with_sixteen_one_bits_skips_ahead() -> None:
    reg = _register_at(0x0000FFFF)
    ksn, _ = reg.next_transaction([(d.PIN_ENCRYPTION, d.AES128)])
    assert ksn[8:] == bytes.fromhex("0000FFFF")
    assert reg.counter == 0x00010000  # 0x1FFFF (17 one-bits) and everything below is skipped
    ksn, (key,) = reg.next_transaction([(d.PIN_ENCRYPTION, d.AES128)])
    assert ksn == IKID + bytes.fromhex("00010000")
    assert key == d.host_working_key(AES, BDK, ksn, d.PIN_ENCRYPTION, d.AES128)


def test_last_counter_exhausts_the_register() -> None:
    reg = _register_at(0xFFFF0000)
    ksn, _ = reg.next_transaction([(d.PIN_ENCRYPTION, d.AES128)])
    assert ksn[8:] == bytes.fromhex("FFFF0000")
    assert reg.exhausted
    with pytest.raises(KeyExhausted):
        reg.next_transaction([(d.PIN_ENCRYPTION, d.AES128)])
    with pytest.raises(KeyExhausted):
        reg.ksn()


def test_used_keys_are_erased_and_snapshot_round_trips() -> None:
    reg = d.KeyRegister.load(AES, IK, IKID)
    reg.next_transaction([(d.PIN_ENCRYPTION, d.AES128)])
    ikid, counter, keys = reg.snapshot()
    assert counter == 2
    assert d.derivation_key(AES, IK, IKID, 1) not in keys.values()
    again = d.KeyRegister.restore(AES, ikid, counter, keys)
    assert again.next_transaction([(d.PIN_ENCRYPTION, d.AES128)])[1] == [h(MAIN["counters"][1]["pin_encryption_key_aes128"])]


def test_register_without_a_key_refuses() -> None:
    with pytest.raises(KeyStateError):
        d.KeyRegister(AES).ksn()
    with pytest.raises(KeyStateError):
        d.KeyRegister.restore(AES, IKID, 4, {0: IK})
    assert not d.is_valid_counter(0x1FFFF)
    assert d.is_valid_counter(0xFFFF0000)


@pytest.mark.parametrize("row", MAIN["counters"], ids=lambda r: r["ksn"])
def test_format4_pin_block_per_counter(row: dict) -> None:
    inputs = MAIN["iso4_pin_block_inputs"]
    key = d.host_working_key(AES, BDK, h(row["ksn"]), d.PIN_ENCRYPTION, d.AES128)
    fill = h(inputs["plaintext_pin_field"])[8:]
    assert pinblock.encrypt_format4(AES, key, inputs["pin"], inputs["pan"], fill) == h(row["encrypted_pin_block_iso4"])
