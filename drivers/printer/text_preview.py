"""ReceiptDocument -> plain text, one terminal cell per printed character.

The preview wraps exactly as the paper does (shared `layout`) and shows `?` wherever the printer's
code page lacks a character. Double-width text is letter-spaced so it takes its real width;
barcodes, QR codes, logos, cuts and drawer kicks appear as bracketed markers.
"""

from __future__ import annotations

from drivers.printer import layout
from drivers.printer.document import (
    Barcode,
    Cut,
    DrawerKick,
    Feed,
    Logo,
    QrCode,
    ReceiptDocument,
    Row,
    Separator,
    TextLine,
    TextSize,
)
from drivers.printer.profiles import PrinterProfile


def _marker(text: str, columns: int) -> str:
    return text[:columns].center(columns).rstrip()


def _render_line(line: layout.Line, profile: PrinterProfile) -> str:
    if line.size.width_factor == 2:
        spaced = layout.Line(" ".join(line.text), line.align, line.bold, line.size)
        return layout.pad(spaced, profile.columns)
    width = profile.columns_small if line.size is TextSize.SMALL else profile.columns
    return layout.pad(line, width)


def render_text(document: ReceiptDocument, profile: PrinterProfile | None = None) -> str:
    """The receipt as text for a terminal; `profile` sets the width and code page (default: 'default')."""
    profile = profile or PrinterProfile.load("default")
    cols = profile.columns
    out: list[str] = []
    for block in document.blocks:
        match block:
            case TextLine():
                out += [_render_line(line, profile) for line in layout.text_lines(block, profile)]
            case Row():
                out += [line.text for line in layout.row_lines(block, profile)]
            case Separator(char=c):
                out.append(c * cols)
            case Feed(lines=n):
                out += [""] * n
            case Barcode(data=data, symbology=sym):
                out.append(_marker(f"[{sym.value} {data}]", cols))
            case QrCode(data=data):
                out.append(_marker(f"[QR {data}]", cols))
            case Logo():
                out.append(_marker("[logo]", cols))
            case Cut():
                label = " cut " if profile.can_cut else " tear here (no cutter) "
                out.append(label.center(cols, "~"))
            case DrawerKick(pin=pin):
                out.append(_marker(f"[open drawer, pin {pin}]", cols))
    return "\n".join(line.rstrip() if line.strip() else "" for line in out) + "\n"

