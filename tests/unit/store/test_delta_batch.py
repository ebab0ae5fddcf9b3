"""A batch folded into its net effect must leave the replica exactly as applying its deltas one by one."""

import pathlib
import random

import pytest

from appliance.domain.items import Item
from appliance.domain.money import Money
from appliance.store.delta_batch import net_effect
from appliance.store.replica import Delta, Replica

SKUS = [f"S{i}" for i in range(6)]
GTINS = [f"{40000000000000 + i:014d}" for i in range(8)]


def _random_delta(rng: random.Random, base: int) -> Delta:
    upserts, deletes, prices, stock = [], [], [], []
    for _ in range(rng.randint(1, 3)):
        sku = rng.choice(SKUS)
        kind = rng.random()
        if kind < 0.4:
            gt = tuple(rng.sample(GTINS, rng.randint(0, 2)))
            upserts.append(
                Item(
                    sku,
                    f"n{rng.randint(0, 9)}",
                    Money(rng.randint(1, 999), "EUR"),
                    gtins=gt,
                    stock=rng.choice([None, 5]),
                )
            )
        elif kind < 0.55:
            deletes.append(sku)
        elif kind < 0.8:
            prices.append((sku, Money(rng.randint(1, 999), "EUR")))
        else:
            stock.append((sku, rng.choice([None, 0, 7, 12])))
    # one SKU appears at most once per list within a delta, as a feed message would have it
    dedup = {i.sku: i for i in upserts}
    return Delta(
        "catalog",
        base,
        base + 1,
        upserts=tuple(dedup.values()),
        deletes=tuple(dict.fromkeys(deletes)),
        prices=tuple(dict(prices).items()),
        stock=tuple(dict(stock).items()),
    )


@pytest.mark.parametrize("seed", range(12))
async def test_batch_equals_one_by_one(tmp_path: pathlib.Path, seed: int) -> None:
    rng = random.Random(seed)
    start = [Item(s, s, Money(100, "EUR"), gtins=(GTINS[i],), stock=3) for i, s in enumerate(SKUS[:4])]
    deltas = [_random_delta(rng, n) for n in range(40)]
    async with Replica(tmp_path / "a.db") as a, Replica(tmp_path / "b.db") as b:
        for r in (a, b):
            await r.replace_catalog(start)
        res = await a.apply_deltas(deltas)
        for d in deltas:
            assert (await b.apply_delta(d)).applied == 1
        assert res.applied == 40 and await a.feed_seq("catalog") == 40
        for kind in ("items", "prices", "stock"):
            assert await a.digest(kind) == await b.digest(kind), kind
        for g in GTINS:
            ia, ib = await a.by_gtin(g), await b.by_gtin(g)
            assert (ia.sku if ia else None) == (ib.sku if ib else None)


def test_later_price_and_stock_fold_into_an_upsert_and_dropped_gtins_are_orphaned() -> None:
    x = Item("X", "x", Money(1, "EUR"), gtins=("00000000000017", "00000000000024"))
    net = net_effect(
        [
            Delta("c", 0, 1, upserts=(x,)),
            Delta("c", 1, 2, prices=(("X", Money(5, "EUR")), ("Y", Money(7, "EUR"))), stock=(("X", 4),)),
            Delta("c", 2, 3, upserts=(Item("X", "x", Money(9, "EUR"), gtins=("00000000000017",)),)),
            Delta("c", 3, 4, prices=(("X", Money(6, "EUR")),), deletes=("Z",)),
            Delta("c", 4, 5, stock=(("Z", 1),)),
        ]
    )
    assert net.upserts == [Item("X", "x", Money(6, "EUR"), gtins=("00000000000017",))]
    assert net.prices == [("Y", Money(7, "EUR"))]
    assert net.stock == []  # Z was deleted: a stock level for it changes nothing
    assert net.deletes == ["Z"]
    assert net.orphan_gtins == ["00000000000024"]
