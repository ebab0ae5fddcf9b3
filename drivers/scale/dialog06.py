"""Dialog 06 (price-computing scales: Dibal, Cely, Mettler Toledo DIVA, CAS PDN "ECR type 12").

The POS sends the unit price (record 01), the scale ACKs, the POS asks `EOT ENQ` and the scale
answers record 02 (status, 5-digit weight in grams of a kg reading, unit price, amount). A NAK means
no weighing: the POS asks record 08 and the scale's record 09 says why (scale_protocols.md §6).
"""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal

from drivers.events import DeviceOperationError, FrameError, ScaleState, ScaleStatus, Weight, WeightUnit
from drivers.scale.config import ScaleConfig, SerialSettings
from drivers.scale.serial_scale import Ack, Protocol, Reply, SerialScale
from drivers.scale.toledo import tare_digits

EOT, STX, ETX, ENQ, ACK, NAK, ESC = b"\x04", b"\x02", b"\x03", b"\x05", b"\x06", b"\x15", b"\x1b"
ASK_WEIGHT = EOT + ENQ
ASK_STATUS = EOT + STX + b"08" + ETX
ZERO = EOT + STX + b"31" + ETX  # CAS PDN set-zero, as Peakboard's ECR 12 driver sends it

_RECORD02 = re.compile(rb"\x0202\x1b(\d)\x1b(\d{5})\x1b(\d{6})\x1b(\d{6})\x03")
_RECORD09 = re.compile(rb"\x0209\x1b(\d)(\d)\x03")
_RECORD11 = re.compile(rb"\x0211\x1b(\d+)\x03")

# Record 09 codes (DIVA manual page-60).
CODES: dict[str, tuple[ScaleState, str]] = {
    "00": (ScaleState.ERROR, "the scale refused without an error code"),
    "01": (ScaleState.ERROR, "general error"),
    "02": (ScaleState.ERROR, "parity error or buffer overflow"),
    "10": (ScaleState.ERROR, "invalid record number"),
    "11": (ScaleState.ERROR, "invalid unit price"),
    "12": (ScaleState.ERROR, "invalid tare value"),
    "13": (ScaleState.ERROR, "invalid text"),
    "20": (ScaleState.MOTION, "scale is still in motion (no standstill)"),
    "21": (ScaleState.OK, "scale wasn't in motion since the last operation: lift and replace the item"),
    "22": (ScaleState.MOTION, "measurement is not yet finished"),
    "30": (ScaleState.BELOW_MINIMUM, "weight is less than the minimum weight"),
    "31": (ScaleState.UNDER_ZERO, "scale is less than 0"),
    "32": (ScaleState.OVER_CAPACITY, "scale is overloaded"),
}


class ChecksumRequest(DeviceOperationError):
    """Record 11: the scale asks for legal-for-trade checksums, which Lanekit does not hold."""


def price_record(unit_price: int) -> bytes:
    """Record 01: `EOT STX 0 1 ESC PPPPPP ESC ETX`."""
    if not 0 <= unit_price <= 999_999:
        raise ValueError(f"a Dialog 06 unit price has 6 digits, got {unit_price}")
    return EOT + STX + b"01" + ESC + b"%06d" % unit_price + ESC + ETX


def price_tare_record(unit_price: int, tare: bytes) -> bytes:
    """Record 03: `EOT STX 0 3 ESC PPPPPP ESC TTTT ETX` (unit price and a 4-digit PLU tare)."""
    return EOT + STX + b"03" + ESC + b"%06d" % unit_price + ESC + tare + ETX


def parse_frame(frame: bytes) -> Reply | FrameError:
    if frame == ACK:
        return Ack(True, "ACK")
    if frame == NAK:
        return Ack(False, "NAK")
    m = _RECORD02.fullmatch(frame)
    if m:
        status, weight = m.group(1), int(m.group(2))
        if status != b"3":
            # Sources disagree on codes 0-2 (DIVA: lb variants; CAS: lb, oz, g), so only kg is trusted.
            return FrameError(f"record 02 unit code {status.decode()!r} is ambiguous; set the scale to kg (3)", 4)
        return Weight(Decimal(weight) / 1000, WeightUnit.KG)
    m = _RECORD09.fullmatch(frame)
    if m:
        code = (m.group(1) + m.group(2)).decode()
        state, detail = CODES.get(code, (ScaleState.ERROR, "unknown error code"))
        return ScaleStatus(state, detail=f"record 09 code {code}: {detail}")
    m = _RECORD11.fullmatch(frame)
    if m:
        return ScaleStatus(ScaleState.ERROR, detail=f"record 11 checksum request {m.group(1).decode()}")
    return FrameError(f"not a Dialog 06 record: {frame!r}", 0)


class Dialog06Scale(SerialScale):
    PROTOCOL = Protocol(
        name="dialog06", serial=SerialSettings(9600, 7, "O", 1), start=STX, end=ETX,
        weigh=ASK_WEIGHT, zero=ZERO, tare=None, max_frame=40, singles=ACK + NAK,
    )
    unit_price = 0  # minor units sent in record 01; set from configuration
    _tare = b""  # 4 digits once a preset tare is set

    def apply_options(self, config: ScaleConfig) -> None:
        self.unit_price = config.unit_price

    def _parse(self, frame: bytes) -> Reply | FrameError:
        return parse_frame(frame)

    async def _weigh(self, timeout: float) -> Weight | ScaleStatus:
        # One deadline for the whole dialogue, not one per record.
        deadline = asyncio.get_running_loop().time() + timeout
        record = price_tare_record(self.unit_price, self._tare) if self._tare else price_record(self.unit_price)
        reply = await self._transact(record, timeout)
        if isinstance(reply, Ack) and reply.ok:
            reply = await self._transact(ASK_WEIGHT, self._left(deadline))
        if isinstance(reply, ScaleStatus) and reply.detail.startswith("record 11"):
            raise ChecksumRequest(
                f"{self.name}: the scale asks for legal-for-trade checksums ({reply.detail}); Lanekit does not send them"
            )
        if isinstance(reply, Ack):
            if reply.ok:
                return ScaleStatus(ScaleState.ERROR, self.name, "ACK where record 02 was expected")
            return await self._why_refused(self._left(deadline))
        if isinstance(reply, Weight) and self._tare:
            return Weight(reply.value, reply.unit, tare=Decimal(int(self._tare)) / 1000, net=True)
        return reply

    async def _preset_tare(self, tare: Weight, timeout: float) -> ScaleStatus:
        # Sent with every price record from now on (record 03 instead of 01); zero goes back to record 01.
        digits = tare_digits(tare, WeightUnit.KG, {WeightUnit.KG: 3}, width=4)
        self._tare = b"" if int(digits) == 0 else digits
        what = f"preset tare {tare.value} kg sent with each weighing (record 03)" if self._tare else "preset tare cleared"
        return ScaleStatus(ScaleState.OK, self.name, what)

    @staticmethod
    def _left(deadline: float) -> float:
        return max(deadline - asyncio.get_running_loop().time(), 0.0)

    async def _why_refused(self, timeout: float) -> ScaleStatus:
        reply = await self._transact(ASK_STATUS, timeout)
        if isinstance(reply, ScaleStatus):
            return reply
        return ScaleStatus(ScaleState.ERROR, self.name, f"record 08 answered with {reply!r}, not record 09")

