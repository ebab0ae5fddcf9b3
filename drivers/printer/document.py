"""The receipt document: what the lane wants on paper, independent of any printer.

The lane builds a `ReceiptDocument` out of blocks; renderers (`escpos_render`, `text_preview`,
`png_preview`) turn it into bytes or pictures for one paper width. Blocks are frozen values and
validate themselves: a malformed block is a programming error (ValueError), not a device error.
Text is kept as given; renderers replace control characters and unencodable characters
predictably (see `layout.clean`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Align(enum.Enum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class TextSize(enum.Enum):
    NORMAL = "normal"
    SMALL = "small"  # font B: more characters per line
    TALL = "tall"  # double height
    WIDE = "wide"  # double width: half the characters per line
    DOUBLE = "double"  # double width and height

    @property
    def width_factor(self) -> int:
        return 2 if self in (TextSize.WIDE, TextSize.DOUBLE) else 1

    @property
    def height_factor(self) -> int:
        return 2 if self in (TextSize.TALL, TextSize.DOUBLE) else 1


class Symbology(enum.Enum):
    CODE128 = "CODE128"
    EAN13 = "EAN13"


@dataclass(frozen=True, slots=True)
class TextLine:
    """One paragraph of text; wrapped at word boundaries to the paper width."""

    text: str
    bold: bool = False
    size: TextSize = TextSize.NORMAL
    align: Align = Align.LEFT


@dataclass(frozen=True, slots=True)
class Row:
    """A left text and a right-aligned amount (already formatted) on one line.

    A left text too long for the line wraps onto following lines; the amount is never cut.
    """

    left: str
    right: str
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Separator:
    char: str = "-"

    def __post_init__(self) -> None:
        if len(self.char) != 1 or not (0x21 <= ord(self.char) <= 0x7E):
            raise ValueError(f"separator must be one printable ASCII character, got {self.char!r}")


@dataclass(frozen=True, slots=True)
class Feed:
    lines: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.lines <= 255:
            raise ValueError(f"feed must be 1..255 lines, got {self.lines}")


def _ean13_check_digit(first12: str) -> int:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


@dataclass(frozen=True, slots=True)
class Barcode:
    """A linear barcode. CODE128 takes printable ASCII; EAN13 takes 13 digits with a valid check digit."""

    data: str
    symbology: Symbology = Symbology.CODE128
    height_dots: int = 80
    show_text: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.height_dots <= 255:
            raise ValueError(f"barcode height must be 1..255 dots, got {self.height_dots}")
        if self.symbology is Symbology.EAN13:
            if len(self.data) != 13 or not self.data.isascii() or not self.data.isdigit():
                raise ValueError(f"EAN-13 needs exactly 13 digits, got {self.data!r}")
            if _ean13_check_digit(self.data[:12]) != int(self.data[12]):
                raise ValueError(
                    f"EAN-13 {self.data!r} has check digit {self.data[12]}, "
                    f"expected {_ean13_check_digit(self.data[:12])}"
                )
        elif not self.data or len(self.data) > 80 or any(not 0x20 <= ord(c) <= 0x7E for c in self.data):
            raise ValueError(f"CODE128 data must be 1..80 printable ASCII characters, got {self.data!r}")


class QrErrorLevel(enum.Enum):
    L = 0
    M = 1
    Q = 2
    H = 3


@dataclass(frozen=True, slots=True)
class QrCode:
    data: str
    module_dots: int = 6
    error_level: QrErrorLevel = QrErrorLevel.M

    def __post_init__(self) -> None:
        if not self.data:
            raise ValueError("QR code data is empty")
        if len(self.data.encode("utf-8")) > 700:
            raise ValueError("QR code data is longer than 700 bytes: too dense for a receipt")
        if not 1 <= self.module_dots <= 16:
            raise ValueError(f"QR module size must be 1..16 dots, got {self.module_dots}")


@dataclass(frozen=True, slots=True)
class Logo:
    """A picture (PNG/JPEG/GIF bytes), printed centered, scaled down to the paper and dithered."""

    image: bytes
    max_width_dots: int = 384

    def __post_init__(self) -> None:
        if not self.image:
            raise ValueError("logo image is empty")
        if not 8 <= self.max_width_dots <= 2048:
            raise ValueError(f"logo width must be 8..2048 dots, got {self.max_width_dots}")


@dataclass(frozen=True, slots=True)
class Cut:
    """Feed past the tear bar and cut; printers without a cutter only feed (see PrinterProfile.can_cut)."""

    partial: bool = False


@dataclass(frozen=True, slots=True)
class DrawerKick:
    pin: int = 2

    def __post_init__(self) -> None:
        if self.pin not in (2, 5):
            raise ValueError(f"drawer kick pin must be 2 or 5, got {self.pin}")


Block = TextLine | Row | Separator | Feed | Barcode | QrCode | Logo | Cut | DrawerKick


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    """A receipt: its blocks in order and a reference (used to name it in the reprint spool)."""

    blocks: tuple[Block, ...]
    ref: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.blocks, tuple):
            object.__setattr__(self, "blocks", tuple(self.blocks))
        for i, block in enumerate(self.blocks):
            if not isinstance(block, Block):
                raise ValueError(f"block {i} is a {type(block).__name__}, not a receipt block")
