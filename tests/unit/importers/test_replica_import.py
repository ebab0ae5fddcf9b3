"""The import written into a real replica file: atomic replace, the old catalog kept on any refusal."""

from __future__ import annotations

import io
import pathlib

from appliance.domain.money import Money
from appliance.importers import ImportOptions
from appliance.importers.command import import_file
from appliance.store.replica import Replica
from appliance.store_profile import load_profile
from tests.support.proc import lanekit

REPO = pathlib.Path(__file__).resolve().parents[3]
SAMPLES = REPO / "appliance" / "importers" / "samples"
DEMO_STORE = REPO / "appliance" / "demo" / "store.toml"
LEGACY = SAMPLES / "shopify_template_legacy_header.csv"
WOO = SAMPLES / "woocommerce_real_export_gopoma_2024-07-28.csv"
HEAD = "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Variant Barcode\r\n"


async def _import(path: pathlib.Path, replica: pathlib.Path, **kw: object) -> tuple[int, str]:
    out = io.StringIO()
    options = ImportOptions(
        currency=str(kw.pop("currency", "USD")), batch_size=int(kw.pop("batch_size", 5000))
    )
    rc = await import_file(path, options, replica_path=replica, out=out, progress="off", **kw)  # type: ignore[arg-type]
    return rc, out.getvalue()


async def test_import_replaces_the_catalog(tmp_path: pathlib.Path) -> None:
    db = tmp_path / "replica.db"
    rc, out = await _import(LEGACY, db)
    assert rc == 0 and out.endswith(f"16 items in USD now in the replica {db}.\n")
    async with Replica(db) as r:
        assert await r.count() == 16
        item = await r.by_gtin("00777979207524")
        assert item is not None and (item.sku, item.name, item.unit_price) == (
            "SRT_COT_233", "Example T-Shirt - Blue / L", Money(2500, "USD"),
        )  # fmt: skip
        bad_cd = await r.by_sku("SRT_COT_111")  # bad check digit: findable by SKU, no GTIN
        assert bad_cd is not None and bad_cd.gtins == ()
        assert await r.by_gtin("00365275101829") is None
    rc, _ = await _import(WOO, db)
    assert rc == 0
    async with Replica(db) as r:
        assert await r.count() == 101
        assert await r.by_sku("SRT_COT_233") is None  # replaced, not merged


async def test_a_rejected_file_leaves_the_previous_catalog(tmp_path: pathlib.Path) -> None:
    db = tmp_path / "replica.db"
    assert (await _import(LEGACY, db))[0] == 0
    # ragged from the start
    rc, out = await _import(SAMPLES / "shopify_new_header_RAGGED_stoa.csv", db)
    assert rc == 1 and "REJECTED, nothing imported" in out
    # good rows first, written to staging a batch at a time, then a wrong byte at row 2002
    rows = "".join(f"p{n},P{n},Title,Default Title,S{n},1.00,\r\n" for n in range(2000))
    late = tmp_path / "late.csv"
    late.write_bytes(
        HEAD.encode() + rows.encode() + "z,Caf\xe9,Title,Default Title,Z,1.00,\r\n".encode("latin-1")
    )
    rc, out = await _import(late, db, batch_size=100)
    assert rc == 1 and "FATAL   encoding ×1 at rows 2002" in out
    async with Replica(db) as r:
        assert await r.count() == 16
        assert (await r.by_gtin("00777979207524")) is not None
        assert await r.by_sku("S1") is None


async def test_store_profile_items_and_replica_refusal(tmp_path: pathlib.Path) -> None:
    db = tmp_path / "replica.db"
    profile = load_profile(DEMO_STORE)
    rc, out = await _import(WOO, db, currency="EUR", profile=profile)
    assert rc == 0 and f"107 items ({len(profile.items)} from the store profile) in EUR" in out
    async with Replica(db) as r:
        assert await r.count() == 101 + len(profile.items)
        bananas = await r.by_plu("4011")
        assert bananas is not None and bananas.sku == "produce-bananas"
    # a store item with a SKU the file also has: the replica refuses the whole swap
    clash = tmp_path / "store.toml"
    clash.write_text(
        DEMO_STORE.read_text(encoding="utf-8").replace('sku = "bread-rye"', 'sku = "woo-beanie"'),
        encoding="utf-8",
    )
    (tmp_path / "promotions.json").write_bytes((DEMO_STORE.parent / "promotions.json").read_bytes())
    rc, out = await _import(WOO, db, currency="EUR", profile=load_profile(clash))
    assert rc == 1
    assert "The replica refused the catalog, the previous one is kept" in out and "woo-beanie" in out
    async with Replica(db) as r:
        assert await r.count() == 107
        beanie = await r.by_sku("woo-beanie")
        assert beanie is not None and beanie.name == "Beanie"


def test_command_writes_into_the_data_dir(tmp_path: pathlib.Path) -> None:
    r = lanekit(
        "catalog",
        "import",
        str(LEGACY),
        "--data-dir",
        str(tmp_path),
        "--currency",
        "USD",
        "--progress",
        "off",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == f"16 items in USD now in the replica {tmp_path / 'replica.db'}."
    # with the demo store profile in the data dir its currency and items apply
    (tmp_path / "store.toml").write_bytes(DEMO_STORE.read_bytes())
    (tmp_path / "promotions.json").write_bytes((DEMO_STORE.parent / "promotions.json").read_bytes())
    r = lanekit("catalog", "import", str(WOO), "--data-dir", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "in EUR now in the replica" in r.stdout.splitlines()[-1]
    r = lanekit("catalog", "import", str(WOO), "--data-dir", str(tmp_path), "--currency", "USD")
    assert r.returncode == 2 and "differs from the store profile's currency EUR" in r.stderr
