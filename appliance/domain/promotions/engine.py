"""The promotions engine: a basket, a customer and the rules in, the priced basket out.

Order of work (see kinds.py for the stacking rules): canonical line order (so scan order cannot
matter), price overrides, unit classes, groups of interacting deals solved exactly (solver.py),
basket-level rules, loyalty points, then `pricing.finish` for tax and totals. Every saving is in
integer minor units and is spread over the units and lines it came from by largest remainder
(money.allocate), so line amounts carry their true share for VAT and refunds.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from decimal import Decimal

from appliance.domain.errors import DomainError
from appliance.domain.items import Unit
from appliance.domain.money import Money, Rounding, allocate, exponent, round_ratio
from appliance.domain.pricing import (
    AppliedPromotion,
    BasketLine,
    PricedBasket,
    PricingContext,
    Saving,
    finish,
    list_amount,
)
from appliance.domain.promotions import schema as s
from appliance.domain.promotions.coupons import Coupon, as_coupon, matches
from appliance.domain.promotions.kinds import CRule, DealKind, Layer, category_keys, kind_name
from appliance.domain.promotions.loyalty import Member, accrue, tier_multiplier
from appliance.domain.promotions.rules import PromotionRules
from appliance.domain.promotions.solver import Problem, Solution, single_best, solve

BASKET_COMBINATIONS_BOUND = 256
_MULTI = (DealKind.FOR_PRICE, DealKind.BUY_GET)


@dataclass(slots=True)
class _Line:
    line: BasketLine
    keys: tuple[str, ...]
    list_amount: int
    promotable: bool
    countable: bool
    units: int
    unit_price: int  # effective per unit after overrides (the line amount for weighed lines)
    overridden: bool = False
    blocked: bool = False  # touched by an exclusive promotion
    savings: dict[str, int] = field(default_factory=dict)  # rule id -> minor units
    cands: tuple[CRule, ...] = ()
    points: tuple[CRule, ...] = ()
    saved: int = 0  # sum of `savings`, kept by _credit

    @property
    def remaining(self) -> int:
        return self.list_amount - self.saved


@dataclass(slots=True)
class _Fired:
    rule: CRule
    line_ids: set[int] = field(default_factory=set)
    saved: int = 0
    times: int = 0
    coupon: str | None = None


def _canonical(ln: BasketLine) -> tuple[object, ...]:
    return (
        ln.sku, ln.unit_price.minor, ln.quantity, ln.unit.value, ln.tax_class, ln.category,
        -1 if ln.price_override is None else ln.price_override.minor,
        -1 if ln.embedded_price is None else ln.embedded_price.minor,
        ln.line_id,
    )


_Static = tuple[int, bool, bool, int, tuple[str, ...], tuple[CRule, ...], tuple[CRule, ...], tuple[CRule, ...]]


def _static(ln: BasketLine, rounding: Rounding, rules: PromotionRules) -> _Static:
    """What pricing needs of a line that does not depend on the customer, the time or the basket."""
    la = list_amount(ln, rounding).minor
    promotable = ln.price_override is None and ln.quantity > 0
    countable = ln.unit is Unit.EACH and ln.embedded_price is None and ln.quantity == int(ln.quantity)
    units = int(ln.quantity) if countable else 1
    keys = category_keys(ln.category)
    cands = rules.candidates(ln.sku, keys) if promotable else ()
    prices = tuple(cr for cr in cands if cr.layer is Layer.PRICE and _hit(cr, ln.sku, keys))
    points = tuple(cr for cr in cands if cr.layer is Layer.POINTS and _hit(cr, ln.sku, keys))
    return la, promotable, countable, units, keys, cands, prices, points


def _plan(sol: Solution, deals: list[CRule], prices: tuple[int, ...], n: int) -> list[list[tuple[int, int]]]:
    """Per class, the (deal, saving share) of each unit used, in the order units are handed out."""
    plan: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for di, units in sol.apps:
        v = deals[di].value(sorted(prices[j] for j in units))
        for j, share in zip(units, allocate(v, [prices[j] for j in units]), strict=True):
            plan[j].append((di, share))
    return plan


def _hit(cr: CRule, sku: str, keys: tuple[str, ...]) -> bool:
    m = cr.matchers[0]
    return m is not None and m.matches(sku, keys)


class _Run:
    def __init__(self, lines: list[BasketLine], ctx: PricingContext, rules: PromotionRules) -> None:
        if rules.currency != ctx.currency:
            raise DomainError(f"The promotions are in {rules.currency} but the sale is in {ctx.currency}.")
        if ctx.now.tzinfo is None:
            raise DomainError("Pricing with promotions needs a timezone-aware time.")
        self.ctx, self.rules, self.cur = ctx, rules, ctx.currency
        self.member: Member | None = ctx.member or (Member(ctx.member_id) if ctx.member_id else None)
        self.coupons: list[Coupon] = [as_coupon(c) for c in ctx.coupons]
        self.activity: dict[str, tuple[int | None, str | None]] = {}
        self.fired: dict[str, _Fired] = {}
        self.fallbacks = 0
        self.lines = [self._prepare(ln) for ln in sorted(lines, key=_canonical)]

    # --- activity -------------------------------------------------------
    def uses(self, cr: CRule) -> int | None:
        """Remaining applications in this basket: 0 inactive, None unlimited."""
        hit = self.activity.get(cr.id)
        if hit is None:
            hit = self._uses(cr)
            self.activity[cr.id] = hit
        return hit[0]

    def _uses(self, cr: CRule) -> tuple[int | None, str | None]:
        r, ctx, m = cr.rule, self.ctx, self.member
        if not cr.in_window(ctx.now) or not cr.in_scope(ctx.store_id, ctx.region, ctx.lane_id):
            return 0, None
        if (r.members_only or r.tiers or cr.layer is Layer.POINTS) and m is None:
            return 0, None
        if r.tiers and m is not None and m.tier not in r.tiers:
            return 0, None
        limit: int | None = r.limit_per_basket
        if r.limit_per_customer is not None:
            left = r.limit_per_customer - (m.usage.get(r.id, 0) if m is not None else 0)
            limit = left if limit is None else min(limit, left)
        code = None
        if r.coupon is not None:
            usable = [c for c in self.coupons if matches(c, r.coupon) and c.usable(r.coupon.single_use, ctx.now)]
            if not usable:
                return 0, None
            code = usable[0].code
            limit = len(usable) if limit is None else min(limit, len(usable))
        return (max(0, limit) if limit is not None else None), code

    # --- lines ----------------------------------------------------------
    def _prepare(self, ln: BasketLine) -> _Line:
        key = (ln.sku, ln.category, ln.unit_price, ln.quantity, ln.unit, ln.price_override, ln.embedded_price,
               self.ctx.line_rounding)
        info = self.rules.line_memo.get(key)
        if info is None:
            info = _static(ln, self.ctx.line_rounding, self.rules)
            if self.rules.memo:
                self.rules.remember_line(key, info)
        la, promotable, countable, units, keys, cands, prices, points = info
        x = _Line(ln, keys, la, promotable, countable, units, ln.unit_price.minor if countable else la)
        if not promotable:
            x.blocked = True
            return x
        x.cands, x.points = cands, points
        if prices and ln.embedded_price is None:
            self._override(x, prices)
        return x

    def _override(self, x: _Line, prices: tuple[CRule, ...]) -> None:
        best: CRule | None = None
        for cr in prices:
            if self.uses(cr) != 0 and (best is None or cr.price < best.price):
                best = cr
        if best is None or best.price >= x.line.unit_price.minor:
            return
        new_amount = Money(best.price, self.cur).times(x.line.quantity, self.ctx.line_rounding).minor
        if new_amount >= x.list_amount:
            return
        self._credit(best, x, x.list_amount - new_amount)
        self._fire(best).times += 1
        x.overridden = True
        x.unit_price = best.price if x.countable else new_amount
        if best.rule.exclusive:
            x.blocked = True

    def _fire(self, cr: CRule) -> _Fired:
        f = self.fired.get(cr.id)
        if f is None:
            f = self.fired[cr.id] = _Fired(cr, coupon=self.activity.get(cr.id, (None, None))[1])
        return f

    def _credit(self, cr: CRule, x: _Line, amount: int) -> None:
        if amount <= 0:
            return
        x.savings[cr.id] = x.savings.get(cr.id, 0) + amount
        x.saved += amount
        f = self._fire(cr)
        f.line_ids.add(x.line.line_id)
        f.saved += amount

    # --- layer 2: deals ---------------------------------------------------
    def deals(self) -> None:
        classes: dict[tuple[object, ...], list[int]] = {}
        for i, x in enumerate(self.lines):
            if x.blocked:
                continue
            key: tuple[object, ...] = (x.line.sku, x.keys, x.unit_price, x.overridden) if x.countable else ("#", i)
            classes.setdefault(key, []).append(i)
        members = list(classes.values())
        # per deal (by order): the classes each of its parts may take
        found: dict[int, tuple[CRule, list[list[int]]]] = {}
        for c, idxs in enumerate(members):
            x = self.lines[idxs[0]]
            for cr, parts in self.rules.deal_parts(x.line.sku, x.keys):
                if self.uses(cr) == 0:
                    continue
                if (cr.deal in _MULTI and not x.countable) or (cr.rule.exclusive and x.overridden):
                    continue
                entry = found.get(cr.order)
                if entry is None:
                    entry = found[cr.order] = (cr, [[] for _ in cr.matchers])
                for part in parts:
                    entry[1][part].append(c)
        if not found:
            return
        parent = list(range(len(members)))

        def find(a: int) -> int:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        usable = [(cr, parts) for cr, parts in found.values() if all(parts)]
        linking = [cr.size > 1 or self.uses(cr) is not None for cr, _ in usable]
        for (_cr, parts), link in zip(usable, linking, strict=True):
            if link:
                flat = sorted({c for part in parts for c in part})
                for c in flat[1:]:
                    parent[find(c)] = find(flat[0])
        # each group of classes with the deals that touch it
        per_group: dict[int, dict[int, tuple[CRule, list[list[int]]]]] = {}
        for (cr, parts), link in zip(usable, linking, strict=True):
            if link:
                per_group.setdefault(find(parts[0][0]), {})[cr.order] = (cr, parts)
            else:
                for c in parts[0]:
                    slot = per_group.setdefault(find(c), {}).setdefault(cr.order, (cr, [[]]))
                    slot[1][0].append(c)
        groups: dict[int, list[int]] = {}
        for c in range(len(members)):
            root = find(c)
            if root in per_group:
                groups.setdefault(root, []).append(c)
        for root, comp in groups.items():
            ds = per_group[root]
            self._solve(comp, members, [ds[o] for o in sorted(ds)])

    def _solve(self, comp: list[int], members: list[list[int]], deals: list[tuple[CRule, list[list[int]]]]) -> None:
        dl = [cr for cr, _ in deals]
        xs = [self.lines[members[c][0]] for c in comp]
        limits = tuple(self.uses(cr) for cr in dl)
        if len(comp) == 1 and all(cr.size == 1 for cr in dl) and all(lim is None for lim in limits):
            # one class, per-unit deals only: every unit takes the best one (first in order on a tie)
            v, di = single_best(tuple(dl), xs[0].unit_price)
            if di >= 0:
                for i in members[comp[0]]:
                    x = self.lines[i]
                    self._credit(dl[di], x, v * x.units)
                    x.blocked |= dl[di].rule.exclusive
                self._fire(dl[di]).times += sum(self.lines[i].units for i in members[comp[0]])
            return
        prices = tuple(x.unit_price for x in xs)
        counts = tuple(sum(self.lines[i].units for i in members[c]) for c in comp)
        key = (tuple((x.line.sku, x.keys, x.unit_price, x.overridden, x.countable) for x in xs), counts,
               tuple(cr.id for cr in dl), limits)
        hit = self.rules.cached_solution(key)
        if hit is None:
            local = {c: j for j, c in enumerate(comp)}
            el = [tuple(tuple(sorted(local[c] for c in part)) for part in parts) for _, parts in deals]
            sol = solve(Problem(prices, counts, tuple(dl), tuple(el), limits))
            hit = (sol, _plan(sol, dl, prices, len(comp)))
            self.rules.store_solution(key, hit)
        sol, plan = hit
        if not sol.exact:
            self.fallbacks += 1
        for di, _units in sol.apps:
            self._fire(dl[di]).times += 1
        # hand out the units of each class line by line, in canonical line order
        for j, c in enumerate(comp):
            seq, pos = plan[j], 0
            for i in members[c]:
                if pos >= len(seq):
                    break
                x = self.lines[i]
                got: dict[int, int] = {}
                for di, share in seq[pos : pos + x.units]:
                    got[di] = got.get(di, 0) + share
                pos += x.units
                for di, amount in got.items():
                    self._credit(dl[di], x, amount)
                    x.blocked |= dl[di].rule.exclusive

    # --- layer 3: basket --------------------------------------------------
    def basket(self) -> None:
        seen: dict[int, CRule] = {cr.order: cr for cr in self.rules.everywhere if cr.layer is Layer.BASKET}
        for x in self.lines:
            for cr in x.cands:
                if cr.layer is Layer.BASKET:
                    seen[cr.order] = cr
        cands = [seen[o] for o in sorted(seen) if self.uses(seen[o]) != 0]
        if not cands:
            return
        pre = [x.remaining for x in self.lines]
        options: list[list[CRule]] = []
        plain = [cr for cr in cands if not cr.rule.exclusive]
        ungrouped = [cr for cr in plain if not cr.rule.stack_group]
        grouped: dict[str, list[CRule]] = {}
        for cr in plain:
            if cr.rule.stack_group:
                grouped.setdefault(cr.rule.stack_group, []).append(cr)
        n_combos = 1
        for g in grouped.values():
            n_combos *= len(g)
        if n_combos <= BASKET_COMBINATIONS_BOUND:
            for combo in itertools.product(*(grouped[k] for k in sorted(grouped))):
                options.append(sorted([*ungrouped, *combo], key=lambda c: c.order))
        else:  # documented fallback: each group's best rule on its own
            pick = [max(grouped[k], key=lambda c: (self._run_basket([c], pre)[0], -c.order)) for k in sorted(grouped)]
            options.append(sorted([*ungrouped, *pick], key=lambda c: c.order))
        options += [[cr] for cr in cands if cr.rule.exclusive]
        best_total, best_alloc = 0, []
        for opt in options:
            total, alloc = self._run_basket(opt, pre)
            if total > best_total:
                best_total, best_alloc = total, alloc
        for cr, shares in best_alloc:
            for i, amount in shares:
                self._credit(cr, self.lines[i], amount)
            self._fire(cr).times += 1

    def _eligible(self, m: object, exclusive: bool) -> list[int]:
        out = []
        for i, x in enumerate(self.lines):
            if x.blocked or (exclusive and x.savings):
                continue
            if m is None or m.matches(x.line.sku, x.keys):  # type: ignore[attr-defined]
                out.append(i)
        return out

    def _run_basket(self, opt: list[CRule], pre: list[int]) -> tuple[int, list[tuple[CRule, list[tuple[int, int]]]]]:
        rem = list(pre)
        total, alloc = 0, []
        for cr in opt:
            r = cr.rule
            elig = self._eligible(cr.matchers[0], r.exclusive)
            shares: list[tuple[int, int]] = []
            if isinstance(r, s.SpendGetItem):
                free = [i for i in self._eligible(cr.matchers[1], r.exclusive) if rem[i] > 0]
                if not free:
                    continue
                i = max(free, key=lambda k: (self.lines[k].unit_price, -k))
                unit = self.lines[i].unit_price
                spend = sum(pre[k] for k in elig) - (unit if i in elig else 0)
                if spend >= r.min_spend:
                    shares = [(i, min(unit, rem[i]))]
            else:
                base = sum(rem[k] for k in elig)
                if isinstance(r, s.SpendGetOff) and sum(pre[k] for k in elig) < r.min_spend:
                    continue
                if base <= 0:
                    continue
                if cr.pct[0]:
                    d = round_ratio(base * cr.pct[0], cr.pct[1] * 100, Rounding.DOWN)
                else:
                    d = min(cr.price, base)
                shares = list(zip(elig, allocate(d, [rem[k] for k in elig]), strict=True))
            shares = [(i, a) for i, a in shares if a > 0]
            if not shares:
                continue
            for i, a in shares:
                rem[i] -= a
                total += a
            alloc.append((cr, shares))
        return total, alloc

    # --- layer 4: points ----------------------------------------------------
    def points(self) -> int:
        if self.member is None:
            return 0
        every = [cr.rule for cr in self.rules.everywhere if cr.layer is Layer.POINTS and self.uses(cr) != 0]
        scale = 10 ** exponent(self.cur)
        per_set: dict[tuple[CRule, ...], tuple[int, int, Decimal]] = {}
        by_mult: dict[Decimal, int] = {}  # multiplier -> points x scale
        for x in self.lines:
            if x.line.quantity <= 0:
                continue
            earn = per_set.get(x.points)
            if earn is None:
                pts = [cr.rule for cr in x.points if self.uses(cr) != 0] + every
                earn = per_set[x.points] = (
                    sum(p.per_currency_unit for p in pts),  # type: ignore[union-attr]
                    sum(p.per_item for p in pts),  # type: ignore[union-attr]
                    max((p.multiplier for p in pts if p.multiplier != 1), default=Decimal(1)),  # type: ignore[union-attr]
                )
            per_cu, per_item, mult = earn
            if per_cu or per_item:
                by_mult[mult] = by_mult.get(mult, 0) + per_cu * max(0, x.remaining) + per_item * x.units * scale
        return accrue(by_mult, scale, tier_multiplier(self.rules.loyalty, self.member))

    # --- result ---------------------------------------------------------------
    def result(self) -> PricedBasket:
        self.deals()
        self.basket()
        points = self.points()
        order = {f.rule.id: f.rule for f in self.fired.values()}
        lines = [x.line for x in self.lines]
        amounts = [Money(x.list_amount, self.cur) for x in self.lines]
        savings = []
        for x in self.lines:
            if not x.savings:
                savings.append(())
                continue
            ids = sorted(x.savings, key=lambda rid: (order[rid].layer, order[rid].order))
            savings.append(tuple(Saving(rid, order[rid].rule.name, Money(x.savings[rid], self.cur))
                                 for rid in ids if x.savings[rid] > 0))
        fired = sorted((f for f in self.fired.values() if f.saved > 0), key=lambda f: (f.rule.layer, f.rule.order))
        promos = tuple(
            AppliedPromotion(f.rule.id, f.rule.rule.name, tuple(sorted(f.line_ids)), Money(f.saved, self.cur),
                             kind=kind_name(f.rule.rule), times=f.times, coupon=f.coupon)
            for f in fired
        )
        pb = finish(lines, amounts, savings, promos, self.ctx, points)
        return replace(
            pb,
            lines=tuple(sorted(pb.lines, key=lambda pl: pl.line.line_id)),
            member_id=self.member.member_id if self.member else None,
            coupons_applied=tuple(sorted({f.coupon for f in fired if f.coupon})),
            rules_version=self.rules.version,
            fallback_groups=self.fallbacks,
        )


def price_with_rules(lines: list[BasketLine], ctx: PricingContext, rules: PromotionRules) -> PricedBasket:
    return _Run(lines, ctx, rules).result()

