"""One process owns a data dir: a second lane on it is refused, naming the owner."""

from __future__ import annotations

import os
import pathlib

import pytest

from appliance.wiring import DataDirInUse, open_stores


async def test_second_owner_is_refused_and_the_lock_is_released(tmp_path: pathlib.Path) -> None:
    async with open_stores(tmp_path):
        with pytest.raises(DataDirInUse, match=f"in use by another lanekit process \\(pid {os.getpid()}\\)"):
            async with open_stores(tmp_path):
                pass
    async with open_stores(tmp_path):  # released on exit
        pass
