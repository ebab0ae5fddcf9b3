"""NCI / Weigh-Tronix "ECR" protocol (SCP-01) and its `S`-prefixed variant (SCP-02).

`W<CR>` -> `<LF>weight unit<CR><LF>[S]hh<CR><ETX>`; `S<CR>` and `Z<CR>` -> `<LF>[S]hh<CR><ETX>`;
an unknown command -> `<LF>?<CR><ETX>` (scale_protocols.md §3). A weight that arrives with a
motion, capacity or error bit set is reported as that status, never as a weight.
"""

from __future__ import annotations

import re
from decimal import Decimal

from drivers.events import FrameError, ScaleState, ScaleStatus, Weight, WeightUnit
from drivers.scale.config import SerialSettings
from drivers.scale.serial_scale import Ack, Protocol, Reply, SerialScale

LF, CR, ETX = b"\n", b"\r", b"\x03"

# (byte index, bit) -> meaning; bits 4 and 5 are always 1, bit 6 says another byte follows.
_BITS = {
    (0, 0): "in motion", (0, 1): "at zero", (0, 2): "RAM error", (0, 3): "EEPROM error",
    (1, 0): "under capacity", (1, 1): "over capacity", (1, 2): "ROM error", (1, 3): "faulty calibration",
    (2, 2): "net", (2, 3): "initial zero error",
}
_ERRORS = {"RAM error", "EEPROM error", "ROM error", "faulty calibration"}
_UNITS = {"kg": WeightUnit.KG, "g": WeightUnit.G, "lb": WeightUnit.LB, "oz": WeightUnit.OZ}
_WEIGHT = re.compile(rb" *(-?) *(\d+(?:\.\d+)?) *([A-Za-z]{1,2}) *")
_LB_OZ = re.compile(rb" *(\d+)LB (\d+(?:\.\d+)?)OZ *", re.IGNORECASE)


def parse_status(field: bytes, offset: int) -> tuple[frozenset[str], str] | FrameError:
    """The `hh` (or `Shh`) status field -> (flags, variant)."""
    variant = "SCP-01"
    if field.startswith(b"S"):
        field, offset, variant = field[1:], offset + 1, "SCP-02"
    if not 2 <= len(field) <= 3:
        return FrameError(f"status has {len(field)} bytes, expected 2 or 3", offset)
    flags: set[str] = set()
    for i, raw in enumerate(field):
        byte = raw & 0x7F
        if byte & 0x30 != 0x30:
            return FrameError(f"status byte {i + 1} (0x{raw:02x}) lacks the always-set bits 4 and 5", offset + i)
        follows = bool(byte & 0x40)
        if i == 0 and follows:
            return FrameError("status byte 1 has bit 6 set; it must be 0", offset)
        if i >= 1 and follows != (i + 1 < len(field)):
            return FrameError(f"status byte {i + 1} bit 6 disagrees with the byte count", offset + i)
        flags |= {name for (j, bit), name in _BITS.items() if j == i and byte & (1 << bit)}
    return frozenset(flags), variant


def status_of(flags: frozenset[str]) -> ScaleStatus | None:
    """The status that stops a weight from being a weight, or None when the weight is good."""
    detail = ", ".join(sorted(flags)) or "no flags"
    if flags & _ERRORS:
        return ScaleStatus(ScaleState.ERROR, detail=detail)
    if "over capacity" in flags:
        return ScaleStatus(ScaleState.OVER_CAPACITY, detail=detail)
    if "under capacity" in flags:
        return ScaleStatus(ScaleState.UNDER_ZERO, detail=detail)
    if "initial zero error" in flags:
        return ScaleStatus(ScaleState.ZERO_ERROR, detail=detail)
    if "in motion" in flags:
        return ScaleStatus(ScaleState.MOTION, detail=detail)
    return None


def parse_weight(field: bytes, offset: int) -> Weight | FrameError:
    m = _LB_OZ.fullmatch(field)
    if m:
        return Weight(Decimal(int(m.group(1)) * 16) + Decimal(m.group(2).decode()), WeightUnit.OZ)
    m = _WEIGHT.fullmatch(field)
    if m is None:
        return FrameError(f"not a weight field: {field!r}", offset)
    unit = _UNITS.get(m.group(3).decode().lower())
    if unit is None:
        return FrameError(f"unknown unit {m.group(3)!r}", offset + m.start(3))
    value = Decimal(m.group(2).decode())
    return Weight(-value if m.group(1) else value, unit)


def parse_frame(frame: bytes) -> Reply | FrameError:
    if not (frame.startswith(LF) and frame.endswith(CR + ETX)):
        return FrameError("frame must run from LF to CR ETX", 0)
    lines = frame[1:-2].split(CR + LF)
    if lines == [b"?"]:
        return Ack(False, "the scale rejected the command (NCI `?`: bad command)")
    if len(lines) == 1:
        parsed = parse_status(lines[0], 1)
        if isinstance(parsed, FrameError):
            return parsed
        return status_of(parsed[0]) or ScaleStatus(ScaleState.OK, detail=", ".join(sorted(parsed[0])) or "no flags")
    if len(lines) != 2:
        return FrameError(f"frame has {len(lines)} lines, expected 1 or 2", 0)
    weight = parse_weight(lines[0], 1)
    if isinstance(weight, FrameError):
        return weight
    parsed = parse_status(lines[1], len(lines[0]) + 3)
    if isinstance(parsed, FrameError):
        return parsed
    flags, _variant = parsed
    bad = status_of(flags)
    if bad is not None:
        return bad
    return Weight(weight.value, weight.unit, net="net" in flags)


class NciScale(SerialScale):
    PROTOCOL = Protocol(
        name="nci", serial=SerialSettings(9600, 7, "E", 1), start=LF, end=CR + ETX,
        weigh=b"W\r", zero=b"Z\r", tare=None, max_frame=40,
    )

    def _parse(self, frame: bytes) -> Reply | FrameError:
        return parse_frame(frame)

    async def _zero(self, timeout: float) -> ScaleStatus:
        reply = await self._command(self.PROTOCOL.zero, "zero", timeout)
        status = self._as_status(reply, "zero")
        if status.state is ScaleState.OK and "at zero" not in status.detail:
            # The scale ignores Z in motion or outside the zero range and answers without the zero flag.
            return ScaleStatus(ScaleState.ZERO_ERROR, self.name, f"zero ignored by the scale ({status.detail})")
        return status

    async def request_status(self, timeout: float | None = None) -> ScaleStatus:
        """`S<CR>`: the status-only reply."""
        self._check_open()
        async with self._lock:
            reply = await self._transact(b"S\r", self._timeout(timeout))
        return self._as_status(reply, "status")
