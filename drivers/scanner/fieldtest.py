"""`lanekit devices test scanner`: show what a scanner reads, for field technicians.

Each scan is printed with its symbology, length and bytes (control characters such as GS made
visible), and each rejected input with its reason, so a wrong keyboard layout or suffix setting
shows at a glance.
"""

from __future__ import annotations

from typing import TextIO

from drivers.events import DeviceTimeout, FrameError, Scan
from drivers.scanner.base import Scanner

_NAMES = {0x1D: "<GS>", 0x1E: "<RS>", 0x04: "<EOT>", 0x0D: "<CR>", 0x0A: "<LF>", 0x09: "<TAB>", 0x00: "<NUL>"}


def visible(data: bytes) -> str:
    """Bytes as a readable line: printable latin-1 as is, control bytes named or as <0xNN>."""
    out = []
    for b in data:
        if b in _NAMES:
            out.append(_NAMES[b])
        elif b < 0x20 or 0x7F <= b < 0xA0:
            out.append(f"<0x{b:02X}>")
        else:
            out.append(chr(b))
    return "".join(out)


def describe(item: Scan | FrameError, n: int) -> str:
    if isinstance(item, FrameError):
        shown = f" ({visible(item.data)})" if item.data else ""
        return f"rejected: {item.reason} at offset {item.offset}{shown}"
    sym = item.symbology or "none"
    return f"scan {n}: {visible(item.data)}  [symbology {sym}, {len(item.data)} bytes: {item.data.hex(' ')}]"


async def show_scans(scanner: Scanner, out: TextIO, *, count: int | None = None, timeout: float | None = None) -> int:
    """Print scans (and rejected input) until `count` scans, `timeout` seconds of silence, or the
    end of a recording. Returns the number of scans shown."""
    scans = 0
    try:
        async for item in scanner.events(timeout=timeout):
            if isinstance(item, Scan):
                scans += 1
            print(describe(item, scans), file=out, flush=True)
            if count is not None and scans >= count:
                break
    except DeviceTimeout:
        print(f"no scan for {timeout:g} s", file=out)
    return scans
