"""The demo's card desk: a `lanekit-payhost` process over mutual TLS and the PIN-pad firmware
simulator on a pty, keyed for one run in the demo's data dir.

The appliance never loads key-handling code: the payment host, and the lab key loading that
turns the BDK into the pad's TR-31 key block, run as `lanekit-payhost` subprocesses. The
certificates come from the fleet PKI (mqtt.pki). The demo shopper's card is a public EMV test
card (PAN 476173******0119); the pad encrypts it and the lane only ever sees ciphertext.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pathlib
import subprocess
import sys

from appliance.domain.money import Money
from appliance.lane import Lane
from appliance.payments.card_flow import CardPayments
from appliance.payments.https import HttpsGateway, client_context
from appliance.payments.wire import Answer
from drivers.pinpad import PinPad, open_pinpad
from drivers.pinpad.sim import SimulatedPinPad
from mqtt.pki import CertificateAuthority

# the demo card's chip records (public EMV test data, as in the pad's tests): tag 57 and 5A
CARD_RECORDS = [
    bytes.fromhex("703357114761739001010119D221220117589288895F200C455850495245442F434152449F1F0E"
                  "3137353839303936303030303030"),
]


def _payhost(*args: str) -> list[str]:
    return [sys.executable, "-m", "p2pe.payhost.cli", *args]


def _secret_file(path: pathlib.Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(data.hex().upper() + "\n")


class CardDesk:
    def __init__(self, root: pathlib.Path, lane_id: str, store_id: str) -> None:
        self.root = root
        self.lane_id = lane_id
        self.store_id = store_id
        self.proc: asyncio.subprocess.Process | None = None
        self.pad: PinPad | None = None
        self.gateway: HttpsGateway | None = None

    async def __aenter__(self) -> CardDesk:
        root = self.root
        keys = root / "keys"
        keys.mkdir(parents=True, exist_ok=True)
        ca = CertificateAuthority.create(root / "pki", "Lanekit Demo CA")
        host = ca.issue("payhost", "broker", hostnames=["127.0.0.1"])
        lane = ca.issue(self.lane_id, "device", store=self.store_id)
        bdk = keys / "bdk.key"
        subprocess.run(_payhost("new-bdk", str(bdk)), check=True, capture_output=True)
        kbpk = os.urandom(16)
        _secret_file(keys / "kbpk.key", kbpk)
        ikid = os.urandom(8).hex().upper()
        block = subprocess.run(_payhost("key-block", "--bdk-file", str(bdk), "--kbpk-file", str(keys / "kbpk.key"),
                                        "--ikid", ikid), check=True, capture_output=True, text=True).stdout.strip()
        config = root / "payhost.toml"
        config.write_text("\n".join(f"{k} = {json.dumps(str(v))}" for k, v in {
            "listen": "127.0.0.1", "cert": host.cert, "key": host.key, "client_ca": host.ca,
            "ledger": root / "ledger.db", "bdk_file": bdk}.items()) + "\nport = 0\n")
        log = (root / "payhost.log").open("ab")
        self.proc = await asyncio.create_subprocess_exec(*_payhost("serve", "--config", str(config)),
                                                         stdout=asyncio.subprocess.PIPE, stderr=log)
        log.close()
        assert self.proc.stdout is not None
        line = (await asyncio.wait_for(self.proc.stdout.readline(), 60)).decode()
        if "listening on" not in line:
            raise RuntimeError(f"lanekit-payhost did not start (see {root / 'payhost.log'})")
        port = int(line.rsplit(":", 1)[1])
        self.gateway = HttpsGateway("127.0.0.1", port, client_context(str(lane.cert), str(lane.key), str(lane.ca)))
        self.pad = await open_pinpad("sim", kbpk=kbpk, ack_timeout=0.5, retries=6)
        await self.pad.inject_key(block)
        print(f"payment host: lanekit-payhost on https://127.0.0.1:{port} (mTLS); "
              f"PIN pad: firmware simulator on {self.pad.name}")
        return self

    async def pay(self, lane: Lane, amount: Money) -> Answer:
        """The shopper taps the demo card for ``amount``."""
        assert self.pad is not None and self.gateway is not None and isinstance(self.pad, SimulatedPinPad)
        sim = self.pad.simulator
        seen = len(sim.displays)

        async def tap() -> None:
            while not any("TAP" in t for t in sim.displays[seen:]):
                await asyncio.sleep(0.02)
            sim.tap(*CARD_RECORDS)

        shopper = asyncio.ensure_future(tap())
        try:
            return await CardPayments(lane, self.gateway, self.pad, card_timeout=30).pay(amount)
        finally:
            shopper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await shopper

    async def __aexit__(self, *exc: object) -> None:
        if self.pad is not None:
            await self.pad.close()
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            with contextlib.suppress(ProcessLookupError):
                await asyncio.wait_for(self.proc.wait(), 20)
