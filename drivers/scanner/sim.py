"""The recorded-events simulator: replays a /dev/input byte stream through the real wedge decoder.

Chosen by config like hardware (`backend = "sim"`, `file = ...`). Only the byte source differs
from `evdev_wedge`: parsing, keymap, framing and AIM handling are the same objects.
"""

from __future__ import annotations

import asyncio
import contextlib
import pathlib

from drivers.events import DeviceInitError, FrameError, Scan
from drivers.scanner.base import Scanner
from drivers.scanner.evdev_stream import record_struct
from drivers.scanner.settings import SimSettings
from drivers.scanner.wedge_decoder import WedgeStream

CHUNK_RECORDS = 64  # like one read() of a busy evdev node


class SimScanner(Scanner):
    """`SimScanner(SimSettings(file="scan.evdev", layout="de"))`, or pass `stream=` bytes directly."""

    backend = "sim"
    Settings = SimSettings

    def __init__(self, settings: SimSettings, *, name: str = "", stream: bytes | None = None) -> None:
        super().__init__(name=name)
        self.settings = settings
        self._stream = stream
        self._task: asyncio.Task[None] | None = None
        self._pipeline = WedgeStream(settings, device=name)  # a bad layout fails here, before open

    @classmethod
    def from_bytes(cls, stream: bytes, *, name: str = "sim", **options: object) -> SimScanner:
        import msgspec

        settings = msgspec.convert({"file": "<memory>", **options}, SimSettings)
        return cls(settings, name=name, stream=stream)

    async def _open(self) -> None:
        data = self._stream
        if data is None:
            try:
                data = await asyncio.to_thread(pathlib.Path(self.settings.file).read_bytes)
            except OSError as err:
                raise DeviceInitError(f"recorded stream {self.settings.file!r} cannot be read: {err}") from err
        self._task = asyncio.create_task(self._replay(data, self._pipeline), name=f"sim-scanner-{self.name}")

    async def _replay(self, data: bytes, pipeline: WedgeStream) -> None:
        rec = record_struct(self.settings.event_format)
        if not self.settings.realtime:
            step = rec.size * CHUNK_RECORDS
            for start in range(0, len(data), step):
                self._deliver_all(pipeline.feed(data[start : start + step]))
                await asyncio.sleep(0)  # let readers run between chunks, as a device would
        else:
            last: float | None = None
            for start in range(0, len(data), rec.size):
                record = data[start : start + rec.size]
                if len(record) == rec.size:
                    sec, usec = rec.unpack(record)[:2]
                    now = sec + usec / 1e6
                    if last is not None and 0 < now - last < 5:
                        await asyncio.sleep(now - last)
                    last = now
                self._deliver_all(pipeline.feed(record))
        self._deliver_all(pipeline.end())
        self._finish(None)

    def _deliver_all(self, items: list[Scan | FrameError]) -> None:
        for item in items:
            self._deliver(item)

    async def _close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
