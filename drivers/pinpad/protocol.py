"""Host-side typed view of the PIN-pad protocol (framing and field codec shared with the firmware
in ``firmware/wire.py``). Every parse failure becomes a ``FrameError`` with offset and reason."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from drivers.events import CardRead, EntryMode, FrameError
from drivers.pinpad.firmware import wire

_MASKED = re.compile(r"^[0-9]{0,6}\*{3,13}[0-9]{4}$")


class PadStatus(msgspec.Struct, frozen=True):
    state: str
    transaction_id: str | None
    ksn: bytes


class TxnState(msgspec.Struct, frozen=True):
    transaction_id: str
    state: str


class SelfTestResult(msgspec.Struct, frozen=True):
    passed: bool
    detail: str


class Ok(msgspec.Struct, frozen=True):
    request: int
    transaction_id: str | None


class Refusal(msgspec.Struct, frozen=True):
    request: int
    code: str
    detail: str
    transaction_id: str | None


Reply = PadStatus | TxnState | SelfTestResult | Ok | Refusal | CardRead


def decode(payload: bytes, device: str = "") -> Reply:
    """A typed reply from a frame payload; FrameError (offset within the payload) if it is not one."""
    try:
        kind, f = wire.decode_message(payload)
    except wire.WireError as err:
        raise FrameError(err.reason, err.offset, payload) from err
    return _typed(kind, f, payload, device)


def _typed(kind: int, f: dict[str, Any], payload: bytes, device: str) -> Reply:
    if kind == wire.STATUS_REPLY:
        return PadStatus(f["state"], f["txn"], f["ksn"])
    if kind == wire.TXN_STATE:
        return TxnState(f["txn"], f["state"])
    if kind == wire.SELF_TEST_REPLY:
        return SelfTestResult(bool(f["passed"]), f["detail"])
    if kind == wire.OK:
        return Ok(f["request"], f["txn"])
    if kind == wire.ERROR:
        return Refusal(f["request"], f["code"], f["detail"], f["txn"])
    if kind == wire.CARD_READ:
        return card_read(f, payload, device)
    raise FrameError(f"message type 0x{kind:02X} is not something a PIN pad sends", 0, payload)


def card_read(f: dict[str, Any], payload: bytes = b"", device: str = "", late: bool = False) -> CardRead:
    try:
        mode = EntryMode(f["entry_mode"])
    except ValueError as err:
        raise FrameError(f"unknown entry mode {f['entry_mode']!r}", 0, payload) from err
    if not _MASKED.match(f["masked_pan"]):
        # the appliance must never hold a clear PAN: refuse anything that is not masked
        raise FrameError("masked PAN is not masked (first 6 / last 4 at most)", 0, b"")
    if len(f["ksn"]) != 12:
        raise FrameError(f"KSN is {len(f['ksn'])} bytes, expected 12", 0, payload)
    if not f["ciphertext"] or len(f["ciphertext"]) % 16:
        raise FrameError("ciphertext is not whole AES blocks", 0, payload)
    if len(f["pin_block"]) not in (0, 16):
        raise FrameError("PIN block is not 16 bytes", 0, payload)
    return CardRead(transaction_id=f["txn"], ciphertext=f["ciphertext"], ksn=f["ksn"], masked_pan=f["masked_pan"],
                    entry_mode=mode, pin_block=f["pin_block"], late=late, device=device)


def request(kind: int, **fields: Any) -> bytes:
    """The payload of a host request; ValueError/WireError on values the protocol cannot carry."""
    try:
        return wire.encode_message(kind, fields)
    except wire.WireError as err:
        raise ValueError(f"cannot encode request: {err.reason}") from err
