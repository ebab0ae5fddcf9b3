"""The journal's checksum chain: one chain across the whole journal, in append order.

    checksum[n] = SHA-256( checksum[n-1] || canonical(row n) )      checksum[0] = 32 zero bytes

canonical(row) is, in this order: seq (8 bytes), sale_id (4-byte length + UTF-8), version (8),
type (4-byte length + ASCII), schema_version (4), timestamp in µs since the epoch (8, signed),
payload (4-byte length + bytes); integers big-endian. Length prefixes make the encoding
unambiguous, so no two different rows hash the same input.

Why one chain for the whole journal rather than one per sale: deleting a sale's last event, or a
whole sale, breaks the next event's link; a per-sale chain would not notice either. What no chain
catches is the loss of the journal's newest events; each outbox row therefore records the final
event's seq and checksum, and `verify` checks those anchors too. The chain detects accidental
corruption and naive edits, not a forger who recomputes it (that needs a key the lane does not hold).
"""

from __future__ import annotations

import hashlib
import struct

GENESIS = bytes(32)
_Q = struct.Struct(">q")
_I = struct.Struct(">I")


def checksum(
    prev: bytes | None,
    seq: int,
    sale_id: str,
    version: int,
    type_: str,
    schema_version: int,
    at_us: int,
    payload: bytes,
) -> bytes:
    """The chained checksum of one journal row; `prev` None means the first row."""
    sid = sale_id.encode("utf-8")
    tname = type_.encode("ascii")
    h = hashlib.sha256(GENESIS if prev is None else prev)
    h.update(_Q.pack(seq))
    h.update(_I.pack(len(sid)))
    h.update(sid)
    h.update(_Q.pack(version))
    h.update(_I.pack(len(tname)))
    h.update(tname)
    h.update(_I.pack(schema_version))
    h.update(_Q.pack(at_us))
    h.update(_I.pack(len(payload)))
    h.update(payload)
    return h.digest()
