"""`lanekit demo --card`: the PIN-pad firmware on a pty, `lanekit-payhost` over mTLS, a split tender."""

from __future__ import annotations

import pathlib
import sqlite3

from tests.support.leakscan import files_under, scan
from tests.support.payhost import PAN
from tests.support.proc import lanekit


def test_demo_pays_part_by_card_and_the_rest_in_cash(tmp_path: pathlib.Path) -> None:
    data = tmp_path / "demo"
    proc = lanekit("demo", "--now", "2026-12-03T10:00:00+01:00", "--data-dir", str(data), "--ui", "off",
                   "--card", "50.00", timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "lanekit-payhost on https://127.0.0.1:" in out
    assert "card 50,00 EUR tapped -> approved 50,00 (**** 0119, auth " in out
    receipt = out[out.index("SUMME EUR"):out.index("ESC/POS bytes:")]
    tenders = [ln.split() for ln in receipt.splitlines() if ln.startswith(("Punkte 1000", "Karte", "Bar", "Rück"))]
    assert [(t[0], t[-1]) for t in tenders] == [("Punkte", "10,00"), ("Karte", "50,00"), ("Bar", "200,00"),
                                                  ("Rückgeld", "164,64")]
    assert "**** 0119" in receipt and "476173" not in receipt
    ledger = sqlite3.connect(data / "payments" / "ledger.db")
    assert ledger.execute("SELECT state, approved, card, entry_mode FROM txns").fetchall() == [
        ("approved", 5000, "476173******0119", "contactless")]
    ledger.close()
    appliance_files = [p for p in files_under(data) if "payments" not in p.relative_to(data).parts]
    assert scan(appliance_files, [PAN]) == []
