"""Mettler Toledo MT-SICS (lab balances, weigh modules): `S`, `SI`, `Z`, `T`, lines ending CR LF.

The second token carries the meaning (`S S` stable, `S D` dynamic, `S I` not executable, `S +`
overload, `S -` underload); a minus sign on the value is an ordinary signed weight, not underload
(scale_protocols.md §4).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import ClassVar

from drivers.events import FrameError, ScaleState, ScaleStatus, Weight, WeightUnit
from drivers.scale.config import ScaleConfig, SerialSettings
from drivers.scale.serial_scale import Ack, Protocol, Reply, SerialScale

CRLF = b"\r\n"
_UNITS = {b"g": WeightUnit.G, b"kg": WeightUnit.KG, b"lb": WeightUnit.LB, b"oz": WeightUnit.OZ}
_LINE = re.compile(rb"(S|SI|Z|ZI|T|ES|ET|EL)(?: ([SDIA+\-]))?(?: +(-?\d+(?:\.\d+)?) +([A-Za-z]+))?\r\n")
_ERRORS = {b"ES": "syntax error (ES): the balance did not recognise the command",
           b"ET": "transmission error (ET): the balance received a bad byte",
           b"EL": "logical error (EL): the balance cannot execute the command"}
_LIMIT = {b"S": ("overload range", "underload range"), b"Z": ("upper limit of the zero range", "lower limit of the zero range"),
          b"T": ("upper limit of the taring range", "lower limit of the taring range")}


def parse_line(line: bytes) -> Reply | FrameError:
    m = _LINE.fullmatch(line)
    if m is None:
        return FrameError(f"not an MT-SICS reply: {line!r}", 0)
    cmd, status, value, unit = m.group(1), m.group(2), m.group(3), m.group(4)
    if cmd in _ERRORS:
        if status or value:
            return FrameError(f"error reply {cmd.decode()} carries extra fields", 2)
        return ScaleStatus(ScaleState.ERROR, detail=_ERRORS[cmd])
    if status is None:
        return FrameError(f"{cmd.decode()} reply lacks its status token", len(cmd))
    head = cmd[:1]
    has_value = value is not None
    if status in (b"S", b"D") and head in (b"S", b"T") and has_value:
        weight_unit = _UNITS.get(unit)
        if weight_unit is None:
            return FrameError(f"unit {unit.decode()!r} is not one Lanekit weighs in", m.start(4))
        weight = Weight(Decimal(value.decode()), weight_unit)
        if status == b"D":
            return ScaleStatus(ScaleState.MOTION, detail=f"dynamic value {value.decode()} {unit.decode()}")
        return weight
    if has_value:
        return FrameError(f"status {status.decode()} takes no weight value", m.start(3))
    if status == b"A" and head == b"Z":
        return Ack(True, "zero set")
    if status == b"I":
        return ScaleStatus(ScaleState.MOTION, detail="command not executable: busy or no stability reached")
    if status in (b"+", b"-") and head in _LIMIT:
        over, under = _LIMIT[head]
        if head == b"S":
            state = ScaleState.OVER_CAPACITY if status == b"+" else ScaleState.UNDER_ZERO
        else:
            state = ScaleState.ZERO_ERROR if head == b"Z" else ScaleState.ERROR
        return ScaleStatus(state, detail=over if status == b"+" else under)
    return FrameError(f"status {status.decode()} is not valid after {cmd.decode()}", len(cmd) + 1)


class SicsScale(SerialScale):
    PROTOCOL = Protocol(
        name="sics", serial=SerialSettings(9600, 8, "N", 1), start=None, end=CRLF,
        weigh=b"S\r\n", zero=b"Z\r\n", tare=b"T\r\n", max_frame=48,
    )
    IMMEDIATE: ClassVar[bytes] = b"SI\r\n"
    immediate = False  # True: `SI` (a dynamic value comes back as MOTION) instead of `S`

    def apply_options(self, config: ScaleConfig) -> None:
        self.immediate = config.sics_command == "SI"

    def _parse(self, frame: bytes) -> Reply | FrameError:
        return parse_line(frame)

    async def _weigh(self, timeout: float) -> Weight | ScaleStatus:
        reply = await self._transact(self.IMMEDIATE if self.immediate else self.PROTOCOL.weigh, timeout)
        if isinstance(reply, Ack):
            return ScaleStatus(ScaleState.ERROR, self.name, f"unexpected reply to a weight request: {reply.detail}")
        return reply
