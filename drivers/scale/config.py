"""Scale configuration: untrusted TOML tables validated into typed, frozen settings.

Unknown keys are rejected (a misspelt option must not be silently dropped), and every error names
the offending key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import msgspec

from drivers.events import DriverError, WeightUnit

ProtocolName = Literal["toledo8217", "toledo8213", "nci", "sics", "dialog06", "epelsa", "cas22", "dini", "auto"]


class ScaleConfigError(DriverError, ValueError):
    """The scale's configuration is invalid; `where` is the key path (e.g. `$.serial.parity`)."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(f"invalid scale configuration: {message}")
        self.where = where


class SerialSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    baudrate: Literal[1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] = 9600
    bytesize: Literal[7, 8] = 8
    parity: Literal["N", "E", "O"] = "N"
    stopbits: Literal[1, 2] = 1

    def describe(self) -> str:
        return f"{self.baudrate} {self.bytesize}{self.parity}{self.stopbits}"


# The pseudo-terminal the simulator uses is driven 8N1 whatever the scale's real settings are.
PTY_SETTINGS = SerialSettings(9600, 8, "N", 1)


class ScaleConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One `[scale]` table of the lane's config."""

    protocol: ProtocolName
    port: str = ""
    backend: Literal["serial", "sim"] = "serial"
    serial: SerialSettings | None = None  # None: the protocol's documented default
    unit: Literal["kg", "g", "lb", "oz"] = "kg"  # for protocols whose replies carry no unit
    timeout: float = 2.0
    name: str = "scale"
    unit_price: int = 0  # Dialog 06: minor units sent in record 01 (the scale computes the amount)
    sics_command: Literal["S", "SI"] = "S"  # MT-SICS: wait for stability, or read immediately

    def __post_init__(self) -> None:
        if not 0 < self.timeout <= 60:
            raise ScaleConfigError(f"timeout must be in (0, 60] seconds, got {self.timeout}", "$.timeout")
        if not 0 <= self.unit_price <= 999_999:
            raise ScaleConfigError(f"unit_price must fit 6 digits, got {self.unit_price}", "$.unit_price")
        if self.backend == "serial" and not self.port:
            raise ScaleConfigError("a serial scale needs `port` (e.g. /dev/ttyUSB0)", "$.port")
        if self.backend == "sim" and self.protocol == "auto":
            raise ScaleConfigError("the simulator needs an explicit protocol, not auto", "$.protocol")

    @property
    def weight_unit(self) -> WeightUnit:
        return WeightUnit(self.unit)


def load_config(table: Mapping[str, Any]) -> ScaleConfig:
    """Validate a parsed TOML table; raises ScaleConfigError naming the bad key."""
    try:
        return msgspec.convert(dict(table), ScaleConfig)
    except msgspec.ValidationError as err:
        where = str(err).rpartition(" - at `")[2].rstrip("`") if " - at `" in str(err) else ""
        raise ScaleConfigError(str(err), where) from err
