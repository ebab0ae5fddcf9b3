"""Errors of the catalog importers.

    CatalogImportError          a catalog file could not be imported
    └── CatalogRejected         the file as a whole is refused; `.report` lists every reason
                                with its row number, and nothing was imported

Problems with single rows are not exceptions: they are `Problem`s in the `ImportReport`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.importers.report import ImportReport


class CatalogImportError(Exception):
    pass


class CatalogRejected(CatalogImportError):
    def __init__(self, report: ImportReport) -> None:
        self.report = report
        reasons = report.fatal()
        first = reasons[0] if reasons else None
        where = f" (row {first.row})" if first and first.row else ""
        more = f" and {len(reasons) - 1} more reason(s)" if len(reasons) > 1 else ""
        super().__init__(
            f"Catalog {report.source} was rejected, nothing was imported: "
            f"{first.message.rstrip('.') if first else 'unknown reason'}{where}{more}."
        )
