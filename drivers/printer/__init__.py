"""Receipt printers: a device-neutral receipt document, its renderers, and ESC/POS printers.

Public face (everything else is private to the package):
- the document: ReceiptDocument and its blocks (TextLine, Row, Separator, Feed, Barcode, QrCode,
  Logo, Cut, DrawerKick) with Align, TextSize, Symbology, QrErrorLevel;
- renderers: render_escpos(doc, profile) -> bytes, render_text(doc, profile) -> str,
  render_png(doc, profile) -> PNG bytes (render_image -> PIL image);
- PrinterProfile (model capabilities + the forced code page);
- real-time status: parse_status_reply, StatusBits, DrawerLevel;
- printers: open_printer(settings_or_mapping, spool_dir=...) -> Printer (async context manager),
  load_settings(mapping), the Settings structs, BACKENDS; ReprintSpool;
- the simulator: SimulatedPrinter (loopback TCP or pty, scriptable DLE EOT status);
- errors (see errors.py).
"""

from drivers.printer.base import Printer
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
from drivers.printer.interface import BACKENDS, load_settings, open_printer
from drivers.printer.png_preview import render_image, render_png
from drivers.printer.profiles import PrinterProfile
from drivers.printer.settings import (
    FileSettings,
    NetworkSettings,
    PrinterSettings,
    SerialSettings,
    SimSettings,
    UsbSettings,
)
from drivers.printer.simulator import SimulatedPrinter
from drivers.printer.spool import ReprintSpool, SpoolEntry
from drivers.printer.status import STATUS_QUERY, DrawerLevel, StatusBits, parse_status_reply
from drivers.printer.text_preview import render_text

__all__ = [
    "BACKENDS",
    "STATUS_QUERY",
    "Align",
    "Barcode",
    "Block",
    "Cut",
    "DrawerError",
    "DrawerKick",
    "DrawerLevel",
    "Feed",
    "FileSettings",
    "Logo",
    "NetworkSettings",
    "PrintFailed",
    "Printer",
    "PrinterConfigError",
    "PrinterProfile",
    "PrinterSettings",
    "QrCode",
    "QrErrorLevel",
    "ReceiptDocument",
    "ReprintSpool",
    "Row",
    "Separator",
    "SerialSettings",
    "SimSettings",
    "SimulatedPrinter",
    "SpoolEntry",
    "StatusBits",
    "StatusUnavailable",
    "Symbology",
    "TextLine",
    "TextSize",
    "UsbSettings",
    "load_settings",
    "open_printer",
    "parse_status_reply",
    "render_escpos",
    "render_image",
    "render_png",
    "render_text",
]
