"""WooCommerce product export CSV -> Items.

Columns are found by (case-insensitive) name as the core exporter writes them
(`class-wc-product-csv-exporter.php`). Simple products and variations become Items;
variable products are the parents of variations (referenced by SKU, or `id:NN` when the
parent has no SKU); grouped and external products are not sold at a lane and are skipped.
A sale price without a schedule is what the shop charges now, so it becomes the unit price;
a scheduled sale is a promotion and is left out. Weights are converted from the unit in the
header (`Weight (kg)`, `Weight (lbs)` …) to grams.
"""

from __future__ import annotations

import re
from decimal import Decimal

from appliance.domain.items import Item
from appliance.domain.money import Money
from appliance.importers import fields
from appliance.importers.options import ImportOptions
from appliance.importers.report import ImportReport, Severity

COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "type": ("type",),
    "sku": ("sku",),
    "name": ("name",),
    "published": ("published",),
    "tax_status": ("tax status",),
    "tax_class": ("tax class",),
    "stock": ("stock",),
    "sale": ("sale price",),
    "sale_from": ("date sale price starts",),
    "sale_to": ("date sale price ends",),
    "price": ("regular price",),
    "parent": ("parent",),
    "categories": ("categories",),
    "gtin": ("gtin, upc, ean, or isbn", "gtin, upc, ean or isbn", "gtin"),
}
REQUIRED = ("type", "sku", "name", "price")
_GRAMS_PER = {
    "kg": Decimal(1000),
    "g": Decimal(1),
    "lbs": Decimal("453.59237"),
    "lb": Decimal("453.59237"),
    "oz": Decimal("28.349523125"),
}
_WEIGHT = re.compile(r"weight \((\w+)\)")
_SELLABLE = {"simple", "variation"}


def detect(header: list[str]) -> str | None:
    names = {h.lower() for h in header}
    if {"type", "sku", "regular price"} <= names:
        return "woocommerce"
    return None


class WooCommerceMapper:
    def __init__(self, header: list[str], options: ImportOptions, report: ImportReport) -> None:
        lower = [h.lower() for h in header]
        self.col: dict[str, int | None] = {}
        for key, names in COLUMNS.items():
            self.col[key] = next((lower.index(n) for n in names if n in lower), None)
        self.missing = [COLUMNS[k][0] for k in REQUIRED if self.col[k] is None]
        self.weight_col: int | None = None
        self.grams_per = Decimal(1)
        for i, name in enumerate(lower):
            m = _WEIGHT.fullmatch(name)
            if m and m.group(1) in _GRAMS_PER:
                self.weight_col, self.grams_per = i, _GRAMS_PER[m.group(1)]
        self.options = options
        self.report = report
        self._prices = fields.Prices(options.currency, options.decimal_comma)
        self.parents: dict[
            str, tuple[str, str]
        ] = {}  # "sku" or "id:NN" -> (name, category); variable products only

    def _get(self, row: list[str], key: str) -> str:
        i = self.col[key]
        return "" if i is None else row[i].strip()

    def feed(self, row_no: int, row: list[str]) -> Item | None:
        get = self._get
        report = self.report
        kinds = {k.strip().lower() for k in get(row, "type").split(",") if k.strip()}
        sku, ident, name = get(row, "sku"), get(row, "id"), get(row, "name")
        if "variable" in kinds:
            report.products += 1
            parent_info = (name, get(row, "categories").split(",")[0].strip())
            if sku:
                self.parents[sku] = parent_info
            if ident:
                self.parents[f"id:{ident}"] = parent_info
            return None
        if kinds & {"grouped", "external"}:
            report.skipped += 1
            what = "grouped" if "grouped" in kinds else "external (sold on another site)"
            report.add(
                row_no,
                Severity.INFO,
                "not_sellable",
                f"{name or sku} is a {what} product, not sold at a lane: skipped.",
            )
            return None
        if not kinds & _SELLABLE:
            report.add(
                row_no,
                Severity.ERROR,
                "unknown_type",
                f"Product type {get(row, 'type')!r} is not one Lanekit imports: not imported.",
            )
            return None
        category = get(row, "categories").split(",")[0].strip()
        if "variation" in kinds:
            parent = get(row, "parent")
            parent_name, parent_category = self.parents.get(parent, (None, ""))
            category = category or parent_category
            if parent_name is None:
                report.add(row_no, Severity.WARNING, "unknown_parent",
                           f"Variation {sku or ident} names parent {parent!r}, which is not an earlier variable product in the file.")  # fmt: skip
            if not name:
                name = parent_name or parent
        else:
            report.products += 1
        price = self._price(row_no, row)
        if price is None:
            return None
        if not sku:
            sku = f"woo:{ident}" if ident else f"woo:row{row_no}"
            report.add(row_no, Severity.WARNING, "no_sku", f"{name} has no SKU: imported as {sku!r}.")
        gtin = fields.barcode(get(row, "gtin"), row_no, report)
        weight = row[self.weight_col].strip() if self.weight_col is not None else ""
        tax_class = (
            "exempt" if get(row, "tax_status").lower() == "none" else (get(row, "tax_class") or "standard")
        )
        return Item(
            sku=sku,
            name=name,
            unit_price=price,
            tax_class=tax_class,
            gtins=(gtin,) if gtin else (),
            category=category,
            nominal_weight_g=fields.grams(
                weight, self.grams_per, self.options.decimal_comma, row_no, "Weight", report
            )
            if weight
            else None,
            stock=fields.count(get(row, "stock"), row_no, "Stock", report),
            active=get(row, "published") == "1",
        )

    def _price(self, row_no: int, row: list[str]) -> Money | None:
        get = self._get
        report = self.report
        sale_cell, regular_cell = get(row, "sale"), get(row, "price")
        if sale_cell and not (get(row, "sale_from") or get(row, "sale_to")):
            return self._prices.read(sale_cell, row_no, "Sale price", report)
        if not regular_cell:
            report.add(
                row_no,
                Severity.ERROR,
                "missing_price",
                f"{get(row, 'name') or get(row, 'sku')} has no price: not imported.",
            )
            return None
        return self._prices.read(regular_cell, row_no, "Regular price", report)
