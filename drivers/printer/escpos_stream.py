"""Split an ESC/POS byte stream into commands, as a printer's command interpreter does.

Used by the simulator (to find DLE EOT at command boundaries, never inside raster or barcode
data) and by tests (to read back what a printer received). Knows the commands Lanekit sends plus
the common rest of the Epson set; anything else is a FrameError with its offset.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.events import FrameError

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C

# Fixed parameter counts after ESC x / GS x.
_ESC_FIXED = {
    b"@": 0, b"t": 1, b"E": 1, b"-": 1, b"a": 1, b"!": 1, b"M": 1, b"d": 1, b"J": 1, b"2": 0,
    b"3": 1, b"G": 1, b"V": 1, b"{": 1, b"R": 1, b"i": 0, b"m": 0, b"p": 3, b"=": 1, b" ": 1,
    b"$": 2, b"\\": 2, b"e": 1, b"U": 1, b"r": 1, b"%": 1, b"S": 0, b"L": 0, b"T": 1, b"<": 0,
}
_GS_FIXED = {
    b"!": 1, b"h": 1, b"w": 1, b"f": 1, b"H": 1, b"a": 1, b"B": 1, b"L": 2, b"W": 2, b"r": 1,
    b"I": 1, b"P": 2, b"b": 1, b"$": 2, b"\\": 2, b"T": 1, b"^": 3, b"/": 1, b"C": 1,
}
_TEXT_CONTROLS = {0x0A, 0x0D, 0x09, 0x0C}


@dataclass(frozen=True, slots=True)
class Command:
    """One command: `name` like 'ESC t', 'GS v 0', 'DLE EOT', 'text', 'LF'; `args` its parameters."""

    offset: int
    name: str
    raw: bytes
    args: bytes = b""


def _name(prefix: str, code: int) -> str:
    return f"{prefix} {chr(code) if 0x21 <= code <= 0x7E else f'0x{code:02x}'}"


def next_command(buf: bytes, pos: int) -> Command | None:
    """The command starting at `pos`, or None if `buf` ends before it does (wait for more bytes)."""
    n = len(buf)
    if pos >= n:
        return None
    b = buf[pos]

    def need(end: int) -> bool:
        return end <= n

    if b >= 0x20 or b in _TEXT_CONTROLS:
        if b in _TEXT_CONTROLS:
            return Command(pos, {0x0A: "LF", 0x0D: "CR", 0x09: "HT", 0x0C: "FF"}[b], buf[pos : pos + 1])
        end = pos
        while end < n and buf[end] >= 0x20:
            end += 1
        return Command(pos, "text", buf[pos:end], buf[pos:end])
    if b == DLE:
        if not need(pos + 3):
            return None
        sub = buf[pos + 1]
        if sub in (0x04, 0x05):  # DLE EOT n / DLE ENQ n
            name = "DLE EOT" if sub == 0x04 else "DLE ENQ"
            return Command(pos, name, buf[pos : pos + 3], buf[pos + 2 : pos + 3])
        if sub == 0x14:  # DLE DC4 fn m t
            if not need(pos + 5):
                return None
            return Command(pos, "DLE DC4", buf[pos : pos + 5], buf[pos + 2 : pos + 5])
        raise FrameError(f"unknown real-time command DLE 0x{sub:02x}", offset=pos, data=buf[pos : pos + 3])
    if b == ESC:
        if not need(pos + 2):
            return None
        code = buf[pos + 1 : pos + 2]
        if code in _ESC_FIXED:
            end = pos + 2 + _ESC_FIXED[code]
            return Command(pos, _name("ESC", code[0]), buf[pos:end], buf[pos + 2 : end]) if need(end) else None
        if code == b"c":  # ESC c 3 n / ESC c 4 n / ESC c 5 n
            end = pos + 4
            return Command(pos, "ESC c", buf[pos:end], buf[pos + 2 : end]) if need(end) else None
        if code == b"*":  # ESC * m nL nH d1..dk
            if not need(pos + 5):
                return None
            m, count = buf[pos + 2], buf[pos + 3] | buf[pos + 4] << 8
            end = pos + 5 + count * (1 if m in (0, 1) else 3)
            return Command(pos, "ESC *", buf[pos:end], buf[pos + 2 : end]) if need(end) else None
        raise FrameError(f"unknown command ESC 0x{code[0]:02x}", offset=pos, data=buf[pos : pos + 2])
    if b == GS:
        if not need(pos + 2):
            return None
        code = buf[pos + 1 : pos + 2]
        if code in _GS_FIXED:
            end = pos + 2 + _GS_FIXED[code]
            return Command(pos, _name("GS", code[0]), buf[pos:end], buf[pos + 2 : end]) if need(end) else None
        if code == b"V":  # GS V m [n]
            if not need(pos + 3):
                return None
            end = pos + (3 if buf[pos + 2] in (0, 1, 48, 49) else 4)
            return Command(pos, "GS V", buf[pos:end], buf[pos + 2 : end]) if need(end) else None
        if code == b"k":  # GS k m d1..dk NUL (m 0..6) / GS k m n d1..dn (m 65..79)
            if not need(pos + 3):
                return None
            m = buf[pos + 2]
            if m <= 6:
                nul = buf.find(b"\x00", pos + 3)
                if nul < 0:
                    return None
                return Command(pos, "GS k", buf[pos : nul + 1], buf[pos + 2 : nul])
            if not need(pos + 4):
                return None
            end = pos + 4 + buf[pos + 3]
            return Command(pos, "GS k", buf[pos:end], buf[pos + 2 : end]) if need(end) else None
        if code == b"(":  # GS ( fn pL pH d1..dk
            if not need(pos + 5):
                return None
            end = pos + 5 + (buf[pos + 3] | buf[pos + 4] << 8)
            return Command(pos, f"GS ( {chr(buf[pos + 2])}", buf[pos:end], buf[pos + 2 : end]) if need(end) else None
        if code == b"8":  # GS 8 L p1 p2 p3 p4 m fn ...
            if not need(pos + 7):
                return None
            end = pos + 7 + int.from_bytes(buf[pos + 3 : pos + 7], "little")
            return Command(pos, "GS 8 L", buf[pos:end], buf[pos + 2 : end]) if need(end) else None
        if code == b"v":  # GS v 0 m xL xH yL yH d1..dk
            if not need(pos + 8):
                return None
            if buf[pos + 2] != 0x30:
                raise FrameError(f"unknown command GS v 0x{buf[pos + 2]:02x}", offset=pos, data=buf[pos : pos + 3])
            width, height = buf[pos + 4] | buf[pos + 5] << 8, buf[pos + 6] | buf[pos + 7] << 8
            end = pos + 8 + width * height
            return Command(pos, "GS v 0", buf[pos:end], buf[pos + 3 : end]) if need(end) else None
        raise FrameError(f"unknown command GS 0x{code[0]:02x}", offset=pos, data=buf[pos : pos + 2])
    if b == FS:
        if not need(pos + 2):
            return None
        code = buf[pos + 1]
        if code in (0x2E, 0x26):  # FS . / FS & (Kanji mode off / on)
            return Command(pos, _name("FS", code), buf[pos : pos + 2])
        raise FrameError(f"unknown command FS 0x{code:02x}", offset=pos, data=buf[pos : pos + 2])
    raise FrameError(f"unexpected control byte 0x{b:02x}", offset=pos, data=buf[pos : pos + 1])


def parse(data: bytes) -> list[Command]:
    """All commands in a complete stream; FrameError at the first unknown or truncated command."""
    out, pos = [], 0
    while pos < len(data):
        cmd = next_command(data, pos)
        if cmd is None:
            raise FrameError("stream ends inside a command", offset=pos, data=data[pos : pos + 16])
        out.append(cmd)
        pos += len(cmd.raw)
    return out
