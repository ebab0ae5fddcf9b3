"""TR-31 unwrap against every block in tr31_keyblocks.json; psec as an independent check."""

from __future__ import annotations

import psec.tr31
import pytest

from p2pe import tr31
from p2pe.errors import KeyBlockError
from p2pe.host import AES, TDES
from tests.support.vectors import h, load

ROWS = load("tr31_keyblocks.json")["vectors"]


def test_vector_count() -> None:
    assert len(ROWS) == 15


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["key_block"][:16])
def test_unwrap(row: dict) -> None:
    kb = tr31.unwrap(h(row["kbpk"]), row["key_block"], AES, TDES)
    assert kb.key == h(row["expected_clear_key"])
    assert kb.usage == row["key_block"][5:7]
    if "initial_ksn_in_KS_block" in row:
        assert kb.optional["KS"] == row["initial_ksn_in_KS_block"]
    if row["psec_1_3_0_unwrap_matches"] is True:
        _, key = psec.tr31.unwrap(h(row["kbpk"]), row["key_block"])
        assert key == kb.key


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["key_block"][:16])
def test_any_flipped_character_is_rejected(row: dict) -> None:
    block = row["key_block"]
    for pos in (len(block) - 1, len(block) - 40, 9):
        ch = block[pos]
        bad = block[:pos] + ("0" if ch != "0" else "1") + block[pos + 1:]
        with pytest.raises(KeyBlockError):
            tr31.unwrap(h(row["kbpk"]), bad, AES, TDES)


def test_b1_initial_key_with_ik_block_round_trips() -> None:
    kbpk, key = bytes(range(16)), h("1273671EA26AC29AFA4D1084127652A1")
    block = tr31.wrap_d(kbpk, AES, key, "B1", "A", "X", [("IK", "1234567890123456")], bytes(range(100, 132)))
    assert block.startswith("D0144B1AX00N0200IK141234567890123456PB0C00000000")
    kb = tr31.unwrap(kbpk, block, AES)
    assert (kb.usage, kb.key, kb.optional["IK"]) == ("B1", key, "1234567890123456")
    assert psec.tr31.unwrap(kbpk, block)[1] == key


@pytest.mark.parametrize(("block", "offset", "reason"), [
    ("D01", 3, "shorter than"),
    ("Z0016B1AX00N0000", 0, "unknown key block version"),
    ("D00x6B1AX00N0000", 1, "not decimal"),
    ("D0017B1AX00N0000", 1, "header says"),
    ("D0016B1AX00N0100", 16, "runs past the end"),
    ("D0020B1AX00N0100IKZZ", 18, "not hex"),
])
def test_malformed_headers_name_the_offset(block: str, offset: int, reason: str) -> None:
    with pytest.raises(KeyBlockError) as err:
        tr31.unwrap(bytes(16), block, AES, TDES)
    assert err.value.offset == offset
    assert reason in err.value.reason


def test_tdes_block_without_tdes_primitive_is_refused() -> None:
    row = ROWS[0]
    with pytest.raises(KeyBlockError, match="TDES"):
        tr31.unwrap(h(row["kbpk"]), row["key_block"], AES)
