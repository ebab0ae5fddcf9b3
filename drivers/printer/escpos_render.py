"""ReceiptDocument -> ESC/POS bytes for one profile, built on python-escpos' `Dummy` printer.

python-escpos supplies the commands (style, barcode, QR, raster image, cut, drawer kick); text we
encode ourselves in the profile's forced code page and hand over raw, so MagicEncode never picks a
table (see profiles.py). Every receipt starts `ESC @` + `ESC t n`, and `ESC t n` follows every font
switch, because cheap clones reset their table on `ESC M` (python-escpos PR #729). Style commands
are sent only when the style changes.
"""

from __future__ import annotations

import re

from escpos.printer import Dummy

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
    Symbology,
    TextLine,
    TextSize,
)
from drivers.printer.profiles import PrinterProfile

# ESC ! n: the print mode byte carries double height (0x10) and double width (0x20).
_PRINT_MODE = {
    TextSize.NORMAL: b"\x1b!\x00",
    TextSize.SMALL: b"\x1b!\x00",
    TextSize.TALL: b"\x1b!\x10",
    TextSize.WIDE: b"\x1b!\x20",
    TextSize.DOUBLE: b"\x1b!\x30",
}


def code128_payload(data: str) -> tuple[str, int]:
    """GS k 73 data and its symbol width in modules.

    Code set B for text, C (two digits per symbol, sent as values 0..99) for runs of four or more
    digits; `{` is escaped as `{{` in code set B. Width: every symbol (the start character, data,
    code switches, check) is 11 modules, the stop 13.
    """
    out: list[str] = []
    symbols, current = 0, ""

    def switch(code_set: str) -> None:
        nonlocal symbols, current
        if current != code_set:
            out.append("{" + code_set)
            symbols += 1
            current = code_set

    for run in re.finditer(r"\d{4,}|\D+|\d{1,3}", data):
        text = run.group()
        if text.isdigit() and len(text) >= 4:
            if len(text) % 2:
                switch("B")
                out.append(text[0])
                symbols += 1
                text = text[1:]
            switch("C")
            out.append("".join(chr(int(text[i : i + 2])) for i in range(0, len(text), 2)))
            symbols += len(text) // 2
        else:
            switch("B")
            out.append(text.replace("{", "{{"))
            symbols += len(text)
    return "".join(out), 11 * (symbols + 1) + 13


class _Writer:
    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        self.p = Dummy(profile=profile.name)
        self.p.profile = profile.escpos_profile()
        self.align = Align.LEFT
        self.bold = False
        self.size = TextSize.NORMAL

    def reset(self) -> None:
        self.p.hw("INIT")
        self.select_code_page()
        self.align, self.bold, self.size = Align.LEFT, False, TextSize.NORMAL

    def select_code_page(self) -> None:
        self.p._raw(b"\x1bt" + bytes([self.profile.code_page_number]))

    def set_align(self, align: Align) -> None:
        if align is not self.align:
            self.p.set(align=align.value)
            self.align = align

    def set_style(self, bold: bool, size: TextSize) -> None:
        if size is not self.size:
            if (size is TextSize.SMALL) != (self.size is TextSize.SMALL):
                self.p.set(font="b" if size is TextSize.SMALL else "a")
                self.select_code_page()
            # ESC ! also clears emphasis: bold is re-sent below when wanted.
            self.p._raw(_PRINT_MODE[size])
            self.size = size
            self.bold = False
        if bold is not self.bold:
            self.p.set(bold=bold)
            self.bold = bold

    def line(self, line: layout.Line) -> None:
        self.set_align(line.align)
        self.set_style(line.bold, line.size)
        self.p._raw(self.profile.encode(line.text) + b"\n")

    def text_block(self, block: TextLine) -> None:
        for line in layout.text_lines(block, self.profile):
            self.line(line)

    def row(self, block: Row) -> None:
        for line in layout.row_lines(block, self.profile):
            self.line(line)

    def separator(self, block: Separator) -> None:
        self.line(layout.Line(block.char * self.profile.columns, Align.LEFT, False, TextSize.NORMAL))

    def image(self, img: object) -> None:
        # Images are already page-wide and centered; left alignment keeps them where drawn.
        self.set_align(Align.LEFT)
        self.p.image(img, impl="bitImageRaster", center=False)

    def barcode(self, block: Barcode) -> None:
        native = self.profile.native_code128 if block.symbology is Symbology.CODE128 else self.profile.native_ean13
        if not native:
            self.image(images.barcode_image(block, self.profile.dots))
            return
        if block.symbology is Symbology.EAN13:
            code, kind, symbols = block.data, "EAN13", 95 + 2 * 10
        else:
            kind = "CODE128"
            code, modules = code128_payload(block.data)
            symbols = modules + 2 * 10
        width = min(3, self.profile.dots // symbols)
        if width < 2:
            raise ValueError(f"barcode {block.data!r} is too wide for {self.profile.dots} dots")
        self.p._hw_barcode(
            code,
            kind,
            height=block.height_dots,
            width=width,
            pos="BELOW" if block.show_text else "OFF",
            font="A",
            align_ct=True,
            function_type="A" if kind == "EAN13" else "B",
            check=True,
        )
        self.align = Align.CENTER

    def qr(self, block: QrCode) -> None:
        if not self.profile.native_qr:
            self.image(images.qr_image(block, self.profile.dots))
            return
        self.set_align(Align.CENTER)
        self.p.qr(block.data, ec=block.error_level.value, size=block.module_dots, native=True)

    def cut(self, block: Cut) -> None:
        if self.profile.can_cut:
            self.p.cut(mode="PART" if block.partial and self.profile.can_partial_cut else "FULL")
        else:
            # No cutter on this model (e.g. POS-5890): feed the receipt past the tear bar only.
            self.p.print_and_feed(6)

    def write(self, block: object) -> None:
        match block:
            case TextLine():
                self.text_block(block)
            case Row():
                self.row(block)
            case Separator():
                self.separator(block)
            case Feed(lines=n):
                self.p.print_and_feed(n)
            case Barcode():
                self.barcode(block)
            case QrCode():
                self.qr(block)
            case Logo():
                self.image(images.logo_image(block, self.profile.dots))
            case Cut():
                self.cut(block)
            case DrawerKick(pin=pin):
                self.p.cashdraw(pin)
            case _:
                raise TypeError(f"not a receipt block: {type(block).__name__}")


def render_escpos(document: ReceiptDocument, profile: PrinterProfile, *, reset: bool = True) -> bytes:
    """The exact bytes to send for `document` on a printer of `profile`.

    `reset=False` leaves out the leading ESC @ + ESC t (for a lone drawer kick between receipts).
    """
    w = _Writer(profile)
    if reset:
        w.reset()
    for block in document.blocks:
        w.write(block)
    return w.p.output
