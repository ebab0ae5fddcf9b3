"""Keyboard-wedge scanners through the Linux input subsystem (python-evdev).

The device is chosen by USB VID:PID or by its exact name — never by guessing which keyboard
looks like a scanner — and grabbed so its keystrokes never reach the UI. Its raw input_event
bytes go through the same `WedgeStream` the simulator replays recordings through.
"""

from __future__ import annotations

import asyncio
import logging

import evdev

from drivers.events import DeviceInitError
from drivers.scanner.base import Scanner
from drivers.scanner.settings import EvdevWedgeSettings, parse_vid_pid
from drivers.scanner.wedge_decoder import WedgeStream
from drivers.scanner.wedge_reader import WedgeFdReader

log = logging.getLogger(__name__)

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
        self._reader: WedgeFdReader | None = None

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
        self._reader = WedgeFdReader(dev.fd, self._pipeline, deliver=self._deliver, on_eof=self._lost)
        log.info("scanner %r reading %s, layout %s", self.name, _describe(dev), self.settings.layout)

    def _lost(self, err: OSError | None) -> None:
        self._gone(err or OSError("end of file on the input device"))

    async def _close(self) -> None:
        if self._reader is not None:
            self._reader.stop()
        dev, self._dev = self._dev, None
        if dev is None:
            return
        try:
            if self.settings.grab:
                dev.ungrab()
        except OSError:
            pass  # already gone with the device
        dev.close()
