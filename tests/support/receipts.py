"""A sample receipt document shared by the printer tests."""

from __future__ import annotations

from drivers.printer import (
    Align,
    Barcode,
    Cut,
    DrawerKick,
    ReceiptDocument,
    Row,
    Separator,
    TextLine,
    TextSize,
)

SAMPLE = ReceiptDocument(
    (
        TextLine("Lanekit Markt", bold=True, size=TextSize.DOUBLE, align=Align.CENTER),
        TextLine("Hauptstraße 1, Köln", align=Align.CENTER),
        Separator(),
        Row("Äpfel Elstar 1 kg", "€ 2,99"),
        Row("Crème fraîche 30 % Fett, Becher", "€ 1,49"),
        Separator("="),
        Row("SUMME", "€ 4,48", bold=True),
        TextLine("Danke ☺", align=Align.RIGHT),
        Barcode("0012034000042"),
        Cut(),
        DrawerKick(),
    ),
    ref="0012-03-000042",
)
