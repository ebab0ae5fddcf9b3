"""Line layout shared by every renderer, so paper, text preview and PNG wrap identically.

Receipt text comes from outside (catalog names, store files): `clean` turns control characters
into `?` (an ESC inside a product name must never reach the printer as a command), normalises to
NFC (so `e` + combining acute is the single `é` the code page has) and, given a profile, shows
what the printer will print (`?` for characters its code page lacks).
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass

from drivers.printer.document import Align, Row, TextLine, TextSize
from drivers.printer.profiles import PrinterProfile

_UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def clean(text: str, profile: PrinterProfile | None = None) -> str:
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in _UNPRINTABLE or unicodedata.combining(ch):
            out.append("?")
        elif profile is not None and not profile.can_encode(ch):
            out.append("?")
        else:
            out.append(ch)
    return "".join(out)


def line_width(profile: PrinterProfile, size: TextSize) -> int:
    base = profile.columns_small if size is TextSize.SMALL else profile.columns
    return max(1, base // size.width_factor)


def wrap(text: str, width: int) -> list[str]:
    lines = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False, drop_whitespace=True)
    return lines or [""]


@dataclass(frozen=True, slots=True)
class Line:
    """One printed line: its characters (unpadded), alignment and style."""

    text: str
    align: Align
    bold: bool
    size: TextSize


def text_lines(block: TextLine, profile: PrinterProfile) -> list[Line]:
    width = line_width(profile, block.size)
    return [Line(t, block.align, block.bold, block.size) for t in wrap(clean(block.text, profile), width)]


def row_lines(block: Row, profile: PrinterProfile) -> list[Line]:
    """Left text and right amount on one line; a long left text wraps, the amount is never cut."""
    columns = profile.columns
    left, right = clean(block.left, profile), clean(block.right, profile).strip()
    if len(right) >= columns:
        raise ValueError(f"amount {right!r} does not fit a {columns}-column line")
    avail = columns - len(right) - 1
    parts = wrap(left, avail)
    first = parts[0].ljust(columns - len(right)) + right
    lines = [first, *parts[1:]]
    return [Line(t, Align.LEFT, block.bold, TextSize.NORMAL) for t in lines]


def pad(line: Line, width: int) -> str:
    """The line as it sits on paper `width` characters wide (for previews)."""
    if line.align is Align.CENTER:
        return line.text.center(width).rstrip()
    if line.align is Align.RIGHT:
        return line.text.rjust(width)
    return line.text
