"""USB HID Point of Sale barcode scanner reports (HID usage page 0x8C, Scanned Data Report 0x12).

The 64-byte input report scanners send in "HID POS" mode (as Honeywell documents it and as a
Voyager 1602g sends it, see the tests):

    byte 0      report id (0x02)
    byte 1      number of data bytes in this report (0..56)
    bytes 2-4   AIM symbology identifier, e.g. ']E0' (zeros when the scanner sends none)
    bytes 5-60  decoded data, binary-safe, zero padded
    byte 61     the vendor's own symbology code (Honeywell code id, e.g. 'd' = EAN-13)
    byte 62     reserved
    byte 63     bit 0: "decoded data continued" — more reports follow for this barcode

Long barcodes span several reports; the assembler joins them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from drivers.events import FrameError, Scan
from drivers.scanner.aim import split_aim

log = logging.getLogger(__name__)

REPORT_SIZE = 64
DATA_OFFSET = 5
DATA_MAX = 56
VENDOR_SYMBOLOGY = 61
CONTINUED = 63


@dataclass(frozen=True, slots=True)
class HidPosReport:
    data: bytes
    symbology: str | None
    vendor_symbology: int
    continued: bool


def _reject(reason: str, offset: int, report: bytes) -> FrameError:
    err = FrameError(reason, offset, bytes(report[:16]))
    log.warning("HID POS report: %s", err)
    return err


def parse_report(report: bytes, *, report_id: int = 0x02, offset: int = 0) -> HidPosReport | FrameError:
    """One input report -> its fields; `offset` is where the report starts in the device's stream."""
    if len(report) < DATA_OFFSET:
        return _reject(f"report of {len(report)} bytes is shorter than its {DATA_OFFSET}-byte header", offset, report)
    if report[0] != report_id:
        return _reject(f"report id {report[0]:#04x} is not the scanned-data report {report_id:#04x}",
                       offset, report)
    length = report[1]
    room = min(DATA_MAX, len(report) - DATA_OFFSET)
    if length > room:
        return _reject(f"data length {length} exceeds the {room} data bytes of the report", offset + 1, report)
    aim = bytes(report[2:5])
    symbology: str | None = None
    if aim != b"\x00\x00\x00":
        split = split_aim(aim, offset + 2)
        if isinstance(split, FrameError):
            log.warning("HID POS report: %s", split)
            return split
        symbology = split[0]
    full = len(report) >= REPORT_SIZE
    return HidPosReport(
        data=bytes(report[DATA_OFFSET : DATA_OFFSET + length]),
        symbology=symbology,
        vendor_symbology=report[VENDOR_SYMBOLOGY] if full else 0,
        continued=bool(report[CONTINUED] & 1) if full else False,
    )


class HidPosAssembler:
    """Reports in, whole scans out; a rejected report changes nothing (a continued scan goes on)."""

    def __init__(self, *, report_id: int = 0x02, max_length: int = 65536, device: str = "") -> None:
        self.report_id = report_id
        self.max_length = max_length
        self.device = device
        self._parts: list[bytes] = []
        self._symbology: str | None = None
        self._start = 0
        self._offset = 0  # running byte count of reports seen, for error offsets

    @property
    def pending(self) -> bool:
        return bool(self._parts)

    def feed(self, report: bytes) -> list[Scan | FrameError]:
        at = self._offset
        self._offset += len(report)
        parsed = parse_report(report, report_id=self.report_id, offset=at)
        if isinstance(parsed, FrameError):
            return [parsed]
        out: list[Scan | FrameError] = []
        if self._parts and parsed.symbology != self._symbology:
            out.append(_reject(f"continued barcode changed symbology from {self._symbology} to "
                               f"{parsed.symbology}; its first part is dropped", self._start, b"".join(self._parts)))
            self._parts = []
        if not self._parts:
            self._symbology, self._start = parsed.symbology, at
        self._parts.append(parsed.data)
        if sum(map(len, self._parts)) > self.max_length:
            out.append(_reject(f"barcode longer than {self.max_length} bytes", self._start, self._parts[0]))
            self._parts = []
            return out
        if not parsed.continued:
            data, self._parts = b"".join(self._parts), []
            out.append(Scan(data, self._symbology, self.device))
        return out

    def abandon(self) -> FrameError | None:
        """The device stopped mid-barcode (unplugged, closed): the parts so far are not a scan."""
        if not self._parts:
            return None
        err = _reject("barcode cut off before its last report", self._start, b"".join(self._parts))
        self._parts = []
        return err


def build_report(data: bytes, symbology: str | None = None, *, vendor_symbology: int = 0,
                 continued: bool = False, report_id: int = 0x02) -> bytes:
    """The report a HID POS scanner sends for up to 56 bytes (the simulator's side of the wire)."""
    if len(data) > DATA_MAX:
        raise ValueError(f"one report carries at most {DATA_MAX} data bytes")
    aim = symbology.encode("ascii") if symbology else b"\x00\x00\x00"
    body = bytes([report_id, len(data)]) + aim + data.ljust(DATA_MAX, b"\x00")
    return body + bytes([vendor_symbology, 0, 1 if continued else 0])


def build_reports(data: bytes, symbology: str | None = None, *, vendor_symbology: int = 0) -> list[bytes]:
    """A barcode of any length as the sequence of reports a scanner sends for it."""
    chunks = [data[i : i + DATA_MAX] for i in range(0, len(data), DATA_MAX)] or [b""]
    return [build_report(c, symbology, vendor_symbology=vendor_symbology, continued=i < len(chunks) - 1)
            for i, c in enumerate(chunks)]
