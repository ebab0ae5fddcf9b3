"""Catalog files (Shopify, WooCommerce exports) -> Items, for the lane's replica and for HQ.

    reader = CatalogReader(path, ImportOptions(currency="EUR"))
    for batch in reader:        # list[Item], streaming; CatalogRejected on a fatal problem
        ...
    reader.report               # ImportReport: counts, problems with row numbers

`parse_catalog(path, options)` returns every Item at once (small files, tests).
"""

from appliance.importers.errors import CatalogImportError, CatalogRejected
from appliance.importers.options import ImportOptions
from appliance.importers.reader import CatalogReader, parse_catalog
from appliance.importers.report import ImportReport, Problem, Severity

__all__ = [
    "CatalogImportError",
    "CatalogReader",
    "CatalogRejected",
    "ImportOptions",
    "ImportReport",
    "Problem",
    "Severity",
    "parse_catalog",
]
