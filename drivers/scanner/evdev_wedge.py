"""Keyboard-wedge scanners through the Linux input subsystem (python-evdev).

The device is chosen by USB VID:PID or by its exact name — never by guessing which keyboard
looks like a scanner — and grabbed so its keystrokes never reach the UI. Its raw input_event
bytes go through the same `WedgeStream` the simulator replays recordings through.
"""

from __future__ import annotations

import asyncio
import logging
import os

import evdev

from drivers.events import DeviceInitError, FrameError, Scan
from drivers.scanner.base import Scanner
from drivers.scanner.settings import EvdevWedgeSettings, parse_vid_pid
from drivers.scanner.wedge_decoder import WedgeStream

log = logging.getLogger(__name__)

UNTERMINATED_S = 2.0  # a scanner types a whole barcode well within this; a stuck partial scan is dropped
_KEY_ENTER, _KEY_1 = 28, 2


def _describe(dev: evdev.InputDevice) -> str:
    return f"{dev.path} {dev.info.vendor:04x}:{dev.info.product:04x} {dev.name!r}"


def find_device(settings: EvdevWedgeSettings, paths: list[str] | None = None) -> str:
    """The one keyboard-like input node matching vid_pid and/or name; anything else is an error."""
    want = parse_vid_pid(settings.vid_pid) if settings.vid_pid else None
    paths = [settings.path] if settings.path else (paths if paths is not None else evdev.list_devices())
    seen: list[str] = []
    matches: list[str] = []
    for path in paths:
        try:
            dev = evdev.InputDevice(path)
        except OSError as err:
            seen.append(f"{path} (cannot open: {err.strerror})")
            continue
        try:
            seen.append(_describe(dev))
            keys = dev.capabilities().get(evdev.ecodes.EV_KEY, [])
            if want is not None and (dev.info.vendor, dev.info.product) != want:
                continue
            if settings.name is not None and dev.name != settings.name:
                continue
            if _KEY_ENTER in keys and _KEY_1 in keys:  # a keyboard interface, not the scanner's other nodes
                matches.append(path)
        finally:
            dev.close()
    wanted = " and ".join(x for x in (settings.vid_pid and f"vid_pid {settings.vid_pid}",
                                       settings.name and f"name {settings.name!r}") if x)
    if not matches:
        raise DeviceInitError(f"no keyboard input device with {wanted}; seen: {', '.join(seen) or 'none'}")
    if len(matches) > 1:
        raise DeviceInitError(f"{len(matches)} input devices match {wanted} ({', '.join(matches)}): "
                              "set path or name to choose one")
    return matches[0]


class EvdevWedgeScanner(Scanner):
    backend = "evdev_wedge"
    Settings = EvdevWedgeSettings

    def __init__(self, settings: EvdevWedgeSettings, *, name: str = "") -> None:
        super().__init__(name=name)
        self.settings = settings
        self._dev: evdev.InputDevice | None = None
        self._pipeline = WedgeStream(settings, device=name)
        self._idle_timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _open(self) -> None:
        path = await asyncio.to_thread(find_device, self.settings)
        dev = evdev.InputDevice(path)
        try:
            if self.settings.grab:
                dev.grab()
        except OSError as err:
            dev.close()
            raise DeviceInitError(f"cannot grab {path} (another program holds it?): {err}") from err
        self._dev = dev
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(dev.fd, self._readable)
        log.info("scanner %r reading %s, layout %s", self.name, _describe(dev), self.settings.layout)

    def _readable(self) -> None:
        assert self._dev is not None
        try:
            data = os.read(self._dev.fd, self._pipeline.parser.record_size * 64)
        except BlockingIOError:
            return
        except OSError as err:  # ENODEV: unplugged
            self._stop_reading()
            self._gone(err)
            return
        if not data:
            self._stop_reading()
            self._gone(OSError("end of file on the input device"))
            return
        self._emit(self._pipeline.feed(data))
        self._arm_idle()

    def _arm_idle(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
        if self._pipeline.decoder.pending and self._loop is not None:
            gap = self.settings.idle_gap_ms / 1000 if self.settings.suffix == "none" else UNTERMINATED_S
            self._idle_timer = self._loop.call_later(gap, self._on_idle)

    def _on_idle(self) -> None:
        self._idle_timer = None
        self._emit(self._pipeline.idle())

    def _emit(self, items: list[Scan | FrameError]) -> None:
        for item in items:
            self._deliver(item)

    def _stop_reading(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
        if self._dev is not None and self._loop is not None:
            self._loop.remove_reader(self._dev.fd)

    async def _close(self) -> None:
        dev, self._dev = self._dev, None
        if dev is None:
            return
        if self._loop is not None:
            self._loop.remove_reader(dev.fd)
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        try:
            if self.settings.grab:
                dev.ungrab()
        except OSError:
            pass  # already gone with the device
        dev.close()
