"""AES DUKPT per ANSI X9.24-3-2017, both sides: host derivation from the BDK and the
device's key register (the PIN pad keeps intermediate derivation keys, never the BDK).

KSN = initial key ID (8 bytes: BDK ID 4 || derivation ID 4) || transaction counter (4 bytes).
Every derivation is ``AES-ECB(key, derivation data)`` block by block, where derivation data is
``01 | block counter | key usage (2) | algorithm (2) | length in bits (2) | 8 bytes of context``.
"""

from p2pe._bin import ones, u16, u32
from p2pe.errors import KeyExhausted, KeyStateError

# key usage indicators (X9.24-3-2017 table 2)
KEK = 0x0002
PIN_ENCRYPTION = 0x1000
MAC_GENERATION = 0x2000
MAC_VERIFICATION = 0x2001
MAC_BOTH = 0x2002
DATA_ENCRYPT = 0x3000
DATA_DECRYPT = 0x3001
DATA_BOTH = 0x3002
KEY_DERIVATION = 0x8000
KEY_DERIVATION_INITIAL = 0x8001

# key types: name -> (algorithm indicator, length in bits)
TDEA2 = "2TDEA"
TDEA3 = "3TDEA"
AES128 = "AES128"
AES192 = "AES192"
AES256 = "AES256"
KEY_TYPES = {TDEA2: (0, 128), TDEA3: (1, 192), AES128: (2, 128), AES192: (3, 192), AES256: (4, 256)}

MAX_ONE_BITS = 16  # a device never uses a counter with more one-bits than this
NUM_REGISTERS = 32
IKID_LEN = 8
KSN_LEN = 12


def key_type_of(key: bytes) -> str:
    """The AES key type of a BDK, initial or derivation key, from its length."""
    if len(key) == 16:
        return AES128
    if len(key) == 24:
        return AES192
    if len(key) == 32:
        return AES256
    raise ValueError("an AES DUKPT key is 16, 24 or 32 bytes, not " + str(len(key)))


def derivation_data(usage: int, key_type: str, context: bytes) -> bytes:
    algorithm, bits = KEY_TYPES[key_type]
    return b"\x01\x01" + u16(usage) + u16(algorithm) + u16(bits) + context


def derive_key(aes, key: bytes, key_type: str, data: bytes) -> bytes:
    bits = KEY_TYPES[key_type][1]
    out = b""
    block = 1
    while len(out) * 8 < bits:
        out += aes.encrypt(key, data[:1] + bytes([block]) + data[2:])
        block += 1
    return out[: bits // 8]


def _check_ikid(ikid: bytes) -> None:
    if len(ikid) != IKID_LEN:
        raise ValueError("the initial key ID is 8 bytes, not " + str(len(ikid)))


def initial_key(aes, bdk: bytes, ikid: bytes) -> bytes:
    """The key injected into a PIN pad: derived from the BDK and the 8-byte initial key ID."""
    _check_ikid(ikid)
    kind = key_type_of(bdk)
    return derive_key(aes, bdk, kind, derivation_data(KEY_DERIVATION_INITIAL, kind, ikid))


def _context(ikid: bytes, counter: int) -> bytes:
    return ikid[4:8] + u32(counter)


def derivation_key(aes, ik: bytes, ikid: bytes, counter: int) -> bytes:
    """Host side: the intermediate derivation key for ``counter``, walking its one-bits high to low."""
    _check_ikid(ikid)
    if not 0 <= counter <= 0xFFFFFFFF:
        raise ValueError("transaction counter out of range")
    kind = key_type_of(ik)
    key = ik
    working = 0
    bit = 0x80000000
    while bit:
        if counter & bit:
            working |= bit
            key = derive_key(aes, key, kind, derivation_data(KEY_DERIVATION, kind, _context(ikid, working)))
        bit >>= 1
    return key


def working_key(aes, dkey: bytes, ikid: bytes, counter: int, usage: int, key_type: str) -> bytes:
    """A working key of ``key_type`` for ``usage`` from the derivation key of ``counter``."""
    return derive_key(aes, dkey, key_type, derivation_data(usage, key_type, _context(ikid, counter)))


def host_working_key(aes, bdk: bytes, ksn: bytes, usage: int, key_type: str) -> bytes:
    """Host side, from the BDK and a 12-byte KSN straight to the working key."""
    ikid, counter = split_ksn(ksn)
    dkey = derivation_key(aes, initial_key(aes, bdk, ikid), ikid, counter)
    return working_key(aes, dkey, ikid, counter, usage, key_type)


def split_ksn(ksn: bytes):
    if len(ksn) != KSN_LEN:
        raise ValueError("an AES DUKPT KSN is 12 bytes, not " + str(len(ksn)))
    return ksn[:8], int.from_bytes(ksn[8:], "big")


def is_valid_counter(counter: int) -> bool:
    return 0 < counter <= 0xFFFFFFFF and ones(counter) <= MAX_ONE_BITS


def _lowest_bit(counter: int) -> int:
    pos = 0
    while not (counter >> pos) & 1:
        pos += 1
    return pos


class KeyRegister:
    """The device's DUKPT state: intermediate derivation keys by counter bit, and the counter.

    For the next counter ``tc`` with lowest one-bit p, ``_keys[p]`` is tc's derivation key.
    Using it derives the keys of tc | 2**k for every k < p (unless tc already has 16 one-bits,
    then the counter jumps past every counter that would have more), then erases ``_keys[p]``:
    no key that served a past transaction stays in the device.
    """

    def __init__(self, aes) -> None:
        self._aes = aes
        self._keys: list = [None] * NUM_REGISTERS
        self._ikid = b""  # empty until an initial key is loaded
        self._counter = 0
        self._kind = ""

    @classmethod
    def load(cls, aes, ik: bytes, ikid: bytes):
        """Load an initial key (X9.24-3 'Load Initial Key'): fills the 32 registers, counter = 1."""
        _check_ikid(ikid)
        reg = cls(aes)
        reg._kind = key_type_of(ik)
        reg._ikid = bytes(ikid)
        for pos in range(NUM_REGISTERS):
            reg._keys[pos] = reg._derive(ik, 1 << pos)
        reg._counter = 1
        return reg

    @classmethod
    def restore(cls, aes, ikid: bytes, counter: int, keys: dict):
        """Rebuild a register persisted to flash: ``keys`` maps counter bit -> derivation key."""
        _check_ikid(ikid)
        reg = cls(aes)
        reg._ikid = bytes(ikid)
        reg._counter = counter
        for pos in keys:
            reg._keys[pos] = keys[pos]
            reg._kind = key_type_of(keys[pos])
        if counter <= 0xFFFFFFFF and reg._keys[_lowest_bit(counter)] is None:
            raise KeyStateError("no derivation key for counter " + str(counter))
        return reg

    def snapshot(self):
        """(initial key ID, counter, {bit: key}) for persisting; the inverse of ``restore``."""
        keys: dict = {}
        for pos in range(NUM_REGISTERS):
            if self._keys[pos] is not None:
                keys[pos] = self._keys[pos]
        return self._ikid, self._counter, keys

    @property
    def exhausted(self) -> bool:
        return not self._ikid or self._counter > 0xFFFFFFFF

    @property
    def counter(self) -> int:
        return self._counter

    def ksn(self) -> bytes:
        """The KSN the next transaction will use."""
        self._check()
        return self._ikid + u32(self._counter)

    def _derive(self, base: bytes, counter: int) -> bytes:
        data = derivation_data(KEY_DERIVATION, self._kind, _context(self._ikid, counter))
        return derive_key(self._aes, base, self._kind, data)

    def _check(self) -> None:
        if not self._ikid:
            raise KeyStateError("no initial key loaded")
        if self._counter > 0xFFFFFFFF:
            raise KeyExhausted("the DUKPT key register is exhausted: inject a new initial key")

    def next_transaction(self, requests):
        """Use the next counter once: return (KSN, [working keys]) for ``requests``, a list of
        (usage, key type) pairs, then advance the register. Raises KeyExhausted at the end."""
        self._check()
        tc = self._counter
        pos = _lowest_bit(tc)
        dkey = self._keys[pos]
        if dkey is None:
            raise KeyStateError("derivation key for counter " + str(tc) + " is missing")
        out = []
        for usage, kind in requests:
            out.append(working_key(self._aes, dkey, self._ikid, tc, usage, kind))
        ksn = self._ikid + u32(tc)
        if ones(tc) < MAX_ONE_BITS:
            for low in range(pos):
                self._keys[low] = self._derive(dkey, tc | (1 << low))
            self._counter = tc + 1
        else:
            self._counter = tc + (1 << pos)
        self._keys[pos] = None
        return ksn, out
