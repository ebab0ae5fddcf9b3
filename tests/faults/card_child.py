"""A lane process that pays one sale by card and SIGKILLs itself after a chosen step.

`python card_child.py DATA_DIR PORT CLIENT_DIR STEP READ_HEX` — STEP is one of requested, sent,
answered, tendered, completed, receipt, none (run to the end) or recover (restart: resolve what is
in doubt, finish what is paid). READ_HEX is "ksn:ciphertext:pin_block", the bytes a PIN pad sent.
Used by test_card_crash.py, which judges from the payment host's ledger.
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import signal
import sys

from appliance.lane import Lane, LaneConfig
from appliance.payments.card_flow import CardPayments
from appliance.payments.https import HttpsGateway, client_context
from appliance.receipt import build_receipt
from appliance.store.journal import Journal
from appliance.store_profile import load_profile
from appliance.wiring import open_stores
from drivers.events import CardRead, EntryMode
from drivers.printer.text_preview import render_text

REPO = pathlib.Path(__file__).resolve().parents[2]
RYE_BREAD = "4260000000028"  # 2.49: approved by the host's rules, no age check
STEPS = ("requested", "sent", "answered", "tendered", "completed", "receipt")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class RecordedPad:
    """Gives back the recorded read under the lane's transaction id (a real pad's bytes)."""

    def __init__(self, ksn: bytes, data: bytes, pin_block: bytes) -> None:
        self.read = (ksn, data, pin_block)

    async def start_transaction(self, transaction_id: str, amount: int, currency: str) -> None:
        self.txn = transaction_id

    async def wait_card(self, transaction_id: str, timeout: float) -> CardRead:
        ksn, data, pin = self.read
        return CardRead(transaction_id, data, ksn, "476173******0119", EntryMode.CHIP, pin)

    async def cancel(self, transaction_id: str) -> bool:
        return True


class FileReceipts:
    def __init__(self, folder: pathlib.Path, kill: bool) -> None:
        self.folder = folder
        self.kill = kill

    async def print_receipt(self, sale, priced, profile) -> str:  # type: ignore[no-untyped-def]
        text = render_text(build_receipt(sale, priced, profile))
        self.folder.mkdir(exist_ok=True)
        (self.folder / f"{sale.sale_id}.txt").write_text(text)
        if self.kill:
            die()
        return text


async def main(data_dir: pathlib.Path, port: int, client: pathlib.Path, step: str, read_hex: str) -> None:
    original_insert = Journal._insert

    async def insert(self: Journal, event):  # type: ignore[no-untyped-def]
        rec = await original_insert(self, event)
        if {"PaymentRequested": "requested", "PaymentAnswered": "answered", "TenderAdded": "tendered"}.get(
                event.type) == step:
            die()
        return rec

    Journal._insert = insert  # type: ignore[method-assign]
    original_complete = Journal.complete_sale

    async def complete(self: Journal, *a, **kw):  # type: ignore[no-untyped-def]
        done = await original_complete(self, *a, **kw)
        if step == "completed":
            die()
        return done

    Journal.complete_sale = complete  # type: ignore[method-assign]
    gateway = HttpsGateway("127.0.0.1", port, client_context(str(client / "cert.pem"), str(client / "key.pem"),
                                                             str(client / "ca.pem")), timeout=10)
    if step == "sent":
        original_authorize = gateway.authorize

        async def authorize(request):  # type: ignore[no-untyped-def]
            await original_authorize(request)  # the host has charged; the lane never hears it
            die()

        gateway.authorize = authorize  # type: ignore[method-assign]
    ksn, data, pin = (bytes.fromhex(x) for x in read_hex.split(":"))
    profile = load_profile(REPO / "appliance" / "demo" / "store.toml")
    async with open_stores(data_dir) as (replica, journal):
        lane = Lane(LaneConfig("lane-1"), profile, replica, journal, FileReceipts(data_dir / "receipts",
                                                                                     step == "receipt"))
        await lane.start()
        cards = CardPayments(lane, gateway, RecordedPad(ksn, data, pin))
        if step == "recover":
            answers = await cards.recover()
            print(json.dumps({"resolved": [a.state for a in answers]}))
            return
        await lane.scan(RYE_BREAD)
        answer = await cards.pay()
        print(json.dumps({"state": answer.state}))


if __name__ == "__main__":
    asyncio.run(main(pathlib.Path(sys.argv[1]), int(sys.argv[2]), pathlib.Path(sys.argv[3]), sys.argv[4],
                     sys.argv[5]))
