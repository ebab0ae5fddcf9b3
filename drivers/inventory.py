"""What `lanekit devices` lists: each device of the map with its state, and unmapped candidates.

The state comes from discovery run over the uevents of the devices present (enumerated from /sys,
or a recording), so the listing uses the same matching the running lane does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from drivers.device_map import DeviceMap
from drivers.discovery import Discovery, Seen
from drivers.events import FrameError
from drivers.uevent import UEvent


@dataclass(frozen=True, slots=True)
class Row:
    device: str
    kind: str
    backend: str
    match: str
    state: str


def inventory(device_map: DeviceMap, present: Iterable[UEvent | FrameError]) -> tuple[list[Row], list[Seen], int]:
    """Rows for the map's devices, the unmapped devices seen, and the count of unreadable uevents."""
    discovery = Discovery(device_map)
    discovery.static_devices()
    discovery.replay(present)
    rows = []
    for entry in device_map.entries:
        att = discovery.attached.get(entry.name)
        if att is None:
            state = "not present"
        elif att.info.get("node") == "static":
            state = "configured (not hot-plugged)"
        else:
            state = f"attached at {att.info['node']}"
            if att.info.get("name"):
                state += f" ({att.info['name']})"
        rows.append(Row(entry.name, entry.kind, entry.backend or "-", entry.describe_match(), state))
    return rows, list(discovery.unmapped.values()), discovery.errors


def format_inventory(rows: list[Row], unmapped: list[Seen], errors: int = 0) -> str:
    header = Row("DEVICE", "KIND", "BACKEND", "MATCH", "STATE")
    table = [header, *rows]
    widths = [max(len(getattr(r, f)) for r in table) for f in ("device", "kind", "backend", "match")]
    lines = ["  ".join([r.device.ljust(widths[0]), r.kind.ljust(widths[1]), r.backend.ljust(widths[2]),
                        r.match.ljust(widths[3]), r.state]).rstrip() for r in table]
    if not rows:
        lines.append("(no devices configured: add [devices.scanner], [devices.scale] ... to the lane's config)")
    if unmapped:
        lines.append("")
        lines.append("present but not in the device map:")
        for s in unmapped:
            ids = f" {s.vid_pid}" if s.vid_pid else ""
            name = f" {s.name!r}" if s.name else ""
            lines.append(f"  {s.subsystem:<5} {s.node}{ids}{name}")
    if errors:
        lines.append(f"({errors} unreadable uevent(s) skipped; see the log)")
    return "\n".join(lines) + "\n"
