"""Both databases of one data directory, opened and closed together."""

from __future__ import annotations

import os
import pathlib
from types import TracebackType

from appliance.store import paths
from appliance.store.journal import Journal
from appliance.store.outbox import Outbox
from appliance.store.replica import Replica


class Store:
    """`async with Store(paths.data_dir(args.data_dir)) as s: s.replica, s.journal, s.outbox`."""

    def __init__(self, root: str | os.PathLike[str], *, journal_max_bytes: int | None = None) -> None:
        self.root = pathlib.Path(root)
        self.replica = Replica(paths.replica_path(self.root))
        self.journal = Journal(paths.journal_path(self.root), max_bytes=journal_max_bytes)

    @property
    def outbox(self) -> Outbox:
        return self.journal.outbox

    async def open(self) -> Store:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o750)
        await self.journal.open()
        try:
            await self.replica.open()
        except BaseException:
            await self.journal.close()
            raise
        return self

    async def close(self) -> None:
        try:
            await self.replica.close()
        finally:
            await self.journal.close()

    async def __aenter__(self) -> Store:
        return await self.open()

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
