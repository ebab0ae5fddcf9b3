"""Real-time status (DLE EOT n): the query bytes and the parser of the printer's replies.

We ask four questions in one write, `10 04 01 10 04 02 10 04 03 10 04 04`, and expect four bytes
back, in order. Each reply byte has fixed bits (bit 1 and bit 4 set, bits 0 and 7 clear: mask 0x93,
value 0x12) which is how a reply is told from garbage. Bits used (Epson/Bixolon/Citizen manuals):

    n=1 printer:  bit 2 drawer connector pin 3 high, bit 3 offline
    n=2 offline:  bit 2 cover open, bit 3 feed button, bit 5 stopped by paper end, bit 6 error
    n=3 error:    bit 3 autocutter error, bit 5 unrecoverable, bit 6 auto-recoverable
    n=4 paper:    bits 2-3 roll near end, bits 5-6 roll end (paper out)

Whether pin 3 high means the drawer is open depends on the drawer, hence `drawer_open_level`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from drivers.events import FrameError, PrinterStatus

STATUS_QUERY = b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"
REPLY_LENGTH = 4
_FIXED_MASK, _FIXED_VALUE = 0x93, 0x12
_WHICH = ("printer (n=1)", "offline cause (n=2)", "error cause (n=3)", "paper sensor (n=4)")


class DrawerLevel(enum.Enum):
    """Which level of drawer connector pin 3 means "drawer open" for the connected drawer."""

    HIGH = "high"
    LOW = "low"
    NONE = "none"  # no drawer sensor wired: drawer state unknown


@dataclass(frozen=True, slots=True)
class StatusBits:
    """The four reply bytes, decoded; `to_status()` folds them into the shared PrinterStatus."""

    offline: bool
    drawer_pin_high: bool
    cover_open: bool
    feed_button: bool
    paper_end_stop: bool
    error: bool
    autocutter_error: bool
    unrecoverable_error: bool
    auto_recoverable_error: bool
    paper_near_end: bool
    paper_out: bool

    def to_status(self, device: str = "", drawer_level: DrawerLevel = DrawerLevel.HIGH) -> PrinterStatus:
        drawer: bool | None = None
        if drawer_level is DrawerLevel.HIGH:
            drawer = self.drawer_pin_high
        elif drawer_level is DrawerLevel.LOW:
            drawer = not self.drawer_pin_high
        problems = [
            name
            for name, on in (
                ("offline", self.offline),
                ("cover open", self.cover_open),
                ("paper out", self.paper_out or self.paper_end_stop),
                ("paper near end", self.paper_near_end and not self.paper_out),
                ("autocutter error", self.autocutter_error),
                ("unrecoverable error", self.unrecoverable_error),
                ("auto-recoverable error", self.auto_recoverable_error),
                ("feed button pressed", self.feed_button),
            )
            if on
        ]
        return PrinterStatus(
            online=not self.offline,
            paper_out=self.paper_out or self.paper_end_stop,
            paper_near_end=self.paper_near_end,
            cover_open=self.cover_open,
            drawer_open=drawer,
            device=device,
            detail=", ".join(problems) or "ready",
        )


def parse_status_reply(data: bytes) -> StatusBits:
    """Decode the reply to STATUS_QUERY; FrameError (with offset) for short, long or garbage replies."""
    for i, byte in enumerate(data[:REPLY_LENGTH]):
        if byte & _FIXED_MASK != _FIXED_VALUE:
            raise FrameError(
                f"byte 0x{byte:02x} is not a DLE EOT {_WHICH[i]} reply "
                f"(fixed bits 0x{byte & _FIXED_MASK:02x}, expected 0x{_FIXED_VALUE:02x})",
                offset=i,
                data=bytes(data),
            )
    if len(data) < REPLY_LENGTH:
        missing = _WHICH[len(data)]
        raise FrameError(
            f"status reply truncated: {len(data)} of {REPLY_LENGTH} bytes, no {missing} byte",
            offset=len(data),
            data=bytes(data),
        )
    if len(data) > REPLY_LENGTH:
        raise FrameError(
            f"status reply has {len(data) - REPLY_LENGTH} unexpected trailing bytes",
            offset=REPLY_LENGTH,
            data=bytes(data),
        )
    printer, offline, error, paper = data
    return StatusBits(
        offline=bool(printer & 0x08),
        drawer_pin_high=bool(printer & 0x04),
        cover_open=bool(offline & 0x04),
        feed_button=bool(offline & 0x08),
        paper_end_stop=bool(offline & 0x20),
        error=bool(offline & 0x40),
        autocutter_error=bool(error & 0x08),
        unrecoverable_error=bool(error & 0x20),
        auto_recoverable_error=bool(error & 0x40),
        paper_near_end=bool(paper & 0x0C),
        paper_out=bool(paper & 0x60),
    )


def encode_status_byte(bits: StatusBits, n: int) -> int:
    """The byte a printer in state `bits` sends for DLE EOT n (used by the simulator)."""
    if n == 1:
        return _FIXED_VALUE | (0x04 if bits.drawer_pin_high else 0) | (0x08 if bits.offline else 0)
    if n == 2:
        return (
            _FIXED_VALUE
            | (0x04 if bits.cover_open else 0)
            | (0x08 if bits.feed_button else 0)
            | (0x20 if bits.paper_end_stop else 0)
            | (0x40 if bits.error else 0)
        )
    if n == 3:
        return (
            _FIXED_VALUE
            | (0x08 if bits.autocutter_error else 0)
            | (0x20 if bits.unrecoverable_error else 0)
            | (0x40 if bits.auto_recoverable_error else 0)
        )
    if n == 4:
        return _FIXED_VALUE | (0x0C if bits.paper_near_end else 0) | (0x60 if bits.paper_out else 0)
    raise ValueError(f"DLE EOT n must be 1..4, got {n}")
