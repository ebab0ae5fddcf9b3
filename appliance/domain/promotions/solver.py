"""Best deal for the customer within one group of interacting deals (layer 2).

A group ("component") is a set of unit classes (identical units: same SKU, category, unit price)
linked by deals that need several units or have a limit. The search is exact: a memoised search
over the multiset of units still free (plus each limited deal's remaining uses). To never count the
same set of applications twice, it always decides about one unit of the first class that still has
units: leave it out of every deal, or use it in one application of a deal that covers it.

Size bound: exact when the state space (product of (count+1) over classes and of (uses+1) over
limited deals) is at most STATE_BOUND and the search evaluates at most WORK_BOUND applications.
Beyond that the documented deterministic fallback is greedy: repeatedly take the single application
that saves most (each deal filled with the most expensive units it may take; ties go to the deal
first in (priority desc, id) order), until none saves anything or limits are used up.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from appliance.domain.promotions.kinds import CRule, DealKind

STATE_BOUND = 4_096
WORK_BOUND = 100_000


@dataclass(frozen=True, slots=True)
class Problem:
    prices: tuple[int, ...]  # per class, effective unit price (minor units)
    counts: tuple[int, ...]  # per class, free units
    deals: tuple[CRule, ...]  # in (priority desc, id) order
    eligible: tuple[tuple[tuple[int, ...], ...], ...]  # per deal, per part: class indices (ascending)
    limits: tuple[int | None, ...]  # per deal: remaining applications, None for unlimited


@dataclass(frozen=True, slots=True)
class Solution:
    saving: int
    apps: tuple[tuple[int, tuple[int, ...]], ...]  # (deal index, class index per unit, ascending)
    exact: bool


class _TooBig(Exception):
    pass


def state_space(p: Problem) -> int:
    n = 1
    for c in p.counts:
        n *= c + 1
    units = sum(p.counts)
    for d, lim in zip(p.deals, p.limits, strict=True):
        if lim is not None:
            n *= min(lim, units // d.size) + 1
    return n


def solve(p: Problem) -> Solution:
    if state_space(p) <= STATE_BOUND:
        try:
            return _exact(p)
        except _TooBig:
            pass
    return _greedy(p)


def _multisets(cls: tuple[int, ...], avail: list[int], n: int, start: int) -> Iterator[tuple[int, ...]]:
    if n == 0:
        yield ()
        return
    for j in range(start, len(cls)):
        c = cls[j]
        if avail[c] > 0:
            avail[c] -= 1
            for rest in _multisets(cls, avail, n - 1, j):
                yield (c, *rest)
            avail[c] += 1


def _parts(elig: tuple[tuple[int, ...], ...], qty: tuple[int, ...], avail: list[int], k: int) -> Iterator[tuple[int, ...]]:
    if k == len(qty):
        yield ()
        return
    # _multisets keeps its picks taken out of `avail` while it yields, so later parts see what is left
    for pick in _multisets(elig[k], avail, qty[k], 0):
        for rest in _parts(elig, qty, avail, k + 1):
            yield (*pick, *rest)


def _apps(p: Problem, di: int, counts: list[int], first: int) -> Iterator[tuple[int, ...]]:
    """Applications of deal `di` that use at least one unit of class `first` (the lowest free class)."""
    d, elig = p.deals[di], p.eligible[di]
    if len(elig) == 1:
        if first not in elig[0]:
            return
        counts[first] -= 1
        try:
            for rest in _multisets(elig[0], counts, d.size - 1, elig[0].index(first)):
                yield (first, *rest)
        finally:
            counts[first] += 1
        return
    seen: set[tuple[int, ...]] = set()
    for combo in _parts(elig, d.quantities, counts, 0):
        key = tuple(sorted(combo))
        if first in key and key not in seen:
            seen.add(key)
            yield key


def _value(p: Problem, di: int, units: tuple[int, ...]) -> int:
    return p.deals[di].value(sorted(p.prices[c] for c in units))


def _exact(p: Problem) -> Solution:
    covers = [[di for di, el in enumerate(p.eligible) if any(c in part for part in el)] for c in range(len(p.counts))]
    memo: dict[tuple[tuple[int, ...], tuple[int | None, ...]], tuple[int, tuple[int, tuple[int, ...]] | None]] = {}
    work = [0]

    def best(counts: tuple[int, ...], limits: tuple[int | None, ...]) -> int:
        key = (counts, limits)
        hit = memo.get(key)
        if hit is not None:
            return hit[0]
        first = next((c for c, n in enumerate(counts) if n), None)
        if first is None:
            memo[key] = (0, None)
            return 0
        skip = list(counts)
        skip[first] -= 1
        best_v, choice = best(tuple(skip), limits), None
        mutable = list(counts)
        for di in covers[first]:
            if limits[di] == 0:
                continue
            for units in list(_apps(p, di, mutable, first)):
                work[0] += 1
                if work[0] > WORK_BOUND:
                    raise _TooBig
                v = _value(p, di, units)
                if v <= 0:
                    continue
                nxt = list(counts)
                for c in units:
                    nxt[c] -= 1
                lim = limits
                if limits[di] is not None:
                    lim = (*limits[:di], limits[di] - 1, *limits[di + 1 :])  # type: ignore[operator]
                total = v + best(tuple(nxt), lim)
                if total > best_v:
                    best_v, choice = total, (di, units)
        memo[key] = (best_v, choice)
        return best_v

    total = best(p.counts, p.limits)
    apps: list[tuple[int, tuple[int, ...]]] = []
    counts, limits = list(p.counts), p.limits
    while True:
        entry = memo[(tuple(counts), limits)]
        first = next((c for c, n in enumerate(counts) if n), None)
        if first is None:
            break
        if entry[1] is None:
            counts[first] -= 1
            continue
        di, units = entry[1]
        apps.append((di, units))
        for c in units:
            counts[c] -= 1
        if limits[di] is not None:
            limits = (*limits[:di], limits[di] - 1, *limits[di + 1 :])  # type: ignore[operator]
    return Solution(total, tuple(apps), True)


def _greedy_units(p: Problem, di: int, counts: list[int]) -> tuple[int, ...] | None:
    avail = list(counts)
    picked: list[int] = []
    for part, q in zip(p.eligible[di], p.deals[di].quantities, strict=True):
        # most expensive first; equal prices: lower class index first
        for c in sorted(part, key=lambda c: (-p.prices[c], c)):
            take = min(q, avail[c])
            picked += [c] * take
            avail[c] -= take
            q -= take
            if q == 0:
                break
        if q:
            return None
    return tuple(sorted(picked))


def _greedy(p: Problem) -> Solution:
    counts, limits = list(p.counts), list(p.limits)
    apps: list[tuple[int, tuple[int, ...]]] = []
    total = 0
    while True:
        best: tuple[int, int, tuple[int, ...]] | None = None
        for di in range(len(p.deals)):
            if limits[di] == 0:
                continue
            units = _greedy_units(p, di, counts)
            if units is None:
                continue
            v = _value(p, di, units)
            if v > 0 and (best is None or v > best[0]):
                best = (v, di, units)
        if best is None:
            break
        v, di, units = best
        apps.append((di, units))
        total += v
        for c in units:
            counts[c] -= 1
        if limits[di] is not None:
            limits[di] -= 1  # type: ignore[operator]
    return Solution(total, tuple(apps), False)


def single_best(deals: tuple[CRule, ...], price: int) -> tuple[int, int]:
    """(saving, deal index) of the best one-unit deal for a unit at `price`; (0, -1) when none saves."""
    best_v, best_i = 0, -1
    for i, d in enumerate(deals):
        if d.deal in (DealKind.PERCENT, DealKind.AMOUNT) and d.size == 1:
            v = d.value([price])
            if v > best_v:
                best_v, best_i = v, i
    return best_v, best_i
