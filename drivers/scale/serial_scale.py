"""The shared request/reply engine of every serial scale protocol.

A protocol module supplies a `Protocol` descriptor (data: default serial settings, framing bytes,
command bytes) and a parser; this class does the exchange: drop stale input, write the request,
feed replies through the framer until a typed reply arrives or the deadline passes.
"""

from __future__ import annotations

import abc
import asyncio
import collections
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from drivers.events import DeviceTimeout, FrameError, ScaleState, ScaleStatus, WeightUnit
from drivers.scale.base import CommandUnsupported, Reading, Scale
from drivers.scale.config import ScaleConfig, ScaleConfigError, SerialSettings
from drivers.scale.framing import Framer
from drivers.scale.link import SerialLink

if TYPE_CHECKING:
    from drivers.scale.sim import ScaleSim

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Ack:
    """A bare acknowledgement (ACK/NAK, MT-SICS `Z A`, Toledo echo): `ok` says which."""

    ok: bool
    detail: str = ""


Reply = Reading | Ack


@dataclass(frozen=True, slots=True)
class Protocol:
    name: str
    serial: SerialSettings  # the documented default; configuration may override
    start: bytes | None  # None: line framing
    end: bytes
    weigh: bytes | None  # None: the scale pushes frames by itself (continuous output)
    zero: bytes | None = None
    tare: bytes | None = None
    max_frame: int = 64
    singles: bytes = b""
    units: frozenset[WeightUnit] = frozenset(WeightUnit)  # units configurable for unit-less replies


class SerialScale(Scale):
    PROTOCOL: ClassVar[Protocol]
    # After a timeout a late reply may still be on its way: wait this long and drop it before the next request.
    SETTLE = 0.05

    def __init__(
        self,
        port: str,
        *,
        settings: SerialSettings | None = None,
        unit: WeightUnit = WeightUnit.KG,
        name: str = "scale",
        timeout: float = 2.0,
    ) -> None:
        super().__init__(name=name, timeout=timeout)
        proto = self.PROTOCOL
        if unit not in proto.units:
            allowed = ", ".join(sorted(u.value for u in proto.units))
            raise ScaleConfigError(f"{proto.name} replies cannot be in {unit.value}; use one of {allowed}", "$.unit")
        self.unit = unit
        self.settings = settings or proto.serial
        self._framer: Framer[Reply] = Framer(
            self._parse, start=proto.start, end=proto.end, max_len=proto.max_frame, singles=proto.singles
        )
        self._link = SerialLink(port, self.settings, name=name)
        self._dirty = False
        self.rejected: collections.deque[FrameError] = collections.deque(maxlen=32)  # recent, for diagnostics
        self._rejected_now = 0
        self.sim: ScaleSim | None = None  # set by open_scale for the sim backend; closed with the scale
        self._is_shutdown = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "PROTOCOL" in cls.__dict__:
            cls.protocol = cls.PROTOCOL.name

    def apply_options(self, config: ScaleConfig) -> None:
        """Take the protocol-specific keys of the configuration (most protocols have none)."""

    @property
    def port(self) -> str:
        return self._link.port

    @abc.abstractmethod
    def _parse(self, frame: bytes) -> Reply | FrameError: ...

    async def _weigh(self, timeout: float) -> Reading:
        reply = await self._transact(self.PROTOCOL.weigh, timeout)
        if isinstance(reply, Ack):
            return ScaleStatus(ScaleState.ERROR, self.name, f"unexpected acknowledgement to a weight request: {reply.detail}")
        return reply

    async def _zero(self, timeout: float) -> ScaleStatus:
        return self._as_status(await self._command(self.PROTOCOL.zero, "zero", timeout), "zero")

    async def _tare(self, timeout: float) -> ScaleStatus:
        return self._as_status(await self._command(self.PROTOCOL.tare, "tare", timeout), "tare")

    async def _command(self, request: bytes | None, what: str, timeout: float) -> Reply:
        if request is None:
            raise CommandUnsupported(self.PROTOCOL.name, what)
        return await self._transact(request, timeout)

    def _as_status(self, reply: Reply, what: str) -> ScaleStatus:
        if isinstance(reply, ScaleStatus):
            return reply
        if isinstance(reply, Ack):
            state = ScaleState.OK if reply.ok else ScaleState.ERROR
            return ScaleStatus(state, self.name, reply.detail or f"{what} {'done' if reply.ok else 'refused'}")
        return ScaleStatus(ScaleState.OK, self.name, f"{what} done; now {reply.value} {reply.unit.value}")

    async def _transact(self, request: bytes | None, timeout: float) -> Reply:
        """Write `request` (None: just listen) and return the first typed reply after it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        if self._dirty:
            await asyncio.sleep(self.SETTLE)
            self._dirty = False
        dropped = self._link.discard_input()
        if dropped:
            log.debug("%s: dropped %d stale bytes before %r", self.name, dropped, request)
        self._framer.clear()
        self._rejected_now = 0
        if request is not None:
            await self._link.write(request)
        while True:
            remaining = deadline - loop.time()
            try:
                if remaining <= 0:
                    raise TimeoutError
                data = await asyncio.wait_for(self._link.read(), remaining)
            except TimeoutError as err:
                self._dirty = True
                raise DeviceTimeout(self._timeout_message(request, timeout)) from err
            for result in self._framer.feed(data):
                if isinstance(result, FrameError):
                    # Listening starts mid-frame on a continuous scale: that first tail is expected.
                    level = logging.DEBUG if request is None and not self._rejected_now else logging.WARNING
                    self.rejected.append(result)
                    self._rejected_now += 1
                    log.log(level, "%s: rejected frame %r: %s", self.name, result.data, result)
                    continue
                return result

    def _timeout_message(self, request: bytes | None, timeout: float) -> str:
        what = f"answer {request!r}" if request is not None else "send a frame"
        msg = f"{self.name} ({self.PROTOCOL.name} on {self.port}) did not {what} within {timeout:g} s"
        if self._rejected_now:
            last = self.rejected[-1]
            msg += f"; {self._rejected_now} frame(s) rejected, last: {last}"
            if self.settings.bytesize == 8 and any(b & 0x80 for b in last.data):
                msg += "; bytes with bit 7 set suggest a 7-bit scale on a port set to 8 bits"
        else:
            msg += "; check the cable, the port and the serial settings"
        return msg

    async def _close(self) -> None:
        self._link.close()
        if self.sim is not None:
            await self.sim.close()
