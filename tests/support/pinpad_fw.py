"""In-process harness for the PIN-pad firmware: the real firmware modules on fake ports and clock."""

from __future__ import annotations

import sys

from drivers.pinpad.firmware import wire
from drivers.pinpad.firmware.device import PinPad
from drivers.pinpad.firmware.link import Link
from p2pe import aes_dukpt, tr31
from p2pe.host import AES
from tests.support.vectors import load

BDK = bytes.fromhex("FEDCBA9876543210F1F1F1F1F1F1F1F1")
IKID_HEX = "1234567890123456"
IKID = bytes.fromhex(IKID_HEX)
KBPK = bytes(range(16))

# public test records from emv_tlv_samples.json (openemv/emv-utils); PAN 4761739001010119 passes Luhn
CHIP_RECORDS = [
    bytes.fromhex("703357114761739001010119D221220117589288895F200C455850495245442F434152449F1F0E"
                  "3137353839303936303030303030"),
    bytes.fromhex("70465A0847617390010101195F3401015F24032212318C159F02069F03069F1A0295055F2A029A03"
                  "9C019F37048D198A029F02069F03069F1A0295055F2A029A039C019F37049108"),
]
FCI_VISA = bytes.fromhex(next(s["hex"] for s in load("emv_tlv_samples.json")["samples"] if s["id"] == "bertlv_fci_2"))
TRACK2 = ";4761739001010119=22122011758928889?"
MAGSTRIPE_ONLY = ";4761739001010119=22121011758928889?"  # service code 101: no chip
EXPECTED_CLEAR = bytes.fromhex("5A084761739001010119" "57114761739001010119D22122011758928889")


def initial_key_block(kbpk: bytes = KBPK, bdk: bytes = BDK, ikid_hex: str = IKID_HEX) -> str:
    ik = aes_dukpt.initial_key(AES, bdk, bytes.fromhex(ikid_hex))
    return tr31.wrap_d(kbpk, AES, ik, "B1", "A", "X", [("IK", ikid_hex)], bytes(range(16)))


class MemFlash:
    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self.files = dict(files or {})

    def load(self, name: str) -> bytes | None:
        return self.files.get(name)

    def save(self, name: str, data: bytes) -> None:
        self.files[name] = bytes(data)


class FakePort:
    def __init__(self) -> None:
        self.inbox = b""
        self.sent = b""

    def read(self) -> bytes | None:
        data, self.inbox = self.inbox, b""
        return data or None

    def write(self, data: bytes) -> None:
        self.sent += bytes(data)


class Board:
    """Firmware device + link wired to a fake host port; the test plays the host."""

    def __init__(self, flash: MemFlash | None = None, keyed: bool = True) -> None:
        self.flash = flash or MemFlash({"kbpk.bin": KBPK})
        self.clock = 0
        self.displays: list[str] = []
        self.port = FakePort()
        self.pad = PinPad(AES, self.flash, lambda n: bytes(range(n)), self.displays.append)
        self.link = Link(self.port, lambda: self.clock)
        self.host_seq = 0
        self.rx = wire.Deframer()
        if keyed:
            assert self.ask(wire.KEY_INJECT, {"key_block": initial_key_block()})[0][0] == wire.OK

    def step(self) -> list[tuple[int, dict]]:
        """Run one firmware loop iteration; return the messages it sent to the host (ACKing them)."""
        for item in self.link.poll():
            replies = self.pad.request(item[1], item[2]) if item[0] == "msg" else self.pad.bad_message(*item[1:])
            for kind, fields in replies:
                self.link.send(kind, fields)
        return self.drain()

    def drain(self) -> list[tuple[int, dict]]:
        out = []
        data, self.port.sent = self.port.sent, b""
        for f in self.rx.feed(data):
            if isinstance(f, wire.Frame) and f.payload[0] not in (wire.ACK, wire.NAK):
                out.append(wire.decode_message(f.payload))
                self.port.inbox += wire.encode_frame(f.seq, bytes([wire.ACK]))
        return out

    def raw(self, data: bytes) -> list[tuple[int, dict]]:
        self.port.inbox += data
        return self.step()

    def ask(self, kind: int, fields: dict | None = None) -> list[tuple[int, dict]]:
        self.host_seq = (self.host_seq + 1) & 0xFF
        return self.raw(wire.encode_frame(self.host_seq, wire.encode_message(kind, fields)))

    def reader(self, line: str) -> list[tuple[int, dict]]:
        out = self.step()  # let the link take the host's pending ACKs first
        for kind, fields in self.pad.reader(line):
            self.link.send(kind, fields)
        out += self.drain()
        while more := self.step():  # frames queued behind an unACKed one
            out += more
        return out


assert "machine" not in sys.modules  # the in-process harness never needs the board shim
