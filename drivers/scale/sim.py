"""A simulated scale on a pseudo-terminal pair: the driver opens `sim.port` exactly as it opens hardware.

    async with ScaleSim("toledo8217") as sim:
        sim.set(Decimal("1.250"))                     # a stable 1.250 kg
        sim.script(SimReading(Decimal("0.8"), motion=True), SimReading(Decimal("1.25")))
        sim.inject(b"\\x00noise")                     # garbage before the next reply
        sim.byte_at_a_time = True                     # replies trickle in one byte per read
        async with Toledo8217Scale(sim.port, settings=PTY_SETTINGS) as scale: ...

Each simulator is its own object (no module-level wire state); it runs on the caller's event loop.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import logging
import os
import tty
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import Self

from drivers.events import WeightUnit
from drivers.scale.sim_sides import make_side

log = logging.getLogger(__name__)

SIM_PROTOCOLS = ("toledo8217", "toledo8213", "nci", "sics", "dialog06", "epelsa", "cas22", "dini")


@dataclass(frozen=True, slots=True)
class SimReading:
    """What is on the platter. `value` is in the simulator's unit."""

    value: Decimal = Decimal(0)
    motion: bool = False
    overload: bool = False
    under_zero: bool = False
    net: bool = False
    below_minimum: bool = False


class ScaleSim:
    def __init__(
        self,
        protocol: str,
        *,
        unit: WeightUnit = WeightUnit.KG,
        variant: str = "",
        byte_delay: float = 0.002,
        frame_interval: float = 0.05,
    ) -> None:
        self.protocol = protocol
        self.unit = unit
        self.byte_at_a_time = False
        self.byte_delay = byte_delay
        self.frame_interval = frame_interval
        self.silent = False  # swallow requests without answering (timeouts)
        self.report_once = False  # Toledo: answer an unchanged weight with a bare status byte
        self.current = SimReading()
        self.tare_value = Decimal(0)
        self.received = bytearray()  # every byte the driver sent, for byte-exact assertions
        self.requests: list[bytes] = []  # the same, cut into requests
        self._script: collections.deque[SimReading] = collections.deque()
        self._garbage = bytearray()
        self._side = make_side(self, protocol, variant)
        self._out: asyncio.Queue[bytes] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._master = self._slave = -1
        self.port = ""

    # -- scripting ----------------------------------------------------------------------------

    def set(self, value: Decimal | SimReading, **flags: bool) -> None:
        """Put a reading on the platter now (drops any scripted sequence)."""
        self._script.clear()
        self.current = value if isinstance(value, SimReading) else SimReading(Decimal(value), **flags)

    def script(self, *readings: SimReading) -> None:
        """Readings the next requests (or frames) get in turn; the last one then stays on the platter."""
        self._script.extend(readings)

    def inject(self, garbage: bytes) -> None:
        """Bytes sent ahead of the next reply (or frame)."""
        self._garbage += garbage

    def send_raw(self, data: bytes) -> None:
        """Bytes on the wire now, unasked: line noise, or a reply arriving late."""
        self._out.put_nowait(bytes(data))

    def next_reading(self) -> SimReading:
        if self._script:
            self.current = self._script.popleft()
        return self.current

    def apply_zero(self) -> bool:
        if self.current.motion or self.current.overload:
            return False
        self.current = dataclasses.replace(self.current, value=Decimal(0), under_zero=False, net=False)
        self.tare_value = Decimal(0)
        return True

    def apply_tare(self) -> bool:
        if self.current.motion or self.current.overload:
            return False
        self.tare_value = self.current.value
        self.current = dataclasses.replace(self.current, value=Decimal(0), net=True)
        return True

    def preset_tare(self, tare: Decimal) -> bool:
        """A digital tare: what is on the platter now reads `tare` less, as net."""
        if self.current.motion:
            return False
        self.current = dataclasses.replace(self.current, value=self.current.value + self.tare_value - tare,
                                           net=tare != 0)
        self.tare_value = tare
        return True

    def clear_tare(self) -> bool:
        if self.current.motion:
            return False
        self.current = dataclasses.replace(self.current, value=self.current.value + self.tare_value, net=False)
        self.tare_value = Decimal(0)
        return True

    # -- the wire -----------------------------------------------------------------------------

    async def start(self) -> str:
        loop = asyncio.get_running_loop()
        self._master, self._slave = os.openpty()
        # Raw at once: a cooked pty would echo the sim's own replies back to it as requests.
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.port = os.ttyname(self._slave)
        loop.add_reader(self._master, self._on_readable)
        self._tasks.append(loop.create_task(self._writer(), name=f"scale-sim-writer-{self.protocol}"))
        if self._side.continuous:
            self._tasks.append(loop.create_task(self._emitter(), name=f"scale-sim-emitter-{self.protocol}"))
        log.info("scale simulator %s on %s", self.protocol, self.port)
        return self.port

    def _on_readable(self) -> None:
        try:
            data = os.read(self._master, 4096)
        except BlockingIOError:
            return
        except OSError:  # EIO: no process holds the slave open any more
            return
        self.received += data
        replies = self._side.on_bytes(data)
        if not self.silent:
            for reply in replies:
                self._send(reply)

    def _send(self, reply: bytes) -> None:
        self._out.put_nowait(bytes(self._garbage) + reply)
        self._garbage.clear()

    async def _emitter(self) -> None:
        while True:
            if not self.silent:
                self._send(self._side.frame(self.next_reading()))
            await asyncio.sleep(self.frame_interval)

    async def _writer(self) -> None:
        while True:
            chunk = await self._out.get()
            pieces = [chunk[i : i + 1] for i in range(len(chunk))] if self.byte_at_a_time else [chunk]
            for piece in pieces:
                try:
                    os.write(self._master, piece)
                except BlockingIOError:
                    log.debug("scale sim %s: nobody reads the port, dropped %r", self.protocol, piece)
                except OSError as err:
                    log.debug("scale sim %s: write failed: %s", self.protocol, err)
                    return
                if self.byte_at_a_time:
                    await asyncio.sleep(self.byte_delay)

    async def close(self) -> None:
        """Stop and pull the plug: a driver still on the port sees the device vanish."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._master >= 0:
            asyncio.get_running_loop().remove_reader(self._master)
            os.close(self._master)
            os.close(self._slave)
            self._master = self._slave = -1

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
