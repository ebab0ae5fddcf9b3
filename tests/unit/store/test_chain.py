import hashlib
import struct

from appliance.store import chain


def test_checksum_is_sha256_over_previous_and_length_prefixed_fields() -> None:
    prev = bytes(range(32))
    want = hashlib.sha256(
        prev
        + struct.pack(">q", 7)
        + struct.pack(">I", 6)
        + b"sale-1"
        + struct.pack(">q", 3)
        + struct.pack(">I", 9)
        + b"LineAdded"
        + struct.pack(">I", 2)
        + struct.pack(">q", 1_764_752_400_000_000)
        + struct.pack(">I", 5)
        + b'{"a":'
    ).digest()
    assert chain.checksum(prev, 7, "sale-1", 3, "LineAdded", 2, 1_764_752_400_000_000, b'{"a":') == want


def test_first_row_chains_from_32_zero_bytes() -> None:
    assert chain.checksum(None, 1, "s", 1, "T", 1, 0, b"") == chain.checksum(
        bytes(32), 1, "s", 1, "T", 1, 0, b""
    )


def test_moving_a_byte_between_fields_changes_the_checksum() -> None:
    # Without length prefixes ("ab","c") and ("a","bc") would hash alike.
    a = chain.checksum(None, 1, "ab", 1, "T", 1, 0, b"c")
    b = chain.checksum(None, 1, "a", 1, "T", 1, 0, b"bc")
    assert a != b
