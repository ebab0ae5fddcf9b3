"""One card read, decrypted with the BDK: the PAN, the track-2 equivalent and the PIN, in memory only.

A 12-byte KSN is AES DUKPT (X9.24-3; ``p2pe.channel`` envelope, format-4 PIN block); a 10-byte KSN
is legacy TDES DUKPT (X9.24-1: data under the data-request key, TDES-CBC, zero IV and zero
padding; format-0 PIN block under the PIN variant). Nothing here is ever logged or stored: the
ledger keeps ``masked()`` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from p2pe import channel, pinblock, tdes_dukpt
from p2pe.errors import P2peError
from p2pe.host import AES, TDES
from p2pe.modes import cbc_decrypt


class CardDataError(ValueError):
    """The card read does not decrypt or parse; the message never contains card data."""


@dataclass(frozen=True)
class ClearCard:
    pan: str = field(repr=False)
    track2: str = field(repr=False)
    pin: str | None = field(repr=False, default=None)

    def masked(self) -> str:
        return self.pan[:6] + "*" * (len(self.pan) - 10) + self.pan[-4:]


def _tlv(data: bytes) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    i = 0
    while i < len(data):
        if i + 2 > len(data):
            raise CardDataError("card data TLV is truncated")
        tag, length = data[i], data[i + 1]
        if length > 0x7F or i + 2 + length > len(data):
            raise CardDataError(f"card data TLV tag {tag:02X} has a bad length")
        out[tag] = data[i + 2:i + 2 + length]
        i += 2 + length
    return out


def parse_clear(clear: bytes) -> tuple[str, str]:
    """(PAN, track-2 equivalent as digits with 'D' separator) from BER-TLV 5A || 57."""
    fields = _tlv(clear.rstrip(b"\x00"))
    if 0x5A not in fields or 0x57 not in fields:
        raise CardDataError("card data lacks tag 5A (PAN) or 57 (track 2)")
    pan = fields[0x5A].hex().upper().rstrip("F")
    track2 = fields[0x57].hex().upper().rstrip("F")
    if not (12 <= len(pan) <= 19 and pan.isdigit()):
        raise CardDataError("tag 5A is not a 12-19 digit PAN")
    if not track2.startswith(pan + "D"):
        raise CardDataError("track 2 does not carry the same PAN")
    return pan, track2


def decrypt_read(bdk: bytes, ksn: bytes, card_data: bytes, pin_block: bytes = b"") -> ClearCard:
    try:
        if len(ksn) == 12:
            clear, _ = channel.host_decrypt(AES, bdk, ksn, card_data)
            pan, track2 = parse_clear(clear)
            pin = None
            if pin_block:
                _, pin = channel.host_decrypt(AES, bdk, ksn, card_data, pin_block, pan)
            return ClearCard(pan, track2, pin)
        if len(ksn) == 10:
            if len(card_data) % 8:
                raise CardDataError("TDES card data is not whole 8-byte blocks")
            clear = cbc_decrypt(TDES, tdes_dukpt.data_request_key(bdk, ksn), bytes(8), card_data)
            pan, track2 = parse_clear(clear)
            pin = pinblock.decrypt_format0(TDES, tdes_dukpt.pin_key(bdk, ksn), pin_block, pan) if pin_block else None
            return ClearCard(pan, track2, pin)
    except P2peError as err:
        raise CardDataError(f"PIN block rejected: {type(err).__name__}") from None
    except ValueError as err:
        if isinstance(err, CardDataError):
            raise
        raise CardDataError("card data does not decrypt under this KSN") from None
    raise CardDataError(f"a KSN is 12 bytes (AES DUKPT) or 10 (TDES DUKPT), not {len(ksn)}")


def pin_error(err: CardDataError) -> bool:
    return str(err).startswith("PIN block")
