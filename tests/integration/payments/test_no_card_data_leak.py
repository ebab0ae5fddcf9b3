"""No card data leaks: card payments through the whole stack (firmware process on a pty, host
driver, lane, real payment host over mTLS), then every file the appliance wrote is searched for
the test cards' PAN and track 2 in every encoding; a planted PAN in each kind of artifact is found
by the same scan (the positive control)."""

from __future__ import annotations

import logging
import os
import pathlib
import sqlite3

import pytest

from appliance.lane import Lane, LaneConfig
from appliance.payments.card_flow import CardPayments
from appliance.store.journal import Journal
from appliance.store.replica import Replica
from appliance.store_profile import load_profile
from tests.integration.lane.conftest import catalog_items
from tests.integration.payments.test_card_tender import HOODIE, LANE, pay_card
from tests.support.clock import T0, FixedClock
from tests.support.leakscan import encodings, files_under, scan
from tests.support.payhost import PAN, Payhost
from tests.support.pinpad_fw import TRACK2
from tests.support.proc import REPO

SECRETS = [PAN, TRACK2.strip(";?"), TRACK2.strip(";?").replace("=", "D")]


class FileReceipts:
    def __init__(self, folder: pathlib.Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def print_receipt(self, sale, priced, profile) -> str:  # type: ignore[no-untyped-def]
        from appliance.receipt import build_receipt
        from drivers.printer.escpos_render import render_escpos
        from drivers.printer.profiles import PrinterProfile
        from drivers.printer.text_preview import render_text

        doc = build_receipt(sale, priced, profile)
        (self.folder / f"{sale.sale_id}.txt").write_text(render_text(doc))
        (self.folder / f"{sale.sale_id}.escpos").write_bytes(render_escpos(doc, PrinterProfile.load()))
        return render_text(doc)


async def run_payments(tmp_path: pathlib.Path, pad, n: int) -> tuple[pathlib.Path, list[pathlib.Path]]:
    data = tmp_path / "appliance"
    data.mkdir()
    handler = logging.FileHandler(data / "lane.log")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    profile = load_profile(REPO / "appliance" / "demo" / "store.toml")
    try:
        async with Payhost(tmp_path / "host", lanes=(LANE,)) as host, \
                Replica(data / "replica.db") as replica, Journal(data / "journal.db") as journal:
            await replica.replace_catalog(iter(catalog_items(profile)))
            lane = Lane(LaneConfig(LANE), profile, replica, journal, FileReceipts(data / "receipts"),
                        clock=FixedClock(T0))
            await lane.start()
            cards = CardPayments(lane, host.gateway(LANE), pad)
            for i in range(n):
                await lane.scan(HOODIE)
                answer = await pay_card(cards, pad.simulator, ("tap", "chip", "swipe")[i % 3])
                assert answer.state == "approved"
            assert len(host.rows()) == n
            open_files = files_under(data)  # with the journal open: its WAL is there
            assert any(p.name.endswith("-wal") for p in open_files)
            snapshot = {p: p.read_bytes() for p in open_files}
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    frozen = tmp_path / "while-open"
    for p, b in snapshot.items():
        target = frozen / p.relative_to(data)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b)
    return data, files_under(data) + files_under(frozen)


def plant(tmp_path: pathlib.Path, files: list[pathlib.Path]) -> list[tuple[pathlib.Path, str]]:
    """A copy of one artifact of each kind with the PAN planted in every encoding."""
    out = []
    planted = tmp_path / "planted"
    planted.mkdir()
    kinds = {}
    for p in files:
        kind = p.suffix or p.name.rsplit("-", 1)[-1]
        kinds.setdefault(kind, p)
    for kind, p in kinds.items():
        for name, needle in encodings(PAN).items():
            data = p.read_bytes()
            target = planted / f"{kind.strip('.')}-{name}-{p.name}"
            target.write_bytes(data[: len(data) // 2] + needle + data[len(data) // 2:])
            out.append((target, name))
    # and in a live SQLite WAL, written through SQLite itself
    db = sqlite3.connect(planted / "live.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE t (v)")
    db.execute("INSERT INTO t VALUES (?), (?)", (PAN, PAN.encode("utf-16-le")))
    db.commit()
    out.append((planted / "live.db-wal", "ascii"))
    out.append((planted / "live.db-wal", "utf-16-le"))
    return out


async def check_no_leak(tmp_path: pathlib.Path, pad, n: int) -> None:
    _, files = await run_payments(tmp_path, pad, n)
    print(f"scanned {len(files)} files for {len(SECRETS)} secrets in {len(encodings(PAN))} encodings:")
    for p in files:
        print(f"  {p} ({os.path.getsize(p)} bytes)")
    assert {p.name for p in files} >= {"journal.db", "journal.db-wal", "lane.log", "replica.db"}
    assert sum(1 for p in files if p.suffix == ".txt") >= n
    assert scan(files, SECRETS) == []
    # positive control: the same scan finds the PAN planted in each kind of artifact, each encoding
    planted = plant(tmp_path, files)
    found = {(pathlib.Path(f).name, enc) for f, _, enc in scan([p for p, _ in planted], [PAN])}
    assert all((p.name, enc) in found for p, enc in planted), sorted({(p.name, e) for p, e in planted} - found)
    print(f"positive control: {len(planted)} planted copies, all found")


async def test_no_card_data_in_anything_the_appliance_wrote(tmp_path, pad) -> None:
    await check_no_leak(tmp_path, pad, 12)


@pytest.mark.slow
async def test_no_card_data_after_a_thousand_payments(tmp_path, pad) -> None:
    await check_no_leak(tmp_path, pad, 1000)
