"""PNG receipt preview: the paper's width in dots, the right height, and ink where text is."""

from __future__ import annotations

import io
import itertools

import pytest
from PIL import Image

from drivers.printer import PrinterProfile, ReceiptDocument, TextLine, TextSize, images, render_png
from drivers.printer.png_preview import MARGIN
from tests.support.receipts import SAMPLE as DOC


def _decode(png: bytes) -> Image.Image:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(png)).convert("L")


@pytest.mark.parametrize(("profile", "dots"), [("POS-5890", 384), ("TM-T20II", 576)])
def test_png_is_paper_wide_and_as_tall_as_its_lines(profile: str, dots: int) -> None:
    prof = PrinterProfile.load(profile)
    img = _decode(render_png(DOC, prof))
    text_lines = 8 if profile == "POS-5890" else 7  # the long row wraps on 58 mm only
    barcode_h = images.barcode_image(DOC.blocks[8], dots).height
    # 12-dot cells, 24 high; the double-size title is 48; the cut band is one line
    assert img.size == (dots, 2 * MARGIN + 48 + text_lines * 24 + barcode_h + 24)


def test_png_has_ink_where_the_text_is_and_none_in_margins() -> None:
    img = _decode(render_png(DOC, PrinterProfile.load("POS-5890")))
    dark = lambda box: sum(1 for px in img.crop(box).tobytes() if px < 128)  # noqa: E731
    assert dark((0, 0, 384, MARGIN)) == 0
    assert dark((0, MARGIN, 384, MARGIN + 48)) > 500  # "Lanekit Markt", double size, bold
    sep_y = MARGIN + 48 + 24
    assert dark((0, sep_y, 384, sep_y + 24)) > 32  # a dash in every one of 32 cells
    bar_y = MARGIN + 48 + 8 * 24 + 10
    row = [px < 128 for px in img.crop((0, bar_y, 384, bar_y + 1)).tobytes()]
    edges = sum(1 for a, b in itertools.pairwise(row) if a != b)
    assert edges >= 2 * 30  # a CODE128 of 13 characters has well over 30 bars


def test_double_width_text_is_twice_as_wide() -> None:
    prof = PrinterProfile.load("TM-T20II")
    normal = _decode(render_png(ReceiptDocument((TextLine("MMMM"),)), prof))
    wide = _decode(render_png(ReceiptDocument((TextLine("MMMM", size=TextSize.WIDE),)), prof))

    def ink_width(img: Image.Image) -> int:
        cols = [x for x in range(img.width) if any(img.getpixel((x, y)) < 128 for y in range(img.height))]
        return cols[-1] - cols[0] + 1

    assert normal.height == wide.height == 2 * MARGIN + 24
    assert 2 * ink_width(normal) - 4 <= ink_width(wide) <= 2 * ink_width(normal) + 4
