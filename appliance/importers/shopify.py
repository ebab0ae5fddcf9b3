"""Shopify product CSV -> Items, both header dialects, columns found by name.

Legacy dialect: `Handle,Title,Body (HTML),…,Variant SKU,…,Variant Barcode,…`; current
dialect: `Title,URL handle,Description,…,SKU,Barcode,…`. Names are matched case-insensitively
(the dialects also differ in case: `Option1 Name` / `Option1 name`). A product's first row
carries its title and status; its continuation rows (blank title) are further variants, and
rows with nothing but an image are skipped. Each variant becomes one Item.
"""

from __future__ import annotations

import operator
from decimal import Decimal

from appliance.domain.items import Item
from appliance.importers import fields
from appliance.importers.options import ImportOptions
from appliance.importers.report import ImportReport, Severity

# canonical name -> accepted header names (lower case), legacy first
COLUMNS: dict[str, tuple[str, ...]] = {
    "handle": ("handle", "url handle"),
    "title": ("title",),
    "status": ("status",),
    "published": ("published", "published on online store"),
    "sku": ("variant sku", "sku"),
    "barcode": ("variant barcode", "barcode"),
    "price": ("variant price", "price"),
    "grams": ("variant grams", "weight value (grams)"),
    "qty": ("variant inventory qty", "inventory quantity"),
    "taxable": ("variant taxable", "charge tax"),
    "type": ("type",),
    "category": ("product category",),
    "gift_card": ("gift card",),
    "opt1": ("option1 value",),
    "opt2": ("option2 value",),
    "opt3": ("option3 value",),
}
REQUIRED = ("handle", "title", "price")
_ONE = Decimal(1)
# feed() unpacks the picked cells in this order
assert list(COLUMNS) == ["handle", "title", "status", "published", "sku", "barcode", "price", "grams", "qty",
                         "taxable", "type", "category", "gift_card", "opt1", "opt2", "opt3"]  # fmt: skip


def detect(header: list[str]) -> str | None:
    names = {h.lower() for h in header}
    if "handle" in names:
        return "shopify-legacy"
    if "url handle" in names:
        return "shopify"
    return None


class ShopifyMapper:
    def __init__(self, header: list[str], options: ImportOptions, report: ImportReport) -> None:
        lower = [h.lower() for h in header]
        self.col: dict[str, int | None] = {}
        for key, names in COLUMNS.items():
            self.col[key] = next((lower.index(n) for n in names if n in lower), None)
        self.missing = [COLUMNS[k][0] for k in REQUIRED if self.col[k] is None]
        # One C-level call picks every cell a row needs; an absent column reads the "" that
        # feed() appends to the row.
        self._pick = operator.itemgetter(*(len(header) if i is None else i for i in self.col.values()))
        self.options = options
        self.report = report
        self._prices = fields.Prices(options.currency, options.decimal_comma)
        self._handle = ""
        self._title = ""
        self._active = True
        self._gift = False
        self._category = ""
        self._variant_no = 0

    def feed(self, row_no: int, row: list[str]) -> Item | None:
        report = self.report
        row.append("")
        cells = self._pick(row)
        handle, title, _, _, sku, cell_barcode, cell_price, grams, qty, taxable, _, _, _, opt1, opt2, opt3 = (
            cells
        )
        handle, sku, cell_barcode, cell_price = (
            handle.strip(),
            sku.strip(),
            cell_barcode.strip(),
            cell_price.strip(),
        )
        if not handle:
            report.add(
                row_no,
                Severity.ERROR,
                "no_handle",
                "The row has no handle, so it belongs to no product. Not imported.",
            )
            return None
        if handle != self._handle:
            self._start_product(row_no, cells, handle, title.strip())
        options = [v for v in (opt1.strip(), opt2.strip(), opt3.strip()) if v]
        if not (sku or cell_barcode or cell_price or options):
            report.skipped += 1
            report.add(
                row_no,
                Severity.INFO,
                "image_row",
                f"Row of {handle} carries only an image or product data, no variant: skipped.",
            )
            return None
        if self._gift:
            report.skipped += 1
            report.add(
                row_no,
                Severity.INFO,
                "gift_card",
                f"{handle} is a gift card: sold through the gift-card tender, not imported as an item.",
            )
            return None
        self._variant_no += 1
        opts = self.options
        price = self._prices.read(cell_price, row_no, "Price", report)
        if price is None:
            if not cell_price:
                report.add(
                    row_no,
                    Severity.ERROR,
                    "missing_price",
                    f"Variant {sku or handle} has no price: not imported.",
                )
            return None
        if not sku:
            sku = f"{handle}#{self._variant_no}"
            report.add(row_no, Severity.WARNING, "no_sku", f"The variant has no SKU: imported as {sku!r}.")
        name = self._title
        if options and options != ["Default Title"]:
            name = f"{name} - {' / '.join(options)}"
        gtin = fields.barcode(cell_barcode, row_no, report) if cell_barcode else None
        grams = grams.strip()
        return Item(
            sku=sku,
            name=name,
            unit_price=price,
            tax_class="exempt" if fields.flag(taxable) is False else "standard",
            gtins=(gtin,) if gtin else (),
            category=self._category,
            nominal_weight_g=fields.grams(grams, _ONE, opts.decimal_comma, row_no, "Weight", report)
            if grams
            else None,
            stock=fields.count(qty, row_no, "Inventory quantity", report),
            active=self._active,
        )

    def _start_product(self, row_no: int, cells: tuple[str, ...], handle: str, title: str) -> None:
        self._handle = handle
        self._variant_no = 0
        if not title:
            title = handle
            self.report.add(
                row_no, Severity.WARNING, "no_title",
                f"Product {handle} starts without a title (its first row is missing or not next to its variants): named {handle!r}.",
            )  # fmt: skip
        self._title = title
        _, _, status, published, _, _, _, _, _, _, kind, category, gift_card, _, _, _ = cells
        status = status.strip().lower()
        self._active = status == "active" if status else fields.flag(published) is not False
        self._gift = fields.flag(gift_card) is True
        self._category = kind.strip() or category.strip()
        self.report.products += 1
