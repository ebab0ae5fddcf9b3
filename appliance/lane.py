"""The lane: one async state machine that UIs and tests drive.

Commands are coroutines (scan, set_quantity, void_line, pay_cash, void_sale ...); what happens comes
out of `events()` as an async iterator. Every change is a sale event that is journaled durably
BEFORE the lane applies it and tells anyone, so a crash at any point replays to the same sale.
Commands run one at a time (a lock): the sale's version sequence has a single writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from appliance.associates import Associate, Attendants
from appliance.domain import sale_events
from appliance.domain.bagging import BaggingArea, Verdict
from appliance.domain.barcodes import ScanRules, interpret
from appliance.domain.errors import DomainError, SaleRuleError
from appliance.domain.items import Item
from appliance.domain.money import Money
from appliance.domain.pricing import PricedBasket, PricingContext
from appliance.domain.promotions import (
    Member,
    MemberKey,
    MemberKeyKind,
    PointsRate,
    PromotionRules,
    member_key,
    redeem_points,
)
from appliance.domain.roles import Role
from appliance.domain.sale import Sale, parse_quantity
from appliance.domain.sale_record import (
    encode_sale_record,
)
from appliance.domain.scans import (
    CouponScan,
    GtinScan,
    LoyaltyCardScan,
    PluScan,
    ReceiptRefScan,
    ScanResult,
    UnknownScan,
    VariableMeasureScan,
)
from appliance.domain.tenders import TenderKind
from appliance.lane_errors import LaneError
from appliance.lane_events import (
    CommandRejected,
    LaneEvent,
    LaneNotice,
    LineView,
    SaleChanged,
    SaleFinished,
    SaleView,
    ScanAccepted,
    ScanRejected,
    TenderView,
    WeighingRequested,
)
from appliance.lane_returns import ReturnsMixin
from appliance.lane_staff import StaffMixin
from appliance.store.audit import AuditLog
from appliance.store.errors import DiskFull
from appliance.store.journal import Completion, EncodedEvent, Journal
from appliance.store.uuid7 import uuid7
from appliance.store_profile import StoreProfile

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Catalog(Protocol):
    async def by_gtin(self, gtin: str) -> Item | None: ...
    async def by_plu(self, plu: str) -> Item | None: ...
    async def by_sku(self, sku: str) -> Item | None: ...


class MemberDirectory(Protocol):
    async def member(self, key: MemberKey) -> Member | None: ...


class ProfileMembers:
    """Members listed in the store profile (the demo, or a lane that has not synced HQ's feed yet)."""

    def __init__(self, profile: StoreProfile) -> None:
        self._by_key: dict[tuple[MemberKeyKind, str], Member] = {}
        for m in profile.members:
            member = Member(m.member_id, m.tier, m.points)
            self._by_key[(MemberKeyKind.CARD, m.card.upper())] = member
            self._by_key[(MemberKeyKind.QR, m.member_id.upper())] = member
            if m.phone:
                self._by_key[(MemberKeyKind.PHONE, m.phone)] = member

    async def member(self, key: MemberKey) -> Member | None:
        return self._by_key.get((key.kind, key.value))


class WeightSource(Protocol):
    """The lane's view of a scale: the next stable weight above zero in kg, or a DomainError why not."""

    async def stable_kg(self, timeout: float) -> Decimal: ...


class ReceiptSink(Protocol):
    async def print_receipt(self, sale: Sale, priced: PricedBasket, profile: StoreProfile) -> str: ...


@dataclass(frozen=True, slots=True)
class LaneConfig:
    lane_id: str
    number: int = 1
    training: bool = False


class Lane(ReturnsMixin, StaffMixin):
    def __init__(self, config: LaneConfig, profile: StoreProfile, catalog: Catalog, journal: Journal,
                 receipts: ReceiptSink | None = None, clock: Clock = system_clock, *,
                 rules: PromotionRules | None = None, members: MemberDirectory | None = None,
                 scale: WeightSource | None = None, weight_timeout_s: float = 10.0,
                 audit: AuditLog | None = None, bagging: BaggingArea | None = None) -> None:
        self.config = config
        self.profile = profile
        self._catalog = catalog
        self._journal = journal
        self._receipts = receipts
        self._clock = clock
        self._lock = asyncio.Lock()
        self._subscribers: list[asyncio.Queue[LaneEvent]] = []
        self._sale: Sale | None = None
        self._scan_rules = ScanRules(region=profile.scan_region or None, currency=profile.currency,
                                     loyalty_prefixes=profile.loyalty_prefixes, coupon_prefixes=profile.coupon_prefixes)
        self._promotions = rules
        self._members = members if members is not None else ProfileMembers(profile)
        self._scale = scale
        self._weight_timeout = weight_timeout_s
        self._audit = audit
        self.bagging = bagging  # self-checkout: the bagging scale's expectations; None on attended lanes
        self._attendants = Attendants(
            (Associate(a.id, a.name, Role(a.role), a.pin_hash) for a in profile.associates), clock)
        self.attendant: Associate | None = None
        self.last_sale: Sale | None = None
        self.last_receipt: str = ""

    # ------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        """Recover the open sale, if any, exactly as journaled."""
        sale_id = await self._journal.open_sale()
        if sale_id is None:
            return
        rows = await self._journal.events(sale_id)
        self._sale = Sale.replay([sale_events.decode(r.type, r.schema_version, r.payload) for r in rows])
        log.info("recovered open sale %s at version %d", sale_id, self._sale.version)
        await self._raise_missing_age_checks(self._sale)
        self._emit(LaneNotice("info", f"Recovered the open sale with {len(self._sale.lines)} line(s)."))
        self._emit_sale()
        if self._sale.tenders and not self._sale.in_doubt():
            # killed after the last tender but before completion: the shopper has paid, finish it
            # (a payment in doubt waits for appliance.payments to resolve it first)
            async with self._lock:
                await self._complete_if_paid()

    @property
    def sale(self) -> Sale | None:
        return self._sale

    # ---------------------------------------------------------------- events
    async def events(self) -> AsyncIterator[LaneEvent]:
        q: asyncio.Queue[LaneEvent] = asyncio.Queue(maxsize=1000)
        self._subscribers.append(q)
        try:
            while True:
                yield await q.get()
        finally:
            self._subscribers.remove(q)

    def subscribe(self) -> asyncio.Queue[LaneEvent]:
        """A queue that receives every event from now on (for tests and simple consumers)."""
        q: asyncio.Queue[LaneEvent] = asyncio.Queue(maxsize=10000)
        self._subscribers.append(q)
        return q

    def notify(self, level: str, message: str) -> None:
        """A notice for the attendant from outside the sale (a device fault, a receipt kept for reprint)."""
        self._emit(LaneNotice(level, message))

    def _emit(self, event: LaneEvent) -> None:
        for q in self._subscribers:
            with contextlib.suppress(asyncio.QueueFull):
                q.put_nowait(event)

    # -------------------------------------------------------------- commands
    async def scan(self, data: bytes | str, symbology: str | None = None, *,
                   quantity: Decimal | None = None, weight_kg: Decimal | None = None) -> int:
        """A barcode read. Returns the new line's id; raises LaneError with the reason otherwise."""
        raw = data.decode("latin-1") if isinstance(data, bytes) else data
        if self._sale is None and isinstance(interpret(data, symbology, self._scan_rules), ReceiptRefScan):
            await self.start_return(raw)  # a customer's receipt at an idle lane: a return (BORIS)
            return 0
        async with self._lock:
            try:
                result = interpret(data, symbology, self._scan_rules, today=self._clock().date())
                if isinstance(result, LoyaltyCardScan | CouponScan):
                    return await self._identify(raw, result)
                item, qty, embedded = await self._resolve(result, quantity, weight_kg)
                sale = await self._ensure_sale()
                event = sale.add_item(item, qty, self._clock(), scanned=_scanned_code(result),
                                      embedded_price=embedded)
            except DomainError as err:
                self._emit(ScanRejected(_printable(raw), str(err)))
                log.info("scan %r rejected: %s", _printable(raw), err)
                raise LaneError(str(err)) from err
            await self._commit(event)
            if self.bagging is not None and self.bagging.scanned(event.line_id, item.nominal_weight_g,
                                                                 item.weight_tolerance_g):
                self._emit(LaneNotice("info", f"Please place {item.name} in the bagging area."))
            if item.age_restriction:
                check = sale.raise_intervention(
                    "age", f"{item.name} needs an age check ({item.age_restriction}+)", self._clock(),
                    line_id=event.line_id, min_age=item.age_restriction)
                await self._commit(check)
                self._emit(LaneNotice("alert", f"Age check needed: {item.name} ({item.age_restriction}+)."))
            self._emit(ScanAccepted(_printable(raw), event.line_id, item.name))
            self._emit_sale()
            return event.line_id

    async def _identify(self, raw: str, result: LoyaltyCardScan | CouponScan) -> int:
        """A loyalty card or a coupon: recorded on the sale (a sale starts for it if none is open)."""
        if isinstance(result, LoyaltyCardScan):
            key = member_key(result.member_id, MemberKeyKind.CARD)
            member = await self._members.member(key)
            if member is None:
                raise LaneError("This loyalty card is not known; the sale goes on without it.")
            sale = await self._ensure_sale()
            event: sale_events.SaleEvent = sale.identify_member(member, self._clock(), key.kind.value)
            name = f"Member {member.member_id}"
        else:
            sale = await self._ensure_sale()
            event = sale.present_coupon(result.code, self._clock(), result.gs1)
            name = f"Coupon {result.code}"
        await self._commit(event)
        self._emit(ScanAccepted(_printable(raw), 0, name))
        self._emit_sale()
        return 0

    async def identify_member(self, text: str, kind: MemberKeyKind = MemberKeyKind.PHONE) -> Member:
        """A member identified by phone number or app QR typed/shown at the lane."""
        async with self._lock:
            try:
                key = member_key(text, kind, region=self.profile.scan_region or "DE")
                member = await self._members.member(key)
                if member is None:
                    raise LaneError("No member is known by that; the sale goes on without loyalty.")
                sale = await self._ensure_sale()
                event = sale.identify_member(member, self._clock(), kind.value)
            except DomainError as err:
                self._reject("identify_member", err)
            await self._commit(event)
            self._emit_sale()
            return member

    async def pay_points(self, points: int | None = None) -> Money:
        """Pay with the member's loyalty points (a tender, not a discount); None: as many as the
        balance due needs, up to what the member has."""
        async with self._lock:
            sale = self._require_sale("pay_points")
            try:
                if sale.member is None:
                    raise LaneError("Identify the member (scan the loyalty card) before paying with points.")
                program = self._promotions.loyalty if self._promotions is not None else None
                if program is None:
                    raise LaneError("This store has no loyalty programme that takes points as payment.")
                priced = self._price(sale)
                spent = sum(int(t.reference.split()[0]) for t in sale.tenders if t.kind is TenderKind.LOYALTY_POINTS)
                rate = PointsRate.of(program, self.profile.currency)
                have = sale.member.points_balance - spent
                due = sale.balance(priced.total)
                if points is None:
                    points = min(have, -(-due.minor * rate.points // rate.value.minor))
                tender = redeem_points(points, balance=have, amount_due=due, rate=rate)
                event = sale.pay_other(TenderKind.LOYALTY_POINTS, tender.amount, priced.total,
                                       f"t{len(sale.tenders) + 1}", self._clock(), reference=f"{tender.points} points")
            except DomainError as err:
                self._reject("pay_points", err)
            await self._commit(event)
            self._emit_sale()
            await self._complete_if_paid()
            return tender.amount

    async def _raise_missing_age_checks(self, sale: Sale) -> None:
        """A crash between a restricted line and its age check must not let the item through unchecked."""
        checked = {iv.line_id for iv in sale.interventions.values() if iv.kind == "age"}
        for line_id, added in list(sale.line_meta.items()):
            if added.age_restriction and line_id in sale.lines and line_id not in checked:
                await self._commit(sale.raise_intervention(
                    "age", f"{added.name} needs an age check ({added.age_restriction}+)", self._clock(),
                    line_id=line_id, min_age=added.age_restriction))

    # ------------------------------------------------------------- bagging
    async def bagging_weight(self, grams: int) -> Verdict:
        """A stable reading of the bagging scale. A mismatch raises an intervention that blocks payment
        until the shopper puts things right (the next reading matches) or an attendant clears it."""
        async with self._lock:
            if self.bagging is None:
                raise LaneError("This lane has no bagging area.")
            verdict = self.bagging.weighed(grams)
            sale = self._sale
            if sale is None:
                return verdict
            open_weight = [iv for iv in sale.open_interventions() if iv.kind == "weight"]
            if verdict is Verdict.OK:
                for iv in open_weight:  # the shopper fixed it: no attendant needed
                    await self._commit(sale.clear_intervention(iv.intervention_id, "lane", "resolved", self._clock()))
            elif not open_weight:
                text = {Verdict.UNEXPECTED_ITEM: "Unexpected item in the bagging area",
                        Verdict.ITEM_REMOVED: "An item was removed from the bagging area"}[verdict]
                await self._commit(sale.raise_intervention("weight", text, self._clock()))
                self._emit(LaneNotice("alert", f"{text}: please put it back or wait for an attendant."))
            self._emit_sale()
            return verdict

    def set_promotions(self, rules: PromotionRules | None) -> None:
        """HQ pushed a new rule set: the open sale reprices with it from the next change."""
        self._promotions = rules

    async def _resolve(self, result: ScanResult, quantity: Decimal | None,
                       weight_kg: Decimal | None) -> tuple[Item, Decimal, Money | None]:
        match result:
            case UnknownScan(reason=reason):
                raise LaneError(f"This barcode cannot be read: {reason}")
            case GtinScan():
                if result.expired:
                    raise LaneError(f"This item expired on {result.expiry}; it cannot be sold.")
                item = await self._catalog.by_gtin(result.gtin)
                if item is None:
                    raise LaneError(f"Item {result.gtin.lstrip('0')} is not in the catalog; ask an attendant.")
                if item.unit.weighed:
                    w = result.net_weight_kg if result.net_weight_kg is not None else weight_kg
                    return item, await self._weigh(item, w), None
                return item, quantity or Decimal(1), None
            case VariableMeasureScan():
                item = await self._catalog.by_gtin(result.item_ref)
                if item is None:
                    raise LaneError(f"Store item {result.item_ref.lstrip('0')} is not in the catalog; ask an attendant.")
                if result.price is not None:
                    return item, Decimal(1), result.price
                if result.weight_kg is not None:
                    return item, _need_weight(item, result.weight_kg), None
                return item, Decimal(result.count or 1), None
            case PluScan(plu=plu):
                item = await self._catalog.by_plu(plu)
                if item is None:
                    raise LaneError(f"PLU {plu} is not in the catalog.")
                if item.unit.weighed:
                    return item, await self._weigh(item, weight_kg), None
                return item, quantity or Decimal(1), None
            case _:
                raise LaneError(f"A {type(result).__name__.removesuffix('Scan').lower()} barcode cannot be used here yet.")

    async def _weigh(self, item: Item, given: Decimal | None) -> Decimal:
        """A weighed item's weight: given (a label, a test), else the next stable weight from the scale."""
        if given is not None or self._scale is None:
            return _need_weight(item, given)
        self._emit(WeighingRequested(item.name, item.unit_price, item.unit.value))
        return _need_weight(item, await self._scale.stable_kg(self._weight_timeout))

    async def set_quantity(self, line_id: int, quantity: str | Decimal) -> None:
        async with self._lock:
            sale = self._require_sale("set_quantity")
            try:
                q = quantity if isinstance(quantity, Decimal) else parse_quantity(quantity)
                event = sale.change_quantity(line_id, q, self._clock())
            except DomainError as err:
                self._reject("set_quantity", err)
            await self._commit(event)
            self._emit_sale()

    async def void_line(self, line_id: int, reason: str = "") -> None:
        async with self._lock:
            sale = self._require_sale("void_line")
            try:
                event = sale.void_line(line_id, self._clock(), reason)
            except DomainError as err:
                self._reject("void_line", err)
            await self._commit(event)
            if self.bagging is not None:
                self.bagging.voided(line_id)
            self._emit_sale()

    def _require_bagged(self, sale: Sale) -> None:
        if self.bagging is not None and self.bagging.unbagged():
            names = ", ".join(sale.lines[i].name for i in self.bagging.unbagged() if i in sale.lines)
            raise LaneError(f"Please place {names} in the bagging area before paying.")

    async def pay_cash(self, tendered: Money | str) -> Money:
        """Cash handed over; returns the change. Completes the sale when nothing is left to pay."""
        async with self._lock:
            sale = self._require_sale("pay_cash")
            try:
                self._require_bagged(sale)
                amount = tendered if isinstance(tendered, Money) else Money.parse(tendered, self.profile.currency)
                priced = self._price(sale)
                event = sale.pay_cash(amount, priced.total, self.profile.cash_rounding,
                                      f"t{len(sale.tenders) + 1}", self._clock())
            except DomainError as err:
                self._reject("pay_cash", err)
            await self._commit(event)
            self._emit_sale()
            await self._complete_if_paid()
            return Money(event.change, self.profile.currency)

    async def pay_other(self, kind: TenderKind, amount: Money, reference: str = "", *,
                        tender_id: str | None = None) -> None:
        """A non-cash tender already approved by its provider (appliance.payments wires the providers)."""
        async with self._lock:
            sale = self._require_sale("pay")
            try:
                self._require_bagged(sale)
                priced = self._price(sale)
                event = sale.pay_other(kind, amount, priced.total, tender_id or f"t{len(sale.tenders) + 1}",
                                       self._clock(), reference)
            except DomainError as err:
                self._reject("pay", err)
            await self._commit(event)
            self._emit_sale()
            await self._complete_if_paid()

    # provider payments (appliance.payments): each step journaled before the next is taken
    async def request_payment(self, txn_id: str, kind: TenderKind, amount: Money, card: str = "",
                              entry_mode: str = "") -> None:
        """Journal a provider payment before it is sent (card is masked: first 6 / last 4 at most)."""
        async with self._lock:
            sale = self._require_sale("pay")
            try:
                event = sale.request_payment(txn_id, kind, amount, self._price(sale).total, self._clock(), card,
                                             entry_mode)
            except DomainError as err:
                self._reject("pay", err)
            await self._commit(event)
            self._emit_sale()

    async def answer_payment(self, txn_id: str, state: str, code: str = "", approved: int = 0,
                             auth_code: str = "", card: str = "") -> None:
        async with self._lock:
            sale = self._require_sale("pay")
            try:
                event = sale.answer_payment(txn_id, state, self._clock(), code=code, approved=approved,
                                            auth_code=auth_code, card=card)
            except DomainError as err:
                self._reject("pay", err)
            await self._commit(event)
            self._emit_sale()

    async def reverse_payment(self, txn_id: str, reason: str = "") -> None:
        async with self._lock:
            sale = self._require_sale("pay")
            try:
                event = sale.reverse_payment(txn_id, self._clock(), reason)
            except DomainError as err:
                self._reject("pay", err)
            await self._commit(event)
            self._emit_sale()

    async def settle(self) -> None:
        """Complete the open sale if its tenders cover it and no payment is in doubt (after recovery)."""
        async with self._lock:
            if self._sale is not None and self._sale.tenders and not self._sale.in_doubt():
                await self._complete_if_paid()

    async def void_sale(self, reason: str = "voided at the lane") -> None:
        async with self._lock:
            sale = self._require_sale("void_sale")
            try:
                event = sale.void(self._clock(), reason)
            except DomainError as err:
                self._reject("void_sale", err)
            await self._commit(event, final=True)
            self._emit_sale()
            self.last_sale, self._sale = sale, None

    # ------------------------------------------------------------- internals
    def price(self) -> PricedBasket | None:
        return None if self._sale is None else self._price(self._sale)

    def _price(self, sale: Sale) -> PricedBasket:
        return sale.price(PricingContext(currency=self.profile.currency, tax=self.profile.tax, now=self._clock(),
                                         line_rounding=self.profile.line_rounding, store_id=self.profile.id,
                                         lane_id=self.config.lane_id, rules=self._promotions,
                                         region=self.profile.scan_region))

    async def _complete_if_paid(self) -> None:
        sale = self._sale
        assert sale is not None
        priced = self._price(sale)
        if not sale.settled(priced):
            return
        sale.check_complete(priced)
        at = self._clock()

        built: list[sale_events.SaleCompleted] = []

        def build(done: Completion) -> tuple[EncodedEvent, bytes]:
            # runs inside the journal's completing transaction: pure and quick
            event = sale.complete(priced, at, done.receipt_no, done.uuid)
            built.append(event)
            return _encoded(event), encode_sale_record(sale, priced, event, done.outbox_seq)

        # training sales never reach HQ, stock or the payment host, and have their own receipt numbers
        numbering = f"{self.config.lane_id}~training" if sale.training else self.config.lane_id
        await self._journal.complete_sale(sale.sale_id, numbering, build, upload=not sale.training)
        sale.apply(built[-1])
        view = self._view(sale)
        text = ""
        if self._receipts is not None:
            text = await self._receipts.print_receipt(sale, priced, self.profile)
        self.last_sale, self.last_receipt, self._sale = sale, text, None
        self._emit(SaleFinished(view, text))

    async def _ensure_sale(self, kind: str = "sale", original_sale_id: str = "", original_receipt: str = "") -> Sale:
        if self._sale is not None:
            return self._sale
        try:
            await self._journal.ensure_room()  # a sale that starts can always be finished
        except DiskFull as err:
            self._emit(LaneNotice("alert", f"Storage full: {err}"))
            raise LaneError("This lane cannot start a new sale: its storage is full. Please use another lane; "
                            "an attendant has been alerted.") from err
        started = Sale.start(str(uuid7()), self.profile.id, self.config.lane_id, self.profile.currency,
                             self._clock(), self.config.training, kind, original_sale_id, original_receipt)
        sale = Sale(started.sale_id)
        await self._journal.append(_encoded(started))
        sale.apply(started)
        self._sale = sale
        return sale

    async def _commit(self, event: sale_events.SaleEvent, *, final: bool = False) -> None:
        """Journal the event durably, then apply it: nothing is shown that is not on disk."""
        sale = self._sale
        assert sale is not None
        if final:
            await self._journal.void_sale(_encoded(event))
        else:
            await self._journal.append(_encoded(event))
        sale.apply(event)

    def _require_sale(self, command: str) -> Sale:
        if self._sale is None:
            self._emit(CommandRejected(command, "There is no open sale: scan an item first."))
            raise LaneError("There is no open sale: scan an item first.")
        return self._sale

    def _reject(self, command: str, err: DomainError) -> None:
        self._emit(CommandRejected(command, str(err)))
        log.info("%s rejected: %s", command, err)
        raise LaneError(str(err)) from err

    def _emit_sale(self) -> None:
        if self._sale is not None:
            self._emit(SaleChanged(self._view(self._sale)))

    def view(self) -> SaleView | None:
        return None if self._sale is None else self._view(self._sale)

    def _view(self, sale: Sale) -> SaleView:
        priced = self._price(sale)
        meta = sale.line_meta
        lines = tuple(
            LineView(pl.line.line_id, pl.line.sku, pl.line.name, pl.line.quantity, pl.line.unit.value,
                     pl.line.unit_price, pl.list_amount, pl.amount,
                     tuple((s.name, s.amount) for s in pl.savings),
                     meta[pl.line.line_id].age_restriction if pl.line.line_id in meta else None)
            for pl in priced.lines
        )
        c = self.profile.currency
        return SaleView(
            sale_id=sale.sale_id, receipt_no=sale.receipt_no, status=sale.status.value, currency=c, lines=lines,
            subtotal=priced.subtotal, saved=priced.saved, tax=priced.tax, total=priced.total, paid=sale.paid(),
            balance=Money(max(0, sale.balance(priced.total).minor), c), change=sale.change(),
            tenders=tuple(TenderView(t.tender_id, t.kind.value, t.amount, t.tendered, t.change, t.reference)
                          for t in sale.tenders),
            promotions=tuple((p.name, p.saved) for p in priced.promotions),
            member_id=sale.member.member_id if sale.member else None,
            points_earned=priced.points_earned,
            coupons=tuple(sale.coupons),
            interventions=tuple((iv.intervention_id, iv.kind, iv.reason) for iv in sale.open_interventions()),
        )


def _need_weight(item: Item, weight: Decimal | None) -> Decimal:
    if weight is None:
        raise SaleRuleError(f"{item.name} is sold by weight: place it on the scale.")
    if weight <= 0:
        raise SaleRuleError(f"The scale shows {weight} kg: a zero or negative weight cannot be sold.")
    return weight


def _scanned_code(result: ScanResult) -> str:
    match result:
        case GtinScan(gtin=g) | VariableMeasureScan(gtin=g):
            return g
        case PluScan(plu=p):
            return p
    return ""


def _printable(raw: str) -> str:
    return raw.encode("unicode_escape").decode("ascii")[:80]


def _encoded(event: sale_events.SaleEvent) -> EncodedEvent:
    name, schema, payload = sale_events.encode(event)
    return EncodedEvent(event.sale_id, event.version, name, schema, event.at, payload)
