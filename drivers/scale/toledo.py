"""Mettler Toledo 8217 and 8213 ("weight only") protocols.

Request `W` (no CR); reply `STX weight [N] CR` or `STX ? status CR` (scale_protocols.md §1, §2).
The reply carries no unit: the unit comes from configuration, except that a reply without a decimal
point is the grams format (`STX 0XXXXX CR`) and is read as grams, never as kilograms.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import ClassVar

from drivers.events import FrameError, ScaleState, ScaleStatus, Weight, WeightUnit
from drivers.scale.config import SerialSettings
from drivers.scale.serial_scale import Ack, Protocol, Reply, SerialScale

STX, CR = b"\x02", b"\r"
ECHO_REPLY = b"\x02E\r"

# Status byte (DIVA service manual 6.1.4.3); bit 7 is parity, bit 6 is always 1.
MOTION, OVER, UNDER, OUTSIDE_ZERO, CENTER_ZERO, NET = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
_FLAG_NAMES = {MOTION: "in motion", OVER: "over capacity", UNDER: "under zero",
               OUTSIDE_ZERO: "outside zero capture range", CENTER_ZERO: "center of zero", NET: "net"}

_WEIGHT = re.compile(rb" *(\d+)(?:\.(\d+))?(N?)")
_SERIAL_7E1 = SerialSettings(9600, 7, "E", 1)


def status_from_byte(raw: int) -> ScaleStatus | FrameError:
    byte = raw & 0x7F  # the UART strips parity; tolerate a port wrongly set to 8 bits
    if not byte & 0x40:
        return FrameError(f"status byte 0x{raw:02x} lacks the always-set bit 6", 2)
    flags = [name for bit, name in _FLAG_NAMES.items() if byte & bit]
    if byte & OVER:
        state = ScaleState.OVER_CAPACITY
    elif byte & UNDER:
        state = ScaleState.UNDER_ZERO
    elif byte & MOTION:
        state = ScaleState.MOTION
    else:
        state = ScaleState.OK
    return ScaleStatus(state, detail=", ".join(flags) or "no flags")


def parse_frame(frame: bytes, unit: WeightUnit, kg_decimals: int | None) -> Reply | FrameError:
    """One `STX ... CR` frame -> Weight, ScaleStatus or the echo acknowledgement."""
    if not (frame.startswith(STX) and frame.endswith(CR)):
        return FrameError("frame must run from STX to CR", 0)
    body = frame[1:-1]
    if body.startswith(b"?"):
        if len(body) != 2:
            return FrameError(f"status reply has {len(body) - 1} status bytes, expected 1", 1)
        return status_from_byte(body[1])
    if body == b"E":
        return Ack(True, "echo mode")
    m = _WEIGHT.fullmatch(body)
    if m is None:
        bad = next((i for i, b in enumerate(body) if not (0x30 <= b <= 0x39 or b in b" .N")), 0)
        return FrameError(f"not a weight: {body!r}", 1 + bad)
    whole, frac, net = m.group(1), m.group(2), bool(m.group(3))
    if frac is None:
        return Weight(Decimal(int(whole)), WeightUnit.G, net=net)
    if unit is WeightUnit.G:
        return FrameError("reply has a decimal point but the scale is configured for grams", 1)
    if unit is WeightUnit.KG and kg_decimals is not None and len(frac) != kg_decimals:
        return FrameError(
            f"a kg reply has {kg_decimals} decimals, this one has {len(frac)}: is the scale set to pounds?", 1
        )
    return Weight(Decimal(f"{int(whole)}.{frac.decode()}"), unit, net=net)


def tare_digits(tare: Weight, unit: WeightUnit, decimals: dict[WeightUnit, int], width: int) -> bytes:
    """A tare as the fixed-width digit field a scale takes; refuses what the field cannot hold exactly."""
    if tare.unit is not unit or unit not in decimals:
        raise ValueError(f"the scale takes a tare in {unit.value}, not {tare.unit.value}")
    scaled = tare.value.scaleb(decimals[unit])
    if scaled != scaled.to_integral_value() or not 0 <= scaled < 10**width:
        raise ValueError(f"tare {tare.value} {unit.value} does not fit {width} digits with {decimals[unit]} decimals")
    return b"%0*d" % (width, int(scaled))


class ToledoScale(SerialScale):
    KG_DECIMALS: ClassVar[int | None] = None

    def _parse(self, frame: bytes) -> Reply | FrameError:
        return parse_frame(frame, self.unit, self.KG_DECIMALS)

    async def _zero(self, timeout: float) -> ScaleStatus:
        status = await super()._zero(timeout)
        if status.state is ScaleState.OK and "outside zero capture range" in status.detail:
            return ScaleStatus(ScaleState.ZERO_ERROR, self.name, status.detail)
        return status


class Toledo8217Scale(ToledoScale):
    PROTOCOL = Protocol(
        name="toledo8217", serial=_SERIAL_7E1, start=STX, end=CR, weigh=b"W", zero=b"Z", tare=b"T",
        max_frame=16, units=frozenset({WeightUnit.KG, WeightUnit.LB, WeightUnit.G}),
    )
    KG_DECIMALS = 3  # `STX WW.WWW CR`; pounds are `STX 0WW.WW CR`

    async def _preset_tare(self, tare: Weight, timeout: float) -> ScaleStatus:
        # `TWWWWW`: five digits, implied WW.WWW kg or WWW.WW lb (DIVA manual 6.1.4.2).
        digits = tare_digits(tare, self.unit, {WeightUnit.KG: 3, WeightUnit.LB: 2}, width=5)
        return self._as_status(await self._transact(b"T" + digits, timeout), "preset tare")

    async def clear_tare(self, timeout: float | None = None) -> ScaleStatus:
        """`C`: clear the tare (the scale ignores it while the weight is unstable)."""
        self._check_open()
        async with self._lock:
            reply = await self._transact(b"C", self._timeout(timeout))
        return self._as_status(reply, "clear tare")


class Toledo8213Scale(ToledoScale):
    PROTOCOL = Protocol(
        name="toledo8213", serial=_SERIAL_7E1, start=STX, end=CR, weigh=b"W", zero=b"Z", tare=None,
        max_frame=16,
    )
