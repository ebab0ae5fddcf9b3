"""Bitmaps for blocks the printer cannot draw itself, shared by the ESC/POS and PNG renderers.

Every bitmap is mode "1" (black ink on white), exactly the paper's printable width in dots, with
the content centered: padding ourselves keeps centering independent of how a model treats ESC a
for raster images. Bar patterns come from python-barcode, QR matrices from qrcode; we only draw.
"""

from __future__ import annotations

import io
import pathlib
from functools import lru_cache

import barcode as pybarcode
import qrcode
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from drivers.printer.document import Barcode, Logo, QrCode, QrErrorLevel, Symbology

# python-barcode ships DejaVu Sans Mono: a monospace font present wherever our dependencies are.
_FONT_FILE = pathlib.Path(pybarcode.__file__).parent / "fonts" / "DejaVuSansMono.ttf"
_QUIET_MODULES = 10
_MAX_LOGO_PIXELS = 4096 * 4096


@lru_cache(maxsize=16)
def font(cell_width: int) -> ImageFont.FreeTypeFont:
    """A monospace font whose advance is at most `cell_width` pixels."""
    size = max(6, int(cell_width / 0.602))  # DejaVu Sans Mono advance is 0.602 em
    return ImageFont.truetype(str(_FONT_FILE), size)


def modules(block: Barcode) -> str:
    """The bar pattern ('1' = black module), without quiet zones."""
    name = "code128" if block.symbology is Symbology.CODE128 else "ean13"
    return pybarcode.get(name, block.data).build()[0]


def _centered(content: Image.Image, dots: int) -> Image.Image:
    page = Image.new("1", (dots, content.height), 1)
    page.paste(content, ((dots - content.width) // 2, 0))
    return page


def barcode_image(block: Barcode, dots: int) -> Image.Image:
    pattern = modules(block)
    total = len(pattern) + 2 * _QUIET_MODULES
    module = min(3, dots // total)
    if module < 1:
        raise ValueError(f"barcode {block.data!r} needs {total} modules: wider than {dots} dots")
    text_h = 0
    fnt = font(12)
    if block.show_text:
        text_h = fnt.size + 6
    img = Image.new("1", (total * module, block.height_dots + text_h), 1)
    draw = ImageDraw.Draw(img)
    x = _QUIET_MODULES * module
    for bit in pattern:
        if bit == "1":
            draw.rectangle([x, 0, x + module - 1, block.height_dots - 1], fill=0)
        x += module
    if block.show_text:
        tw = draw.textlength(block.data, font=fnt)
        draw.text(((img.width - tw) / 2, block.height_dots + 3), block.data, font=fnt, fill=0)
    return _centered(img, dots)


def qr_image(block: QrCode, dots: int) -> Image.Image:
    levels = {
        QrErrorLevel.L: qrcode.constants.ERROR_CORRECT_L,
        QrErrorLevel.M: qrcode.constants.ERROR_CORRECT_M,
        QrErrorLevel.Q: qrcode.constants.ERROR_CORRECT_Q,
        QrErrorLevel.H: qrcode.constants.ERROR_CORRECT_H,
    }
    qr = qrcode.QRCode(error_correction=levels[block.error_level], box_size=1, border=4)
    qr.add_data(block.data.encode("utf-8"))
    qr.make(fit=True)
    matrix = qr.get_matrix()
    box = block.module_dots
    while box > 1 and len(matrix) * box > dots:
        box -= 1
    if len(matrix) * box > dots:
        raise ValueError(f"QR code of {len(matrix)} modules is wider than {dots} dots")
    img = Image.new("1", (len(matrix) * box, len(matrix) * box), 1)
    draw = ImageDraw.Draw(img)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                draw.rectangle([x * box, y * box, x * box + box - 1, y * box + box - 1], fill=0)
    return _centered(img, dots)


def logo_image(block: Logo, dots: int) -> Image.Image:
    """The logo scaled to fit, Floyd-Steinberg dithered to black and white."""
    try:
        src = Image.open(io.BytesIO(block.image))
        if src.width * src.height > _MAX_LOGO_PIXELS:
            raise ValueError(f"logo is {src.width}x{src.height} pixels: too large to print")
        src.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as err:
        raise ValueError(f"logo image cannot be decoded: {err}") from err
    rgba = src.convert("RGBA")
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.split()[3])
    width = min(dots, block.max_width_dots, flat.width)
    height = max(1, round(flat.height * width / flat.width))
    mono = flat.convert("L").resize((width, height), Image.Resampling.LANCZOS).convert("1")
    return _centered(mono, dots)
