"""The receipt document model and the text preview."""

from __future__ import annotations

import pytest

from drivers.printer import (
    Barcode,
    Cut,
    DrawerKick,
    Feed,
    Logo,
    PrinterConfigError,
    PrinterProfile,
    QrCode,
    ReceiptDocument,
    Separator,
    Symbology,
    TextLine,
    render_text,
)
from tests.support.receipts import SAMPLE


def test_blocks_are_frozen_and_hashable() -> None:
    line = TextLine("x")
    with pytest.raises(AttributeError):
        line.text = "y"  # type: ignore[misc]
    doc = ReceiptDocument([line, Cut()], ref="R1")  # a list is accepted and frozen to a tuple
    assert doc.blocks == (line, Cut()) and hash(doc) == hash(ReceiptDocument((line, Cut()), ref="R1"))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Barcode("4006381333932", Symbology.EAN13), "check digit 2, expected 1"),
        (lambda: Barcode("400638133393", Symbology.EAN13), "exactly 13 digits"),
        (lambda: Barcode("Käse"), "printable ASCII"),
        (lambda: Barcode(""), "printable ASCII"),
        (lambda: Barcode("1", height_dots=0), "1..255 dots"),
        (lambda: QrCode(""), "empty"),
        (lambda: QrCode("x" * 701), "700 bytes"),
        (lambda: Separator("€"), "printable ASCII"),
        (lambda: Separator("--"), "one printable"),
        (lambda: Feed(0), "1..255"),
        (lambda: DrawerKick(3), "2 or 5"),
        (lambda: Logo(b""), "empty"),
        (lambda: ReceiptDocument(("just text",)), "block 0 is a str"),
    ],
)
def test_invalid_blocks_are_rejected_with_a_reason(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


def test_unknown_profile_and_code_page_are_config_errors() -> None:
    with pytest.raises(PrinterConfigError, match="unknown printer profile 'TM-X'"):
        PrinterProfile.load("TM-X")
    with pytest.raises(PrinterConfigError, match="no table for CP1252"):
        PrinterProfile.load("simple", code_page="CP1252")
    assert PrinterProfile.load("simple", code_page="CP1252", code_page_number=16).code_page_number == 16


def test_bad_logo_bytes_fail_at_render_with_a_reason() -> None:
    from drivers.printer import render_escpos

    with pytest.raises(ValueError, match="logo image cannot be decoded"):
        render_escpos(ReceiptDocument((Logo(b"not a png"),)), PrinterProfile.load("TM-T20II"))


DOC = SAMPLE


def test_text_preview_on_58mm_without_cutter() -> None:
    expected = (
        "   L a n e k i t   M a r k t\n"
        "      Hauptstraße 1, Köln\n"
        "--------------------------------\n"
        "Äpfel Elstar 1 kg         € 2,99\n"
        "Crème fraîche 30 % Fett,  € 1,49\n"
        "Becher\n"
        "================================\n"
        "SUMME                     € 4,48\n"
        "                         Danke ?\n"
        "    [CODE128 0012034000042]\n"
        "~~~~ tear here (no cutter) ~~~~~\n"
        "      [open drawer, pin 2]\n"
    )
    assert render_text(DOC, PrinterProfile.load("POS-5890")) == expected


def test_text_preview_on_80mm_with_cutter_shows_cp1252_gaps() -> None:
    text = render_text(DOC, PrinterProfile.load("TM-T20II"))
    lines = text.splitlines()
    assert lines[3] == "Äpfel Elstar 1 kg" + " " * 25 + "€ 2,99"
    assert len(lines[3]) == 48
    assert lines[4] == "Crème fraîche 30 % Fett, Becher" + " " * 11 + "€ 1,49"
    assert lines[-2] == "~" * 21 + " cut " + "~" * 22
