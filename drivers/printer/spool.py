"""The reprint spool: a directory of receipts that have not (yet) printed.

Every receipt is written here *before* its bytes go to the printer and removed once the printer
confirms it, so neither a failed print nor a crash mid-print loses a receipt. Layout:

    <dir>/pending/<seq>-<ref>.json   one receipt each, written atomically (tmp + fsync + rename)
    <dir>/rejected/                  files that could not be read back (moved aside, logged)

A file is JSON: {"version": 1, "ref", "created", "attempts", "last_error", "document": {"ref",
"blocks": [{"type": "text", ...fields}, ...]}}. The document is stored, not the ESC/POS bytes, so
a receipt can be reprinted on a replacement printer of another model. Spool files are read back
as untrusted input: a bad file gives a FrameError naming the file, the byte offset and the reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from drivers.events import FrameError
from drivers.printer.document import (
    Barcode,
    Block,
    Cut,
    DrawerKick,
    Feed,
    Logo,
    QrCode,
    ReceiptDocument,
    Row,
    Separator,
    TextLine,
)

log = logging.getLogger(__name__)

_TYPES: dict[str, type] = {
    "text": TextLine,
    "row": Row,
    "separator": Separator,
    "feed": Feed,
    "barcode": Barcode,
    "qr": QrCode,
    "logo": Logo,
    "cut": Cut,
    "drawer": DrawerKick,
}
_NAMES = {cls: name for name, cls in _TYPES.items()}
_VERSION = 1
_BYTE_AT = re.compile(r"\(byte (\d+)\)")


def document_to_builtins(doc: ReceiptDocument) -> dict[str, Any]:
    return {
        "ref": doc.ref,
        "blocks": [{"type": _NAMES[type(b)], **msgspec.to_builtins(b)} for b in doc.blocks],
    }


def document_from_builtins(obj: Any) -> ReceiptDocument:
    """Rebuild a document; ValueError naming the block and field for anything malformed."""
    if not isinstance(obj, dict) or not isinstance(obj.get("blocks"), list):
        raise ValueError("document must be an object with a 'blocks' list")
    ref = obj.get("ref", "")
    if not isinstance(ref, str):
        raise ValueError("document 'ref' must be a string")
    blocks: list[Block] = []
    for i, raw in enumerate(obj["blocks"]):
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str) or raw["type"] not in _TYPES:
            raise ValueError(f"block {i}: unknown block type {raw.get('type') if isinstance(raw, dict) else raw!r}")
        cls = _TYPES[raw["type"]]
        fields = {k: v for k, v in raw.items() if k != "type"}
        unknown = set(fields) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"block {i} ({raw['type']}): unknown fields {sorted(unknown)}")
        try:
            blocks.append(msgspec.convert(fields, cls))
        except msgspec.ValidationError as err:
            raise ValueError(f"block {i} ({raw['type']}): {err}") from err
    return ReceiptDocument(tuple(blocks), ref=ref)


@dataclass(frozen=True, slots=True)
class SpoolEntry:
    path: Path
    ref: str
    created: str
    attempts: int
    last_error: str


class _File(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    ref: str
    created: str
    attempts: int
    last_error: str
    document: dict[str, Any]


class ReprintSpool:
    """Pending receipts on disk. Create with the directory; it is made (0700) if missing."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.pending_dir = self.directory / "pending"
        self.rejected_dir = self.directory / "rejected"
        self.pending_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.rejected_dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _next_name(self, ref: str) -> str:
        seqs = [int(p.name.split("-", 1)[0]) for p in self.pending_dir.glob("*.json") if p.name[:8].isdigit()]
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", ref)[:64] or "receipt"
        return f"{max(seqs, default=0) + 1:08d}-{safe}.json"

    def _write(self, path: Path, data: _File) -> None:
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(msgspec.json.encode(data))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        dirfd = os.open(self.pending_dir, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)

    def put(self, doc: ReceiptDocument, reason: str = "queued for printing") -> SpoolEntry:
        """Keep `doc` durably; returns its entry."""
        path = self.pending_dir / self._next_name(doc.ref)
        created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self._write(path, _File(_VERSION, doc.ref, created, 0, reason, document_to_builtins(doc)))
        return SpoolEntry(path, doc.ref, created, 0, reason)

    def mark_failed(self, entry: SpoolEntry, error: str) -> SpoolEntry:
        """Record a failed attempt; the receipt stays pending for the lane to reprint."""
        data = self._read_file(entry.path)
        data.attempts += 1
        data.last_error = error
        self._write(entry.path, data)
        return SpoolEntry(entry.path, data.ref, data.created, data.attempts, error)

    def done(self, entry: SpoolEntry) -> None:
        entry.path.unlink(missing_ok=True)

    def _read_file(self, path: Path) -> _File:
        raw = path.read_bytes()
        try:
            data = msgspec.json.decode(raw, type=_File)
        except msgspec.DecodeError as err:
            m = _BYTE_AT.search(str(err))
            offset = int(m.group(1)) if m else len(raw)
            raise FrameError(f"spool file {path.name}: {err}", offset=offset, data=raw[:64]) from err
        if data.version != _VERSION:
            raise FrameError(f"spool file {path.name}: unsupported version {data.version}", offset=0)
        return data

    def load(self, entry: SpoolEntry) -> ReceiptDocument:
        data = self._read_file(entry.path)
        try:
            return document_from_builtins(data.document)
        except ValueError as err:
            raise FrameError(f"spool file {entry.path.name}: {err}", offset=0) from err

    def pending(self) -> list[SpoolEntry]:
        """Receipts waiting for a reprint, oldest first. Unreadable files are moved to rejected/."""
        out = []
        for path in sorted(self.pending_dir.glob("*.json")):
            try:
                data = self._read_file(path)
                document_from_builtins(data.document)
            except (FrameError, ValueError) as err:
                log.error("reprint spool: %s; moved to %s", err, self.rejected_dir)
                os.replace(path, self.rejected_dir / path.name)
                continue
            out.append(SpoolEntry(path, data.ref, data.created, data.attempts, data.last_error))
        return out
