"""Receipt printers: a device-neutral receipt document, its renderers, and ESC/POS printers.

Public face (everything else is private to the package):
- the document: ReceiptDocument and its blocks (TextLine, Row, Separator, Feed, Barcode, QrCode,
  Logo, Cut, DrawerKick) with Align, TextSize, Symbology, QrErrorLevel;
- renderers: render_escpos(doc, profile) -> bytes, render_text(doc, profile) -> str;
- PrinterProfile (model capabilities + the forced code page);
- real-time status: parse_status_reply, StatusBits, DrawerLevel;
- errors (see errors.py).
"""

from drivers.printer.document import (
    Align,
    Barcode,
    Block,
    Cut,
    DrawerKick,
    Feed,
    Logo,
    QrCode,
    QrErrorLevel,
    ReceiptDocument,
    Row,
    Separator,
    Symbology,
    TextLine,
    TextSize,
)
from drivers.printer.errors import DrawerError, PrinterConfigError, PrintFailed, StatusUnavailable
from drivers.printer.escpos_render import render_escpos
from drivers.printer.profiles import PrinterProfile
from drivers.printer.status import STATUS_QUERY, DrawerLevel, StatusBits, parse_status_reply
from drivers.printer.text_preview import render_text

__all__ = [
    "STATUS_QUERY",
    "Align",
    "Barcode",
    "Block",
    "Cut",
    "DrawerError",
    "DrawerKick",
    "DrawerLevel",
    "Feed",
    "Logo",
    "PrintFailed",
    "PrinterConfigError",
    "PrinterProfile",
    "QrCode",
    "QrErrorLevel",
    "ReceiptDocument",
    "Row",
    "Separator",
    "StatusBits",
    "StatusUnavailable",
    "Symbology",
    "TextLine",
    "TextSize",
    "parse_status_reply",
    "render_escpos",
    "render_text",
]
