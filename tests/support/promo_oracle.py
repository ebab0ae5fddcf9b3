"""An independent brute-force pricer for small baskets, written from the rules' documented meaning.

It shares no code with the engine's solver: it reads the rule dicts as sent on the wire, expands
the basket into single units and tries every way of packing units into deal applications, then
every allowed subset of basket-level rules. Scope: price overrides, every item-level deal kind,
per-basket limits, and whole-basket percent/amount/threshold rules with stack groups.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from functools import cache
from typing import Any

ITEM_KINDS = {"item_percent_off", "item_amount_off", "n_for_price", "mix_match", "buy_get", "cheapest_free",
              "bundle"}
BASKET_KINDS = {"basket_percent_off", "basket_amount_off", "spend_get_off"}


def _cat_match(cat: str, wanted: list[str]) -> bool:
    norm = [p.strip().lower() for p in cat.split(">")]
    for w in wanted:
        wp = [p.strip().lower() for p in w.split(">")]
        if norm[: len(wp)] == wp:
            return True
    return False


def _matches(target: dict[str, Any], sku: str, cat: str) -> bool:
    return sku in target.get("skus", []) or _cat_match(cat, target.get("categories", []))


def _pct_of(amount: int, pct: str) -> int:
    return int(Fraction(amount) * Fraction(pct) / 100)  # floor: amounts are non-negative


def _parts(r: dict[str, Any]) -> list[tuple[dict[str, Any], int]]:
    k = r["kind"]
    if k == "bundle":
        return [(p["target"], p.get("quantity", 1)) for p in r["parts"]]
    if k == "mix_match":
        return [(r["group"], r["quantity"])]
    if k in ("n_for_price", "cheapest_free"):
        return [(r["target"], r["quantity"])]
    if k == "buy_get":
        return [(r["target"], r["buy"] + r["get"])]
    return [(r["target"], 1)]


def _saving(r: dict[str, Any], prices: list[int]) -> int:
    k, ps = r["kind"], sorted(prices)
    if k == "item_percent_off":
        return _pct_of(ps[0], r["percent"])
    if k == "item_amount_off":
        return min(r["amount"], ps[0])
    if k in ("n_for_price", "mix_match", "bundle"):
        return max(0, sum(ps) - r["price"])
    if k == "buy_get":
        return _pct_of(sum(ps[: r["get"]]), str(r.get("percent", "100")))
    if k == "cheapest_free":
        return ps[0]
    raise AssertionError(k)


def _fits(r: dict[str, Any], units: list[tuple[str, str, int]]) -> bool:
    slots = [t for t, q in _parts(r) for _ in range(q)]
    if len(slots) != len(units):
        return False
    return any(all(_matches(t, u[0], u[1]) for t, u in zip(slots, perm, strict=True))
               for perm in itertools.permutations(units))


def oracle_due(basket: list[tuple[str, str, int, int]], rules: list[dict[str, Any]]) -> int:
    """basket: (sku, category, list unit price, quantity). Returns what the customer pays before tax."""
    units: list[tuple[str, str, int]] = []
    for sku, cat, price, qty in basket:
        best = price
        for r in rules:
            if r["kind"] == "price" and _matches(r["target"], sku, cat):
                best = min(best, r["price"])
        units += [(sku, cat, best)] * qty
    deals = [r for r in rules if r["kind"] in ITEM_KINDS]
    n = len(units)

    @cache
    def best(free: frozenset[int], used: tuple[int, ...]) -> int:
        if not free:
            return 0
        first = min(free)
        rest = free - {first}
        top = best(rest, used)
        for di, r in enumerate(deals):
            limit = r.get("limit_per_basket")
            if limit is not None and used[di] >= limit:
                continue
            size = sum(q for _, q in _parts(r))
            for others in itertools.combinations(sorted(rest), size - 1):
                chosen = [units[first], *(units[o] for o in others)]
                if not _fits(r, chosen):
                    continue
                v = _saving(r, [u[2] for u in chosen])
                if v <= 0:
                    continue
                nxt = (*used[:di], used[di] + 1, *used[di + 1 :])
                top = max(top, v + best(rest - set(others), nxt))
        return top

    after_deals = sum(u[2] for u in units) - best(frozenset(range(n)), tuple(0 for _ in deals))
    baskets = sorted((r for r in rules if r["kind"] in BASKET_KINDS), key=lambda r: (-r.get("priority", 0), r["id"]))
    top = 0
    for k in range(len(baskets) + 1):
        for subset in itertools.combinations(baskets, k):
            groups = [r.get("stack_group", "") for r in subset if r.get("stack_group", "")]
            if len(groups) != len(set(groups)):
                continue
            left, off = after_deals, 0
            for r in subset:
                if r["kind"] == "spend_get_off" and after_deals < r["min_spend"]:
                    continue
                if r.get("percent") is not None:
                    d = _pct_of(left, r["percent"])
                else:
                    d = min(r["amount"], left)
                left -= d
                off += d
            top = max(top, off)
    return after_deals - top
