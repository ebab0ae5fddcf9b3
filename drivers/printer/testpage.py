"""The field technician's test page: shows at a glance whether code page, width, styles, barcodes,
QR code and cutter work on this printer with this profile.
"""

from __future__ import annotations

from drivers.printer.document import (
    Align,
    Barcode,
    Cut,
    QrCode,
    ReceiptDocument,
    Row,
    Separator,
    Symbology,
    TextLine,
    TextSize,
)
from drivers.printer.profiles import PrinterProfile

# Must print as written on a correctly configured printer; a wrong table garbles exactly these.
CHARSET_LINE = "€ £ ¥ Ä Ö Ü ä ö ü ß é è à ç ñ"


def build_test_page(profile: PrinterProfile, *, printer_name: str = "printer") -> ReceiptDocument:
    ruler = "".join(str(i % 10) for i in range(1, profile.columns + 1))
    return ReceiptDocument(
        (
            TextLine("Lanekit printer test", bold=True, size=TextSize.DOUBLE, align=Align.CENTER),
            TextLine(f"{printer_name} - profile {profile.name}", align=Align.CENTER),
            TextLine(f"code page {profile.code_page} (ESC t {profile.code_page_number})", align=Align.CENTER),
            Separator(),
            TextLine(ruler),
            TextLine(f"{profile.columns} columns, {profile.dots} dots"),
            TextLine(CHARSET_LINE),
            TextLine("bold", bold=True),
            TextLine("double height", size=TextSize.TALL),
            TextLine("font B: " + "small " * 4, size=TextSize.SMALL),
            Row("Two-column row", "€ 1,50"),
            Separator("="),
            Barcode("4006381333931", Symbology.EAN13),
            Barcode("RC0000000000000000"),
            QrCode("https://lanekit.example/test"),
            TextLine("cutter: yes" if profile.can_cut else "no cutter: tear here", align=Align.CENTER),
            Cut(),
        ),
        ref="test-page",
    )
