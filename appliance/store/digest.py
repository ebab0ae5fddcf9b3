"""Per-feed digests of the replica, so a heartbeat can reveal silent drift from HQ's copy.

A digest is (row count, SHA-256 over the canonical rows in SKU order). Each row is encoded as a
msgspec JSON array followed by a newline; the arrays are:

    items   [sku, name, tax_class, unit, plu, category, age_restriction, nominal_weight_g,
             weight_tolerance_g, active, [gtins sorted]]           (price and stock excluded)
    prices  [sku, price_minor, currency]
    stock   [sku, level]                                           (tracked items only)
    tax     [tax_class, position, label, rate]                     (in class, position order)

`digest_items` computes the same from Item values (HQ's side); `Replica.digest` from the file.
Sorting is by code point, which is also SQLite's BINARY order for UTF-8 text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

import msgspec

from appliance.domain.items import Item

KINDS = ("items", "prices", "stock", "tax")


class TaxRateLike(Protocol):
    label: str
    rate: Decimal


@dataclass(frozen=True, slots=True)
class FeedDigest:
    kind: str
    count: int
    sha256: str  # hex


def item_digest_row(item: Item, kind: str) -> list[object] | None:
    if kind == "items":
        return [
            item.sku,
            item.name,
            item.tax_class,
            item.unit.value,
            item.plu,
            item.category,
            item.age_restriction,
            item.nominal_weight_g,
            item.weight_tolerance_g,
            item.active,
            sorted(item.gtins),
        ]
    if kind == "prices":
        return [item.sku, item.unit_price.minor, item.unit_price.currency]
    if kind == "stock":
        return None if item.stock is None else [item.sku, item.stock]
    raise ValueError(f"no item digest of kind {kind!r}; kinds are {', '.join(KINDS[:3])}")


def digest_rows(kind: str, rows: Iterable[list[object]]) -> FeedDigest:
    """Digest rows already in canonical order."""
    h = hashlib.sha256()
    enc = msgspec.json.Encoder()
    n = 0
    for row in rows:
        h.update(enc.encode(row))
        h.update(b"\n")
        n += 1
    return FeedDigest(kind, n, h.hexdigest())


def digest_items(items: Iterable[Item], kind: str) -> FeedDigest:
    """The digest HQ computes from its own items; equal to the lane's `Replica.digest(kind)` when in sync."""
    rows = (item_digest_row(i, kind) for i in sorted(items, key=lambda i: i.sku))
    return digest_rows(kind, (r for r in rows if r is not None))


def digest_tax(classes: Mapping[str, Sequence[TaxRateLike]]) -> FeedDigest:
    rows = ([cls, i, r.label, str(r.rate)] for cls in sorted(classes) for i, r in enumerate(classes[cls]))
    return digest_rows("tax", rows)
