"""Choosing a printer backend from settings (python-can's `interface.py`, our names).

BACKENDS maps a backend name to (module, class); packages add more through the `lanekit.printer`
entry-point group. A module is imported only when its backend is chosen.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import msgspec

from drivers.events import BackendUnavailable
from drivers.printer.base import Printer
from drivers.printer.errors import PrinterConfigError
from drivers.printer.settings import PrinterSettings
from drivers.printer.spool import ReprintSpool

ENTRY_POINT_GROUP = "lanekit.printer"
BACKENDS: dict[str, tuple[str, str]] = {
    "usb": ("drivers.printer.usb", "UsbPrinter"),
    "serial": ("drivers.printer.serialport", "SerialPrinter"),
    "network": ("drivers.printer.network", "NetworkPrinter"),
    "file": ("drivers.printer.file", "FilePrinter"),
    "sim": ("drivers.printer.sim", "SimPrinter"),
}


def backend_class(name: str) -> type[Printer]:
    if name in BACKENDS:
        module_name, class_name = BACKENDS[name]
    else:
        found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
        if not found:
            raise PrinterConfigError(
                f"unknown printer backend {name!r}; known: {', '.join(sorted(BACKENDS))}"
            )
        module_name, _, class_name = found[0].value.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise BackendUnavailable(name, f"cannot import {module_name}: {err}") from err
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Printer)):
        raise BackendUnavailable(name, f"{module_name}.{class_name} is not a Printer")
    return cls


def load_settings(mapping: Mapping[str, Any]) -> PrinterSettings:
    """Validate a printer config table into its backend's Settings (unknown keys are errors)."""
    backend = mapping.get("backend")
    if not isinstance(backend, str):
        raise PrinterConfigError("printer settings need a 'backend' (usb, serial, network, file, sim)")
    cls = backend_class(backend)
    try:
        return msgspec.convert(dict(mapping), cls.Settings)
    except msgspec.ValidationError as err:
        raise PrinterConfigError(f"printer settings for backend {backend!r}: {err}") from err


def open_printer(
    settings: PrinterSettings | Mapping[str, Any], *, spool_dir: Path | str, **backend_args: Any
) -> Printer:
    """The printer for `settings` (not yet connected: use `async with open_printer(...) as p:`).

    `spool_dir` holds receipts that did not print (see spool.py); `backend_args` are
    backend-specific objects, e.g. `device=` a SimulatedPrinter for the sim backend.
    """
    if not isinstance(settings, PrinterSettings):
        settings = load_settings(settings)
    cls = backend_class(settings.backend)
    if not isinstance(settings, cls.Settings):
        raise PrinterConfigError(f"{type(settings).__name__} is not the settings type of backend {settings.backend!r}")
    return cls(settings, spool=ReprintSpool(spool_dir), **backend_args)
