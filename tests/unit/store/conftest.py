from __future__ import annotations

import pathlib
from collections.abc import AsyncIterator

import pytest

from appliance.store.journal import Journal


@pytest.fixture
async def journal(tmp_path: pathlib.Path) -> AsyncIterator[Journal]:
    async with Journal(tmp_path / "journal.db") as j:
        yield j
