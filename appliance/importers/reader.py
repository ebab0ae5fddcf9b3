"""The importer's entry point: a catalog file -> batches of Items and an ImportReport.

Streaming: rows are read, mapped and checked for duplicates a batch at a time, so memory
stays flat for a million-row file. A FATAL problem (ragged row, wrong encoding, not CSV …)
stops the yielding of batches; reading goes on to report every such row, then
CatalogRejected is raised. A consumer that writes batches must therefore write them in one
transaction and roll back on CatalogRejected (the replica import does).
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
from collections.abc import Callable, Iterator

from appliance.domain.items import Item
from appliance.importers import shopify, woocommerce
from appliance.importers.errors import CatalogRejected
from appliance.importers.options import ImportOptions
from appliance.importers.report import ImportReport, Severity
from appliance.importers.seen import SeenIndex
from appliance.importers.source import CsvSource, open_source

_SKU, _GTIN = 0, 1


class CatalogReader:
    """`for batch in CatalogReader(path, options): ...`; then `reader.report`.

    `progress(bytes_read)` is called after each batch with how far into the file reading has
    got (for a progress bar over `size`).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        options: ImportOptions,
        *,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.path = pathlib.Path(path)
        self.options = options
        self.report = ImportReport(source=self.path.name)
        self._progress = progress
        self._consumed = False

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def __iter__(self) -> Iterator[list[Item]]:
        if self._consumed:
            raise RuntimeError("A CatalogReader can be iterated once; make a new one.")
        self._consumed = True
        report = self.report
        try:
            fh = open_source(self.path)
        except OSError as err:
            report.add(None, Severity.FATAL, "unreadable", f"Cannot read {self.path}: {err.strerror or err}.")
            raise CatalogRejected(report) from err
        seen = SeenIndex()
        try:
            with fh:
                yield from self._batches(CsvSource(fh, str(self.path), self.options.encoding, report), seen)
        finally:
            seen.close()
        if report.accepted and self.options.strict and report.has_issues():
            n = sum(c for code, c in report.counts.items() if report.worst[code] >= Severity.WARNING)
            report.add(None, Severity.FATAL, "strict", f"--strict: {n} warning(s) or error(s) in the file.")
        if report.accepted and report.variants == 0:
            report.add(
                None,
                Severity.FATAL,
                "no_items",
                "The file holds no importable item: an empty catalog would replace the current one.",
            )
        if not report.accepted:
            raise CatalogRejected(report)

    def _batches(self, source: CsvSource, seen: SeenIndex) -> Iterator[list[Item]]:
        report, options = self.report, self.options
        if not source.start():
            return
        mapper = self._mapper(source.header)
        if mapper is None:
            for _ in source.rows():  # still report every ragged row
                pass
            return
        pending: list[tuple[int, Item]] = []
        size = options.batch_size
        for row_no, fields in source.rows():
            if not report.accepted:
                continue  # keep reading: every ragged row gets reported
            item = mapper.feed(row_no, fields)
            if item is not None:
                pending.append((row_no, item))
                if len(pending) >= size:
                    batch = self._dedupe(pending, seen)
                    pending = []
                    if self._progress is not None:
                        self._progress(source.bytes_read)
                    if self._may_yield():
                        yield batch
        if self._progress is not None:
            self._progress(source.bytes_read)
        if pending and report.accepted:
            batch = self._dedupe(pending, seen)
            if self._may_yield():
                yield batch

    def _may_yield(self) -> bool:
        return self.report.accepted and not (self.options.strict and self.report.has_issues())

    def _mapper(self, header: list[str]) -> shopify.ShopifyMapper | woocommerce.WooCommerceMapper | None:
        report, want = self.report, self.options.format
        found = shopify.detect(header) or woocommerce.detect(header)
        if found is None:
            report.add(1, Severity.FATAL, "unknown_format",
                       "The header is neither a Shopify export (a Handle or URL handle column) nor a WooCommerce "
                       "export (Type, SKU and Regular price columns).")  # fmt: skip
            return None
        if want != "auto" and not found.startswith(want):
            report.add(
                1,
                Severity.FATAL,
                "wrong_format",
                f"--format {want} was asked for, but the header is a {found} export.",
            )
            return None
        report.format = found
        mapper = (
            shopify.ShopifyMapper(header, self.options, report)
            if found.startswith("shopify")
            else woocommerce.WooCommerceMapper(header, self.options, report)
        )
        if mapper.missing:
            report.add(
                1,
                Severity.FATAL,
                "missing_column",
                f"The {found} header lacks required column(s): {', '.join(mapper.missing)}.",
            )
            return None
        return mapper

    def _dedupe(self, pending: list[tuple[int, Item]], seen: SeenIndex) -> list[Item]:
        report = self.report
        taken = seen.claim(_SKU, [(item.sku, row) for row, item in pending])
        if taken:
            kept = []
            for row, item in pending:
                first = taken.get(item.sku)
                if first is not None and first != row:
                    report.add(
                        row,
                        Severity.ERROR,
                        "duplicate_sku",
                        f"SKU {item.sku!r} was already imported from row {first}: this row is not imported.",
                    )
                else:
                    kept.append((row, item))
            pending = kept
        taken = seen.claim(_GTIN, [(item.gtins[0], row) for row, item in pending if item.gtins])
        if not taken:
            out = [item for _, item in pending]
        else:
            out = []
            for row, item in pending:
                first = taken.get(item.gtins[0]) if item.gtins else None
                if first is not None and first != row:
                    report.add(row, Severity.WARNING, "duplicate_gtin",
                               f"GTIN {item.gtins[0]} is already on row {first}: {item.sku} is imported without it "
                               "(scanning it sells the first item).")  # fmt: skip
                    item = dataclasses.replace(item, gtins=())
                out.append(item)
        report.variants += len(out)
        return out


def parse_catalog(path: str | os.PathLike[str], options: ImportOptions) -> tuple[list[Item], ImportReport]:
    """Every Item of a (small) file at once; raises CatalogRejected. Large files: CatalogReader."""
    reader = CatalogReader(path, options)
    items = [item for batch in reader for item in batch]
    return items, reader.report
