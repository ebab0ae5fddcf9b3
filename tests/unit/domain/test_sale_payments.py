"""Provider payments in the sale's fold: requested -> answered / reversed, masked cards only."""

from decimal import Decimal

import msgspec
import pytest

from appliance.domain import sale_events
from appliance.domain.errors import SaleRuleError
from appliance.domain.money import Money
from appliance.domain.sale import Sale
from appliance.domain.tenders import TenderKind
from tests.unit.domain.test_sale import CTX, T0, WINE, Harness


def eur(m: int) -> Money:
    return Money(m, "EUR")


def test_request_answer_tender_and_replay() -> None:
    h = Harness()
    h.commit(h.sale.add_item(WINE, Decimal(2), T0))  # 11.98
    total = h.sale.price(CTX).total
    h.commit(h.sale.request_payment("p.1", TenderKind.CARD, eur(1198), total, T0, "476173******0119", "chip"))
    assert [p.txn_id for p in h.sale.in_doubt()] == ["p.1"]
    h.commit(h.sale.answer_payment("p.1", "partial", T0, code="10", approved=599, auth_code="A1B2C3",
                                   card="476173******0119"))
    assert h.sale.in_doubt() == []
    h.commit(h.sale.pay_other(TenderKind.CARD, eur(599), total, "card:p.1", T0, "**** 0119 auth A1B2C3"))
    h.commit(h.sale.request_payment("p.2", TenderKind.CARD, eur(599), total, T0, "476173******0119", "tap"))
    h.commit(h.sale.reverse_payment("p.2", T0, "no answer"))
    again = Sale.replay(h.events)
    assert [(p.txn_id, p.state, p.approved) for p in again.payments.values()] == [
        ("p.1", "partial", 599), ("p.2", "reversed", 0)]
    assert again.balance(total) == eur(599)
    # each event is a registered, versioned schema
    assert [sale_events.encode(e)[0] for e in h.events[-5:]] == [
        "PaymentRequested", "PaymentAnswered", "TenderAdded", "PaymentRequested", "PaymentReversed"]


@pytest.mark.parametrize("card", ["4761739001010119", "4761739001010119****", "47617390******0119", "abc"])
def test_a_card_number_that_is_not_masked_never_reaches_the_journal(card: str) -> None:
    h = Harness()
    h.commit(h.sale.add_item(WINE, Decimal(1), T0))
    total = h.sale.price(CTX).total
    with pytest.raises(SaleRuleError, match="masked"):
        h.sale.request_payment("p.1", TenderKind.CARD, eur(599), total, T0, card)
    assert h.sale.payments == {}


def test_answers_and_reversals_must_fit_the_request() -> None:
    h = Harness()
    h.commit(h.sale.add_item(WINE, Decimal(1), T0))
    total = h.sale.price(CTX).total
    with pytest.raises(SaleRuleError, match="not awaiting"):
        h.sale.answer_payment("nope", "approved", T0, approved=1)
    with pytest.raises(SaleRuleError, match="exceeds the balance"):
        h.sale.request_payment("p.1", TenderKind.CARD, eur(600), total, T0)
    h.commit(h.sale.request_payment("p.1", TenderKind.CARD, eur(599), total, T0))
    with pytest.raises(SaleRuleError, match="already requested"):
        h.sale.request_payment("p.1", TenderKind.CARD, eur(599), total, T0)
    with pytest.raises(SaleRuleError, match="cannot approve"):
        h.sale.answer_payment("p.1", "approved", T0, approved=700)
    with pytest.raises(SaleRuleError, match="approved, partial or declined"):
        h.sale.answer_payment("p.1", "maybe", T0)
    h.commit(h.sale.answer_payment("p.1", "approved", T0, approved=599))
    h.commit(h.sale.pay_other(TenderKind.CARD, eur(599), total, "card:p.1", T0))
    with pytest.raises(SaleRuleError, match="void the tender first"):
        h.sale.reverse_payment("p.1", T0)


def test_the_appliance_and_the_payment_host_agree_on_the_wire() -> None:
    from appliance.payments import wire as lane_wire
    from p2pe.payhost import wire as host_wire

    pairs = [(lane_wire.CardAuthorization, host_wire.AuthorizeRequest), (lane_wire.StatusQuery, host_wire.StatusRequest),
             (lane_wire.Reversal, host_wire.ReverseRequest), (lane_wire.Refund, host_wire.RefundRequest),
             (lane_wire.Answer, host_wire.Answer), (lane_wire.ErrorBody, host_wire.ErrorBody),
             (lane_wire.GiftRedeem, host_wire.GiftRedeemRequest), (lane_wire.GiftBalanceQuery, host_wire.GiftBalanceRequest),
             (lane_wire.GiftBalance, host_wire.GiftBalance)]
    for mine, theirs in pairs:
        assert set(mine.__struct_fields__) == set(theirs.__struct_fields__), (mine, theirs)
    request = lane_wire.CardAuthorization(txn_id="t.1", lane_id="lane-1", amount=5, currency="EUR",
                                          ksn=bytes(12), card_data=bytes(16), entry_mode="chip")
    decoded = msgspec.json.decode(msgspec.json.encode(request), type=host_wire.AuthorizeRequest)
    assert (decoded.txn_id, decoded.ksn, decoded.v) == ("t.1", bytes(12), 1)
    answer = host_wire.Answer(txn_id="t.1", state="partial", code="10", amount=10, approved=5, card="476173******0119")
    back = msgspec.json.decode(host_wire.encode(answer), type=lane_wire.Answer)
    assert (back.state, back.approved, back.last4, back.charged) == ("partial", 5, "0119", True)


def test_no_card_is_charged_while_an_attendant_check_is_open() -> None:
    h = Harness()
    h.commit(h.sale.add_item(WINE, Decimal(1), T0))
    h.commit(h.sale.raise_intervention("age", "Red wine needs an age check (18+).", T0, line_id=1))
    with pytest.raises(SaleRuleError):
        h.sale.request_payment("p.1", TenderKind.CARD, eur(599), h.sale.price(CTX).total, T0)
    assert h.sale.payments == {}
