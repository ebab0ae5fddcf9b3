"""TDES DUKPT (X9.24-1-2009 A.4) against every value in tdes_dukpt_x9_24_1.json."""

from __future__ import annotations

import pytest

from p2pe import pinblock
from p2pe import tdes_dukpt as t
from p2pe.host import TDES
from tests.support.vectors import h, load

DATA = load("tdes_dukpt_x9_24_1.json")
COMMON = DATA["common_inputs"]
BDK = h(COMMON["bdk"])
ROWS = DATA["initial_sequence_A_4_2"]
MESSAGE = COMMON["mac_and_data_input_ascii"].encode()


def _check(row: dict, field: str) -> None:
    ksn = h(row["ksn"])
    value = h(row[field])
    got = {
        "transaction_key_no_variant": lambda: t.derive(BDK, ksn),
        "pin_key_variant": lambda: t.pin_key(BDK, ksn),
        "mac_request_key_variant": lambda: t.mac_request_key(BDK, ksn),
        "data_request_key_variant_owf": lambda: t.data_request_key(BDK, ksn),
        "encrypted_pin_block_iso0": lambda: pinblock.encrypt_format0(
            TDES, t.pin_key(BDK, ksn), COMMON["pin"], COMMON["pan"]),
        "mac_request_x919_first4": lambda: t.x919_mac(t.mac_request_key(BDK, ksn), MESSAGE)[:4],
        "mac_response_x919_first4": lambda: t.x919_mac(t.mac_response_key(BDK, ksn), MESSAGE)[:4],
        "mac_request_x919_full8_moov": lambda: t.x919_mac(t.mac_request_key(BDK, ksn), MESSAGE),
        "mac_response_x919_full8_moov": lambda: t.x919_mac(t.mac_response_key(BDK, ksn), MESSAGE),
        "encrypted_request_data_tdes_cbc": lambda: t.encrypt_data(t.data_request_key(BDK, ksn), MESSAGE),
        "encrypted_response_data_tdes_cbc_moov": lambda: t.encrypt_data(t.data_response_key(BDK, ksn), MESSAGE),
    }[field]()
    assert got == value


CASES = [(r, f) for r in ROWS for f in r if f not in ("ksn", "transaction_counter", "found_in")]


def test_vector_counts() -> None:
    assert len(ROWS) == 21
    assert len(CASES) == 16 * 7 + 5 * 11  # the moov-io fields cover counters 1-5 only


def test_ipek() -> None:
    assert t.ipek(BDK, h(COMMON["initial_ksn"])) == h(COMMON["ipek_initial_key"])


@pytest.mark.parametrize(("row", "field"), CASES, ids=lambda v: v["ksn"] if isinstance(v, dict) else v)
def test_vector(row: dict, field: str) -> None:
    assert t.with_counter(h(COMMON["initial_ksn"]), row["transaction_counter"]) == h(row["ksn"])
    _check(row, field)


def test_counter_rollover_skips_counters_with_more_than_ten_one_bits() -> None:
    assert t.next_counter(1) == 2
    assert t.next_counter(0x3FE) == 0x3FF
    # 0x3FF has 10 one-bits: 0x400 is next; from 0x7FE (10 bits) +1 = 0x7FF has 11, skip to 0x800
    assert t.next_counter(0x7FE) == 0x800
    assert t.next_counter(0x1FF400) == 0x1FF800  # 0x1FF401..0x1FF7FF all have 11+ one-bits
    assert t.next_counter(0x1FF800) is None  # the last counter with 10 one-bits ends the device
    seen = [1]
    while len(seen) < 3000:
        seen.append(t.next_counter(seen[-1]))
    assert all(bin(c).count("1") <= 10 for c in seen)
    assert seen == sorted(set(seen))


def test_rollover_counter_keys_still_derive() -> None:
    ksn = t.with_counter(h(COMMON["initial_ksn"]), 0x800)
    assert t.derive(BDK, ksn) == t._nrkgp(t.ipek(BDK, ksn), h("9876543210E00800")[:8])
