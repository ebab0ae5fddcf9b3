"""Printer profiles: what one printer model can do, and which code page Lanekit forces on it.

Capabilities come from python-escpos' copy of escpos-printer-db (`capabilities.json`). The code
page is chosen here, never by python-escpos' MagicEncode: MagicEncode takes the lowest table slot
that can encode a character, which puts `€` on ISO-8859-7 (Greek, ESC t 15) on Epson profiles and
CP1257 on the POS-5890 profile (see ../shared/data/devices/escpos.md). We pick the first table of
PREFERRED_CODE_PAGES the model has — CP858 (CP850 plus €) covers €, £, ä, é, ñ, ß — select it with
ESC t n after every reset, and encode text ourselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from escpos.capabilities import CAPABILITIES, get_profile
from escpos.magicencode import Encoder

from drivers.printer.errors import PrinterConfigError

PREFERRED_CODE_PAGES = ("CP858", "CP1252", "ISO_8859-15", "CP850", "CP437")
_FALLBACK_DOTS = 512
_FALLBACK_DPI = 180


@dataclass(frozen=True, slots=True)
class PrinterProfile:
    """One printer model as Lanekit drives it. Build with `PrinterProfile.load(name, ...)`."""

    name: str
    code_page: str
    code_page_number: int
    columns: int
    columns_small: int
    dots: int
    dpi: int
    can_cut: bool
    can_partial_cut: bool
    native_code128: bool
    native_ean13: bool
    native_qr: bool

    @classmethod
    def load(
        cls,
        name: str = "default",
        *,
        code_page: str | None = None,
        code_page_number: int | None = None,
        columns: int | None = None,
        dots: int | None = None,
    ) -> PrinterProfile:
        """The escpos-printer-db profile `name` with Lanekit's code page (or the one given).

        `code_page_number` overrides the table number for clones whose firmware numbers tables
        differently from their profile; `columns`/`dots` override the paper geometry.
        """
        if name not in CAPABILITIES["profiles"]:
            raise PrinterConfigError(
                f"unknown printer profile {name!r}; known profiles include "
                f"{', '.join(sorted(CAPABILITIES['profiles'])[:12])}, ..."
            )
        prof = get_profile(name)
        tables: dict[str, str] = prof.get_code_pages()
        if code_page is None:
            code_page = next((cp for cp in PREFERRED_CODE_PAGES if cp in tables), None)
            if code_page is None:
                raise PrinterConfigError(
                    f"profile {name!r} has none of the code pages {', '.join(PREFERRED_CODE_PAGES)}; "
                    "set code_page explicitly"
                )
        code_page = code_page.upper()
        if code_page not in CAPABILITIES["encodings"]:
            raise PrinterConfigError(f"unknown code page {code_page!r}")
        enc = CAPABILITIES["encodings"][code_page]
        if "python_encode" not in enc and "data" not in enc:
            raise PrinterConfigError(f"code page {code_page!r} has no character table to encode with")
        if code_page_number is None:
            if code_page not in tables:
                raise PrinterConfigError(
                    f"profile {name!r} has no table for {code_page}; set code_page_number for this printer"
                )
            code_page_number = int(tables[code_page])
        if not 0 <= code_page_number <= 255:
            raise PrinterConfigError(f"code page number must be 0..255, got {code_page_number}")
        media = prof.profile_data.get("media", {})
        width = media.get("width", {}) if isinstance(media, dict) else {}
        profile_dots = width.get("pixels")
        profile_dpi = media.get("dpi") if isinstance(media, dict) else None
        dots = dots or (profile_dots if isinstance(profile_dots, int) else _FALLBACK_DOTS)
        dpi = profile_dpi if isinstance(profile_dpi, int) else _FALLBACK_DPI
        columns = columns or prof.get_columns(0)
        columns_small = prof.get_columns(1) if "1" in prof.fonts else columns
        if not 16 <= columns <= 128:
            raise PrinterConfigError(f"columns must be 16..128, got {columns}")
        if not 64 <= dots <= 2048:
            raise PrinterConfigError(f"printable width must be 64..2048 dots, got {dots}")
        return cls(
            name=name,
            code_page=code_page,
            code_page_number=code_page_number,
            columns=columns,
            columns_small=max(columns_small, columns),
            dots=dots,
            dpi=dpi,
            can_cut=bool(prof.supports("paperFullCut") or prof.supports("paperPartCut")),
            can_partial_cut=bool(prof.supports("paperPartCut")),
            native_code128=bool(prof.supports("barcodeB")),
            native_ean13=bool(prof.supports("barcodeA") or prof.supports("barcodeB")),
            native_qr=bool(prof.supports("qrCode")),
        )

    def escpos_profile(self) -> Any:
        """A python-escpos profile object whose media width matches ours (image() reads it)."""
        prof = get_profile(self.name)
        data = dict(prof.profile_data)
        data["media"] = {"dpi": self.dpi, "width": {"mm": "Unknown", "pixels": self.dots}}
        prof.profile_data = data  # instance attribute: the cached class stays untouched
        return prof

    def encode(self, text: str) -> bytes:
        """Text in this profile's code page; unencodable characters become `?` (never a table switch)."""
        return _encoder(self.code_page).encode(text, self.code_page, "?")

    def can_encode(self, char: str) -> bool:
        return _encoder(self.code_page).can_encode(self.code_page, char)


_ENCODERS: dict[str, Encoder] = {}


def _encoder(code_page: str) -> Encoder:
    # Encoder caches its character map; one per code page is enough.
    if code_page not in _ENCODERS:
        _ENCODERS[code_page] = Encoder({code_page: 0})
    return _ENCODERS[code_page]
