"""An injected clock for tests: the lane asks it for the time."""

from __future__ import annotations

import datetime as dt

T0 = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)  # a fixed 'now' for lane tests


class FixedClock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)
