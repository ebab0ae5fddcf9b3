"""`lanekit catalog import FILE`: read a Shopify or WooCommerce export, report, write the replica.

Exit status: 0 imported (warnings are listed in the summary), 1 the file was rejected and
the catalog is unchanged, 2 bad command line.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from typing import TextIO

from appliance.domain.errors import MoneyError
from appliance.domain.items import Item
from appliance.importers.errors import CatalogImportError, CatalogRejected
from appliance.importers.options import ImportOptions
from appliance.importers.reader import CatalogReader

log = logging.getLogger("lanekit.catalog")
PROGRESS_FROM_BYTES = 8 << 20  # smaller files finish before a bar would be any use


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = sub.add_parser("import", help="import a catalog CSV export into the replica")
    imp.add_argument("file", metavar="FILE", help="Shopify or WooCommerce product CSV export")
    imp.add_argument(
        "--format",
        choices=("auto", "shopify", "woocommerce"),
        default="auto",
        help="default: from the header",
    )
    imp.add_argument("--decimal-comma", action="store_true", help="prices and weights are written 2,99")
    imp.add_argument(
        "--strict", action="store_true", help="reject the file on any warning (bad check digit, …)"
    )
    imp.add_argument("--currency", default="EUR", help="ISO 4217 currency of the prices (default EUR)")
    imp.add_argument(
        "--encoding", default="utf-8", help="text encoding of the file (default utf-8; a BOM is fine)"
    )
    imp.add_argument("--check", action="store_true", help="only read and report; change nothing")
    imp.add_argument(
        "--progress", choices=("auto", "on", "off"), default="auto", help="progress bar on stderr"
    )


def run(args: argparse.Namespace) -> int:
    try:
        options = ImportOptions(
            currency=args.currency.upper(),
            format=args.format,
            decimal_comma=args.decimal_comma,
            strict=args.strict,
            encoding=args.encoding,
        )
    except (CatalogImportError, MoneyError) as err:
        print(f"lanekit catalog import: {err}", file=sys.stderr)
        return 2
    return import_file(args.file, options, check=args.check, progress=args.progress)


def import_file(
    path: str, options: ImportOptions, *, check: bool, progress: str = "auto", out: TextIO | None = None
) -> int:
    out = out or sys.stdout
    bar = None
    reader = CatalogReader(path, options)
    try:
        size = reader.size
    except OSError:
        size = 0
    if progress == "on" or (progress == "auto" and size >= PROGRESS_FROM_BYTES and sys.stderr.isatty()):
        from tqdm import tqdm

        bar = tqdm(total=size, unit="B", unit_scale=True, desc="import", file=sys.stderr, leave=False)
        reader = CatalogReader(path, options, progress=lambda done: bar.update(done - bar.n))
    try:
        count = _consume(reader)
    except CatalogRejected as err:
        log.warning("%s", err)
        print(reader.report.summary(), file=out)
        return 1
    finally:
        if bar is not None:
            bar.close()
    print(reader.report.summary(), file=out)
    note = "checked only, nothing written" if check else "checked only: the replica writer is not wired yet"
    print(f"{count} items in {options.currency} ({note}).", file=out)
    return 0


def _consume(batches: Iterator[list[Item]] | CatalogReader) -> int:
    return sum(len(batch) for batch in batches)
