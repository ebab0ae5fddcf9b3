import hashlib
import pathlib
from decimal import Decimal

import pytest

from appliance.domain.items import Item, Unit
from appliance.domain.money import Money
from appliance.store.digest import digest_items, digest_tax
from appliance.store.errors import StoreMisuse
from appliance.store.replica import Delta, Replica, TaxRate

ITEMS = [
    Item("B", "Bread", Money(250, "EUR"), gtins=("04000000000017", "00012345678905"), stock=5),
    Item("A", "Apples", Money(199, "EUR"), unit=Unit.KG, plu="4131", age_restriction=None, active=False),
]


def test_digest_bytes_are_the_documented_canonical_rows() -> None:
    want = hashlib.sha256(b'["A",199,"EUR"]\n["B",250,"EUR"]\n').hexdigest()
    d = digest_items(ITEMS, "prices")
    assert (d.kind, d.count, d.sha256) == ("prices", 2, want)
    s = digest_items(ITEMS, "stock")
    assert (s.count, s.sha256) == (1, hashlib.sha256(b'["B",5]\n').hexdigest())
    i = digest_items(ITEMS, "items")
    assert (
        i.sha256
        == hashlib.sha256(
            b'["A","Apples","standard","kg","4131","",null,null,null,false,[]]\n'
            b'["B","Bread","standard","each",null,"",null,null,null,true,["00012345678905","04000000000017"]]\n'
        ).hexdigest()
    )


async def test_replica_digest_matches_hq_digest_and_reveals_drift(tmp_path: pathlib.Path) -> None:
    tax = {
        "standard": (TaxRate("VAT", Decimal("0.19")),),
        "us": (TaxRate("st", Decimal("0.04")), TaxRate("c", Decimal("0.04875"))),
    }
    async with Replica(tmp_path / "r.db") as r:
        await r.replace_catalog(ITEMS)
        await r.set_tax_classes(tax)
        for kind in ("items", "prices", "stock"):
            assert await r.digest(kind) == digest_items(ITEMS, kind)
        assert await r.digest("tax") == digest_tax(tax)
        await r.adjust_stock({"B": -1})  # the lane sold one: stock drifts, nothing else does
        assert await r.digest("stock") != digest_items(ITEMS, "stock")
        assert await r.digest("prices") == digest_items(ITEMS, "prices")
        await r.apply_delta(Delta("prices", 0, 1, prices=(("A", Money(149, "EUR")),)))
        moved = [ITEMS[0], Item("A", "Apples", Money(149, "EUR"), unit=Unit.KG, plu="4131", active=False)]
        assert await r.digest("prices") == digest_items(moved, "prices")
        with pytest.raises(StoreMisuse, match="No digest of kind"):
            await r.digest("promotions")
