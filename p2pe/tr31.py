"""TR-31 (ANSI X9.143) key blocks: parse, authenticate and unwrap; wrap for version D.

Versions: A and C (TDES key variant binding), B (TDES key derivation binding), D (AES key
derivation binding, CBC), E (ISO 20038, AES, CTR). AES versions need only the injected AES
primitive, so the PIN pad unwraps its version-D initial key itself; A/B/C need ``tdes``.
Every failure is a KeyBlockError with the offset (in characters) where the problem lies.
"""

from p2pe import cmac as _cmac
from p2pe._bin import equal, tohex, u16, xor
from p2pe.errors import KeyBlockError
from p2pe.modes import cbc_decrypt, cbc_encrypt, ctr_crypt

HEADER_LEN = 16
_MAC_CHARS = {"A": 8, "B": 16, "C": 8, "D": 32, "E": 32}
_HEX = "0123456789ABCDEF"


class KeyBlock:
    """An authenticated, unwrapped key block. ``optional`` maps block id (e.g. 'IK', 'KS') to its text."""

    def __init__(self, version, usage, algorithm, mode_of_use, key_version, exportability, optional, key):
        self.version = version
        self.usage = usage
        self.algorithm = algorithm
        self.mode_of_use = mode_of_use
        self.key_version = key_version
        self.exportability = exportability
        self.optional = optional
        self.key = key


def _is_hex(text: str) -> bool:
    for ch in text:
        if ch not in _HEX:
            return False
    return True


def _decimal(text: str, offset: int, what: str) -> int:
    if not text.isdigit():
        raise KeyBlockError(what + " is not decimal", offset)
    return int(text)


def parse_header(block: str):
    """(fields dict, optional blocks dict, index where the encrypted payload starts)."""
    if len(block) < HEADER_LEN:
        raise KeyBlockError("key block shorter than its 16-character header", len(block))
    version = block[0]
    if version not in _MAC_CHARS:
        raise KeyBlockError("unknown key block version " + repr(version), 0)
    length = _decimal(block[1:5], 1, "key block length")
    if length != len(block):
        raise KeyBlockError("header says " + str(length) + " characters, block has " + str(len(block)), 1)
    count = _decimal(block[12:14], 12, "optional block count")
    fields = {"version": version, "usage": block[5:7], "algorithm": block[7], "mode_of_use": block[8],
              "key_version": block[9:11], "exportability": block[11]}
    optional = {}
    pos = HEADER_LEN
    for _ in range(count):
        if pos + 4 > len(block):
            raise KeyBlockError("optional block header runs past the end", pos)
        ident = block[pos:pos + 2]
        size_text = block[pos + 2:pos + 4]
        if not _is_hex(size_text):
            raise KeyBlockError("optional block length is not hex", pos + 2)
        size = int(size_text, 16)
        data_at = pos + 4
        if size == 0:  # extended length: 2 hex digits give the length of the length
            width = int(block[pos + 4:pos + 6], 16) if _is_hex(block[pos + 4:pos + 6]) else -1
            if width <= 0:
                raise KeyBlockError("extended optional block length is malformed", pos + 4)
            size_text = block[pos + 6:pos + 6 + width]
            if not _is_hex(size_text) or len(size_text) != width:
                raise KeyBlockError("extended optional block length is not hex", pos + 6)
            size = int(size_text, 16)
            data_at = pos + 6 + width
        if size < data_at - pos or pos + size > len(block):
            raise KeyBlockError("optional block " + ident + " has an impossible length", pos + 2)
        optional[ident] = block[data_at:pos + size]
        pos += size
    return fields, optional, pos


def _tdes_cbc_mac(tdes, key: bytes, data: bytes) -> bytes:
    state = bytes(8)
    for i in range(0, len(data), 8):
        state = tdes.encrypt(key, xor(state, data[i:i + 8]))
    return state


def _derive(cipher, kbpk: bytes, usage: int, size: int) -> bytes:
    if size == 8:
        algorithm = 0 if len(kbpk) == 16 else 1
    else:
        algorithm = {16: 2, 24: 3, 32: 4}[len(kbpk)]
    out = b""
    counter = 1
    while len(out) < len(kbpk):
        data = bytes([counter]) + u16(usage) + b"\x00" + u16(algorithm) + u16(len(kbpk) * 8)
        out += _cmac.cmac(cipher, kbpk, data, size)
        counter += 1
    return out[:len(kbpk)]


def _keys(version: str, kbpk: bytes, aes, tdes):
    if version in "AC":
        return bytes([b ^ 0x45 for b in kbpk]), bytes([b ^ 0x4D for b in kbpk])
    if version == "B":
        return _derive(tdes, kbpk, 0, 8), _derive(tdes, kbpk, 1, 8)
    return _derive(aes, kbpk, 0 if version == "D" else 2, 16), _derive(aes, kbpk, 1, 16)


def _check_kbpk(version: str, kbpk: bytes, aes, tdes) -> None:
    if version in "ABC":
        if tdes is None:
            raise KeyBlockError("version " + version + " is TDES-bound and no TDES primitive is available", 0)
        if len(kbpk) not in (16, 24):
            raise KeyBlockError("a TDES key block protection key is 16 or 24 bytes", 0)
    else:
        if aes is None:
            raise KeyBlockError("version " + version + " needs the AES primitive", 0)
        if len(kbpk) not in (16, 24, 32):
            raise KeyBlockError("an AES key block protection key is 16, 24 or 32 bytes", 0)


def unwrap(kbpk: bytes, block: str, aes=None, tdes=None) -> KeyBlock:
    """Authenticate and decrypt ``block`` under ``kbpk``; raises KeyBlockError on any defect."""
    fields, optional, start = parse_header(block)
    version = fields["version"]
    _check_kbpk(version, kbpk, aes, tdes)
    mac_chars = _MAC_CHARS[version]
    body = block[start:len(block) - mac_chars]
    mac_text = block[len(block) - mac_chars:]
    if len(block) - mac_chars < start or not _is_hex(body) or not _is_hex(mac_text):
        raise KeyBlockError("encrypted payload or MAC is not hex", start)
    size = 8 if version in "ABC" else 16
    if not body or (version != "E" and (len(body) // 2) % size):
        raise KeyBlockError("encrypted payload is not a whole number of cipher blocks", start)
    header = block[:start].encode()
    encrypted = bytes.fromhex(body)
    mac = bytes.fromhex(mac_text)
    kbek, kbak = _keys(version, kbpk, aes, tdes)
    if version in "AC":
        if not equal(_tdes_cbc_mac(tdes, kbak, header + encrypted)[:4], mac):
            raise KeyBlockError("key block MAC does not verify: wrong KBPK or altered block", len(block) - mac_chars)
        clear = cbc_decrypt(tdes, kbek, header[:8], encrypted)
    else:
        cipher = tdes if version == "B" else aes
        if version == "E":
            clear = ctr_crypt(cipher, kbek, mac, encrypted)
        else:
            clear = cbc_decrypt(cipher, kbek, mac, encrypted)
        if not equal(_cmac.cmac(cipher, kbak, header + clear, size), mac):
            raise KeyBlockError("key block MAC does not verify: wrong KBPK or altered block", len(block) - mac_chars)
    bits = int.from_bytes(clear[:2], "big")
    if bits % 8 or bits // 8 > len(clear) - 2 or bits == 0:
        raise KeyBlockError("key length field " + str(bits) + " does not fit the payload", start)
    key = clear[2:2 + bits // 8]
    return KeyBlock(version, fields["usage"], fields["algorithm"], fields["mode_of_use"],
                    fields["key_version"], fields["exportability"], optional, key)


def wrap_d(kbpk: bytes, aes, key: bytes, usage: str, algorithm: str, mode_of_use: str,
           optional, pad: bytes, key_version: str = "00", exportability: str = "N") -> str:
    """A version-D key block (AES, CBC). ``optional`` is a list of (id, text); ``pad`` supplies
    the random padding (at least 15 bytes; only what is needed is used)."""
    opt = ""
    for ident, text in optional:
        opt += ident + "%02X" % (len(text) + 4) + text
    count = len(optional)
    gap = (-(HEADER_LEN + len(opt))) % 16
    if gap:  # header and optional blocks must fill whole cipher blocks: pad with a PB block
        gap = gap if gap >= 4 else gap + 16
        opt += "PB" + "%02X" % gap + "0" * (gap - 4)
        count += 1
    payload = u16(len(key) * 8) + key
    payload += pad[:(-len(payload)) % 16]
    if len(payload) % 16:
        raise ValueError("not enough padding bytes")
    total = HEADER_LEN + len(opt) + len(payload) * 2 + 32
    header = ("D%04d" % total + usage + algorithm + mode_of_use + key_version + exportability
              + "%02d" % count + "00" + opt)
    kbek, kbak = _keys("D", kbpk, aes, None)
    mac = _cmac.cmac(aes, kbak, header.encode() + payload, 16)
    return header + tohex(cbc_encrypt(aes, kbek, mac, payload)) + tohex(mac)
