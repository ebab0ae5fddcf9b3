"""How to read a catalog file (the `lanekit catalog import` options)."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Literal

from appliance.domain.money import exponent
from appliance.importers.errors import CatalogImportError

Format = Literal["auto", "shopify", "woocommerce"]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    currency: str  # ISO 4217: the files carry none
    format: Format = "auto"
    decimal_comma: bool = False  # prices and weights written 2,99
    strict: bool = False  # any warning or error rejects the whole file
    encoding: str = "utf-8"  # a UTF-8 BOM is always accepted
    batch_size: int = 5000  # Items per yielded batch

    def __post_init__(self) -> None:
        exponent(self.currency)  # MoneyError for an unknown code
        if self.format not in ("auto", "shopify", "woocommerce"):
            raise CatalogImportError(
                f"Unknown catalog format {self.format!r}: use auto, shopify or woocommerce."
            )
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise CatalogImportError(f"Unknown text encoding {self.encoding!r}.") from None
        if self.batch_size < 1:
            raise CatalogImportError("batch_size must be at least 1.")
