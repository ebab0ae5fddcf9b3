"""AIM symbology identifiers (ISO/IEC 15424): the optional `]cm` prefix a scanner puts before its data.

`]` is the flag, `c` the code character (a letter naming the symbology: E = EAN/UPC, C = Code 128,
d = Data Matrix, Q = QR ...), `m` the modifier (a digit or capital letter with options such as
"FNC1 in first position" for GS1).
"""

from __future__ import annotations

from drivers.events import FrameError

_CODE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_MODIFIER = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

# AIM ids whose data is a GS1 element string (FNC1 in first position)
GS1_SYMBOLOGIES = frozenset({"]C1", "]e0", "]d2", "]Q3", "]J1"})


def split_aim(data: bytes, offset: int = 0) -> tuple[str, bytes] | FrameError:
    """`]E05901234123457` -> (']E0', b'5901234123457'); a missing or malformed prefix is a FrameError."""
    if len(data) < 3 or data[0] != 0x5D:
        return FrameError("no symbology identifier (expected ']' and two characters)", offset, data[:3])
    if data[1] not in _CODE:
        return FrameError(f"AIM code character {data[1:2]!r} is not a letter", offset + 1, data[:3])
    if data[2] not in _MODIFIER:
        return FrameError(f"AIM modifier {data[2:3]!r} is not a digit or capital letter", offset + 2, data[:3])
    return data[:3].decode("ascii"), data[3:]
