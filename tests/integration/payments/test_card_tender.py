"""Card tenders end to end: the firmware simulator on a pty, the host driver, the lane with its
journal, and a real `lanekit-payhost` over mutual TLS."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import AsyncIterator

import pytest

from appliance.domain import sale_events
from appliance.domain.money import Money
from appliance.lane import Lane, LaneConfig, LaneError
from appliance.payments.card_flow import CardPayments, txn_id_for
from appliance.receipt import build_receipt
from appliance.store.journal import Journal
from appliance.store.replica import Replica
from appliance.store_profile import StoreProfile, load_profile
from drivers.pinpad.sim import FirmwareSimulator
from drivers.printer.text_preview import render_text
from tests.support.clock import T0, FixedClock
from tests.support.payhost import PAN, Payhost
from tests.support.pinpad_fw import CHIP_RECORDS, FCI_VISA, TRACK2
from tests.support.proc import REPO

LANE = "lane-1"
HOODIE = "04260000000073"  # 45.00


class TextReceipts:
    async def print_receipt(self, sale, priced, profile) -> str:
        return render_text(build_receipt(sale, priced, profile))


@pytest.fixture(scope="module")
def profile() -> StoreProfile:
    return load_profile(REPO / "appliance" / "demo" / "store.toml")


@pytest.fixture
async def host(tmp_path: pathlib.Path) -> AsyncIterator[Payhost]:
    async with Payhost(tmp_path / "host", rules={"slow_seconds": 0.2, "hang_seconds": 6.0}, lanes=(LANE,)) as h:
        yield h


async def make_lane(tmp_path: pathlib.Path, profile: StoreProfile, journal: Journal, replica: Replica) -> Lane:
    lane = Lane(LaneConfig(LANE), profile, replica, journal, TextReceipts(), clock=FixedClock(T0))
    await lane.start()
    return lane


@pytest.fixture
async def stores(tmp_path: pathlib.Path, profile: StoreProfile) -> AsyncIterator[tuple[Replica, Journal]]:
    from tests.integration.lane.conftest import catalog_items

    async with Replica(tmp_path / "replica.db") as replica, Journal(tmp_path / "journal.db") as journal:
        await replica.replace_catalog(iter(catalog_items(profile)))
        yield replica, journal


async def present(sim: FirmwareSimulator, how: str, pin: str = "1234") -> None:
    """Play the shopper on the pad once it asks for a card (only displays shown from now on count)."""
    seen = len(sim.displays)

    async def shown(fragment: str) -> None:
        while not any(fragment in t for t in sim.displays[seen:]):
            await asyncio.sleep(0.02)

    await asyncio.wait_for(shown("INSERT, TAP OR SWIPE"), 30)
    if how == "chip":
        sim.insert_chip(*CHIP_RECORDS)
        await asyncio.wait_for(shown("ENTER PIN"), 30)
        sim.enter_pin(pin)
    elif how == "tap":
        sim.tap(FCI_VISA, CHIP_RECORDS[0])
    else:
        sim.chip_error()
        await asyncio.wait_for(shown("SWIPE CARD"), 30)
        sim.swipe(TRACK2)
        await asyncio.wait_for(shown("ENTER PIN"), 30)
        sim.enter_pin(pin)


async def pay_card(cards: CardPayments, sim: FirmwareSimulator, how: str, amount: Money | None = None,
                   pin: str = "1234"):
    paying = asyncio.create_task(cards.pay(amount))
    await present(sim, how, pin)
    return await asyncio.wait_for(paying, 60)


async def journal_payloads(journal: Journal) -> bytes:
    rows = await journal.fetch("SELECT type, payload FROM events")
    return b"\n".join(bytes(r[1]) for r in rows)


async def test_chip_contactless_and_fallback_each_pay_a_sale(tmp_path, profile, stores, host, pad) -> None:
    replica, journal = stores
    lane = await make_lane(tmp_path, profile, journal, replica)
    cards = CardPayments(lane, host.gateway(LANE), pad)
    receipts = []
    for how in ("chip", "tap", "swipe"):
        await lane.scan(HOODIE)
        answer = await pay_card(cards, pad.simulator, how)
        assert (answer.state, answer.approved, answer.card) == ("approved", 4500, "476173******0119")
        assert lane.sale is None and lane.last_sale is not None
        receipts.append(lane.last_receipt)
    rows = host.rows()
    assert sorted((r["entry_mode"], r["state"], r["approved"]) for r in rows.values()) == [
        ("chip", "approved", 4500), ("contactless", "approved", 4500), ("magstripe_fallback", "approved", 4500)]
    for text in receipts:
        assert "**** 0119" in text and PAN not in text and "476173" not in text
    payloads = await journal_payloads(journal)
    assert b"476173******0119" in payloads and PAN.encode() not in payloads


async def test_decline_then_partial_approval_leaves_a_balance_paid_by_cash(tmp_path, profile, stores, host,
                                                                          pad) -> None:
    replica, journal = stores
    lane = await make_lane(tmp_path, profile, journal, replica)
    cards = CardPayments(lane, host.gateway(LANE), pad)
    await lane.scan(HOODIE)
    declined = await pay_card(cards, pad.simulator, "tap", Money(1205, "EUR"))
    assert (declined.state, declined.code) == ("declined", "05")
    wrong_pin = await pay_card(cards, pad.simulator, "chip", Money(700, "EUR"), pin="0000")
    assert (wrong_pin.state, wrong_pin.code) == ("declined", "55")
    partial = await pay_card(cards, pad.simulator, "chip", Money(2010, "EUR"))
    assert (partial.state, partial.approved) == ("partial", 1005)
    sale = lane.sale
    assert sale is not None and [t.amount.minor for t in sale.tenders] == [1005]
    change = await lane.pay_cash("40.00")
    assert change == Money(505, "EUR")
    receipt = lane.last_receipt
    assert "**** 0119" in receipt and "40" in receipt and PAN not in receipt
    lines = [ln for ln in receipt.splitlines() if "0119" in ln or "10,05" in ln]
    assert lines and all("10,05" in ln for ln in lines if "0119" in ln)
    assert {k.rsplit(".", 1)[1]: (r["state"], r["approved"]) for k, r in host.rows().items()} == {
        "1": ("declined", 0), "2": ("declined", 0), "3": ("partial", 1005)}


async def test_timeout_then_status_then_reversal(tmp_path, profile, stores, host, pad) -> None:
    replica, journal = stores
    lane = await make_lane(tmp_path, profile, journal, replica)
    cards = CardPayments(lane, host.gateway(LANE, timeout=2.0), pad)
    await lane.scan(HOODIE)
    hung = await pay_card(cards, pad.simulator, "tap", Money(1098, "EUR"))  # host pending 6 s
    assert hung.state == "reversed"
    lost = await pay_card(cards, pad.simulator, "tap", Money(1099, "EUR"))  # approved, answer held
    assert (lost.state, lost.approved) == ("approved", 1099)
    sale = lane.sale
    assert sale is not None
    assert [(p.state, p.approved) for p in sale.payments.values()] == [("reversed", 0), ("approved", 1099)]
    assert [t.amount.minor for t in sale.tenders] == [1099]
    await asyncio.sleep(4.5)  # the hung decision lands after the reversal: still not charged
    assert {k.rsplit(".", 1)[1]: (r["state"], r["approved"]) for k, r in host.rows().items()} == {
        "1": ("reversed", 0), "2": ("approved", 1099)}


async def test_restart_resolves_an_in_flight_payment(tmp_path, profile, stores, host) -> None:
    """Killed after PaymentRequested was journaled: approved at the host -> tender; never sent -> reversed."""
    from tests.support.payhost import authorization

    replica, journal = stores
    lane = await make_lane(tmp_path, profile, journal, replica)
    await lane.scan(HOODIE)
    sale = lane.sale
    assert sale is not None
    sent, unsent = txn_id_for(sale.sale_id, 1), txn_id_for(sale.sale_id, 2)
    await lane.request_payment(sent, sale_events_kind(), Money(1500, "EUR"), "476173******0119", "chip")
    await host.gateway(LANE).authorize(authorization(sent, 1500, 1, lane=LANE))  # answered, lane "died"
    await lane.request_payment(unsent, sale_events_kind(), Money(3000, "EUR"), "476173******0119", "chip")

    again = await make_lane(tmp_path, profile, journal, replica)
    assert again.sale is not None and again.sale.sale_id == sale.sale_id
    answers = await CardPayments(again, host.gateway(LANE)).recover()
    assert [a.state for a in answers] == ["approved", "reversed"]
    assert again.sale is not None and [t.amount.minor for t in again.sale.tenders] == [1500]
    assert {k: r["state"] for k, r in host.rows().items()} == {sent: "approved", unsent: "reversed"}
    rows = await journal.fetch("SELECT type FROM events WHERE sale_id = ?", (sale.sale_id,))
    assert [r[0] for r in rows][-3:] == ["PaymentAnswered", "TenderAdded", "PaymentReversed"]
    assert sale_events.EVENT_TYPES["PaymentRequested"].SCHEMA == 1


def sale_events_kind():
    from appliance.domain.tenders import TenderKind

    return TenderKind.CARD


async def test_no_card_presented_cancels_and_a_late_read_is_never_charged(tmp_path, profile, stores, host,
                                                                         pad) -> None:
    from drivers.events import CardRead, EntryMode
    from tests.support.payhost import authorization, card_read

    replica, journal = stores
    lane = await make_lane(tmp_path, profile, journal, replica)
    cards = CardPayments(lane, host.gateway(LANE), pad, card_timeout=0.5)
    await lane.scan(HOODIE)
    with pytest.raises(LaneError, match="No card was presented"):
        await cards.pay()
    sale = lane.sale
    assert sale is not None and sale.payments == {} and host.rows() == {}
    # the card arrives after the lane gave up: the read is reversed before anything could charge it
    txn = txn_id_for(sale.sale_id, 1)
    ksn, data, block = card_read(5)
    late = CardRead(txn, data, ksn, "476173******0119", EntryMode.CONTACTLESS, block, late=True)
    assert (await cards.late_read(late)).state == "reversed"
    assert (await host.gateway(LANE).authorize(authorization(txn, 4500, 5, lane=LANE))).state == "reversed"
    assert {k: (r["state"], r["approved"]) for k, r in host.rows().items()} == {txn: ("reversed", 0)}
