"""Wait for a weight the lane may price: stable, positive, fresh."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterable

from drivers.events import DeviceTimeout, ScaleStatus, Weight
from drivers.scale.base import Reading, Scale


class NoStableWeight(DeviceTimeout):
    """No stable positive weight arrived in time; `last` is the last reading seen (or None)."""

    def __init__(self, timeout: float, last: Reading | None) -> None:
        if isinstance(last, ScaleStatus):
            seen = f"last reading: {last.state.value} ({last.detail})"
        elif isinstance(last, Weight):
            seen = f"last reading: {last.value} {last.unit.value}, not above zero"
        else:
            seen = "no reading at all"
        super().__init__(f"no stable weight above zero within {timeout:g} s; {seen}")
        self.last = last


async def stable_weight(source: Scale | AsyncIterable[Reading], timeout: float, interval: float = 0.1) -> Weight:
    """The first stable weight above zero from `source` (a scale, polled, or any stream of readings).

    Zero, negative, motion and every other status are skipped, never returned; raises NoStableWeight
    when none arrives within `timeout` seconds or the stream ends.
    """
    stream = source.readings(interval) if isinstance(source, Scale) else source
    last: Reading | None = None
    try:
        async with asyncio.timeout(timeout):
            async with contextlib.aclosing(_aiter(stream)) as readings:
                async for reading in readings:
                    if isinstance(reading, Weight) and reading.value > 0:
                        return reading
                    last = reading
    except TimeoutError as err:
        if isinstance(err, DeviceTimeout):
            raise
        raise NoStableWeight(timeout, last) from err
    raise NoStableWeight(timeout, last)


async def _aiter(stream: AsyncIterable[Reading]) -> AsyncGenerator[Reading, None]:
    async for reading in stream:
        yield reading
