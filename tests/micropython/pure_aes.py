"""A small pure-Python AES (FIPS-197) for the MicroPython WebAssembly harness, which has no
``cryptolib``. Test-only: slow and not constant-time. Same interface as the firmware's primitive."""


def _xtime(a):
    a <<= 1
    return (a ^ 0x11B) & 0xFF if a & 0x100 else a


def _mul(a, b):
    out = 0
    while b:
        if b & 1:
            out ^= a
        a = _xtime(a)
        b >>= 1
    return out


def _build_sbox():
    inv = [0] * 256
    for a in range(1, 256):
        for b in range(1, 256):
            if _mul(a, b) == 1:
                inv[a] = b
                break
    sbox = [0] * 256
    for a in range(256):
        x = inv[a]
        s = x
        for _ in range(4):
            x = ((x << 1) | (x >> 7)) & 0xFF
            s ^= x
        sbox[a] = s ^ 0x63
    inv_sbox = [0] * 256
    for a in range(256):
        inv_sbox[sbox[a]] = a
    return sbox, inv_sbox


SBOX, INV_SBOX = _build_sbox()


def _expand(key):
    nk = len(key) // 4
    rounds = nk + 6
    words = [list(key[4 * i:4 * i + 4]) for i in range(nk)]
    rcon = 1
    for i in range(nk, 4 * (rounds + 1)):
        t = list(words[i - 1])
        if i % nk == 0:
            t = [SBOX[t[1]] ^ rcon, SBOX[t[2]], SBOX[t[3]], SBOX[t[0]]]
            rcon = _xtime(rcon)
        elif nk > 6 and i % nk == 4:
            t = [SBOX[b] for b in t]
        words.append([words[i - nk][j] ^ t[j] for j in range(4)])
    keys = []
    for r in range(rounds + 1):
        flat = []
        for w in words[4 * r:4 * r + 4]:
            flat.extend(w)
        keys.append(flat)
    return keys


def _add(state, rk):
    return [state[i] ^ rk[i] for i in range(16)]


def _shift(state, sign):
    out = [0] * 16
    for c in range(4):
        for r in range(4):
            out[4 * c + r] = state[4 * ((c + sign * r) % 4) + r]
    return out


def _mix(state, m):
    out = [0] * 16
    for c in range(4):
        col = state[4 * c:4 * c + 4]
        for r in range(4):
            out[4 * c + r] = (_mul(col[0], m[(0 - r) % 4]) ^ _mul(col[1], m[(1 - r) % 4])
                              ^ _mul(col[2], m[(2 - r) % 4]) ^ _mul(col[3], m[(3 - r) % 4]))
    return out


_MIX = (2, 3, 1, 1)
_INV_MIX = (14, 11, 13, 9)


class PureAES:
    def __init__(self):
        self._cache = {}

    def _keys(self, key):
        key = bytes(key)
        if key not in self._cache:
            if len(key) not in (16, 24, 32):
                raise ValueError("AES key must be 16, 24 or 32 bytes")
            self._cache[key] = _expand(key)
        return self._cache[key]

    def encrypt(self, key, block):
        rks = self._keys(key)
        s = _add(list(block), rks[0])
        for r in range(1, len(rks)):
            s = _shift([SBOX[b] for b in s], 1)
            if r != len(rks) - 1:
                s = _mix(s, _MIX)
            s = _add(s, rks[r])
        return bytes(s)

    def decrypt(self, key, block):
        rks = self._keys(key)
        s = _add(list(block), rks[-1])
        for r in range(len(rks) - 2, -1, -1):
            s = [INV_SBOX[b] for b in _shift(s, -1)]
            s = _add(s, rks[r])
            if r:
                s = _mix(s, _INV_MIX)
        return bytes(s)
