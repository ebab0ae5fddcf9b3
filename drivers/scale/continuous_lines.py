"""Continuous-output indicators that push one CR LF line per reading: CAS "22 bytes" and Dini Argeo
"STANDARD" (scale_protocols.md §8). Each format is a `LineFormat` row: a pattern with named fields
and a table from the state token to what it means, so a sibling format is data, not code.

    CAS 22 bytes:   ST,GS,<id><lamp>,000013.5 kg<CR><LF>     ST stable, US unstable, OL overload
    Dini STANDARD:  [CC]ST,GS,  13.500,kg<CR><LF>            UL underload, OL, ST, US
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from drivers.events import FrameError, ScaleState, ScaleStatus, Weight, WeightUnit
from drivers.scale.config import SerialSettings
from drivers.scale.serial_scale import Protocol, Reply, SerialScale

CRLF = b"\r\n"
_UNITS = {b"kg": WeightUnit.KG, b"g": WeightUnit.G, b"lb": WeightUnit.LB, b"oz": WeightUnit.OZ}


@dataclass(frozen=True, slots=True)
class LineFormat:
    name: str
    pattern: re.Pattern[bytes]  # groups: state, kind (NT|GS), value, unit
    states: dict[bytes, tuple[ScaleState, str] | None]  # None: a stable weight


CAS22 = LineFormat(
    "cas22",
    re.compile(rb"(?P<state>ST|US|OL),(?P<kind>GS|NT),[\x00-\xff]{2},(?P<value>[ +\-0-9.]{8}) (?P<unit>kg|lb| g)\r\n"),
    {b"ST": None, b"US": (ScaleState.MOTION, "unstable"), b"OL": (ScaleState.OVER_CAPACITY, "overload")},
)
DINI = LineFormat(
    "dini",
    re.compile(rb"(?:\d\d)?(?P<state>UL|OL|ST|US),(?P<kind>NT|GS),(?P<value>[ +\-0-9.]{8}),(?P<unit>kg|lb| g|g )\r\n"),
    {b"ST": None, b"US": (ScaleState.MOTION, "unstable"), b"OL": (ScaleState.OVER_CAPACITY, "overload"),
     b"UL": (ScaleState.UNDER_ZERO, "underload")},
)


def parse_line(fmt: LineFormat, line: bytes) -> Reply | FrameError:
    m = fmt.pattern.fullmatch(line)
    if m is None:
        return FrameError(f"not a {fmt.name} line: {line!r}", 0)
    meaning = fmt.states[m.group("state")]
    if meaning is not None:
        state, detail = meaning
        return ScaleStatus(state, detail=detail)
    raw = m.group("value").replace(b" ", b"")
    try:
        value = Decimal(raw.decode())  # the pattern admits only sign, digits, point and blanks
    except InvalidOperation:
        return FrameError(f"weight field {m.group('value')!r} is not a number", m.start("value"))
    return Weight(value, _UNITS[m.group("unit").strip()], net=m.group("kind") == b"NT")


class LineFormatScale(SerialScale):
    FORMAT: LineFormat

    def _parse(self, frame: bytes) -> Reply | FrameError:
        return parse_line(self.FORMAT, frame)


class Cas22Scale(LineFormatScale):
    FORMAT = CAS22
    PROTOCOL = Protocol(name="cas22", serial=SerialSettings(9600, 8, "N", 1), start=None, end=CRLF, weigh=None,
                        max_frame=44)


class DiniScale(LineFormatScale):
    FORMAT = DINI
    PROTOCOL = Protocol(name="dini", serial=SerialSettings(9600, 8, "N", 1), start=None, end=CRLF, weigh=None,
                        max_frame=44)
