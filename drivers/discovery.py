"""Hot-plug: uevents -> `DeviceAttached` / `DeviceDetached` for the devices in the device map.

The uevent source is injected: live pyudev (`pyudev_source`, with the devices already present
enumerated first), a recording (`recorded_source`), or a `UeventFeed` a test or bench pushes
into. Discovery itself is a pure state machine (`handle`), so every source drives the same code.

    discovery = Discovery(DeviceMap.from_toml(config_text))
    async for event in discovery.watch(pyudev_source()):
        ...   # DeviceAttached(kind, device=<map name>, info={node, vid_pid, ...}, settings={driver table})
"""

from __future__ import annotations

import asyncio
import logging
import pathlib
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass

from drivers.device_map import DeviceEntry, DeviceMap
from drivers.events import BackendUnavailable, DeviceAttached, DeviceDetached, FrameError
from drivers.uevent import UEvent, from_pyudev, parse_monitor_text

log = logging.getLogger(__name__)

SUBSYSTEMS = ("input", "tty", "usb")
Change = DeviceAttached | DeviceDetached


@dataclass(frozen=True, slots=True)
class Seen:
    """A hot-pluggable device present now that no map entry claims (shown by `lanekit devices`)."""

    subsystem: str
    node: str
    vid_pid: str | None
    name: str | None


class Discovery:
    def __init__(self, device_map: DeviceMap) -> None:
        self.device_map = device_map
        self.attached: dict[str, DeviceAttached] = {}  # map name -> its current attachment
        self._by_devpath: dict[str, str] = {}  # devpath -> map name
        self._input_parents: dict[str, dict[str, str]] = {}  # inputN devpath -> NAME/PRODUCT
        self.unmapped: dict[str, Seen] = {}
        self.errors = 0

    def handle(self, item: UEvent | FrameError) -> list[Change]:
        if isinstance(item, FrameError):
            self.errors += 1
            return []
        ev = self._with_parent(item)
        if ev.action == "remove":
            return self._removed(ev)
        if ev.action not in ("add", "change", "bind", "move"):
            return []
        if ev.devpath in self._by_devpath:
            return []  # already attached (udev repeats the kernel's event; 'change' adds nothing)
        entry = self.device_map.match(ev)
        if entry is None:
            self._note_unmapped(ev)
            return []
        if entry.name in self.attached:
            log.info("discovery: %s already attached at %s; ignoring %s", entry.name,
                     self.attached[entry.name].info.get("node"), ev.devname or ev.devpath)
            return []
        return [self._attach(entry, ev)]

    def _with_parent(self, ev: UEvent) -> UEvent:
        if ev.subsystem != "input":
            return ev
        if not ev.devname and "NAME" in ev.props:  # the inputN parent: remember its name and ids
            if ev.action == "remove":
                self._input_parents.pop(ev.devpath, None)
            else:
                self._input_parents[ev.devpath] = {k: ev.props[k] for k in ("NAME", "PRODUCT") if k in ev.props}
            return ev
        parent = self._input_parents.get(ev.devpath.rsplit("/", 1)[0])
        if parent and any(k not in ev.props for k in parent):
            return UEvent(ev.action, ev.devpath, ev.subsystem, {**parent, **ev.props}, ev.source)
        return ev

    def _attach(self, entry: DeviceEntry, ev: UEvent) -> DeviceAttached:
        info = {"node": ev.devname or ev.devpath, "devpath": ev.devpath, "subsystem": ev.subsystem,
                "backend": entry.backend, "match": entry.describe_match()}
        if ev.vid_pid:
            info["vid_pid"] = ev.vid_pid
        if ev.input_name:
            info["name"] = ev.input_name
        att = DeviceAttached(entry.kind, entry.name, info, entry.settings_for(ev))
        self.attached[entry.name] = att
        self._by_devpath[ev.devpath] = entry.name
        self.unmapped.pop(ev.devpath, None)
        log.info("discovery: %s %s attached at %s", entry.kind, entry.name, info["node"])
        return att

    def _removed(self, ev: UEvent) -> list[Change]:
        self.unmapped.pop(ev.devpath, None)
        name = self._by_devpath.pop(ev.devpath, None)
        if name is None:
            return []
        att = self.attached.pop(name)
        log.info("discovery: %s %s detached from %s", att.kind, name, att.info.get("node"))
        return [DeviceDetached(att.kind, name)]

    def _note_unmapped(self, ev: UEvent) -> None:
        interesting = (ev.subsystem == "tty" and ev.vid_pid is not None) or (
            ev.subsystem == "input" and ev.devname.startswith("/dev/input/event") and ev.vid_pid is not None) or (
            ev.subsystem == "usb" and ev.props.get("DEVTYPE") == "usb_device")
        if interesting:
            self.unmapped[ev.devpath] = Seen(ev.subsystem, ev.devname or ev.devpath, ev.vid_pid, ev.input_name)

    def static_devices(self) -> list[DeviceAttached]:
        """Devices the map says are always there (simulators, network printers): attach them at start."""
        out = []
        for entry in self.device_map.entries:
            if entry.node == "static" and entry.name not in self.attached:
                att = DeviceAttached(entry.kind, entry.name, {"node": "static", "backend": entry.backend,
                                                             "match": entry.describe_match()}, dict(entry.config))
                self.attached[entry.name] = att
                out.append(att)
        return out

    def replay(self, items: Iterable[UEvent | FrameError]) -> list[Change]:
        return [change for item in items for change in self.handle(item)]

    async def watch(self, source: AsyncIterable[UEvent | FrameError]) -> AsyncIterator[Change]:
        for att in self.static_devices():
            yield att
        async for item in source:
            for change in self.handle(item):
                yield change


class UeventFeed:
    """An injectable uevent source: push events (tests, benches); `close()` ends the stream."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[UEvent | FrameError | None] = asyncio.Queue()

    def push(self, item: UEvent | FrameError) -> None:
        self._queue.put_nowait(item)

    def close(self) -> None:
        self._queue.put_nowait(None)

    async def __aiter__(self) -> AsyncIterator[UEvent | FrameError]:
        while (item := await self._queue.get()) is not None:
            yield item


async def recorded_source(path: str | pathlib.Path, *, pace_s: float = 0.0) -> AsyncIterator[UEvent | FrameError]:
    """Replay a `udevadm monitor --udev --property` capture."""
    text = await asyncio.to_thread(pathlib.Path(path).read_text, encoding="utf-8", errors="replace")
    for item in parse_monitor_text(text):
        yield item
        if pace_s:
            await asyncio.sleep(pace_s)


def coldplug(subsystems: Iterable[str] = SUBSYSTEMS) -> list[UEvent]:
    """The devices present now, from /sys (works without udevd), as 'add' events."""
    pyudev = _pyudev()
    context = pyudev.Context()
    return [from_pyudev(dev, "add") for sub in subsystems for dev in context.list_devices(subsystem=sub)]


async def pyudev_source(subsystems: Iterable[str] = SUBSYSTEMS, *, netlink: str = "udev") -> AsyncIterator[UEvent]:
    """Live hot-plug: what is present now, then each uevent as udev (or the kernel) announces it."""
    pyudev = _pyudev()
    subsystems = tuple(subsystems)
    context = pyudev.Context()
    monitor = pyudev.Monitor.from_netlink(context, source=netlink)
    for sub in subsystems:
        monitor.filter_by(sub)
    monitor.start()  # before enumerating, so nothing plugged in between is missed
    ready = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_reader(monitor.fileno(), ready.set)
    try:
        for ev in await asyncio.to_thread(coldplug, subsystems):
            yield ev
        while True:
            await ready.wait()
            ready.clear()
            while (device := monitor.poll(timeout=0)) is not None:
                yield from_pyudev(device)
    finally:
        loop.remove_reader(monitor.fileno())


def _pyudev():  # type: ignore[no-untyped-def]
    try:
        import pyudev
    except ImportError as err:
        raise BackendUnavailable("pyudev", f"pyudev is not installed: {err}") from err
    return pyudev
