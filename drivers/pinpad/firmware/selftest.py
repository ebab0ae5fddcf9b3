"""Power-on self-test: known answers for the AES primitive, AES DUKPT, the format-4 PIN block,
TR-31 and the frame CRC. Takes the AES primitive as an argument, so it runs wherever the
firmware runs (device, CPython shim, MicroPython WebAssembly with a pure-Python AES)."""

from p2pe import aes_dukpt, pinblock, tr31
from p2pe.errors import KeyBlockError

from . import card, wire

# FIPS-197 appendix C.1 and C.3
_AES128 = ("000102030405060708090A0B0C0D0E0F", "00112233445566778899AABBCCDDEEFF", "69C4E0D86A7B0430D8CDB78070B4C55A")
_AES256 = ("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
           "00112233445566778899AABBCCDDEEFF", "8EA2B7CA516745BFEAFC49904B496089")
# ANSI X9.24-3-2017 supplement, AES-128 BDK, counter 1
_BDK = "FEDCBA9876543210F1F1F1F1F1F1F1F1"
_IKID = "1234567890123456"
_IK = "1273671EA26AC29AFA4D1084127652A1"
_PIN_KEY_1 = "AF8CB133A78F8DC2D1359F18527593FB"
_EPB_1 = "A912150391AB65A67E52883D81CE2D15"
_FILL = "2F69ADDE2E9E7ACE"


def _h(text):
    return bytes.fromhex(text)


def _aes(aes):
    for key, plain, cipher in (_AES128, _AES256):
        if aes.encrypt(_h(key), _h(plain)) != _h(cipher) or aes.decrypt(_h(key), _h(cipher)) != _h(plain):
            return False
    return True


def _dukpt(aes):
    ik = aes_dukpt.initial_key(aes, _h(_BDK), _h(_IKID))
    if ik != _h(_IK):
        return False
    reg = aes_dukpt.KeyRegister.load(aes, ik, _h(_IKID))
    ksn, keys = reg.next_transaction([(aes_dukpt.PIN_ENCRYPTION, aes_dukpt.AES128)])
    return ksn == _h(_IKID + "00000001") and keys[0] == _h(_PIN_KEY_1) and reg.counter == 2


def _pinblock(aes):
    epb = pinblock.encrypt_format4(aes, _h(_PIN_KEY_1), "1234", "4111111111111111", _h(_FILL))
    return epb == _h(_EPB_1) and pinblock.decrypt_format4(aes, _h(_PIN_KEY_1), epb, "4111111111111111") == "1234"


def _tr31(aes):
    kbpk = _h(_AES128[0])
    block = tr31.wrap_d(kbpk, aes, _h(_IK), "B1", "A", "X", [("IK", _IKID)], bytes(16))
    if tr31.unwrap(kbpk, block, aes).key != _h(_IK):
        return False
    try:
        tr31.unwrap(kbpk, block[:-1] + ("0" if block[-1] != "0" else "1"), aes)
    except KeyBlockError:
        return True
    return False


def _wire():
    frame = wire.encode_frame(7, wire.encode_message(wire.STATUS))
    scanner = wire.Deframer()
    found = scanner.feed(b"\x00\x02" + frame) + scanner.flush()  # noise and a false STX first
    frames = [f for f in found if isinstance(f, wire.Frame)]
    return wire.crc16(b"123456789") == 0x29B1 and len(frames) == 1 and frames[0].payload == bytes([wire.STATUS])


def _card():
    return card.mask_pan("4761739001010119") == "476173******0119" and card.luhn_ok("4761739001010119")


CHECKS = (("aes", _aes), ("dukpt", _dukpt), ("pinblock", _pinblock), ("tr31", _tr31))


def run(aes):
    """(passed, detail): detail lists each check as name=ok|FAIL."""
    parts = []
    passed = True
    for name, check in CHECKS:
        ok = check(aes)
        passed = passed and ok
        parts.append(name + ("=ok" if ok else "=FAIL"))
    for name, plain in (("wire", _wire), ("card", _card)):
        ok = plain()
        passed = passed and ok
        parts.append(name + ("=ok" if ok else "=FAIL"))
    return passed, " ".join(parts)
