"""Whatever bytes a catalog file holds, the importer returns Items or raises CatalogRejected."""

from __future__ import annotations

import datetime as dt
import pathlib
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.domain.barcodes import ScanRules, interpret
from appliance.domain.scans import GtinScan
from appliance.importers import CatalogRejected, ImportOptions, parse_catalog

HEAD = "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Variant Barcode\r\n"
CELL = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
ROW = st.lists(CELL, min_size=6, max_size=8).map(
    lambda cells: ",".join('"' + c.replace('"', '""') + '"' for c in cells)
)


def _run(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = pathlib.Path(d) / "f.csv"
        path.write_bytes(data)
        try:
            items, report = parse_catalog(path, ImportOptions(currency="EUR", batch_size=3))
        except CatalogRejected as err:
            assert not err.report.accepted and err.report.fatal()
            return
        assert report.accepted and len(items) == report.variants > 0
        assert all(len(g) == 14 and g.isdigit() for i in items for g in i.gtins)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes(data: bytes) -> None:
    _run(data)


@settings(max_examples=150, deadline=None)
@given(st.lists(ROW, max_size=6))
def test_any_shopify_shaped_rows(rows: list[str]) -> None:
    _run((HEAD + "\r\n".join(rows)).encode())


def test_doubled_quotes_and_upce_barcode(tmp_path: pathlib.Path) -> None:
    # an older Shopify template's option value, and a UPC-E barcode as a wedge scanner sends it
    text = HEAD + 'litho,Lithograph,Size,"Lithograph - Height: 9"" x Width: 12""",L1,25.00,04252614\r\n'
    (tmp_path / "f.csv").write_text(text, encoding="utf-8")
    items, report = parse_catalog(tmp_path / "f.csv", ImportOptions(currency="EUR"))
    assert items[0].name == 'Lithograph - Lithograph - Height: 9" x Width: 12"'
    assert items[0].gtins == ("00042100005264",) and report.problems == []
    scan = interpret("04252614", None, ScanRules(currency="EUR"), today=dt.date(2026, 1, 1))
    assert isinstance(scan, GtinScan) and scan.gtin == items[0].gtins[0]  # the catalog and the lane agree


def test_found_by_hypothesis_half_a_bom(tmp_path: pathlib.Path) -> None:
    (tmp_path / "f.csv").write_bytes(b"\xef")
    with pytest.raises(CatalogRejected) as err:
        parse_catalog(tmp_path / "f.csv", ImportOptions(currency="EUR"))
    assert [p.code for p in err.value.report.fatal()] == ["no_header"]
