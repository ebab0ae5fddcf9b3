"""Row schemas of the catalog feeds and their conversion to the replica's types.

Feed rows are `{key, data}`; per feed, `data` must decode into exactly one of these Structs
(unknown fields refused). The lane turns a validated FeedDelta into one `store.Delta`; HQ
builds the same documents from its catalog. A row that fails here rejects its whole message.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import msgspec

from appliance.domain.errors import DomainError
from appliance.domain.items import Item, Unit
from appliance.domain.money import Money
from appliance.store.item_rows import normalise_gtin
from appliance.store.replica import Delta, TaxRate
from mqtt.wire import FeedDelta, Row, WireError

CATALOG_FEEDS = ("items", "prices", "stock", "tax")
_OPTS: dict[str, Any] = {"frozen": True, "forbid_unknown_fields": True, "kw_only": True}


class ItemDoc(msgspec.Struct, **_OPTS):
    name: str
    price_minor: int
    currency: str
    tax_class: str = "standard"
    unit: Literal["each", "kg", "lb"] = "each"
    gtins: list[str] = []
    plu: str | None = None
    category: str = ""
    age_restriction: int | None = None
    nominal_weight_g: int | None = None
    weight_tolerance_g: int | None = None
    stock: int | None = None
    active: bool = True


class PriceDoc(msgspec.Struct, **_OPTS):
    price_minor: int
    currency: str


class StockDoc(msgspec.Struct, **_OPTS):
    level: int | None


class TaxRateDoc(msgspec.Struct, **_OPTS):
    label: str
    rate: str  # a fraction as a decimal string: "0.19"


class TaxDoc(msgspec.Struct, **_OPTS):
    rates: list[TaxRateDoc]


class ItemRow(msgspec.Struct, **_OPTS):
    key: str
    data: ItemDoc


class ItemChunk(msgspec.Struct, tag="chunk", **_OPTS):
    """A snapshot chunk of the items catalog, decoded straight into typed rows (see wire.SnapshotChunk)."""

    v: Literal[1]
    feed: Literal["items"]
    snapshot_id: str
    seq: int
    index: int
    total: int
    rows: list[ItemRow]

    def __post_init__(self) -> None:
        if not (0 <= self.index < self.total and self.seq >= 0 and self.total <= 1_000_000):
            raise ValueError(f"chunk {self.index} of {self.total} at seq {self.seq} is out of range")


DOC_TYPES: dict[str, type[msgspec.Struct]] = {"items": ItemDoc, "prices": PriceDoc, "stock": StockDoc, "tax": TaxDoc}


def item_from_doc(sku: str, doc: ItemDoc) -> Item:
    gtins = []
    for g in doc.gtins:
        n = normalise_gtin(g)
        if n is None:
            raise ValueError(f"item {sku}: {g!r} is not a GTIN")
        gtins.append(n)
    return Item(
        sku=sku, name=doc.name, unit_price=Money(doc.price_minor, doc.currency), tax_class=doc.tax_class,
        unit=Unit(doc.unit), gtins=tuple(gtins), plu=doc.plu, category=doc.category,
        age_restriction=doc.age_restriction, nominal_weight_g=doc.nominal_weight_g,
        weight_tolerance_g=doc.weight_tolerance_g, stock=doc.stock, active=doc.active,
    )


def doc_from_item(item: Item) -> ItemDoc:
    return ItemDoc(
        name=item.name, price_minor=item.unit_price.minor, currency=item.unit_price.currency,
        tax_class=item.tax_class, unit=item.unit.value, gtins=list(item.gtins), plu=item.plu,  # type: ignore[arg-type]
        category=item.category, age_restriction=item.age_restriction, nominal_weight_g=item.nominal_weight_g,
        weight_tolerance_g=item.weight_tolerance_g, stock=item.stock, active=item.active,
    )


def _doc(feed: str, row: Row, where: str) -> Any:
    try:
        return msgspec.convert(row.data, DOC_TYPES[feed])
    except msgspec.ValidationError as err:
        raise WireError(where, f"{feed} row {row.key!r}: {err}") from err


def to_delta(msg: FeedDelta, where: str) -> Delta:
    """The replica Delta for a validated feed message; raises WireError naming the bad row."""
    if msg.feed not in DOC_TYPES:
        raise WireError(where, f"feed {msg.feed!r} is not replicated into the lane's store yet")
    upserts: list[Item] = []
    deletes: list[str] = []
    prices: list[tuple[str, Money]] = []
    stock: list[tuple[str, int | None]] = []
    tax: list[tuple[str, tuple[TaxRate, ...]]] = []
    try:
        for row in msg.rows:
            if row.data is None:
                if msg.feed != "items":
                    raise WireError(where, f"{msg.feed} row {row.key!r}: only items can be deleted")
                deletes.append(row.key)
                continue
            doc = _doc(msg.feed, row, where)
            if msg.feed == "items":
                upserts.append(item_from_doc(row.key, doc))
            elif msg.feed == "prices":
                prices.append((row.key, Money(doc.price_minor, doc.currency)))
            elif msg.feed == "stock":
                stock.append((row.key, doc.level))
            else:
                tax.append((row.key, tuple(TaxRate(r.label, Decimal(r.rate)) for r in doc.rates)))
    except (ValueError, DomainError, InvalidOperation) as err:
        if isinstance(err, WireError):
            raise
        raise WireError(where, str(err)) from err
    return Delta(
        feed=msg.feed, base_seq=msg.base_seq, seq=msg.seq, upserts=tuple(upserts), deletes=tuple(deletes),
        prices=tuple(prices), stock=tuple(stock), tax_classes=tuple(tax),
    )
