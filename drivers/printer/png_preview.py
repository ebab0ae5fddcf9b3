"""ReceiptDocument -> a picture of the paper (PNG), for the demo, the kiosk UI and the docs.

The picture is the printable width in dots (576 for an 80 mm TM-T20II, 384 for a 58 mm POS-5890)
and uses the printer's character cells: font A is (dots / columns) wide and twice that high, font
B is (dots / small columns) wide; double width/height scale a cell as the printer does. Barcodes,
QR codes and logos are the same bitmaps the non-native path sends (images.py).
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from drivers.printer import images, layout
from drivers.printer.document import (
    Align,
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

MARGIN = 12  # dots of blank paper above the first and below the last line


def cell(profile: PrinterProfile, size: TextSize) -> tuple[int, int]:
    """Width and height in dots of one character cell."""
    base = profile.columns_small if size is TextSize.SMALL else profile.columns
    w = profile.dots // base
    h = w * 2 if size is not TextSize.SMALL else (w * 17 + 8) // 9  # font B: 9x17 on Epson
    return w * size.width_factor, h * size.height_factor


def _text_band(line: layout.Line, profile: PrinterProfile) -> Image.Image:
    w, h = cell(profile, TextSize.SMALL if line.size is TextSize.SMALL else TextSize.NORMAL)
    band = Image.new("L", (max(1, w * len(line.text)), h), 255)
    draw = ImageDraw.Draw(band)
    fnt = images.font(w)
    for i, ch in enumerate(line.text):
        if ch != " ":
            draw.text((i * w, h // 2), ch, font=fnt, fill=0, anchor="lm", stroke_width=1 if line.bold else 0, stroke_fill=0)
    wf, hf = line.size.width_factor, line.size.height_factor
    if wf != 1 or hf != 1:
        band = band.resize((band.width * wf, band.height * hf), Image.Resampling.NEAREST)
    return band


class _Paper:
    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        self.parts: list[tuple[Image.Image, int]] = []  # (band, x offset)

    def line(self, line: layout.Line) -> None:
        band = _text_band(line, self.profile)
        width = self.profile.dots
        x = {Align.LEFT: 0, Align.CENTER: (width - band.width) // 2, Align.RIGHT: width - band.width}[line.align]
        self.parts.append((band, max(0, x)))

    def bitmap(self, img: Image.Image) -> None:
        self.parts.append((img.convert("L"), 0))

    def blank(self, height: int) -> None:
        self.parts.append((Image.new("L", (1, height), 255), 0))

    def cut(self) -> None:
        _, h = cell(self.profile, TextSize.NORMAL)
        band = Image.new("L", (self.profile.dots, h), 255)
        draw = ImageDraw.Draw(band)
        for x in range(0, self.profile.dots, 12):
            draw.line([(x, h // 2), (x + 6, h // 2)], fill=96, width=1)
        label = "cut" if self.profile.can_cut else "tear here"
        fnt = images.font(8)
        tw = int(draw.textlength(label, font=fnt))
        draw.rectangle([(self.profile.dots - tw) // 2 - 4, 0, (self.profile.dots + tw) // 2 + 4, h], fill=255)
        draw.text((self.profile.dots // 2, h // 2), label, font=fnt, fill=96, anchor="mm")
        self.parts.append((band, 0))

    def image(self) -> Image.Image:
        height = 2 * MARGIN + sum(band.height for band, _ in self.parts)
        page = Image.new("L", (self.profile.dots, height), 255)
        y = MARGIN
        for band, x in self.parts:
            page.paste(band, (x, y))
            y += band.height
        return page


def render_image(document: ReceiptDocument, profile: PrinterProfile | None = None) -> Image.Image:
    """The receipt as a greyscale picture exactly `profile.dots` wide."""
    profile = profile or PrinterProfile.load("default")
    paper = _Paper(profile)
    for block in document.blocks:
        match block:
            case TextLine():
                for line in layout.text_lines(block, profile):
                    paper.line(line)
            case Row():
                for line in layout.row_lines(block, profile):
                    paper.line(line)
            case Separator(char=c):
                paper.line(layout.Line(c * profile.columns, Align.LEFT, False, TextSize.NORMAL))
            case Feed(lines=n):
                paper.blank(n * cell(profile, TextSize.NORMAL)[1])
            case Barcode():
                paper.bitmap(images.barcode_image(block, profile.dots))
            case QrCode():
                paper.bitmap(images.qr_image(block, profile.dots))
            case Logo():
                paper.bitmap(images.logo_image(block, profile.dots))
            case Cut():
                paper.cut()
            case DrawerKick():
                pass  # nothing appears on paper
    return paper.image()


def render_png(document: ReceiptDocument, profile: PrinterProfile | None = None) -> bytes:
    buf = io.BytesIO()
    render_image(document, profile).save(buf, "PNG", optimize=True)
    return buf.getvalue()
