"""The `sim` backend: the network backend talking to a SimulatedPrinter on loopback.

Chosen by config like hardware (`backend = "sim"`). With `port = 0` the backend starts and owns
its own simulated printer; tests pass `device=` to share one they script and inspect. Either way
the bytes cross a real TCP socket through the same python-escpos `Network` code path a real
port-9100 printer uses.
"""

from __future__ import annotations

from drivers.printer.network import NetworkPrinter
from drivers.printer.settings import NetworkSettings, SimSettings
from drivers.printer.simulator import SimulatedPrinter
from drivers.printer.spool import ReprintSpool


class SimPrinter(NetworkPrinter):
    Settings = SimSettings

    def __init__(self, settings: SimSettings, *, spool: ReprintSpool, device: SimulatedPrinter | None = None) -> None:
        net = NetworkSettings(
            backend="sim", name=settings.name, profile=settings.profile, code_page=settings.code_page,
            code_page_number=settings.code_page_number, columns=settings.columns, dots=settings.dots,
            drawer_open_level=settings.drawer_open_level, drawer_settle_s=settings.drawer_settle_s,
            status_timeout_s=settings.status_timeout_s, host=settings.host, port=settings.port,
            timeout_s=settings.timeout_s,
        )
        super().__init__(net, spool=spool)
        self._owns_device = device is None and settings.port == 0
        self.device = device or (SimulatedPrinter(settings.profile) if self._owns_device else None)

    async def open(self) -> None:
        if self.closed and self.device is not None:
            if not self.device.running:
                await self.device.start(self.host, 0)
            self.host, self.port = self.device.address
        try:
            await super().open()
        except BaseException:
            if self._owns_device and self.device is not None:
                await self.device.stop()
            raise

    async def close(self) -> None:
        await super().close()
        if self._owns_device and self.device is not None:
            await self.device.stop()
