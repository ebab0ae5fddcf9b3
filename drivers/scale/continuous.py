"""Continuous-output scales: the scale pushes `STX letter weight CR ETX` frames without a request.

Epelsa style (scale_protocols.md §8): `\\x02A -0.450\\r\\x03` stable, `\\x02! -0.250\\r\\x03` in
transition, `\\x02I  0.000\\r\\x03` initial. Only a frame that starts arriving after the request is
used, so a weight that was on the wire before the customer moved never counts.
"""

from __future__ import annotations

import re
from decimal import Decimal

from drivers.events import FrameError, ScaleState, ScaleStatus, Weight, WeightUnit
from drivers.scale.config import SerialSettings
from drivers.scale.serial_scale import Protocol, Reply, SerialScale

STX, CR, ETX = b"\x02", b"\r", b"\x03"

# Status letter -> None for a stable weight, else the status it means. Data, so a sibling
# format is a new table row rather than new code.
EPELSA_LETTERS: dict[bytes, tuple[ScaleState, str] | None] = {
    b"A": None,
    b"!": (ScaleState.MOTION, "weight in transition"),
    b"I": (ScaleState.MOTION, "initial weight, not yet confirmed stable"),
}
_FRAME = re.compile(rb"\x02(.) *(-?\d+\.\d+)\r\x03")


def parse_frame(frame: bytes, unit: WeightUnit = WeightUnit.KG) -> Reply | FrameError:
    m = _FRAME.fullmatch(frame)
    if m is None:
        return FrameError(f"not an Epelsa frame: {frame!r}", 0)
    letter, value = m.group(1), m.group(2).decode()
    if letter not in EPELSA_LETTERS:
        return FrameError(f"unknown status letter {letter!r}", 1)
    meaning = EPELSA_LETTERS[letter]
    if meaning is not None:
        state, detail = meaning
        return ScaleStatus(state, detail=f"{detail} ({value} {unit.value})")
    return Weight(Decimal(value), unit)


class EpelsaScale(SerialScale):
    PROTOCOL = Protocol(
        name="epelsa", serial=SerialSettings(9600, 8, "N", 1), start=STX, end=ETX, weigh=None,
        max_frame=24, units=frozenset({WeightUnit.KG, WeightUnit.LB}),
    )

    def _parse(self, frame: bytes) -> Reply | FrameError:
        return parse_frame(frame, self.unit)
