"""The PIN-pad serial protocol, shared by the firmware and the host driver (MicroPython subset).

Frame:   STX | LEN (2, big-endian) | SEQ (1) | PAYLOAD (LEN bytes) | ETX | CRC (2)
         CRC-16/CCITT-FALSE over LEN..ETX. LEN <= MAX_PAYLOAD.
Payload: TYPE (1) | fields, each field = length (1) | bytes. See docs/pinpad-protocol.md.
"""

STX = 0x02
ETX = 0x03
MAX_PAYLOAD = 512
OVERHEAD = 7  # STX, LEN(2), SEQ, ETX, CRC(2)

# message types
ACK = 0x06
NAK = 0x15
STATUS = 0x20
DISPLAY = 0x21
START = 0x22
CANCEL = 0x23
RESULT = 0x24
KEY_INJECT = 0x25
SELF_TEST = 0x26
STATUS_REPLY = 0x40
OK = 0x41
ERROR = 0x42
CARD_READ = 0x43
TXN_STATE = 0x44
SELF_TEST_REPLY = 0x45

# field kinds: "id" transaction id (1..32 printable ASCII), "uint" big-endian unsigned (1..8 bytes),
# "cur" ISO 4217 alpha (3 upper-case letters), "text" UTF-8 (0..64 bytes), "ascii" printable ASCII,
# "bytes" raw, "u8" one byte, "oid" optional transaction id (empty = none)
SCHEMAS = {
    ACK: (),
    NAK: (("reason", "ascii"),),
    STATUS: (),
    DISPLAY: (("text", "text"),),
    START: (("txn", "id"), ("amount", "uint"), ("currency", "cur")),
    CANCEL: (("txn", "id"),),
    RESULT: (("txn", "id"),),
    KEY_INJECT: (("key_block", "ascii"),),
    SELF_TEST: (),
    STATUS_REPLY: (("state", "ascii"), ("txn", "oid"), ("ksn", "bytes")),
    OK: (("request", "u8"), ("txn", "oid")),
    ERROR: (("request", "u8"), ("code", "ascii"), ("detail", "text"), ("txn", "oid")),
    CARD_READ: (("txn", "id"), ("entry_mode", "ascii"), ("masked_pan", "ascii"), ("ksn", "bytes"),
                ("pin_block", "bytes"), ("ciphertext", "bytes")),
    TXN_STATE: (("txn", "id"), ("state", "ascii")),
    SELF_TEST_REPLY: (("passed", "u8"), ("detail", "text")),
}


class WireError(Exception):
    """Bytes or a payload that do not parse; ``offset`` is where in the input the problem starts."""

    def __init__(self, reason, offset=0):
        super().__init__(reason + " at offset " + str(offset))
        self.reason = reason
        self.offset = offset


def crc16(data) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def encode_frame(seq: int, payload: bytes) -> bytes:
    if len(payload) > MAX_PAYLOAD:
        raise ValueError("payload of " + str(len(payload)) + " bytes exceeds " + str(MAX_PAYLOAD))
    body = len(payload).to_bytes(2, "big") + bytes([seq & 0xFF]) + payload + bytes([ETX])
    return bytes([STX]) + body + crc16(body).to_bytes(2, "big")


class Frame:
    def __init__(self, seq, payload, offset):
        self.seq = seq
        self.payload = payload
        self.offset = offset  # stream offset of its STX


class Deframer:
    """Incremental frame scanner. ``feed`` returns Frames and WireErrors in stream order.

    On any defect it skips one byte past the suspect STX and rescans, so a valid frame hidden
    after garbage (even garbage holding STX and a plausible length) is still found. ``flush``
    (called on an inter-byte timeout) gives up on an incomplete candidate the same way.
    """

    def __init__(self):
        self._buf = b""
        self._base = 0  # stream offset of _buf[0]

    def _drop(self, count):
        self._buf = self._buf[count:]
        self._base += count

    def feed(self, data):
        self._buf += bytes(data)
        return self._scan(False)

    def flush(self):
        return self._scan(True)

    @property
    def pending(self) -> int:
        return len(self._buf)

    def _scan(self, final):
        out: list = []
        while self._buf:
            start = self._buf.find(bytes([STX]))
            if start < 0:
                out.append(WireError("%d bytes of noise outside any frame" % len(self._buf), self._base))
                self._drop(len(self._buf))
                break
            if start:
                out.append(WireError("%d bytes of noise before STX" % start, self._base))
                self._drop(start)
            if len(self._buf) < 4:
                if final:
                    out.append(WireError("frame truncated in its header", self._base))
                    self._drop(1)
                    continue
                break
            length = int.from_bytes(self._buf[1:3], "big")
            if length > MAX_PAYLOAD:
                out.append(WireError("length %d exceeds %d" % (length, MAX_PAYLOAD), self._base + 1))
                self._drop(1)
                continue
            total = length + OVERHEAD
            if len(self._buf) < total:
                if final:
                    out.append(WireError("frame truncated: %d of %d bytes" % (len(self._buf), total), self._base))
                    self._drop(1)
                    continue
                break
            if self._buf[total - 3] != ETX:
                out.append(WireError("no ETX where LEN puts it", self._base + total - 3))
                self._drop(1)
                continue
            crc = int.from_bytes(self._buf[total - 2:total], "big")
            if crc16(self._buf[1:total - 2]) != crc:
                out.append(WireError("CRC mismatch", self._base + total - 2))
                self._drop(1)
                continue
            out.append(Frame(self._buf[3], self._buf[4:total - 3], self._base))
            self._drop(total)
        return out


def _printable(raw: bytes) -> bool:
    for b in raw:
        if b < 0x20 or b > 0x7E:
            return False
    return True


def _check_field(kind, raw, offset):
    if kind == "id":
        if not 1 <= len(raw) <= 32 or not _printable(raw):
            raise WireError("transaction id must be 1-32 printable ASCII bytes", offset)
        return raw.decode()
    if kind == "oid":
        if not raw:
            return None
        return _check_field("id", raw, offset)
    if kind == "uint":
        if not 1 <= len(raw) <= 8:
            raise WireError("unsigned field must be 1-8 bytes", offset)
        return int.from_bytes(raw, "big")
    if kind == "cur":
        if len(raw) != 3 or not (65 <= raw[0] <= 90 and 65 <= raw[1] <= 90 and 65 <= raw[2] <= 90):
            raise WireError("currency must be 3 upper-case letters", offset)
        return raw.decode()
    if kind == "text":
        if len(raw) > 64:
            raise WireError("text longer than 64 bytes", offset)
        try:
            return raw.decode("utf-8")
        except UnicodeError:
            raise WireError("text is not UTF-8", offset) from None
    if kind == "ascii":
        if not _printable(raw):
            raise WireError("field is not printable ASCII", offset)
        return raw.decode()
    if kind == "u8":
        if len(raw) != 1:
            raise WireError("byte field must be 1 byte", offset)
        return raw[0]
    return bytes(raw)


def decode_message(payload: bytes):
    """(type, {field: value}) from a frame payload, or raise WireError with the payload offset."""
    if not payload:
        raise WireError("empty payload", 0)
    kind = payload[0]
    schema = SCHEMAS.get(kind)
    if schema is None:
        raise WireError("unknown message type 0x%02X" % kind, 0)
    fields = {}
    pos = 1
    for name, ftype in schema:
        if pos >= len(payload):
            raise WireError("field '" + name + "' missing", pos)
        size = payload[pos]
        if pos + 1 + size > len(payload):
            raise WireError("field '" + name + "' runs past the payload", pos)
        fields[name] = _check_field(ftype, payload[pos + 1:pos + 1 + size], pos + 1)
        pos += 1 + size
    if pos != len(payload):
        raise WireError("%d trailing bytes after the last field" % (len(payload) - pos), pos)
    return kind, fields


def _raw(ftype, value) -> bytes:
    if value is None:
        return b""
    if ftype == "uint":
        if value < 0 or value >= 1 << 64:
            raise ValueError("unsigned value out of range")
        size = 1
        while value >= 1 << (8 * size):
            size += 1
        return value.to_bytes(size, "big")
    if ftype == "u8":
        return bytes([value])
    if isinstance(value, str):
        return value.encode()
    return bytes(value)


def encode_message(kind: int, fields=None) -> bytes:
    fields = fields or {}
    out = bytes([kind])
    for name, ftype in SCHEMAS[kind]:
        raw = _raw(ftype, fields.get(name))
        if len(raw) > 255:
            raise ValueError("field '" + name + "' longer than 255 bytes")
        _check_field(ftype, raw, len(out) + 1)
        out += bytes([len(raw)]) + raw
    return out
