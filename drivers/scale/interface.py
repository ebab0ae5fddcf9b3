"""Open a scale from configuration: protocol name -> (module, class), imported only when chosen.

Third-party protocols register in the `lanekit.scale_protocols` entry-point group
(`name = "package.module:Class"`), as python-can's `can.interface` group does.
"""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import entry_points

from drivers.events import BackendUnavailable
from drivers.scale.base import Scale
from drivers.scale.config import PTY_SETTINGS, ScaleConfig
from drivers.scale.serial_scale import SerialScale

log = logging.getLogger(__name__)

PROTOCOLS: dict[str, tuple[str, str]] = {
    "toledo8217": ("drivers.scale.toledo", "Toledo8217Scale"),
    "toledo8213": ("drivers.scale.toledo", "Toledo8213Scale"),
    "nci": ("drivers.scale.nci", "NciScale"),
    "sics": ("drivers.scale.sics", "SicsScale"),
    "dialog06": ("drivers.scale.dialog06", "Dialog06Scale"),
    "epelsa": ("drivers.scale.continuous", "EpelsaScale"),
    "cas22": ("drivers.scale.continuous_lines", "Cas22Scale"),
    "dini": ("drivers.scale.continuous_lines", "DiniScale"),
}


def protocol_class(name: str) -> type[SerialScale]:
    table = dict(PROTOCOLS)
    for ep in entry_points(group="lanekit.scale_protocols"):
        module, _, cls = ep.value.partition(":")
        table.setdefault(ep.name, (module, cls))
    if name not in table:
        raise BackendUnavailable(name, f"no such scale protocol; known: {', '.join(sorted(table))}")
    module_name, class_name = table[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise BackendUnavailable(name, f"cannot import {module_name}: {err}") from err
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, SerialScale)):
        raise BackendUnavailable(name, f"{module_name}.{class_name} is not a scale driver")
    return cls


async def open_scale(config: ScaleConfig) -> Scale:
    """The configured scale, open. With `backend = "sim"` a simulator is started on a pty and the
    same driver opens it; the simulator is closed with the scale (reach it as `scale.sim`)."""
    sim = None
    protocol = config.protocol
    port = config.port
    settings = config.serial
    if config.backend == "sim":
        from drivers.scale.sim import ScaleSim

        sim = ScaleSim(protocol, unit=config.weight_unit)
        port = await sim.start()
        if settings is not None and settings != PTY_SETTINGS:
            log.info("%s: serial settings %s validated; the simulator's pty runs 8N1", config.name, settings.describe())
        settings = PTY_SETTINGS
    elif protocol == "auto":
        from drivers.scale.detect import detect_protocol

        protocol = await detect_protocol(port, settings)
    cls = protocol_class(protocol)
    try:
        scale = cls(port, settings=settings, unit=config.weight_unit, name=config.name, timeout=config.timeout)
    except BaseException:
        if sim is not None:
            await sim.close()
        raise
    # Protocol-specific keys go through one hook, so every constructor keeps one signature.
    scale.apply_options(config)
    scale.sim = sim
    return scale
