import pathlib
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import pytest

from appliance.domain.items import Item, Unit
from appliance.domain.money import Money
from appliance.store.errors import CatalogRejected, DiskFull, ReplicaError, StoreMisuse
from appliance.store.replica import Delta, Replica, TaxRate

EUR = "EUR"


def item(n: int, **kw: object) -> Item:
    base: dict[str, object] = {
        "sku": f"SKU-{n}",
        "name": f"Item {n}",
        "unit_price": Money(100 + n, EUR),
        "gtins": (f"{4006381333900 + n:014d}",),
    }
    base.update(kw)
    return Item(**base)  # type: ignore[arg-type]


MILK = Item(
    sku="MILK-1",
    name="Crème fraîche 200 g",
    unit_price=Money(189, EUR),
    tax_class="reduced",
    unit=Unit.EACH,
    gtins=("04006381333931", "00012345678905"),
    category="Dairy",
    age_restriction=None,
    nominal_weight_g=212,
    weight_tolerance_g=8,
    stock=40,
)
BANANA = Item(
    sku="BAN", name="Bananas", unit_price=Money(229, EUR), unit=Unit.KG, plu="4011", tax_class="reduced"
)
WINE = Item(
    sku="WINE",
    name="Côtes du Rhône",
    unit_price=Money(899, EUR),
    gtins=("03760000000015",),
    age_restriction=18,
)


@pytest.fixture
async def replica(tmp_path: pathlib.Path) -> AsyncIterator[Replica]:
    async with Replica(tmp_path / "replica.db") as r:
        await r.replace_catalog([MILK, BANANA, WINE], feed="catalog", seq=10)
        yield r


async def test_every_item_field_round_trips(replica: Replica) -> None:
    assert await replica.by_sku("MILK-1") == MILK
    assert await replica.by_sku("BAN") == BANANA
    assert await replica.by_sku("WINE") == WINE
    assert await replica.count() == 3


@pytest.mark.parametrize("code", ["04006381333931", "4006381333931", "00012345678905", "012345678905"])
async def test_lookup_by_any_gtin_form(replica: Replica, code: str) -> None:
    assert (await replica.by_gtin(code)) == MILK


async def test_lookups_that_find_nothing(replica: Replica) -> None:
    assert await replica.by_gtin("96385074") is None
    assert await replica.by_plu("9999") is None
    assert await replica.by_sku("nope") is None
    with pytest.raises(StoreMisuse, match="not a GTIN"):
        await replica.by_gtin("12ab")


async def test_plu_lookup(replica: Replica) -> None:
    assert await replica.by_plu("4011") == BANANA


@pytest.mark.parametrize(
    ("prefix", "skus"),
    [("cr", ["MILK-1"]), ("CRÈME", ["MILK-1"]), ("cotes", ["WINE"]), ("b", ["BAN"]), ("x", []), ("", [])],
)
async def test_name_prefix_search_ignores_case_and_accents(
    replica: Replica, prefix: str, skus: list[str]
) -> None:
    assert [i.sku for i in await replica.search(prefix)] == skus


async def test_search_is_ordered_and_limited(tmp_path: pathlib.Path) -> None:
    async with Replica(tmp_path / "r.db") as r:
        await r.replace_catalog(
            [item(n, name=f"Apple {n:02d}") for n in (5, 3, 9, 1)] + [item(7, name="Pear")]
        )
        assert [i.name for i in await r.search("apple", limit=3)] == ["Apple 01", "Apple 03", "Apple 05"]


async def test_replace_swaps_the_whole_catalog_and_records_the_feed(replica: Replica) -> None:
    assert await replica.feed_seq("catalog") == 10
    n = await replica.replace_catalog(iter([item(1), item(2)]), feed="catalog", seq=11)
    assert n == 2
    assert await replica.by_sku("MILK-1") is None
    assert await replica.by_gtin("04006381333931") is None  # old GTIN index went with it
    assert await replica.by_gtin(f"{4006381333902:014d}") == item(2)
    assert await replica.feed_seqs() == {"catalog": 11}


async def test_replace_from_an_async_stream_in_small_batches(replica: Replica) -> None:
    async def stream() -> AsyncIterator[Item]:
        for n in range(25):
            yield item(n)

    assert await replica.replace_catalog(stream(), batch=4) == 25
    assert await replica.count() == 25


async def test_an_error_mid_stream_leaves_the_old_catalog_in_place(replica: Replica) -> None:
    def broken() -> Iterator[Item]:
        for n in range(5000):
            yield item(n)
        raise ValueError("row 5001: ragged row")

    with pytest.raises(ValueError, match="ragged row"):
        await replica.replace_catalog(broken(), feed="catalog", seq=11, batch=1000)
    assert await replica.count() == 3
    assert await replica.by_gtin("04006381333931") == MILK
    assert await replica.feed_seq("catalog") == 10
    names = await replica._reader.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE name LIKE '_stage_%'"
    )
    assert list(names) == []
    assert await replica.replace_catalog([item(1)]) == 1  # and the next import works


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ([item(1), item(2, sku="SKU-1")], "same SKU for more than one item \\(SKU-1\\)"),
        ([item(1), item(2, gtins=(f"{4006381333901:014d}",))], "same GTIN"),
        ([item(1, plu="4011"), item(2, plu="4011")], "same PLU for more than one item \\(4011\\)"),
        ([item(1, gtins=("4006381333931",))], "not normalised to 14 digits"),
        ([item(1, gtins=("04006381333931", "04006381333931"))], "listed twice"),
        ([item(1), "not an item"], "Catalog item 2 refused: expected an Item"),
    ],
)
async def test_bad_catalogs_are_refused_whole(replica: Replica, bad: list, match: str) -> None:
    with pytest.raises(CatalogRejected, match=match):
        await replica.replace_catalog(bad, feed="catalog", seq=11)
    assert await replica.count() == 3
    assert await replica.by_plu("4011") == BANANA
    assert await replica.feed_seq("catalog") == 10


async def test_a_reader_sees_the_old_catalog_until_the_swap_commits(replica: Replica) -> None:
    async with replica.snapshot() as snap:
        await snap.add([item(1)])
        await snap.add([item(2)])
        assert await replica.by_sku("MILK-1") == MILK  # staged, not visible
        assert await replica.count() == 3
        with pytest.raises(StoreMisuse, match="Another catalog snapshot"):
            await replica.snapshot().begin()
        await replica.adjust_stock({"MILK-1": -1})  # other writes go on meanwhile
        await snap.commit(feed="catalog", seq=12)
    assert await replica.count() == 2
    assert await replica.feed_seq("catalog") == 12


async def test_a_snapshot_left_uncommitted_is_dropped(replica: Replica) -> None:
    async with replica.snapshot() as snap:
        await snap.add([item(1)])
    assert await replica.count() == 3
    assert await replica.replace_catalog([item(4)]) == 1


async def test_deltas_apply_in_sequence_and_stale_ones_are_skipped(replica: Replica) -> None:
    new = item(5, plu="4012", stock=3)
    res = await replica.apply_deltas(
        [
            Delta("catalog", 10, 11, upserts=(new,)),
            Delta("catalog", 11, 12, deletes=("WINE",)),
            Delta("prices", 0, 1, prices=(("MILK-1", Money(199, EUR)),)),
            Delta("catalog", 10, 11, upserts=(item(6),)),  # a redelivery: stale
            Delta("stock", 0, 1, stock=(("MILK-1", 12), ("BAN", None))),
        ]
    )
    assert (res.applied, res.stale, res.gap, res.rejected) == (4, 1, None, None)
    assert res.seqs == {"catalog": 12, "prices": 1, "stock": 1}
    assert await replica.feed_seqs() == {"catalog": 12, "prices": 1, "stock": 1}
    assert await replica.by_plu("4012") == new
    assert await replica.by_sku("WINE") is None
    assert await replica.by_gtin("03760000000015") is None
    assert await replica.by_sku("SKU-6") is None
    milk = await replica.by_sku("MILK-1")
    assert milk is not None and (milk.unit_price, milk.stock) == (Money(199, EUR), 12)


async def test_an_upsert_replaces_the_items_gtins_and_can_take_one_from_another_item(
    replica: Replica,
) -> None:
    moved = item(9, gtins=("04006381333931", "09999999999994"))
    await replica.apply_delta(Delta("catalog", 10, 11, upserts=(moved,)))
    assert (await replica.by_gtin("04006381333931")) == moved
    milk = await replica.by_sku("MILK-1")
    assert milk is not None and milk.gtins == ("00012345678905",)
    await replica.apply_delta(Delta("catalog", 11, 12, upserts=(item(9, gtins=("09999999999994",)),)))
    assert await replica.by_gtin("04006381333931") is None


async def test_a_gap_stops_the_batch_and_keeps_what_came_before(replica: Replica) -> None:
    res = await replica.apply_deltas(
        [
            Delta("catalog", 10, 11, upserts=(item(1),)),
            Delta("catalog", 12, 13, upserts=(item(2),)),
            Delta("catalog", 13, 14, upserts=(item(3),)),
        ]
    )
    assert res.applied == 1
    assert res.gap is not None and (res.gap.feed, res.gap.have, res.gap.base) == ("catalog", 11, 12)
    assert "cannot apply on top of sequence 11" in str(res.gap)
    assert await replica.by_sku("SKU-1") is not None
    assert await replica.by_sku("SKU-2") is None
    assert await replica.feed_seq("catalog") == 11


async def test_a_delta_that_breaks_a_rule_is_undone_whole(replica: Replica) -> None:
    res = await replica.apply_deltas(
        [
            Delta("prices", 0, 1, prices=(("BAN", Money(199, EUR)),)),
            Delta("catalog", 10, 11, upserts=(item(1), item(2, plu="4011"))),  # BAN has PLU 4011
        ]
    )
    assert res.applied == 1
    assert res.rejected is not None and res.rejected[0] == 11 and "uniqueness" in res.rejected[1]
    assert await replica.by_sku("SKU-1") is None  # the first half of the bad delta is undone too
    assert await replica.feed_seqs() == {"catalog": 10, "prices": 1}
    ban = await replica.by_plu("4011")
    assert ban is not None and ban.unit_price == Money(199, EUR)


@pytest.mark.parametrize(
    "delta",
    [Delta("catalog", 5, 5), Delta("catalog", -1, 3), Delta("catalog", 1, True)],  # type: ignore[arg-type]
)
async def test_malformed_sequences_are_refused(replica: Replica, delta: Delta) -> None:
    with pytest.raises(StoreMisuse):
        await replica.apply_delta(delta)
    assert await replica.feed_seq("catalog") == 10


async def test_stock_adjusts_only_tracked_items(replica: Replica) -> None:
    assert await replica.adjust_stock([("MILK-1", -3), ("BAN", -1), ("nope", -1)]) == 1
    milk, ban = await replica.by_sku("MILK-1"), await replica.by_sku("BAN")
    assert milk is not None and milk.stock == 37
    assert ban is not None and ban.stock is None
    with pytest.raises(StoreMisuse):
        await replica.adjust_stock({"MILK-1": 1.5})  # type: ignore[dict-item]


async def test_tax_classes_round_trip_as_exact_decimals(replica: Replica) -> None:
    classes = {
        "standard": (TaxRate("VAT 19%", Decimal("0.19")),),
        "reduced": (TaxRate("VAT 7%", Decimal("0.07")),),
        "us-nyc": (TaxRate("state", Decimal("0.04")), TaxRate("city", Decimal("0.04875"))),
    }
    await replica.set_tax_classes(classes, feed="tax", seq=3)
    assert await replica.tax_classes() == classes
    assert await replica.tax_class("us-nyc") == classes["us-nyc"]
    assert await replica.tax_class("none") is None
    assert await replica.feed_seq("tax") == 3
    with pytest.raises(ReplicaError, match="between 0 and 1"):
        await replica.set_tax_classes({"bad": (TaxRate("x", Decimal("19")),)})
    assert await replica.tax_classes() == classes
    await replica.apply_delta(
        Delta("tax", 3, 4, tax_classes=(("reduced", (TaxRate("VAT 5%", Decimal("0.05")),)),))
    )
    assert await replica.tax_class("reduced") == (TaxRate("VAT 5%", Decimal("0.05")),)
    assert await replica.tax_class("standard") == classes["standard"]


async def test_the_replica_survives_reopening(tmp_path: pathlib.Path) -> None:
    async with Replica(tmp_path / "r.db") as r:
        await r.replace_catalog([MILK], feed="catalog", seq=1)
    async with Replica(tmp_path / "r.db") as r:
        assert await r.by_gtin("04006381333931") == MILK
        assert await r.feed_seq("catalog") == 1


async def test_misuse_when_not_open(tmp_path: pathlib.Path) -> None:
    with pytest.raises(StoreMisuse, match="not open"):
        await Replica(tmp_path / "r.db").by_sku("x")


async def test_a_snapshot_by_another_live_process_is_refused_and_a_dead_ones_taken_over(
    replica: Replica,
) -> None:
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        await replica._writer.execute(
            "INSERT INTO catalog_snapshot_owner (id, pid, started_us) VALUES (1, ?, 0)", (other.pid,)
        )
        with pytest.raises(
            ReplicaError, match=f"Another process \\(pid {other.pid}\\) is replacing the catalog"
        ):
            await replica.replace_catalog([item(1)])
        assert await replica.count() == 3
    finally:
        other.kill()
        other.wait()
    # The owner died mid-snapshot (its staging rows still there): the next snapshot takes over.
    await replica._writer.execute("CREATE TABLE _stage_items AS SELECT * FROM items")
    assert await replica.replace_catalog([item(1), item(2)], feed="catalog", seq=11) == 2
    assert await replica.count() == 2
    owners = await replica._reader.execute_fetchall("SELECT * FROM catalog_snapshot_owner")
    assert list(owners) == []


async def test_a_full_disk_during_an_import_keeps_the_old_catalog(replica: Replica) -> None:
    (pages,) = next(iter(await replica._writer.execute_fetchall("PRAGMA page_count")))
    await replica._writer.execute(f"PRAGMA max_page_count = {pages + 30}")
    with pytest.raises(DiskFull, match="replica was not changed") as err:
        await replica.replace_catalog(item(n) for n in range(20_000))
    assert err.value.database == "replica"
    assert await replica.count() == 3
    assert await replica.by_gtin("04006381333931") == MILK
    await replica._writer.execute("PRAGMA max_page_count = 1073741823")
    assert await replica.replace_catalog([item(1)]) == 1
