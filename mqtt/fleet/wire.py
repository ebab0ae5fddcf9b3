"""Fleet wire schemas (msgspec, unknown fields refused). Signed ones travel inside `signing.Signed`."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

WIRE_VERSION = 1
MAX_DOC_BYTES = 256 * 1024

# applied: running this version, health check passed. failed: applied, health check failed,
# rolled back to last known-good. refused: never applied (signature, replay, schema).
# waiting: valid and newer, but the lane is not idle past the restart deadline.
Status = Literal["applied", "failed", "refused", "waiting"]


class DesiredDoc(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The signed payload on dev/{id}/config/desired: the whole merged config for one device."""

    v: int = WIRE_VERSION
    device: str  # signed, so a document for one device cannot be replayed to another
    version: int
    config: dict[str, Any]
    issued_at: float = 0.0


class Reported(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Retained on dev/{id}/config/reported: what the device runs and what became of the last document."""

    v: int = WIRE_VERSION
    applied_version: int
    status: Status
    version: int = 0  # the desired version this report is about
    error: str = ""
    at: float = 0.0


class ConfigGet(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """dev/{id}/config/get: the device asks for its current desired document (sent on every connect)."""

    v: int = WIRE_VERSION
    applied_version: int = 0
