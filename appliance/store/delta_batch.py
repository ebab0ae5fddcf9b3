"""Folding a run of feed deltas into their net effect, so a batch of any size applies in a fixed
number of statements (group commit at tens of thousands of deltas per second).

Deltas are absolute (an item's new state, a price, a stock level, a deletion), so for each SKU
only its last state in the run matters, with later price or stock changes folded into a preceding
upsert. Applying the net effect gives the same replica as applying the deltas one by one, with one
ordering caveat the caller handles: uniqueness (a PLU or GTIN passed from one item to another) can
depend on order, so if the net effect breaks a rule the caller falls back to one delta at a time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from appliance.domain.items import Item
from appliance.domain.money import Money

if TYPE_CHECKING:
    from appliance.store.replica import Delta, TaxRate

_UNSET = object()


@dataclass
class _Patch:
    price: object = _UNSET  # Money
    stock: object = _UNSET  # int | None


@dataclass
class NetEffect:
    deletes: list[str] = field(default_factory=list)  # SKUs: their rows and GTINs go
    orphan_gtins: list[str] = field(default_factory=list)  # claimed in the run, owned by nobody at its end
    upserts: list[Item] = field(default_factory=list)  # in the order of each SKU's last upsert
    gtins: list[tuple[str, str]] = field(default_factory=list)  # (gtin, sku) owned at the run's end
    prices: list[tuple[str, Money]] = field(default_factory=list)  # for SKUs not upserted in the run
    stock: list[tuple[str, int | None]] = field(default_factory=list)
    tax: dict[str, tuple[TaxRate, ...]] = field(default_factory=dict)  # classes replaced


def net_effect(deltas: Sequence[Delta]) -> NetEffect:
    state: dict[str, Item | _Patch | None] = {}  # None: deleted
    order: dict[str, int] = {}
    owner: dict[str, str | None] = {}  # every GTIN the run touches -> its owner at the end (None: nobody)
    owns: dict[str, set[str]] = {}
    tax: dict[str, tuple[TaxRate, ...]] = {}
    n = 0
    for d in deltas:  # within a delta: deletes, upserts, prices, stock, tax (as apply-one does)
        for sku in d.deletes:
            state[sku] = None
            for g in owns.pop(sku, ()):
                owner[g] = None
        for item in d.upserts:
            state[item.sku] = item
            order[item.sku] = n
            n += 1
            for g in owns.pop(item.sku, ()):
                owner[g] = None
            for g in item.gtins:
                if owner.get(g):  # taken from another item of this run
                    owns[owner[g]].discard(g)  # type: ignore[index]
                owner[g] = item.sku
            owns[item.sku] = set(item.gtins)
        for sku, money in d.prices:
            st = state.get(sku, _UNSET)
            if isinstance(st, Item):
                state[sku] = dataclasses.replace(st, unit_price=money)
            elif st is not None:
                patch = st if isinstance(st, _Patch) else _Patch()
                patch.price = money
                state[sku] = patch
        for sku, level in d.stock:
            st = state.get(sku, _UNSET)
            if isinstance(st, Item):
                state[sku] = dataclasses.replace(st, stock=level)
            elif st is not None:
                patch = st if isinstance(st, _Patch) else _Patch()
                patch.stock = level
                state[sku] = patch
        for cls, rates in d.tax_classes:
            tax[cls] = rates
    out = NetEffect(tax=tax)
    for sku, st in state.items():
        if st is None:
            out.deletes.append(sku)
        elif isinstance(st, Item):
            out.upserts.append(st)
        else:
            if st.price is not _UNSET:
                out.prices.append((sku, st.price))  # type: ignore[arg-type]
            if st.stock is not _UNSET:
                out.stock.append((sku, st.stock))  # type: ignore[arg-type]
    out.upserts.sort(key=lambda i: order[i.sku])
    out.orphan_gtins = sorted(g for g, o in owner.items() if o is None)
    out.gtins = [(g, o) for i in out.upserts for g in i.gtins if (o := owner[g]) == i.sku]
    return out
