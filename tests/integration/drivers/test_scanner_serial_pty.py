"""Serial scanners over a real pty (os.openpty): the same pyserial code path as a ttyACM/ttyUSB port."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest

from drivers.events import DeviceGone, DeviceInitError, DeviceTimeout, FrameError, Scan
from drivers.scanner import open_scanner


@pytest.fixture
def pty() -> Iterator[tuple[int, str]]:
    master, slave = os.openpty()
    path = os.ttyname(slave)
    yield master, path
    for fd in (master, slave):
        try:
            os.close(fd)
        except OSError:
            pass


async def test_suffix_framing_with_aim_prefix_and_binary_data(pty: tuple[int, str]) -> None:
    master, path = pty
    config = {"backend": "serial", "port": path, "baudrate": 115200, "suffix": "\r\n", "aim_prefix": True}
    async with open_scanner(config, name="counter") as scanner:
        # a GS1 DataMatrix with GS, then a binary-safe payload containing NUL and 0xFF, split anywhere
        os.write(master, b"]d2011231231231233310ABC123\x1d99TES")
        await asyncio.sleep(0.01)
        os.write(master, b"TING\r\n]Q0\x00\xff\x1d\r")
        os.write(master, b"\n")
        first = await scanner.read(timeout=5)
        second = await scanner.read(timeout=5)
    assert first == Scan(b"011231231231233310ABC123\x1d99TESTING", "]d2", "counter")
    assert second == Scan(b"\x00\xff\x1d", "]Q0", "counter")


async def test_idle_gap_framing_without_suffix(pty: tuple[int, str]) -> None:
    master, path = pty
    async with open_scanner({"backend": "serial", "port": path, "suffix": "", "idle_gap_ms": 40}) as scanner:
        for byte in b"4006381333931":  # byte at a time, as a slow scanner delivers it
            os.write(master, bytes([byte]))
        assert await scanner.read(timeout=5) == Scan(b"4006381333931")
        os.write(master, b"12345670")
        assert await scanner.read(timeout=5) == Scan(b"12345670")


async def test_stx_etx_framing_rejects_line_noise_and_keeps_going(pty: tuple[int, str]) -> None:
    master, path = pty
    config = {"backend": "serial", "port": path, "prefix": "\x02", "suffix": "\x03"}
    async with open_scanner(config) as scanner:
        os.write(master, b"\xfe\x00noise\x0212345670\x03\x02half\x0296385274\x03")
        items = []
        async for item in scanner.events(timeout=5):
            items.append(item)
            if len(items) == 4:
                break
    assert isinstance(items[0], FrameError) and items[0].offset == 0 and items[0].data == b"\xfe\x00noise"
    assert items[1] == Scan(b"12345670")
    assert isinstance(items[2], FrameError) and items[2].offset == 18 and "restarted" in items[2].reason
    assert items[3] == Scan(b"96385274")


async def test_read_timeout_and_unplug(pty: tuple[int, str]) -> None:
    master, path = pty
    async with open_scanner({"backend": "serial", "port": path}) as scanner:
        with pytest.raises(DeviceTimeout):
            await scanner.read(timeout=0.05)
        os.close(master)  # the far end vanishes, as an unplugged USB-serial adapter does
        with pytest.raises(DeviceGone):
            await scanner.read(timeout=5)


async def test_missing_port_fails_to_open() -> None:
    scanner = open_scanner({"backend": "serial", "port": "/dev/ttyACM_lanekit_missing"})
    with pytest.raises(DeviceInitError, match="ttyACM_lanekit_missing"):
        await scanner.open()
    await scanner.close()
