"""The async serial facade on a real pty: writes never block the loop, a vanished device is typed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tty
from collections.abc import Iterator

import pytest

from drivers.events import DeviceOperationError, DeviceTimeout
from drivers.scale import PTY_SETTINGS
from drivers.scale.link import SerialLink


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, str]]:
    master, slave = os.openpty()
    tty.setraw(slave)
    yield master, os.ttyname(slave)
    for fd in (master, slave):
        with contextlib.suppress(OSError):  # a test may have closed the master already
            os.close(fd)


async def test_a_stalled_write_times_out_without_blocking_the_loop(pty_pair: tuple[int, str]) -> None:
    _master, port = pty_pair  # nobody reads the master: the pty's buffer fills up
    link = SerialLink(port, PTY_SETTINGS, name="stall")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    try:
        with pytest.raises(DeviceTimeout, match="bytes still unsent"):
            await link.write(b"W" * 1_000_000, timeout=0.3)
    finally:
        task.cancel()
        link.close()
    assert ticks >= 5  # the loop kept running while the write waited


async def test_bytes_arrive_and_a_closed_far_end_is_an_operation_error(pty_pair: tuple[int, str]) -> None:
    master, port = pty_pair
    link = SerialLink(port, PTY_SETTINGS, name="link")
    try:
        os.write(master, b"\x0201.250\r")
        assert await asyncio.wait_for(link.read(), 2) == b"\x0201.250\r"
        await link.write(b"W")
        assert os.read(master, 10) == b"W"
        os.close(master)
        with pytest.raises(DeviceOperationError, match="unplugged"):
            await asyncio.wait_for(link.read(), 2)
    finally:
        link.close()
