"""Every sample catalog file: item/variant counts and the row number of every reported problem."""

from __future__ import annotations

import pathlib

import pytest

from appliance.domain.money import Money
from appliance.importers import CatalogReader, CatalogRejected, ImportOptions, Severity, parse_catalog

SAMPLES = pathlib.Path(__file__).resolve().parents[3] / "appliance" / "importers" / "samples"


def test_samples_are_the_shared_reference_files(shared_data: pathlib.Path) -> None:
    shared = shared_data / "catalog"
    names = sorted(p.name for p in shared.iterdir())
    assert names == sorted(p.name for p in SAMPLES.iterdir() if not p.name.startswith("."))
    for name in names:
        assert (SAMPLES / name).read_bytes() == (shared / name).read_bytes(), name


def problems(report) -> dict[str, list[int | None]]:  # type: ignore[no-untyped-def]
    out: dict[str, list[int | None]] = {}
    for p in report.problems:
        out.setdefault(p.code, []).append(p.row)
    return out


LEGACY_BAD_CD = [
    2,
    3,
    4,
    5,
    6,
    8,
    9,
    11,
    12,
    13,
    14,
    15,
    16,
    18,
]  # all but 777979207524 (7), 845853890770 (10)


def test_every_sample_file_is_covered() -> None:
    # the accepted files here, the ragged one in test_ragged_file_is_rejected_with_every_row
    assert sorted(p.name for p in SAMPLES.glob("*.csv")) == sorted([*EXPECTED, RAGGED])


EXPECTED = {
    "shopify_template_legacy_header.csv": dict(
        format="shopify-legacy", rows=17, products=3, variants=16, skipped=1,
        problems={"bad_check_digit": LEGACY_BAD_CD, "image_row": [17]},
    ),
    "shopify_template_legacy_EXCEL_DAMAGED_kcohen1997.csv": dict(
        format="shopify-legacy", rows=17, products=3, variants=16, skipped=1,
        problems={"barcode_scientific": [*range(2, 17), 18], "image_row": [17]},
    ),
    "shopify_template_new_header_2024.csv": dict(
        format="shopify", rows=15, products=2, variants=15, skipped=0,
        problems={"not_gtin": list(range(2, 14)), "bad_check_digit": [14, 15, 16]},
    ),
    "woocommerce_real_export_gopoma_2024-07-28.csv": dict(
        format="woocommerce", rows=124, products=86, variants=101, skipped=10,
        problems={
            "not_sellable": [24, 25, 44, 67, 68, 92, 93, 101, 123, 124],
            "missing_price": [28],
            "no_sku": [38, 39, 40, 41, 42, 43],
        },
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_counts_and_problem_rows(name: str) -> None:
    want = EXPECTED[name]
    items, report = parse_catalog(SAMPLES / name, ImportOptions(currency="USD"))
    assert report.accepted
    assert (report.format, report.rows, report.products, report.variants, report.skipped) == (
        want["format"], want["rows"], want["products"], want["variants"], want["skipped"],
    )  # fmt: skip
    assert len(items) == want["variants"]
    assert problems(report) == want["problems"]
    assert len({i.sku for i in items}) == len(items)


RAGGED = "shopify_new_header_RAGGED_stoa.csv"


def test_ragged_file_is_rejected_with_every_row() -> None:
    reader = CatalogReader(SAMPLES / RAGGED, ImportOptions(currency="EUR"))
    batches = []
    with pytest.raises(CatalogRejected) as exc:
        for batch in reader:
            batches.append(batch)
    assert batches == []  # nothing was handed out to be written
    report = exc.value.report
    assert not report.accepted
    assert problems(report) == {"ragged_row": list(range(2, 30))}
    assert {p.severity for p in report.problems} == {Severity.FATAL}
    first = report.problems[0].message
    assert first == "Row 2 has 58 fields but the header has 57: its values would land in the wrong columns."
    assert report.problems[1].message.startswith("Row 3 has 59 fields")
    assert "rejected, nothing was imported: Row 2 has 58 fields" in str(exc.value)


def test_legacy_items() -> None:
    items, _ = parse_catalog(SAMPLES / "shopify_template_legacy_header.csv", ImportOptions(currency="USD"))
    by_sku = {i.sku: i for i in items}
    shirt = by_sku["SRT_COT_111"]
    assert (shirt.name, shirt.unit_price, shirt.gtins, shirt.nominal_weight_g, shirt.stock, shirt.active) == (
        "Example T-Shirt - Green / S", Money(2500, "USD"), (), 145, 0, True,
    )  # fmt: skip
    # continuation rows inherit title and status; the two valid barcodes become GTIN-14s
    assert by_sku["SRT_COT_233"].name == "Example T-Shirt - Blue / L"
    assert by_sku["SRT_COT_233"].gtins == ("00777979207524",)
    assert by_sku["SRT_COT_333"].gtins == ("00845853890770",)
    # fractional grams round half-up; draft and archived products import inactive
    jeans = by_sku["PNT_DEN_285"]
    assert (jeans.name, jeans.nominal_weight_g, jeans.active, jeans.unit_price) == (
        "Example Jeans - 28",
        227,
        False,
        Money(9500, "USD"),
    )
    assert by_sku["PNT_DEN_405"].nominal_weight_g == 397
    hat = by_sku["HAT_GRY_275"]  # single variant: "Default Title" is not part of the name
    assert (hat.name, hat.unit_price, hat.active) == ("Example Beanie", Money(1799, "USD"), False)


def test_excel_damage_never_becomes_a_gtin() -> None:
    items, report = parse_catalog(
        SAMPLES / "shopify_template_legacy_EXCEL_DAMAGED_kcohen1997.csv", ImportOptions(currency="USD")
    )
    assert all(i.gtins == () for i in items)
    msg = next(p.message for p in report.problems if p.row == 3)
    assert msg.startswith("Barcode 4.6347E+11 was turned into a number by a spreadsheet and lost digits")


def test_new_header_items() -> None:
    items, _ = parse_catalog(SAMPLES / "shopify_template_new_header_2024.csv", ImportOptions(currency="USD"))
    by_sku = {i.sku: i for i in items}
    tee = by_sku["TheBandTShirt-SA"]
    assert (tee.name, tee.unit_price, tee.stock, tee.nominal_weight_g, tee.gtins) == (
        "Physical Product “The Band” T-Shirt - Small / gray", Money(1999, "USD"), 42, 150, (),
    )  # fmt: skip
    assert by_sku["HRM-EBK-KND"].name == "Digital Product The History of Rock Music - Kindle"
    assert by_sku["HRM-EBK-KND"].unit_price == Money(999, "USD")


def test_woocommerce_items() -> None:
    items, _ = parse_catalog(
        SAMPLES / "woocommerce_real_export_gopoma_2024-07-28.csv", ImportOptions(currency="EUR")
    )
    by_sku = {i.sku: i for i in items}
    assert by_sku["woo-hoodie-with-logo"].unit_price == Money(4500, "EUR")
    # an unscheduled sale price is what the shop charges now
    assert by_sku["woo-beanie"].unit_price == Money(1800, "EUR")
    red = by_sku["woo-vneck-tee-red"]  # variation of parent SKU woo-vneck-tee: category inherited
    assert (red.name, red.unit_price, red.category) == (
        "V-Neck T-Shirt - Red",
        Money(2000, "EUR"),
        "Clothing > Tshirts",
    )
    assert by_sku["woo:82"].name == "T-Shirt"  # no SKU: keyed by the WooCommerce ID
    assert by_sku["woo-single"].unit_price == Money(200, "EUR")
    assert "woo-fashion-blouse" not in by_sku  # no price
    assert "logo-collection" not in by_sku and "wp-pennant" not in by_sku
