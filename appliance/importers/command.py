"""`lanekit catalog import FILE`: read a Shopify or WooCommerce export, report, write the replica.

The replica's catalog is replaced in one swap (`Replica.replace_catalog`): a rejected file, a
refused item or a crash leaves the previous catalog untouched. When the data dir holds a store
profile (`store.toml`, or `--store-file`), its currency is used, its tax classes and overrides
are applied to each item and its own items (PLU produce, weighed goods …) are added.

Exit status: 0 imported (warnings are listed in the summary), 1 the file was rejected and the
catalog is unchanged, 2 bad command line or store profile.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import pathlib
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, TextIO

from appliance.domain.errors import DomainError
from appliance.domain.items import Item
from appliance.importers.errors import CatalogImportError, CatalogRejected
from appliance.importers.options import ImportOptions
from appliance.importers.reader import CatalogReader
from appliance.store import paths
from appliance.store.errors import CatalogRejected as ReplicaRefused
from appliance.store.errors import StoreError
from appliance.store.replica import Replica

if TYPE_CHECKING:
    from appliance.store_profile import StoreProfile

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
    imp.add_argument(
        "--currency",
        default=None,
        help="ISO 4217 currency of the prices (default: the store profile's, else EUR)",
    )
    imp.add_argument(
        "--encoding", default="utf-8", help="text encoding of the file (default utf-8; a BOM is fine)"
    )
    imp.add_argument("--check", action="store_true", help="only read and report; change nothing")
    imp.add_argument(
        "--store-file",
        metavar="TOML",
        default=None,
        help="store profile (default: DATA_DIR/store.toml if present)",
    )
    imp.add_argument(
        "--progress", choices=("auto", "on", "off"), default="auto", help="progress bar on stderr"
    )
    paths.add_data_dir_argument(imp)


async def run(args: argparse.Namespace) -> int:
    data_dir = paths.data_dir(args.data_dir)
    try:
        profile = _profile(args.store_file, data_dir)
        currency = (args.currency or (profile.currency if profile else "EUR")).upper()
        if profile is not None and currency != profile.currency:
            raise CatalogImportError(
                f"--currency {currency} differs from the store profile's currency {profile.currency}."
            )
        options = ImportOptions(
            currency=currency,
            format=args.format,
            decimal_comma=args.decimal_comma,
            strict=args.strict,
            encoding=args.encoding,
        )
    except (CatalogImportError, DomainError) as err:
        print(f"lanekit catalog import: {err}", file=sys.stderr)
        return 2
    return await import_file(
        pathlib.Path(args.file), options, replica_path=None if args.check else paths.replica_path(data_dir),
        profile=profile, progress=args.progress,
    )  # fmt: skip


def _profile(store_file: str | None, data_dir: pathlib.Path) -> StoreProfile | None:
    from appliance.store_profile import load_profile

    if store_file:
        return load_profile(store_file)
    default = data_dir / "store.toml"
    return load_profile(default) if default.is_file() else None


async def import_file(
    path: pathlib.Path,
    options: ImportOptions,
    *,
    replica_path: pathlib.Path | None,
    profile: StoreProfile | None = None,
    progress: str = "auto",
    out: TextIO | None = None,
) -> int:
    """Read `path`; unless `replica_path` is None, swap its items into that replica. Returns the exit status."""
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
        if replica_path is None:
            written = sum(len(batch) for batch in reader)
        else:
            replica_path.parent.mkdir(parents=True, exist_ok=True)
            adapt = profile.adapt if profile is not None else None
            async with (
                Replica(replica_path) as replica,
                replica.snapshot() as snapshot,
                contextlib.aclosing(_prefetched(reader)) as batches,
            ):
                async for batch in batches:
                    await snapshot.add(batch if adapt is None else [adapt(item) for item in batch])
                if profile is not None:
                    await snapshot.add(profile.items)
                written = await snapshot.commit()
    except CatalogRejected as err:
        log.warning("%s", err)
        print(reader.report.summary(), file=out)
        return 1
    except (ReplicaRefused, StoreError) as err:
        log.warning("catalog import of %s refused by the replica: %s", path, err)
        print(reader.report.summary(), file=out)
        print(f"The replica refused the catalog, the previous one is kept: {err}", file=out)
        return 1
    finally:
        if bar is not None:
            bar.refresh()  # show where it ended, however fast that was
            bar.close()
    print(reader.report.summary(), file=out)
    if replica_path is None:
        print(f"{written} items in {options.currency}: checked only, nothing written.", file=out)
    else:
        extra = f" ({len(profile.items)} from the store profile)" if profile and profile.items else ""
        print(f"{written} items{extra} in {options.currency} now in the replica {replica_path}.", file=out)
    return 0


async def _prefetched(reader: CatalogReader) -> AsyncIterator[list[Item]]:
    """The reader's batches, the next one parsed in a worker thread while this one is written.

    sqlite3 releases the GIL while it steps, so on two cores parsing and writing overlap.
    """
    loop = asyncio.get_running_loop()
    batches = iter(reader)
    pending = loop.run_in_executor(None, next, batches, None)
    try:
        while (batch := await pending) is not None:
            pending = loop.run_in_executor(None, next, batches, None)
            yield batch
    finally:
        # Never leave the reader running in the thread: it would outlive the snapshot's abort.
        if not pending.done():
            await asyncio.wait([pending])
        if not pending.cancelled():
            pending.exception()  # retrieved: whatever ends the import is already on its way up
