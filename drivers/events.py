"""Typed device events and the driver error tree, shared by every device kind.

Drivers know nothing of sales: they emit these values and the lane interprets them.
Errors (httpx/python-can style, grouped by what the caller does next):

    DriverError
    ├── BackendUnavailable   the backend's library or device is missing (name + reason)
    ├── DeviceInitError      the device did not come up
    ├── DeviceOperationError a command failed on a working link
    │   ├── DeviceTimeout    (also a TimeoutError) no answer in time
    │   └── DeviceGone       the device vanished while open (unplugged): wait for it to come back
    └── FrameError           bytes that do not parse: carries offset and reason
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


class DriverError(Exception):
    """Base of every error a driver raises on purpose."""


class BackendUnavailable(DriverError):
    def __init__(self, backend: str, reason: str) -> None:
        super().__init__(f"backend {backend!r} is unavailable: {reason}")
        self.backend = backend
        self.reason = reason


class DeviceInitError(DriverError):
    pass


class DeviceOperationError(DriverError):
    pass


class DeviceTimeout(DeviceOperationError, TimeoutError):
    pass


class DeviceGone(DeviceOperationError):
    """The device disappeared while open (unplugged, ENODEV); the supervisor reopens it on return."""


class FrameError(DriverError):
    """Input bytes that do not parse; `offset` is where in the input the problem starts."""

    def __init__(self, reason: str, offset: int = 0, data: bytes = b"") -> None:
        super().__init__(f"{reason} at offset {offset}")
        self.reason = reason
        self.offset = offset
        self.data = data


@dataclass(frozen=True, slots=True)
class Scan:
    """One decoded barcode read. `data` is binary-safe; `symbology` is the AIM id (e.g. ']E0') if known."""

    data: bytes
    symbology: str | None = None
    device: str = ""

    @property
    def text(self) -> str:
        return self.data.decode("latin-1")


class WeightUnit(enum.Enum):
    KG = "kg"
    G = "g"
    LB = "lb"
    OZ = "oz"


@dataclass(frozen=True, slots=True)
class Weight:
    """A stable weight. Drivers never emit a Weight for motion, overload or error: see ScaleStatus."""

    value: Decimal
    unit: WeightUnit
    device: str = ""
    tare: Decimal = Decimal(0)
    net: bool = False  # the scale says a tare is subtracted (Toledo `N`, NCI status byte 3)

    def grams(self) -> Decimal:
        factor = {WeightUnit.KG: Decimal(1000), WeightUnit.G: Decimal(1),
                  WeightUnit.LB: Decimal("453.59237"), WeightUnit.OZ: Decimal("28.349523125")}[self.unit]
        return self.value * factor


class ScaleState(enum.Enum):
    MOTION = "motion"
    OVER_CAPACITY = "over_capacity"
    UNDER_ZERO = "under_zero"
    ZERO_ERROR = "zero_error"
    ERROR = "error"
    NO_RESPONSE = "no_response"
    OK = "ok"
    BELOW_MINIMUM = "below_minimum"  # stable but under the scale's legal minimum (Dialog 06 code 30)


@dataclass(frozen=True, slots=True)
class ScaleStatus:
    state: ScaleState
    device: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    online: bool
    paper_out: bool = False
    paper_near_end: bool = False
    cover_open: bool = False
    drawer_open: bool | None = None
    device: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DeviceAttached:
    kind: str  # scanner | scale | printer | pinpad
    device: str
    info: dict[str, str] = field(default_factory=dict)
    # the driver's config table for this device from the device map (discovery fills it in)
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DeviceDetached:
    kind: str
    device: str


class EntryMode(enum.Enum):
    CHIP = "chip"
    CONTACTLESS = "contactless"
    MAGSTRIPE = "magstripe"
    MAGSTRIPE_FALLBACK = "magstripe_fallback"


@dataclass(frozen=True, slots=True)
class CardRead:
    """A card read, as the PIN pad reports it: only ciphertext, the DUKPT KSN and a masked PAN.

    `ciphertext` is AES-CBC under the KSN's data-encryption key; `pin_block` is an ISO 9564
    format-4 block under its PIN key (empty when no PIN was taken). `late` means the lane had
    already given up on `transaction_id` when the read arrived: the payment layer must reverse it.
    """

    transaction_id: str
    ciphertext: bytes
    ksn: bytes
    masked_pan: str
    entry_mode: EntryMode
    pin_block: bytes = b""
    late: bool = False
    device: str = ""


DeviceEvent = Scan | Weight | ScaleStatus | PrinterStatus | DeviceAttached | DeviceDetached | CardRead
