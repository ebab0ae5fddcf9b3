"""Backend name -> (module, class), imported only when chosen (like python-can's BACKENDS).

Other packages add backends through the `lanekit.scanner_backends` entry-point group
(`name = "package.module:ClassName"`).
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Mapping
from typing import Any

import msgspec

from drivers.events import BackendUnavailable
from drivers.scanner.base import Scanner

BACKENDS: dict[str, tuple[str, str]] = {
    "evdev_wedge": ("drivers.scanner.evdev_wedge", "EvdevWedgeScanner"),
    "sim": ("drivers.scanner.sim", "SimScanner"),
    "serial": ("drivers.scanner.serial_port", "SerialScanner"),
    "hid_pos": ("drivers.scanner.hid_pos", "HidPosScanner"),
}
ENTRY_POINT_GROUP = "lanekit.scanner_backends"


class ScannerConfigError(ValueError):
    """The scanner's configuration is wrong (unknown key, bad value, missing backend)."""


def _table() -> dict[str, tuple[str, str]]:
    table = dict(BACKENDS)
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        module, _, cls = ep.value.partition(":")
        table.setdefault(ep.name, (module, cls))
    return table


def backend_class(backend: str) -> type[Scanner]:
    table = _table()
    if backend not in table:
        raise BackendUnavailable(backend, f"no such scanner backend; known: {', '.join(sorted(table))}")
    module_name, class_name = table[backend]
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise BackendUnavailable(backend, f"cannot import {module_name}: {err}") from err
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Scanner)):
        raise BackendUnavailable(backend, f"{module_name}.{class_name} is not a Scanner")
    return cls


def open_scanner(config: Mapping[str, Any], *, name: str = "") -> Scanner:
    """Build (not yet open) the scanner a config table describes: `{"backend": "evdev_wedge", ...}`.

    The remaining keys are validated strictly into the backend's Settings struct.
    """
    options = dict(config)
    backend = options.pop("backend", None)
    if not isinstance(backend, str):
        raise ScannerConfigError(f"scanner {name!r}: 'backend' must name one of {', '.join(sorted(_table()))}")
    cls = backend_class(backend)
    settings_type = cls.Settings  # type: ignore[attr-defined]
    try:
        settings = msgspec.convert(options, settings_type)
    except msgspec.ValidationError as err:
        raise ScannerConfigError(f"scanner {name!r} ({backend}): {err}") from err
    try:
        return cls(settings, name=name)  # type: ignore[call-arg]
    except ValueError as err:  # e.g. a keyboard layout xkb-data does not have
        raise ScannerConfigError(f"scanner {name!r} ({backend}): {err}") from err
