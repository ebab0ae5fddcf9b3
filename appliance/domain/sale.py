"""The sale: an event-sourced aggregate. Its state is the fold of its events.

Commands check the rules against the current state and return new events; nothing changes until
the caller (the lane) has journaled them and applies them with `apply`. Replaying the journal's
events therefore rebuilds exactly the state the lane had.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from appliance.domain.errors import SaleRuleError
from appliance.domain.items import Item, Unit
from appliance.domain.money import Money
from appliance.domain.pricing import BasketLine, PricedBasket, PricingContext, price_basket
from appliance.domain.promotions.loyalty import Member
from appliance.domain.sale_events import (
    CouponPresented,
    InterventionCleared,
    InterventionRaised,
    LineAdded,
    LineVoided,
    MemberIdentified,
    PaymentAnswered,
    PaymentRequested,
    PaymentReversed,
    QuantityChanged,
    ReturnLineAdded,
    SaleCompleted,
    SaleEvent,
    SaleStarted,
    SaleVoided,
    TenderAdded,
    TenderVoided,
)
from appliance.domain.tenders import CashRounding, TenderKind, check_non_cash, settle_cash

MAX_QUANTITY = Decimal(999)


class SaleStatus(enum.Enum):
    OPEN = "open"
    COMPLETED = "completed"
    VOIDED = "voided"


@dataclass(frozen=True, slots=True)
class Tender:
    tender_id: str
    kind: TenderKind
    amount: Money
    tendered: Money
    change: Money
    rounding: Money
    reference: str = ""


@dataclass
class Intervention:
    intervention_id: str
    kind: str
    reason: str
    line_id: int | None
    raised_at: dt.datetime
    cleared_by: str = ""
    outcome: str = ""
    cleared_at: dt.datetime | None = None

    @property
    def open(self) -> bool:
        return not self.outcome


@dataclass(slots=True)
class Payment:
    """A provider payment as the journal knows it; ``requested`` means in doubt until answered or reversed."""

    txn_id: str
    kind: TenderKind
    amount: int
    card: str = ""
    entry_mode: str = ""
    state: str = "requested"  # requested | approved | partial | declined | reversed
    code: str = ""
    approved: int = 0
    auth_code: str = ""

    @property
    def tender_id(self) -> str:
        return f"{self.kind.value}:{self.txn_id}"


_MASKED = re.compile(r"^(\d{0,6}\**\d{0,4}|)$")


def _check_masked(card: str) -> None:
    digits = sum(c.isdigit() for c in card)
    if not _MASKED.match(card) or digits > 10:
        raise SaleRuleError("A card number in the journal must be masked (first 6 / last 4 at most).")


@dataclass
class Sale:
    sale_id: str
    version: int = 0
    status: SaleStatus = SaleStatus.OPEN
    store_id: str = ""
    lane_id: str = ""
    receipt_no: int = 0  # known once completed
    record_id: str = ""
    currency: str = ""
    training: bool = False
    started_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    lines: dict[int, BasketLine] = field(default_factory=dict)
    voided_lines: dict[int, BasketLine] = field(default_factory=dict)
    line_meta: dict[int, LineAdded] = field(default_factory=dict)
    tenders: list[Tender] = field(default_factory=list)
    member: Member | None = None
    coupons: list[str] = field(default_factory=list)
    interventions: dict[str, Intervention] = field(default_factory=dict)
    kind: str = "sale"  # sale | return
    original_sale_id: str = ""
    original_receipt: str = ""
    returns: dict[int, ReturnLineAdded] = field(default_factory=dict)
    void_reason: str = ""
    payments: dict[str, Payment] = field(default_factory=dict)

    # ------------------------------------------------------------------ fold
    @classmethod
    def replay(cls, events: list[SaleEvent]) -> Sale:
        if not events:
            raise SaleRuleError("A sale needs at least its SaleStarted event.")
        sale = cls(events[0].sale_id)
        for e in events:
            sale.apply(e)
        return sale

    def apply(self, e: SaleEvent) -> None:
        if e.sale_id != self.sale_id:
            raise SaleRuleError(f"Event for sale {e.sale_id} applied to sale {self.sale_id}.")
        if e.version != self.version + 1:
            raise SaleRuleError(f"Sale {self.sale_id} is at version {self.version}; event version {e.version} is out of order.")
        if self.version and self.status is not SaleStatus.OPEN:
            raise SaleRuleError(f"Sale {self.sale_id} is {self.status.value}; no further events apply.")
        match e:
            case SaleStarted():
                if self.version != 0:
                    raise SaleRuleError("SaleStarted must be the first event.")
                self.store_id, self.lane_id, self.kind = e.store_id, e.lane_id, e.kind
                self.original_sale_id, self.original_receipt = e.original_sale_id, e.original_receipt
                self.currency, self.training, self.started_at = e.currency, e.training, e.at
            case LineAdded():
                self.line_meta[e.line_id] = e
                self.lines[e.line_id] = BasketLine(
                    line_id=e.line_id,
                    sku=e.sku,
                    name=e.name,
                    quantity=e.quantity,
                    unit=Unit(e.unit),
                    unit_price=Money(e.unit_price, self.currency),
                    tax_class=e.tax_class,
                    category=e.category,
                    embedded_price=None if e.embedded_price is None else Money(e.embedded_price, self.currency),
                )
            case QuantityChanged():
                self.lines[e.line_id] = replace(self.lines[e.line_id], quantity=e.quantity)
            case LineVoided():
                self.voided_lines[e.line_id] = self.lines.pop(e.line_id)
            case TenderAdded():
                c = self.currency
                self.tenders.append(
                    Tender(e.tender_id, TenderKind(e.kind), Money(e.amount, c), Money(e.tendered, c),
                           Money(e.change, c), Money(e.rounding, c), e.reference)
                )
            case MemberIdentified():
                self.member = Member(e.member_id, e.tier, e.points_balance)
            case CouponPresented():
                self.coupons.append(e.code)
            case ReturnLineAdded():
                self.returns[e.line_id] = e
            case InterventionRaised():
                self.interventions[e.intervention_id] = Intervention(e.intervention_id, e.kind, e.reason, e.line_id, e.at)
            case InterventionCleared():
                iv = self.interventions[e.intervention_id]
                iv.cleared_by, iv.outcome, iv.cleared_at = e.by, e.outcome, e.at
            case TenderVoided():
                self.tenders = [t for t in self.tenders if t.tender_id != e.tender_id]
            case PaymentRequested():
                self.payments[e.txn_id] = Payment(e.txn_id, TenderKind(e.kind), e.amount, e.card, e.entry_mode)
            case PaymentAnswered():
                p = self.payments[e.txn_id]
                p.state, p.code, p.approved, p.auth_code = e.state, e.code, e.approved, e.auth_code
                p.card = e.card or p.card
            case PaymentReversed():
                p = self.payments[e.txn_id]
                p.state, p.approved = "reversed", 0
            case SaleCompleted():
                self.status, self.completed_at = SaleStatus.COMPLETED, e.at
                self.receipt_no, self.record_id = e.receipt_no, e.record_id
            case SaleVoided():
                self.status, self.void_reason = SaleStatus.VOIDED, e.reason
            case _:
                self._apply_extension(e)
        self.version = e.version

    def _apply_extension(self, e: SaleEvent) -> None:
        raise SaleRuleError(f"No rule applies {type(e).__name__} to a sale.")

    # ------------------------------------------------------------- queries
    def price(self, ctx: PricingContext) -> PricedBasket:
        """The sale priced: its member and coupons join the context the lane gives."""
        if self.member is not None or self.coupons:
            ctx = replace(ctx, member=self.member or ctx.member, coupons=(*ctx.coupons, *self.coupons))
        return price_basket(list(self.lines.values()), ctx)

    def paid(self) -> Money:
        return Money(sum(t.amount.minor for t in self.tenders), self.currency)

    def rounding(self) -> Money:
        return Money(sum(t.rounding.minor for t in self.tenders), self.currency)

    def balance(self, total: Money) -> Money:
        """What is still owed for `total` (the priced basket's total): negative when the lane owes."""
        return total - self.refund_total() + self.rounding() - self.paid()

    def refund_total(self) -> Money:
        return Money(sum(r.refund for r in self.returns.values()), self.currency)

    def change(self) -> Money:
        return Money(sum(t.change.minor for t in self.tenders), self.currency)

    def in_doubt(self) -> list[Payment]:
        return [p for p in self.payments.values() if p.state == "requested"]

    @property
    def is_open(self) -> bool:
        return self.status is SaleStatus.OPEN

    def next_line_id(self) -> int:
        ids = list(self.lines) + list(self.voided_lines) + list(self.returns)
        return max(ids, default=0) + 1

    # ------------------------------------------------------------ commands
    def _next(self, at: dt.datetime) -> dict[str, object]:
        self._require_open()
        return {"sale_id": self.sale_id, "version": self.version + 1, "at": at}

    def _require_open(self) -> None:
        if self.status is not SaleStatus.OPEN:
            raise SaleRuleError(f"This sale is {self.status.value}; start a new sale.")

    def _require_no_tenders(self, what: str) -> None:
        self._require_open()
        if self.tenders:
            raise SaleRuleError(f"Payment has started; void the tenders before you {what}.")

    @staticmethod
    def start(sale_id: str, store_id: str, lane_id: str, currency: str, at: dt.datetime,
              training: bool = False, kind: str = "sale", original_sale_id: str = "",
              original_receipt: str = "") -> SaleStarted:
        return SaleStarted(sale_id=sale_id, version=1, at=at, store_id=store_id, lane_id=lane_id,
                           currency=currency, training=training, kind=kind, original_sale_id=original_sale_id,
                           original_receipt=original_receipt)

    def add_item(self, item: Item, quantity: Decimal, at: dt.datetime, *, scanned: str = "",
                 embedded_price: Money | None = None) -> LineAdded:
        self._require_no_tenders("add items")
        if self.kind == "return":
            raise SaleRuleError("This is a return: finish it before selling items.")
        if item.unit_price.currency != self.currency:
            raise SaleRuleError(f"{item.name} is priced in {item.unit_price.currency}; this sale is in {self.currency}.")
        _check_quantity(quantity, item.unit)
        return LineAdded(
            **self._next(at), line_id=self.next_line_id(), sku=item.sku, name=item.name, quantity=quantity,
            unit=item.unit.value, unit_price=item.unit_price.minor, tax_class=item.tax_class,
            category=item.category, scanned=scanned,
            embedded_price=None if embedded_price is None else embedded_price.minor,
            age_restriction=item.age_restriction,
        )

    def change_quantity(self, line_id: int, quantity: Decimal, at: dt.datetime) -> QuantityChanged:
        self._require_no_tenders("change quantities")
        line = self._line(line_id)
        if line.unit.weighed or line.embedded_price is not None:
            raise SaleRuleError(f"Line {line_id} ({line.name}) is priced by weight or label; void it and weigh again.")
        _check_quantity(quantity, line.unit)
        return QuantityChanged(**self._next(at), line_id=line_id, quantity=quantity)

    def identify_member(self, member: Member, at: dt.datetime, key_kind: str = "card") -> MemberIdentified:
        self._require_no_tenders("identify a member")
        if self.member is not None:
            raise SaleRuleError(f"Member {self.member.member_id} is already identified on this sale.")
        return MemberIdentified(**self._next(at), member_id=member.member_id, tier=member.tier,
                                points_balance=member.points_balance, key_kind=key_kind)

    def present_coupon(self, code: str, at: dt.datetime, gs1: bool = False) -> CouponPresented:
        self._require_no_tenders("add coupons")
        if code in self.coupons:
            raise SaleRuleError(f"Coupon {code} is already on this sale.")
        return CouponPresented(**self._next(at), code=code, gs1=gs1)

    def open_interventions(self) -> list[Intervention]:
        # an intervention about a line the shopper has since voided no longer blocks the sale
        return [iv for iv in self.interventions.values() if iv.open and (iv.line_id is None or iv.line_id in self.lines)]

    def raise_intervention(self, kind: str, reason: str, at: dt.datetime, line_id: int | None = None,
                           min_age: int | None = None) -> InterventionRaised:
        self._require_open()
        return InterventionRaised(**self._next(at), intervention_id=f"i{len(self.interventions) + 1}", kind=kind,
                                  reason=reason, line_id=line_id, min_age=min_age)

    def clear_intervention(self, intervention_id: str, by: str, outcome: str, at: dt.datetime,
                           note: str = "") -> InterventionCleared:
        self._require_open()
        iv = self.interventions.get(intervention_id)
        if iv is None:
            raise SaleRuleError(f"There is no intervention {intervention_id} on this sale.")
        if not iv.open:
            raise SaleRuleError(f"Intervention {intervention_id} was already {iv.outcome} by {iv.cleared_by}.")
        if outcome not in ("approved", "refused", "resolved"):
            raise SaleRuleError(f"An intervention is approved, refused or resolved, not {outcome!r}.")
        return InterventionCleared(**self._next(at), intervention_id=intervention_id, by=by, outcome=outcome, note=note)

    def _require_no_interventions(self) -> None:
        pending = self.open_interventions()
        if pending:
            reasons = "; ".join(iv.reason for iv in pending)
            raise SaleRuleError(f"An attendant must check this first: {reasons}.")

    def void_line(self, line_id: int, at: dt.datetime, reason: str = "") -> LineVoided:
        self._require_no_tenders("void lines")
        self._line(line_id)
        return LineVoided(**self._next(at), line_id=line_id, reason=reason)

    def pay_cash(self, tendered: Money, total: Money, rounding: CashRounding, tender_id: str,
                 at: dt.datetime) -> TenderAdded:
        self._require_lines()
        self._require_no_interventions()
        s = settle_cash(self.balance(total), tendered, rounding)
        return TenderAdded(**self._next(at), tender_id=tender_id, kind=TenderKind.CASH.value,
                           amount=s.applied.minor, tendered=s.tendered.minor, change=s.change.minor,
                           rounding=s.rounding.minor)

    def pay_other(self, kind: TenderKind, amount: Money, total: Money, tender_id: str, at: dt.datetime,
                  reference: str = "") -> TenderAdded:
        if kind is TenderKind.CASH:
            raise SaleRuleError("Cash goes through pay_cash, which gives change.")
        self._require_lines()
        self._require_no_interventions()
        check_non_cash(self.balance(total), amount, kind)
        return TenderAdded(**self._next(at), tender_id=tender_id, kind=kind.value, amount=amount.minor,
                           tendered=amount.minor, reference=reference)

    def request_payment(self, txn_id: str, kind: TenderKind, amount: Money, total: Money, at: dt.datetime,
                        card: str = "", entry_mode: str = "") -> PaymentRequested:
        _check_masked(card)
        self._require_no_interventions()  # charge no card for a sale that could not complete
        if txn_id in self.payments:
            raise SaleRuleError(f"Payment {txn_id} was already requested.")
        check_non_cash(self.balance(total), amount, kind)
        return PaymentRequested(**self._next(at), txn_id=txn_id, kind=kind.value, amount=amount.minor, card=card,
                                entry_mode=entry_mode)

    def answer_payment(self, txn_id: str, state: str, at: dt.datetime, *, code: str = "", approved: int = 0,
                       auth_code: str = "", card: str = "") -> PaymentAnswered:
        _check_masked(card)
        p = self.payments.get(txn_id)
        if p is None or p.state != "requested":
            raise SaleRuleError(f"Payment {txn_id} is not awaiting an answer.")
        if state not in ("approved", "partial", "declined"):
            raise SaleRuleError(f"A payment answer is approved, partial or declined, not {state!r}.")
        if not 0 <= approved <= p.amount or (state == "declined" and approved):
            raise SaleRuleError(f"Payment {txn_id} cannot approve {approved} of {p.amount}.")
        return PaymentAnswered(**self._next(at), txn_id=txn_id, state=state, code=code, approved=approved,
                               auth_code=auth_code, card=card)

    def reverse_payment(self, txn_id: str, at: dt.datetime, reason: str = "") -> PaymentReversed:
        p = self.payments.get(txn_id)
        if p is None or p.state in ("reversed", "declined"):
            raise SaleRuleError(f"Payment {txn_id} has nothing to reverse.")
        if p.tender_id in {t.tender_id for t in self.tenders}:
            raise SaleRuleError(f"Payment {txn_id} is a tender of this sale: void the tender first.")
        return PaymentReversed(**self._next(at), txn_id=txn_id, reason=reason)

    def void_tender(self, tender_id: str, at: dt.datetime, reason: str = "") -> TenderVoided:
        if not any(t.tender_id == tender_id for t in self.tenders):
            raise SaleRuleError(f"There is no tender {tender_id} on this sale.")
        return TenderVoided(**self._next(at), tender_id=tender_id, reason=reason)

    def check_complete(self, priced: PricedBasket) -> None:
        self._require_open()
        self._require_lines()
        self._require_no_interventions()
        balance = self.balance(priced.total)
        if balance.minor > 0:
            raise SaleRuleError(f"{balance} is still due; the sale cannot complete.")
        if self.kind == "return" and balance.minor < 0:
            raise SaleRuleError(f"{-balance} is still to be refunded; the return cannot complete.")

    def settled(self, priced: PricedBasket) -> bool:
        """Paid (a sale) or refunded exactly (a return), with something on it."""
        if not (self.lines or self.returns):
            return False
        b = self.balance(priced.total).minor
        return b == 0 if self.kind == "return" else b <= 0

    def add_return(self, at: dt.datetime, *, original_sale_id: str, original_receipt: str, original_line_id: int,
                   sku: str, name: str, quantity: Decimal, refund: Money, tax: Money, tax_class: str,
                   reason: str = "", resellable: bool = True) -> ReturnLineAdded:
        self._require_no_tenders("add returns")
        if self.kind != "return":
            raise SaleRuleError("Returns go on a return transaction: scan the receipt first.")
        return ReturnLineAdded(**self._next(at), line_id=self.next_line_id(), original_sale_id=original_sale_id,
                               original_receipt=original_receipt, original_line_id=original_line_id, sku=sku,
                               name=name, quantity=quantity, refund=refund.minor, tax=tax.minor, tax_class=tax_class,
                               reason=reason, resellable=resellable)

    def refund(self, kind: TenderKind, total: Money, tender_id: str, at: dt.datetime, reference: str = "") -> TenderAdded:
        """Hand back what a return owes, in one tender (negative amount)."""
        self._require_open()
        owed = -self.balance(total).minor
        if self.kind != "return" or owed <= 0:
            raise SaleRuleError("Nothing is to be refunded on this transaction.")
        self._require_no_interventions()
        return TenderAdded(**self._next(at), tender_id=tender_id, kind=kind.value, amount=-owed, tendered=-owed,
                           reference=reference)

    def complete(self, priced: PricedBasket, at: dt.datetime, receipt_no: int, record_id: str) -> SaleCompleted:
        self.check_complete(priced)
        return SaleCompleted(**self._next(at), receipt_no=receipt_no, record_id=record_id,
                             total=(priced.total - self.refund_total()).minor, paid=self.paid().minor,
                             change=self.change().minor,
                             promotions=tuple(p.promotion_id for p in priced.promotions),
                             points_earned=priced.points_earned)

    def void(self, at: dt.datetime, reason: str) -> SaleVoided:
        self._require_no_tenders("void the sale")
        return SaleVoided(**self._next(at), reason=reason)

    def _require_lines(self) -> None:
        if not self.lines and not self.returns:
            raise SaleRuleError("The sale has no items yet.")

    def _line(self, line_id: int) -> BasketLine:
        try:
            return self.lines[line_id]
        except KeyError:
            raise SaleRuleError(f"There is no line {line_id} on this sale.") from None


def parse_quantity(text: str) -> Decimal:
    """Untrusted quantity text → Decimal, or a SaleRuleError saying what was wrong."""
    try:
        q = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise SaleRuleError(f"{text!r} is not a quantity: type a whole number like 2.") from None
    if not q.is_finite():
        raise SaleRuleError(f"{text!r} is not a quantity: type a whole number like 2.")
    return q


def _check_quantity(q: Decimal, unit: Unit) -> None:
    if not q.is_finite() or q <= 0:
        raise SaleRuleError(f"Quantity {q} must be more than zero.")
    if q > MAX_QUANTITY:
        raise SaleRuleError(f"Quantity {q} is more than {MAX_QUANTITY}; ask an attendant.")
    if unit is Unit.EACH and q != q.to_integral_value():
        raise SaleRuleError(f"Quantity {q} must be a whole number for items sold each.")
