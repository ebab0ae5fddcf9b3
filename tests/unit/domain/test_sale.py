import datetime as dt
from decimal import Decimal

import pytest

from appliance.domain import sale_events
from appliance.domain.errors import SaleRuleError
from appliance.domain.items import Item, Unit
from appliance.domain.money import Money, Rounding
from appliance.domain.pricing import PricingContext
from appliance.domain.sale import Sale, SaleStatus, parse_quantity
from appliance.domain.tax import TaxComponent, TaxPolicy, TaxRegime
from appliance.domain.tenders import CashRounding, TenderKind

T0 = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
POLICY = TaxPolicy(
    TaxRegime.INCLUSIVE,
    {"standard": (TaxComponent("A", "VAT 19%", Decimal("0.19")),), "reduced": (TaxComponent("B", "VAT 7%", Decimal("0.07")),)},
)
CTX = PricingContext(currency="EUR", tax=POLICY, now=T0)
MILK = Item("milk", "Milk 1l", Money(119, "EUR"), "reduced", gtins=("04000000000011",))
WINE = Item("wine", "Red wine", Money(599, "EUR"), "standard", age_restriction=18)
APPLES = Item("apples", "Apples", Money(299, "EUR"), "reduced", unit=Unit.KG)


class Harness:
    """Drives a sale like the lane does: command -> event -> (journal) -> apply."""

    def __init__(self) -> None:
        self.events: list[sale_events.SaleEvent] = []
        first = Sale.start("s-1", "store-1", "lane-1", "EUR", T0)
        self.sale = Sale("s-1")
        self.commit(first)

    def commit(self, e: sale_events.SaleEvent) -> sale_events.SaleEvent:
        # round-trip through the wire codec, as the journal does
        name, schema, payload = sale_events.encode(e)
        e2 = sale_events.decode(name, schema, payload)
        assert e2 == e
        self.events.append(e2)
        self.sale.apply(e2)
        return e2


def test_a_cash_sale_end_to_end_and_replay_gives_the_same_state() -> None:
    h = Harness()
    h.commit(h.sale.add_item(MILK, Decimal(2), T0, scanned="04000000000011"))
    h.commit(h.sale.add_item(WINE, Decimal(1), T0))
    h.commit(h.sale.add_item(APPLES, Decimal("0.755"), T0))
    h.commit(h.sale.change_quantity(1, Decimal(3), T0))
    priced = h.sale.price(CTX)
    # 3 × 1.19 = 3.57; 5.99; 0.755 kg × 2.99 = 2.25745 -> 2.26
    assert [pl.amount.minor for pl in priced.lines] == [357, 599, 226]
    assert priced.total == Money(1182, "EUR")
    # VAT 7 %: (357+226)*7/107 per line: 23.36->23, 14.79->15; 19 %: 599*19/119 = 95.64 -> 96
    assert priced.tax == Money(134, "EUR")
    h.commit(h.sale.pay_cash(Money(2000, "EUR"), priced.total, CashRounding(), "t1", T0))
    assert h.sale.change() == Money(818, "EUR")
    assert h.sale.balance(priced.total) == Money(0, "EUR")
    h.commit(h.sale.complete(priced, T0, 7, "rec-1"))
    assert h.sale.status is SaleStatus.COMPLETED and h.sale.receipt_no == 7
    replayed = Sale.replay(h.events)
    assert replayed == h.sale
    assert replayed.price(CTX) == priced


def test_split_tender_partial_cash_then_card_then_rounding_only_when_cash_settles() -> None:
    h = Harness()
    h.commit(h.sale.add_item(WINE, Decimal(2), T0))  # 11.98
    total = h.sale.price(CTX).total
    chf_like = CashRounding(5, Rounding.HALF_UP)
    h.commit(h.sale.pay_cash(Money(500, "EUR"), total, chf_like, "t1", T0))  # partial: no rounding
    assert h.sale.balance(total) == Money(698, "EUR")
    with pytest.raises(SaleRuleError, match="exceeds the balance"):
        h.sale.pay_other(TenderKind.CARD, Money(700, "EUR"), total, "t2", T0)
    h.commit(h.sale.pay_other(TenderKind.CARD, Money(300, "EUR"), total, "t2", T0, reference="****1111"))
    # 3.98 due, cash-rounded to 4.00; 5.00 handed over -> 1.00 change, +0.02 rounding
    h.commit(h.sale.pay_cash(Money(500, "EUR"), total, chf_like, "t3", T0))
    assert h.sale.change() == Money(100, "EUR")
    assert h.sale.rounding() == Money(2, "EUR")
    assert h.sale.balance(total) == Money(0, "EUR")
    done = h.commit(h.sale.complete(h.sale.price(CTX), T0, 7, "rec-1"))
    assert (done.total, done.paid, done.change) == (1198, 1200, 100)


def test_tender_below_total_cannot_complete_and_nothing_changes() -> None:
    h = Harness()
    h.commit(h.sale.add_item(MILK, Decimal(1), T0))
    priced = h.sale.price(CTX)
    h.commit(h.sale.pay_cash(Money(100, "EUR"), priced.total, CashRounding(), "t1", T0))
    before = h.sale.version
    with pytest.raises(SaleRuleError, match=r"0\.19 EUR is still due"):
        h.sale.complete(priced, T0, 7, "rec-1")
    assert h.sale.version == before and h.sale.is_open


@pytest.mark.parametrize("text", ["two", "", "1e999999", "NaN", "--1"])
def test_non_numeric_quantity_is_refused_with_a_clear_message(text: str) -> None:
    h = Harness()
    h.commit(h.sale.add_item(MILK, Decimal(1), T0))
    with pytest.raises(SaleRuleError):
        h.sale.change_quantity(1, parse_quantity(text), T0)
    assert h.sale.lines[1].quantity == Decimal(1)


@pytest.mark.parametrize(("qty", "msg"), [("0", "more than zero"), ("-1", "more than zero"), ("1.5", "whole number"), ("1000", "ask an attendant")])
def test_bad_quantities_are_refused(qty: str, msg: str) -> None:
    h = Harness()
    with pytest.raises(SaleRuleError, match=msg):
        h.sale.add_item(MILK, parse_quantity(qty), T0)


def test_events_out_of_order_or_after_completion_are_refused() -> None:
    h = Harness()
    e = h.sale.add_item(MILK, Decimal(1), T0)
    h.commit(e)
    with pytest.raises(SaleRuleError, match="out of order"):
        h.sale.apply(e)
    h.commit(h.sale.pay_cash(Money(500, "EUR"), h.sale.price(CTX).total, CashRounding(), "t", T0))
    with pytest.raises(SaleRuleError, match="Payment has started"):
        h.sale.add_item(MILK, Decimal(1), T0)
    h.commit(h.sale.complete(h.sale.price(CTX), T0, 7, "rec-1"))
    with pytest.raises(SaleRuleError, match="completed"):
        h.sale.void(T0, "x")


def test_void_line_and_void_sale() -> None:
    h = Harness()
    h.commit(h.sale.add_item(MILK, Decimal(1), T0))
    h.commit(h.sale.add_item(WINE, Decimal(1), T0))
    h.commit(h.sale.void_line(2, T0, "customer changed mind"))
    assert list(h.sale.lines) == [1] and h.sale.next_line_id() == 3
    with pytest.raises(SaleRuleError, match="no line 2"):
        h.sale.void_line(2, T0)
    h.commit(h.sale.void(T0, "abandoned"))
    assert h.sale.status is SaleStatus.VOIDED


def test_weighed_lines_cannot_change_quantity() -> None:
    h = Harness()
    h.commit(h.sale.add_item(APPLES, Decimal("0.5"), T0))
    with pytest.raises(SaleRuleError, match="weigh again"):
        h.sale.change_quantity(1, Decimal(2), T0)


def test_old_schema_upcast_and_unknown_types_refused() -> None:
    with pytest.raises(sale_events.EventDecodeError, match="Unknown sale event type"):
        sale_events.decode("lanekit.domain.Evil", 1, b"{}")
    with pytest.raises(sale_events.EventDecodeError, match="newer"):
        sale_events.decode("LineVoided", 99, b"{}")
    with pytest.raises(sale_events.EventDecodeError, match="does not decode"):
        sale_events.decode("LineVoided", 1, b'{"sale_id": 5}')
