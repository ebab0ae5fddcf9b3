"""Exact ESC/POS bytes per profile: code pages, styles, barcodes, QR, cut, drawer kick.

Reference bytes: ../shared/data/devices/escpos.md (python-escpos 3.1 output and command table).
"""

from __future__ import annotations

import pytest

from drivers.printer import (
    Align,
    Barcode,
    Cut,
    DrawerKick,
    Feed,
    PrinterProfile,
    QrCode,
    QrErrorLevel,
    ReceiptDocument,
    Row,
    Separator,
    Symbology,
    TextLine,
    TextSize,
    images,
    render_escpos,
)

INIT = bytes.fromhex("1b 40")


def esc(profile: str, *blocks: object) -> bytes:
    return render_escpos(ReceiptDocument(tuple(blocks)), PrinterProfile.load(profile))


LINE = "€ 1,50 £ Äpfel é"


@pytest.mark.parametrize(
    ("profile", "select", "encoded"),
    [
        # Epson TM-T20II: CP858 is table 19 (0x13); € = 0xD5 in CP858.
        ("TM-T20II", "1b 74 13", "d5 20 31 2c 35 30 20 9c 20 8e 70 66 65 6c 20 82"),
        ("default", "1b 74 13", "d5 20 31 2c 35 30 20 9c 20 8e 70 66 65 6c 20 82"),
        # POS-5890 (ZJ-5890 clones): the same CP858 is table 53 (0x35) in that profile.
        ("POS-5890", "1b 74 35", "d5 20 31 2c 35 30 20 9c 20 8e 70 66 65 6c 20 82"),
        # TM-T88II has no CP858: CP1252 (table 16), € = 0x80.
        ("TM-T88II", "1b 74 10", "80 20 31 2c 35 30 20 a3 20 c4 70 66 65 6c 20 e9"),
        # 'simple' knows only CP437: € cannot print and becomes '?', the rest stays readable.
        ("simple", "1b 74 00", "3f 20 31 2c 35 30 20 9c 20 8e 70 66 65 6c 20 82"),
    ],
)
def test_code_page_is_forced_and_text_encoded_in_it(profile: str, select: str, encoded: str) -> None:
    out = esc(profile, TextLine(LINE))
    assert out == INIT + bytes.fromhex(select) + bytes.fromhex(encoded) + b"\n"


def test_magicencode_greek_table_never_appears() -> None:
    # python-escpos' own text('€ 1,50') on the default profile sends ESC t 15 (ISO-8859-7) + 0xA4.
    out = esc("default", TextLine("€ 1,50"))
    assert b"\x1bt\x0f" not in out
    assert out == bytes.fromhex("1b 40 1b 74 13 d5 20 31 2c 35 30 0a")


def test_german_spanish_letters_in_cp858() -> None:
    out = esc("TM-T20II", TextLine("Grüße ñ"))
    assert out == INIT + bytes.fromhex("1b 74 13") + bytes.fromhex("47 72 81 e1 65 20 a4") + b"\n"


def test_unencodable_characters_become_question_marks_never_gb18030() -> None:
    out = esc("TM-T20II", TextLine("€ 中文 ☃"))
    # python-escpos would send the whole string as GB18030 (a2 e3 20 d6 d0 ce c4) without ESC t.
    assert out == bytes.fromhex("1b 40 1b 74 13 d5 20 3f 3f 20 3f 0a")
    assert out.count(b"\x1bt") == 1


def test_control_characters_in_text_cannot_inject_commands() -> None:
    # A product name carrying ESC @ / GS V must print as text, not reset or cut the printer.
    out = esc("TM-T20II", TextLine("A\x1b@B\x1dV\x00C\tD"))
    assert out == bytes.fromhex("1b 40 1b 74 13") + b"A?@B?V?C D\n"


def test_decomposed_accent_is_normalised_to_the_code_page_letter() -> None:
    out = esc("TM-T20II", TextLine("Cafe\u0301"))
    assert out.endswith(b"Caf\x82\n")


def test_style_bytes_and_font_switch_reselects_code_page() -> None:
    out = esc(
        "TM-T20II",
        TextLine("TOTAL", bold=True, size=TextSize.DOUBLE, align=Align.CENTER),
        TextLine("fine", size=TextSize.SMALL),
        TextLine("é"),
    )
    assert out == bytes.fromhex(
        "1b 40 1b 74 13"
        "1b 61 01 1b 21 30 1b 45 01" + b"TOTAL\n".hex()
        + "1b 61 00 1b 4d 01 1b 74 13 1b 21 00" + b"fine\n".hex()
        # back to font A: ESC M 0 and the code page again (clones reset it on ESC M, PR #729)
        + "1b 4d 00 1b 74 13 1b 21 00 82 0a"
    )


def test_style_is_not_resent_when_unchanged() -> None:
    out = esc("TM-T20II", TextLine("a", bold=True), TextLine("b", bold=True))
    assert out == bytes.fromhex("1b 40 1b 74 13 1b 45 01 61 0a 62 0a")


@pytest.mark.parametrize(("profile", "columns"), [("TM-T20II", 48), ("POS-5890", 32)])
def test_row_fits_the_paper_width(profile: str, columns: int) -> None:
    out = esc(profile, Row("Äpfel", "€ 1,50"))
    body = out.split(b"\x1bt", 1)[1][1:]
    assert body == b"\x8epfel" + b" " * (columns - 11) + b"\xd5 1,50\n"
    assert len(body) - 1 == columns


def test_long_row_text_wraps_and_keeps_the_amount() -> None:
    out = esc("POS-5890", Row("Bio Vollmilch 3,8% Fett laktosefrei", "12,49"))
    lines = out[5:].split(b"\n")
    assert lines[0] == b"Bio Vollmilch 3,8% Fett" + b" " * 4 + b"12,49"
    assert lines[1] == b"laktosefrei"


def test_separator_and_feed() -> None:
    out = esc("POS-5890", Separator("="), Feed(3))
    assert out == bytes.fromhex("1b 40 1b 74 35") + b"=" * 32 + b"\n" + bytes.fromhex("1b 64 03")


def test_ean13_native_matches_python_escpos_reference() -> None:
    out = esc("TM-T20II", Barcode("4006381333931", Symbology.EAN13, height_dots=64))
    assert out == bytes.fromhex(
        "1b 40 1b 74 13 1b 61 01 1d 68 40 1d 77 03 1d 66 00 1d 48 02 1d 6b 02"
        "34 30 30 36 33 38 31 33 33 33 39 33 31 00"
    )


def test_code128_code_set_b_native() -> None:
    out = esc("TM-T20II", Barcode("R1-42"))
    assert out == bytes.fromhex("1b 40 1b 74 13 1b 61 01 1d 68 50 1d 77 03 1d 66 00 1d 48 02 1d 6b 49 07 7b 42") + b"R1-42"


def test_code128_even_digits_use_code_set_c() -> None:
    out = esc("TM-T20II", Barcode("00120340", show_text=False))
    assert out.endswith(bytes.fromhex("1d 48 00 1d 6b 49 06 7b 43 00 0c 03 28"))


def test_receipt_reference_mixes_code_sets_b_and_c() -> None:
    # appliance.domain.store_codes: RC SSSS LLL NNNNNNNN C (18 characters)
    out = esc("TM-T20II", Barcode("RC0012003000000427"))
    assert out.endswith(bytes.fromhex("1d 77 03 1d 66 00 1d 48 02 1d 6b 49 0e 7b 42 52 43 7b 43 00 0c 00 1e 00 00 04 1b"))


def test_receipt_reference_fits_58mm_paper_as_an_image() -> None:
    block = Barcode("RC0012003000000427")
    out = esc("POS-5890", block)
    wb, h, data = _raster(out)
    img = images.barcode_image(block, 384)
    assert (wb, h) == (48, img.height) and data == _ink(img)


def test_code128_brace_is_escaped_in_code_set_b() -> None:
    out = esc("TM-T20II", Barcode("a{b", show_text=False))
    assert out.endswith(bytes.fromhex("1d 6b 49 06 7b 42 61 7b 7b 62"))


def test_code128_too_long_for_the_paper_is_refused() -> None:
    with pytest.raises(ValueError, match="too wide"):
        esc("TM-T20II", Barcode("Lanekit receipt reference that is far too long"))


def test_qr_native_matches_python_escpos_reference() -> None:
    out = esc("TM-T20II", QrCode("TEST", module_dots=3, error_level=QrErrorLevel.L))
    assert out == bytes.fromhex(
        "1b 40 1b 74 13 1b 61 01"
        "1d 28 6b 04 00 31 41 32 00 1d 28 6b 03 00 31 43 03 1d 28 6b 03 00 31 45 30"
        "1d 28 6b 07 00 31 50 30 54 45 53 54 1d 28 6b 03 00 31 51 30"
    )


def _raster(out: bytes) -> tuple[int, int, bytes]:
    i = out.index(b"\x1dv0\x00")
    wb = out[i + 4] | out[i + 5] << 8
    h = out[i + 6] | out[i + 7] << 8
    return wb, h, out[i + 8 : i + 8 + wb * h]


def _ink(img: object) -> bytes:
    # PIL mode "1" stores white as 1; ESC/POS raster stores black as 1.
    return bytes(~b & 0xFF for b in img.tobytes())  # type: ignore[attr-defined]


def test_pos5890_has_no_native_qr_so_it_prints_a_raster_image() -> None:
    block = QrCode("https://lanekit.example/r/0012-03-000042")
    out = esc("POS-5890", block)
    wb, h, data = _raster(out)
    img = images.qr_image(block, 384)
    assert (wb, h) == (384 // 8, img.height)
    assert data == _ink(img)
    assert b"\x1d(k" not in out


def test_pos5890_barcode_is_a_raster_image_of_the_same_bars() -> None:
    block = Barcode("4006381333931", Symbology.EAN13)
    out = esc("POS-5890", block)
    wb, h, data = _raster(out)
    img = images.barcode_image(block, 384)
    assert wb == 48 and h == img.height and data == _ink(img)
    # the bar row decodes to the EAN-13 module pattern
    row = img.crop((0, 0, 384, 1)).convert("L").tobytes()
    dark = "".join("1" if px < 128 else "0" for px in row).strip("0")
    assert dark.replace("111", "1").replace("000", "0") == images.modules(block).strip("0")


@pytest.mark.parametrize(
    ("profile", "partial", "tail"),
    [
        ("TM-T20II", False, "1b 64 06 1d 56 00"),
        ("TM-T20II", True, "1b 64 06 1d 56 01"),
        ("POS-5890", False, "1b 64 06"),  # no cutter: feed only
        ("simple", True, "1b 64 06"),
    ],
)
def test_cut_per_profile(profile: str, partial: bool, tail: str) -> None:
    out = esc(profile, Cut(partial=partial))
    assert out[5:] == bytes.fromhex(tail)
    assert PrinterProfile.load(profile).can_cut is (b"\x1dV" in out)


@pytest.mark.parametrize(("pin", "kick"), [(2, "1b 70 00 32 32"), (5, "1b 70 01 32 32")])
def test_drawer_kick(pin: int, kick: str) -> None:
    assert esc("TM-T20II", DrawerKick(pin))[5:] == bytes.fromhex(kick)
