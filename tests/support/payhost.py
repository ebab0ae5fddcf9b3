"""A real `lanekit-payhost` process over mutual TLS on a free loopback port, for tests.

The certificates come from the project's PKI (mqtt.pki): the host's server certificate (kind
"broker": server auth, SAN 127.0.0.1) and one client certificate per lane (kind "device").
Card reads are made here with p2pe exactly as the PIN pad makes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pathlib
import sqlite3
import sys

from appliance.payments.https import HttpsGateway, client_context
from appliance.payments.wire import CardAuthorization
from mqtt.pki import CertificateAuthority
from p2pe import aes_dukpt, channel, pinblock
from p2pe.host import AES
from tests.support.pinpad_fw import BDK, IKID
from tests.support.proc import REPO, env

PAN = "4761739001010119"
TRACK2 = "4761739001010119D22122011758928889"


def clear_card(pan: str = PAN, track2: str | None = None) -> bytes:
    track2 = track2 or pan + "D22122011758928889"
    def bcd(digits: str) -> bytes:
        return bytes.fromhex(digits + "F" * (len(digits) % 2))
    p, t = bcd(pan), bcd(track2)
    return b"\x5a" + bytes([len(p)]) + p + b"\x57" + bytes([len(t)]) + t


def card_read(counter: int, pan: str = PAN, pin: str | None = None) -> tuple[bytes, bytes, bytes]:
    """(ksn, ciphertext, pin block) as the PIN pad would send them for this counter."""
    ksn = IKID + counter.to_bytes(4, "big")
    key = aes_dukpt.host_working_key(AES, BDK, ksn, aes_dukpt.DATA_ENCRYPT, aes_dukpt.AES128)
    ciphertext = channel.encrypt_card_data(AES, key, clear_card(pan))
    block = b""
    if pin is not None:
        pkey = aes_dukpt.host_working_key(AES, BDK, ksn, aes_dukpt.PIN_ENCRYPTION, aes_dukpt.AES128)
        block = pinblock.encrypt_format4(AES, pkey, pin, pan, bytes(8))
    return ksn, ciphertext, block


def authorization(txn_id: str, amount: int, counter: int, *, lane: str = "lane-1", pan: str = PAN,
                  pin: str | None = None, entry_mode: str = "chip") -> CardAuthorization:
    ksn, data, block = card_read(counter, pan, pin)
    return CardAuthorization(txn_id=txn_id, lane_id=lane, amount=amount, currency="EUR", ksn=ksn, card_data=data,
                             pin_block=block, entry_mode=entry_mode)


def _toml(cfg: dict[str, object]) -> str:
    """Flat TOML for the test config (JSON strings and numbers are valid TOML values)."""
    def value(v: object) -> str:
        if isinstance(v, dict):
            return "{" + ", ".join(f"{json.dumps(k)} = {value(x)}" for k, x in v.items()) + "}"
        return json.dumps(v)
    rules = cfg.pop("rules")
    assert isinstance(rules, dict)
    lines = [f"{k} = {value(v)}" for k, v in cfg.items()] + ["[rules]"]
    return "\n".join(lines + [f"{k} = {value(v)}" for k, v in rules.items()]) + "\n"


class Payhost:
    """`async with Payhost(tmp_path, rules={...}) as host:` — host.gateway("lane-1"), host.rows()."""

    def __init__(self, root: pathlib.Path, *, rules: dict[str, object] | None = None,
                 lanes: tuple[str, ...] = ("lane-1",), gift_cards: dict[str, int] | None = None) -> None:
        self.root = root
        self.gift_cards = gift_cards or {}
        self.rules = rules or {}
        self.lanes = lanes
        self.port = 0
        self.proc: asyncio.subprocess.Process | None = None
        self.config = root / "payhost.toml"
        self.ledger = root / "payhost" / "ledger.db"
        self.log = root / "payhost.log"

    def prepare(self) -> None:
        ca = CertificateAuthority.create(self.root / "pki", "Lanekit Test CA")
        ca.issue("payhost", "broker", hostnames=["127.0.0.1", "localhost"])
        for lane in self.lanes:
            ca.issue(lane, "device", store="store-1")
        keys = self.root / "keys"
        keys.mkdir(exist_ok=True)
        bdk = keys / "bdk.key"
        fd = os.open(bdk, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(BDK.hex())
        issued = self.root / "pki" / "issued" / "payhost"
        cfg = {"listen": "127.0.0.1", "port": self.port, "cert": str(issued / "cert.pem"),
               "key": str(issued / "key.pem"), "client_ca": str(issued / "ca.pem"), "ledger": str(self.ledger),
               "bdk_file": str(bdk), "gift_cards": self.gift_cards, "rules": self.rules}
        self.config.write_text(_toml(cfg))

    def command(self) -> list[str]:
        return [sys.executable, "-m", "p2pe.payhost.cli", "serve", "--config", str(self.config)]

    async def start(self) -> Payhost:
        if not self.config.exists():
            self.prepare()
        log = self.log.open("ab")
        self.proc = await asyncio.create_subprocess_exec(*self.command(), stdout=asyncio.subprocess.PIPE,
                                                         stderr=log, env=env(), cwd=REPO)
        log.close()
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), 60)
        if b"listening on" not in line:
            raise RuntimeError(f"payhost did not start: {line!r}; log: {self.log.read_text()[-2000:]}")
        self.port = int(line.rsplit(b":", 1)[1])
        return self

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            with contextlib.suppress(ProcessLookupError):
                await asyncio.wait_for(self.proc.wait(), 20)
        self.proc = None

    async def __aenter__(self) -> Payhost:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def client_files(self, lane: str = "lane-1") -> tuple[str, str, str]:
        d = self.root / "pki" / "issued" / lane
        return str(d / "cert.pem"), str(d / "key.pem"), str(d / "ca.pem")

    def gateway(self, lane: str = "lane-1", *, timeout: float = 30.0) -> HttpsGateway:
        return HttpsGateway("127.0.0.1", self.port, client_context(*self.client_files(lane)), timeout=timeout)

    def rows(self) -> dict[str, dict[str, object]]:
        db = sqlite3.connect(f"file:{self.ledger}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        try:
            return {r["txn_id"]: dict(r) for r in db.execute("SELECT * FROM txns")}
        finally:
            db.close()

    def gift_balances(self) -> dict[str, int]:
        db = sqlite3.connect(f"file:{self.ledger}?mode=ro", uri=True)
        try:
            return dict(db.execute("SELECT masked, balance FROM gift_cards").fetchall())
        finally:
            db.close()
