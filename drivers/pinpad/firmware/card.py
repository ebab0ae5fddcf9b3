"""Card data as the reader delivers it: EMV BER-TLV records and magnetic-stripe track 2.

Everything here handles clear card data, so it lives only in the PIN pad. ``CardError`` says
what is wrong and where; nothing in it echoes the card data back.
"""

CHIP = "chip"
CONTACTLESS = "contactless"
MAGSTRIPE = "magstripe"
FALLBACK = "magstripe_fallback"


class CardError(Exception):
    def __init__(self, reason, offset=0):
        super().__init__(reason + " at offset " + str(offset))
        self.reason = reason
        self.offset = offset


def parse_tlv(data: bytes, offset: int = 0, out=None, depth: int = 0):
    """BER-TLV -> nested dict {tag hex: bytes or dict}; constructed tags recurse."""
    if depth > 8:
        raise CardError("TLV nested too deep", offset)
    result = {} if out is None else out
    pos = 0
    while pos < len(data):
        if data[pos] in (0x00, 0xFF):  # padding between TLVs is allowed by EMV
            pos += 1
            continue
        start = pos
        first = data[pos]
        pos += 1
        if first & 0x1F == 0x1F:
            while True:
                if pos >= len(data):
                    raise CardError("tag runs past the end", offset + start)
                pos += 1
                if not data[pos - 1] & 0x80:
                    break
                if pos - start > 4:
                    raise CardError("tag longer than 4 bytes", offset + start)
        tag = data[start:pos].hex().upper()
        if pos >= len(data):
            raise CardError("length missing for tag " + tag, offset + pos)
        size = data[pos]
        pos += 1
        if size & 0x80:
            count = size & 0x7F
            if count == 0 or count > 2 or pos + count > len(data):
                raise CardError("bad long-form length for tag " + tag, offset + pos - 1)
            size = int.from_bytes(data[pos:pos + count], "big")
            pos += count
        if pos + size > len(data):
            raise CardError("value of tag " + tag + " runs past the end", offset + pos)
        value = data[pos:pos + size]
        if first & 0x20:
            result[tag] = parse_tlv(value, offset + pos, None, depth + 1)
        else:
            result[tag] = bytes(value)
        pos += size
    return result


def flatten(tree, out=None):
    """Every primitive tag anywhere in a parsed TLV tree (first occurrence wins)."""
    out = {} if out is None else out
    for tag in tree:
        value = tree[tag]
        if isinstance(value, dict):
            flatten(value, out)
        elif tag not in out:
            out[tag] = value
    return out


class Track2:
    """PAN, expiry (YYMM) and service code, from ASCII track 2 or EMV tag 57 (BCD, 'D' separator)."""

    def __init__(self, pan, expiry, service_code, discretionary):
        self.pan = pan
        self.expiry = expiry
        self.service_code = service_code
        self.discretionary = discretionary

    @classmethod
    def from_ascii(cls, text: str):
        body = text
        if body.startswith(";"):
            body = body[1:]
        if body.endswith("?"):
            body = body[:-1]
        return cls._parse(body, "=")

    @classmethod
    def from_equivalent(cls, raw: bytes):
        text = raw.hex().upper()
        if text.endswith("F"):
            text = text[:-1]
        return cls._parse(text, "D")

    @classmethod
    def _parse(cls, body: str, sep: str):
        cut = body.find(sep)
        if cut < 0:
            raise CardError("track 2 has no field separator", 0)
        pan = body[:cut]
        rest = body[cut + 1:]
        if not 12 <= len(pan) <= 19 or not pan.isdigit():
            raise CardError("track 2 PAN is not 12-19 digits", 0)
        if len(rest) < 7 or not rest[:7].isdigit():
            raise CardError("track 2 expiry/service code malformed", cut + 1)
        if not luhn_ok(pan):
            raise CardError("PAN fails the Luhn check", 0)
        return cls(pan, rest[:4], rest[4:7], rest[7:])

    def equivalent(self) -> bytes:
        """As EMV tag 57: BCD with 'D' separator, 'F' pad to whole bytes."""
        text = self.pan + "D" + self.expiry + self.service_code + self.discretionary
        if len(text) % 2:
            text += "F"
        return bytes.fromhex(text)

    @property
    def chip_capable(self) -> bool:
        return self.service_code[0] in "26"


def luhn_ok(pan: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(pan)):
        digit = ord(ch) - 48
        if i % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def mask_pan(pan: str) -> str:
    """First 6 and last 4 at most (PCI DSS 3.4.1); shorter PANs show only the last 4."""
    if len(pan) >= 13:
        return pan[:6] + "*" * (len(pan) - 10) + pan[-4:]
    return "*" * (len(pan) - 4) + pan[-4:]


def pan_bcd(pan: str) -> bytes:
    return bytes.fromhex(pan + ("F" if len(pan) % 2 else ""))


def from_emv(records) -> Track2:
    """Track 2 data from a list of EMV record bytes (chip READ RECORD or contactless)."""
    tags: dict = {}
    for raw in records:
        flatten(parse_tlv(raw), tags)
    for tag in ("57", "9F6B"):
        if tag in tags:
            track = Track2.from_equivalent(tags[tag])
            if "5A" in tags and pan_bcd(track.pan) != tags["5A"]:
                raise CardError("PAN in tag 5A differs from track 2", 0)
            return track
    raise CardError("card has no track 2 equivalent data (57/9F6B)", 0)


def sensitive_tlv(track: Track2) -> bytes:
    """The clear data that the PIN pad encrypts: 5A (PAN) then 57 (track 2 equivalent)."""
    pan = pan_bcd(track.pan)
    eq = track.equivalent()
    return b"\x5A" + bytes([len(pan)]) + pan + b"\x57" + bytes([len(eq)]) + eq
