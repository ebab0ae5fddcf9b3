# Runs inside MicroPython: the real device logic reads a chip card and answers with ciphertext.
# The pytest side decrypts the printed CARD_READ with the BDK to prove the bytes are right.
from firmware import wire
from firmware.device import PinPad
from pure_aes import PureAES

from p2pe import aes_dukpt, tr31

AES = PureAES()
KBPK = bytes(range(16))
BDK = bytes.fromhex("FEDCBA9876543210F1F1F1F1F1F1F1F1")
IKID = "1234567890123456"
CHIP = ("703357114761739001010119D221220117589288895F200C455850495245442F434152449F1F0E"
        "3137353839303936303030303030")


class Flash:
    def __init__(self):
        self.files = {"kbpk.bin": KBPK}

    def load(self, name):
        return self.files.get(name)

    def save(self, name, data):
        self.files[name] = data


shown = []
pad = PinPad(AES, Flash(), lambda n: bytes(n), shown.append)
ik = aes_dukpt.initial_key(AES, BDK, bytes.fromhex(IKID))
block = tr31.wrap_d(KBPK, AES, ik, "B1", "A", "X", [("IK", IKID)], bytes(16))
print("INJECT", pad.request(wire.KEY_INJECT, {"key_block": block})[0][0] == wire.OK)
print("START", pad.request(wire.START, {"txn": "MP-1", "amount": 2500, "currency": "EUR"})[0][0] == wire.OK)
pad.reader("CHIP " + CHIP)
out = pad.reader("PIN 1234")
kind, fields = out[0]
payload = wire.encode_message(kind, fields)
print("CARD_READ", payload.hex())
print("DISPLAYS", "|".join(shown))
