"""Gift cards against a real `lanekit-payhost`: balance, redeem (partial to the balance), reversal
and refund back onto the card, idempotent by id; the number is masked everywhere the lane writes."""

from __future__ import annotations

import pathlib
from collections.abc import AsyncIterator

import pytest

from appliance.domain.money import Money
from appliance.payments.card_flow import CardPayments
from appliance.payments.gateway import GatewayRefused
from appliance.payments.wire import GiftRedeem
from appliance.store.journal import Journal
from appliance.store.replica import Replica
from appliance.store_profile import StoreProfile
from tests.integration.payments.test_card_tender import HOODIE, LANE, make_lane, profile, stores  # noqa: F401
from tests.support.leakscan import files_under, scan
from tests.support.payhost import Payhost

GIFT = "6006491234567890"
OTHER = "6006497777777777"
EMPTY = "6006490000000001"


@pytest.fixture
async def host(tmp_path: pathlib.Path) -> AsyncIterator[Payhost]:
    async with Payhost(tmp_path / "host", lanes=(LANE,), gift_cards={GIFT: 3000, OTHER: 10000, EMPTY: 0}) as h:
        yield h


async def test_gift_card_pays_up_to_its_balance_and_cash_pays_the_rest(
        tmp_path: pathlib.Path, profile: StoreProfile, stores: tuple[Replica, Journal], host: Payhost) -> None:  # noqa: F811
    replica, journal = stores
    lane = await make_lane(tmp_path, profile, journal, replica)
    gw = host.gateway(LANE)
    balance = await gw.gift_balance(GIFT)
    assert (balance.card, balance.balance, balance.currency) == ("600649******7890", 3000, "EUR")
    pay = CardPayments(lane, gw)
    await lane.scan(HOODIE)  # 45.00
    answer = await pay.pay_gift_card(GIFT)
    assert (answer.state, answer.code, answer.approved, answer.card) == ("partial", "10", 3000, "600649******7890")
    empty = await pay.pay_gift_card(EMPTY)
    assert (empty.state, empty.code) == ("declined", "51")
    unknown = await pay.pay_gift_card("6006491111111111")
    assert (unknown.state, unknown.code) == ("declined", "14")
    assert await lane.pay_cash("20.00") == Money(500, "EUR")
    receipt = lane.last_receipt
    gift_lines = [ln for ln in receipt.splitlines() if "7890" in ln]
    assert len(gift_lines) == 1 and gift_lines[0].split()[-1] == "30,00" and "**** 7890" in gift_lines[0]
    assert host.gift_balances()["600649******7890"] == 0
    data = [p for p in files_under(tmp_path) if "host" not in p.relative_to(tmp_path).parts]
    assert scan(data, [GIFT, EMPTY, "6006491111111111"]) == []
    host_files = files_under(host.ledger.parent)
    assert scan(host_files, [GIFT]) == []  # the host keeps an HMAC of the number and the masked form


async def test_reversal_and_refund_go_back_onto_the_card_once(host: Payhost) -> None:
    gw = host.gateway(LANE)
    redeem = GiftRedeem(txn_id="g-1", lane_id=LANE, card=OTHER, amount=2500, currency="EUR")
    first = await gw.redeem_gift(redeem)
    assert (first.state, first.approved) == ("approved", 2500)
    assert await gw.redeem_gift(redeem) == first  # retried: debited once
    assert (await gw.gift_balance(OTHER)).balance == 7500
    assert (await gw.refund("g-r1", "g-1", 1000)).state == "approved"
    assert (await gw.refund("g-r1", "g-1", 1000)).state == "approved"
    assert (await gw.gift_balance(OTHER)).balance == 8500
    second = await gw.redeem_gift(GiftRedeem(txn_id="g-2", lane_id=LANE, card=OTHER, amount=4000, currency="EUR"))
    assert second.approved == 4000
    assert (await gw.reverse("g-2")).state == "reversed"
    assert (await gw.reverse("g-2")).state == "reversed"
    assert (await gw.gift_balance(OTHER)).balance == 8500
    with pytest.raises(GatewayRefused) as err:
        await gw.redeem_gift(GiftRedeem(txn_id="g-1", lane_id=LANE, card=OTHER, amount=100, currency="EUR"))
    assert err.value.status == 409
    with pytest.raises(GatewayRefused) as err:
        await gw.gift_balance("600649999999")
    assert err.value.status == 404 and "600649**9999" in str(err.value)
    with pytest.raises(GatewayRefused) as err:
        await gw.gift_balance("12ab")
    assert err.value.status == 400
