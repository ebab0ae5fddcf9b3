"""The scale's side of each protocol, as the simulator speaks it: requests in, reply bytes out.

Each side answers from the simulator's scripted readings with the bytes the manuals quote
(scale_protocols.md); nothing here is shared with the parsers, so a parser bug cannot hide
behind a matching encoder bug.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, ClassVar

from drivers.events import WeightUnit

if TYPE_CHECKING:
    from drivers.scale.sim import ScaleSim, SimReading


class Side:
    """Base: frames requests on `terminator` and hands each to `answer`."""

    terminator = b"\r"
    continuous = False

    def __init__(self, sim: ScaleSim) -> None:
        self.sim = sim
        self._buf = bytearray()

    def on_bytes(self, data: bytes) -> list[bytes]:
        self._buf += data
        out: list[bytes] = []
        while (i := self._buf.find(self.terminator)) >= 0:
            request = bytes(self._buf[: i + len(self.terminator)])
            del self._buf[: i + len(self.terminator)]
            self.sim.requests.append(request)
            out += self.answer(request[: -len(self.terminator)])
        return out

    def answer(self, request: bytes) -> list[bytes]:
        raise NotImplementedError

    def frame(self, reading: SimReading) -> bytes:  # continuous sides only
        raise NotImplementedError


class ToledoSide(Side):
    """8217 and 8213: single-byte commands, no terminator; `E` starts echo mode, `F` ends it."""

    def __init__(self, sim: ScaleSim, model: str) -> None:
        super().__init__(sim)
        self.model = model
        self.echo = False
        self.last: SimReading | None = None

    def on_bytes(self, data: bytes) -> list[bytes]:
        out: list[bytes] = []
        skip = 0
        for i, b in enumerate(data):
            if skip:
                skip -= 1
                continue
            c = bytes([b])
            if c == b"T" and self.model == "8217" and not self.echo and data[i + 1 : i + 6].isdigit() \
                    and len(data[i + 1 : i + 6]) == 5:
                # `TWWWWW`, a digital tare (the driver writes it in one piece, so it arrives in one read)
                digits = data[i + 1 : i + 6]
                skip = 5
                self.sim.requests.append(c + digits)
                decimals = 3 if self.sim.unit is WeightUnit.KG else 2
                ok = self.sim.preset_tare(Decimal(int(digits)).scaleb(-decimals))
                out.append(self.status(self.sim.current, zero=ok and self.sim.current.value == 0))
                continue
            if self.echo:
                if c == b"F":
                    self.echo = False
                else:
                    out.append(c)
                continue
            self.sim.requests.append(c)
            if c == b"E" and self.model == "8217":
                self.echo = True
                out.append(b"\x02E\r")
            elif c == b"W" or (c == b"H" and self.model == "8213"):
                out.append(self.weight(self.sim.next_reading()))
            elif c == b"Z":
                out.append(self.status(self.sim.current, zero=self.sim.apply_zero()))
            elif c in b"TC" and self.model == "8217":
                ok = self.sim.apply_tare() if c == b"T" else self.sim.clear_tare()
                out.append(self.status(self.sim.current, zero=ok and self.sim.current.value == 0))
            # any other byte: the scale stays silent
        return out

    def status(self, r: SimReading, zero: bool = False) -> bytes:
        bits = 0x40 | (0x01 * r.motion) | (0x02 * r.overload) | (0x04 * (r.under_zero or r.value < 0))
        bits |= (0x10 * zero) | (0x20 * r.net)
        return b"\x02?" + bytes([bits]) + b"\r"

    def weight(self, r: SimReading) -> bytes:
        if r.motion or r.overload or r.under_zero or r.value < 0:
            self.last = None
            return self.status(r)
        if self.sim.report_once and r == self.last:
            return self.status(r)  # pywebdriver's note: some scales send a weight once, then only status
        self.last = r
        unit = self.sim.unit
        if unit is WeightUnit.G:
            text = f"{int(r.value):06d}"
        elif unit is WeightUnit.KG and self.model == "8217":
            text = f"{r.value:06.3f}"
        else:
            text = f"{r.value:06.2f}"
        return b"\x02" + text.encode() + (b"N" if r.net else b"") + b"\r"


class NciSide(Side):
    """SCP-01 (`hh`) or SCP-02 (`Shh`, status-only replies when the weight is not good)."""

    _UNITS: ClassVar[dict[WeightUnit, str]] = {WeightUnit.KG: "KG", WeightUnit.LB: "LB", WeightUnit.OZ: "OZ", WeightUnit.G: "g"}

    def __init__(self, sim: ScaleSim, variant: str = "SCP-01") -> None:
        super().__init__(sim)
        self.prefix = b"S" if variant == "SCP-02" else b""

    def answer(self, request: bytes) -> list[bytes]:
        if request == b"W":
            r = self.sim.next_reading()
            bad = r.motion or r.overload or r.under_zero or r.value < 0
            if self.prefix and bad:
                return [b"\n" + self.hh(r) + b"\r\x03"]
            return [b"\n" + self.field(r) + b"\r\n" + self.hh(r) + b"\r\x03"]
        if request == b"S":
            return [b"\n" + self.hh(self.sim.current) + b"\r\x03"]
        if request == b"Z":
            zeroed = self.sim.apply_zero()
            return [b"\n" + self.hh(self.sim.current, zero_flag=zeroed) + b"\r\x03"]
        return [b"\n?\r\x03"]

    def field(self, r: SimReading) -> bytes:
        unit = self.sim.unit
        if unit is WeightUnit.G:
            return f" {int(abs(r.value)):4d}g ".encode()
        text = f"{abs(r.value):06.3f}" if self.prefix else f"{abs(r.value):07.2f}"
        return (text + self._UNITS[unit]).encode()

    def hh(self, r: SimReading, zero_flag: bool | None = None) -> bytes:
        at_zero = (r.value == 0 and not r.motion) if zero_flag is None else zero_flag
        b1 = 0x30 | (0x01 * r.motion) | (0x02 * at_zero)
        b2 = 0x30 | (0x01 * (r.under_zero or r.value < 0)) | (0x02 * r.overload) | (0x40 * r.net)
        tail = bytes([0x30 | 0x04]) if r.net else b""
        return self.prefix + bytes([b1, b2]) + tail


class SicsSide(Side):
    terminator = b"\r\n"

    def answer(self, request: bytes) -> list[bytes]:
        sim = self.sim
        if request in (b"S", b"SI"):
            r = sim.next_reading()
            if r.overload or r.under_zero:
                return [b"S +\r\n" if r.overload else b"S -\r\n"]
            if r.motion:
                return [b"S I\r\n" if request == b"S" else b"S D" + self.value(r) + b"\r\n"]
            return [b"S S" + self.value(r) + b"\r\n"]
        if request == b"Z":
            return [b"Z A\r\n" if sim.apply_zero() else b"Z I\r\n"]
        if request == b"T":
            before = sim.current
            return [b"T S" + self.value(before) + b"\r\n" if sim.apply_tare() else b"T I\r\n"]
        return [b"ES\r\n"]

    def value(self, r: SimReading) -> bytes:
        return f" {r.value:>9} {self.sim.unit.value}".encode()


class Dialog06Side(Side):
    """Records framed `EOT STX nn ... ETX`, and `EOT ENQ`."""

    def __init__(self, sim: ScaleSim) -> None:
        super().__init__(sim)
        self.price = 0
        self.tare_g = 0
        self.code = "00"

    def on_bytes(self, data: bytes) -> list[bytes]:
        self._buf += data
        out: list[bytes] = []
        while True:
            start = self._buf.find(b"\x04")
            if start < 0:
                self._buf.clear()
                return out
            del self._buf[:start]
            if len(self._buf) < 2:
                return out
            if self._buf[1:2] == b"\x05":
                request = bytes(self._buf[:2])
            else:
                end = self._buf.find(b"\x03")
                if end < 0:
                    return out
                request = bytes(self._buf[: end + 1])
            del self._buf[: len(request)]
            self.sim.requests.append(request)
            out += self.answer(request)

    def answer(self, request: bytes) -> list[bytes]:
        if request == b"\x04\x05":
            return [self.weigh()]
        body = request[2:-1]
        if body[:2] == b"01" and len(body) == 10 and body[2:3] == body[9:10] == b"\x1b" and body[3:9].isdigit():
            self.price = int(body[3:9])
            self.tare_g = 0
            return [b"\x06"]
        if body[:2] == b"03" and len(body) == 14 and body[2:3] == body[9:10] == b"\x1b" \
                and body[3:9].isdigit() and body[10:14].isdigit():
            self.price, self.tare_g = int(body[3:9]), int(body[10:14])
            return [b"\x06"]
        if body == b"08":
            return [b"\x0209\x1b" + self.code.encode() + b"\x03"]
        if body == b"31":
            return [self.refuse("20") if not self.sim.apply_zero() else b"\x06"]
        return [self.refuse("10")]

    def refuse(self, code: str) -> bytes:
        self.code = code
        return b"\x15"

    def weigh(self) -> bytes:
        r = self.sim.next_reading()
        for flag, code in ((r.motion, "20"), (r.overload, "32"), (r.under_zero or r.value < 0, "31"),
                           (r.below_minimum, "30")):
            if flag:
                return self.refuse(code)
        self.code = "00"
        grams = int((r.value * 1000).to_integral_value()) - self.tare_g
        if grams < 0:
            return self.refuse("31")
        amount = (Decimal(grams) * self.price / 1000).quantize(Decimal(1), ROUND_HALF_UP)
        return b"\x0202\x1b3\x1b%05d\x1b%06d\x1b%06d\x03" % (grams, self.price, int(amount))


class EpelsaSide(Side):
    continuous = True

    def answer(self, request: bytes) -> list[bytes]:
        return []  # the scale ignores input

    def frame(self, r: SimReading) -> bytes:
        letter = b"!" if r.motion else b"A"
        return b"\x02" + letter + f"{r.value:7.3f}".encode() + b"\r\x03"


class Cas22Side(EpelsaSide):
    def frame(self, r: SimReading) -> bytes:
        state = b"OL" if r.overload else b"US" if r.motion else b"ST"
        lamp = bytes([0x40 * (not r.motion) | 0x04 * (not r.net) | 0x01 * (r.value == 0)])
        unit = b" g" if self.sim.unit is WeightUnit.G else self.sim.unit.value.encode()
        return state + (b",NT," if r.net else b",GS,") + b"\x01" + lamp + b"," + self.weight(r) + b" " + unit + b"\r\n"

    def weight(self, r: SimReading) -> bytes:
        value = -abs(r.value) if r.under_zero else r.value
        return (f"{int(value):08d}" if self.sim.unit is WeightUnit.G else f"{value:08.3f}").encode()


class DiniSide(Cas22Side):
    def frame(self, r: SimReading) -> bytes:
        state = b"OL" if r.overload else b"UL" if r.under_zero else b"US" if r.motion else b"ST"
        unit = b" g" if self.sim.unit is WeightUnit.G else self.sim.unit.value.encode()
        return state + (b",NT," if r.net else b",GS,") + f"{r.value:>8}".encode() + b"," + unit + b"\r\n"


def make_side(sim: ScaleSim, protocol: str, variant: str) -> Side:
    if protocol in ("toledo8217", "toledo8213"):
        return ToledoSide(sim, protocol.removeprefix("toledo"))
    if protocol == "nci":
        return NciSide(sim, variant or "SCP-01")
    if protocol == "sics":
        return SicsSide(sim)
    if protocol == "dialog06":
        return Dialog06Side(sim)
    if protocol == "epelsa":
        return EpelsaSide(sim)
    if protocol == "cas22":
        return Cas22Side(sim)
    if protocol == "dini":
        return DiniSide(sim)
    raise ValueError(f"no simulator for scale protocol {protocol!r}")
