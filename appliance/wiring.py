"""Putting a lane's parts together from a data dir: the stores and the catalog import.

Shared by `lanekit demo`, `lanekit run` and `lanekit catalog import`, so each opens the stores and
imports catalogs the same way.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pathlib
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING

from appliance.domain.errors import DomainError
from appliance.domain.items import Item
from appliance.store import paths
from appliance.store.journal import Journal
from appliance.store.replica import Replica
from appliance.store_profile import StoreProfile

if TYPE_CHECKING:
    from appliance.importers.report import ImportReport

SAMPLES = pathlib.Path(__file__).resolve().parent / "importers" / "samples"
SAMPLE_CATALOGS: tuple[pathlib.Path, ...] = (
    SAMPLES / "woocommerce_real_export_gopoma_2024-07-28.csv",
    SAMPLES / "shopify_template_legacy_header.csv",
)


class DataDirInUse(DomainError):
    """Another lane process owns this data dir: two writers would interleave one sale's events."""


@contextlib.contextmanager
def _exclusive(data_dir: pathlib.Path) -> Iterator[None]:
    lock_path = data_dir / "lanekit.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise DataDirInUse(f"The data dir {data_dir} is in use by another lanekit process (pid {owner}).") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextlib.asynccontextmanager
async def open_stores(data_dir: pathlib.Path) -> AsyncIterator[tuple[Replica, Journal]]:
    """The lane's stores, owned by this process alone (a lock file in the data dir)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(data_dir):
        async with Replica(paths.replica_path(data_dir)) as replica, Journal(paths.journal_path(data_dir)) as journal:
            yield replica, journal


async def import_catalogs(replica: Replica, files: Sequence[pathlib.Path], profile: StoreProfile,
                          *, decimal_comma: bool = False, strict: bool = False) -> list[ImportReport]:
    """Replace the catalog with the files' items (adapted by the store profile) plus the store's own items.

    All or nothing: a rejected file raises CatalogRejected and the previous catalog stays.
    """
    from appliance.importers.options import ImportOptions  # the lane itself never needs the importer
    from appliance.importers.reader import CatalogReader

    options = ImportOptions(currency=profile.currency, decimal_comma=decimal_comma, strict=strict)
    readers = [CatalogReader(f, options) for f in files]

    def items() -> Iterator[Item]:
        for reader in readers:
            for batch in reader:
                for item in batch:
                    yield profile.adapt(item)
        yield from profile.items

    await replica.replace_catalog(items())
    return [r.report for r in readers]
