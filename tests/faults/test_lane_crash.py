"""SIGKILL the lane after each durable write: a restart replays exactly what was journaled.

The script (lane_child.py) writes 10 events: SaleStarted, LineAdded (wine, 16+), InterventionRaised
(its age check), 2 × LineAdded, QuantityChanged, LineVoided (the wine), TenderAdded (2.00 partial
cash), TenderAdded (20.00, pays the rest), then the completing transaction (SaleCompleted + outbox
row). A kill after the last tender but before completion leaves a paid, open sale: the restart
completes it. A kill between the wine and its age check: the restart raises the check.
"""

from __future__ import annotations

import pathlib
import shutil
import signal
import subprocess
import sys
from decimal import Decimal

import pytest

from appliance.domain.money import Money
from appliance.domain.sale_record import decode_sale_record
from appliance.lane import Lane, LaneConfig
from appliance.store_profile import load_profile
from appliance.wiring import open_stores
from tests.integration.lane.conftest import catalog_items
from tests.support.proc import env

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
PROFILE = REPO / "appliance" / "demo" / "store.toml"
# after k writes, the open sale holds these lines (sku, quantity) and this much paid
EXPECTED = {
    1: ([], 0),
    2: ([("wine-riesling", "1")], 0),
    3: ([("wine-riesling", "1")], 0),
    4: ([("wine-riesling", "1"), ("creme-fraiche", "1")], 0),
    5: ([("wine-riesling", "1"), ("creme-fraiche", "2")], 0),
    6: ([("wine-riesling", "1"), ("creme-fraiche", "2"), ("produce-bananas", "0.5")], 0),
    7: ([("creme-fraiche", "2"), ("produce-bananas", "0.5")], 0),
    8: ([("creme-fraiche", "2"), ("produce-bananas", "0.5")], 200),
}
TOTAL = 338  # crème fraîche 2 × 1.19 + bananas 0.5 kg × 1.99 (0.995 -> 1.00 half-up)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    import asyncio

    d = tmp_path_factory.mktemp("template")

    async def build() -> None:
        async with open_stores(d) as (replica, _):
            await replica.replace_catalog(iter(catalog_items(load_profile(PROFILE))))

    asyncio.run(build())
    return d


def _crash(template: pathlib.Path, tmp: pathlib.Path, k: int) -> pathlib.Path:
    data = tmp / f"k{k}"
    shutil.copytree(template, data)
    proc = subprocess.run([sys.executable, str(HERE / "lane_child.py"), str(data), str(k)],
                          env=env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    return data


@pytest.mark.parametrize("k", sorted(EXPECTED))
async def test_kill_between_events_replays_the_open_sale(template: pathlib.Path, tmp_path: pathlib.Path, k: int) -> None:
    data = _crash(template, tmp_path, k)
    profile = load_profile(PROFILE)
    async with open_stores(data) as (replica, journal):
        assert (await journal.verify()).ok
        lane = Lane(LaneConfig("lane-01"), profile, replica, journal)
        await lane.start()
        lines, paid = EXPECTED[k]
        if k == 1:
            assert lane.sale is not None and not lane.sale.lines  # started, nothing sold yet
        view = lane.view()
        assert view is not None
        assert [(ln.sku, str(ln.quantity)) for ln in view.lines] == lines
        assert view.paid == Money(paid, "EUR")
        wine_open = any(sku == "wine-riesling" for sku, _ in lines)
        assert [kind for _, kind, _ in view.interventions] == (["age"] if wine_open else [])
        if wine_open:
            await lane.attendant_login("1234")
            await lane.clear_intervention(view.interventions[0][0])
        # the lane carries on: finish the sale and it reaches the outbox once
        if not view.lines:
            await lane.scan("4260000000042")
        await lane.pay_cash(Money(10000, "EUR"))
        assert lane.sale is None
        pending = await journal.outbox.pending(10)
        assert len(pending) == 1 and decode_sale_record(pending[0].payload).receipt_no == 1


@pytest.mark.parametrize("k", [9, 10])
async def test_kill_when_paid_completes_exactly_once(template: pathlib.Path, tmp_path: pathlib.Path, k: int) -> None:
    """k=9: paid but not completed (the restart completes it); k=10: the completion had committed."""
    data = _crash(template, tmp_path, k)
    async with open_stores(data) as (replica, journal):
        assert await journal.sale_status(await _only_sale(journal)) == ("open" if k == 9 else "completed")
        lane = Lane(LaneConfig("lane-01"), load_profile(PROFILE), replica, journal)
        await lane.start()
        assert lane.sale is None
        (row,) = await journal.outbox.pending(10)
        record = decode_sale_record(row.payload)
        assert (record.total, record.receipt_no) == (TOTAL, 1)
        assert [(t.kind, t.amount, t.change) for t in record.tenders] == [("cash", 200, 0), ("cash", 138, 1862)]
        assert [(ln.sku, ln.quantity) for ln in record.lines] == [
            ("creme-fraiche", Decimal(2)), ("produce-bananas", Decimal("0.5"))]
        assert (await journal.verify()).ok
        await lane.start()  # a second restart changes nothing
        assert len(await journal.outbox.pending(10)) == 1


async def _only_sale(journal) -> str:  # type: ignore[no-untyped-def]
    rows = await journal.db.execute_fetchall("SELECT sale_id FROM sales")
    assert len(rows) == 1
    return rows[0][0]
