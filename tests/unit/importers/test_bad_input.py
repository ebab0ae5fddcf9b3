"""Bad catalog files: each is refused or reported with the row that is wrong, and why."""

from __future__ import annotations

import pathlib

import pytest

from appliance.domain.errors import MoneyError
from appliance.domain.money import Money
from appliance.importers import (
    CatalogImportError,
    CatalogReader,
    CatalogRejected,
    ImportOptions,
    Severity,
    parse_catalog,
)

EUR = ImportOptions(currency="EUR")
HEAD = "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Variant Barcode\r\n"


def write(tmp_path: pathlib.Path, text: str | bytes, name: str = "cat.csv") -> pathlib.Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return p


def rejected(path: pathlib.Path, options: ImportOptions = EUR) -> list[tuple[int | None, str, str]]:
    with pytest.raises(CatalogRejected) as exc:
        parse_catalog(path, options)
    return [(p.row, p.code, p.message) for p in exc.value.report.problems if p.severity is Severity.FATAL]


def test_ragged_rows_reject_the_whole_file(tmp_path: pathlib.Path) -> None:
    path = write(
        tmp_path,
        HEAD + "a,A,Size,S,A-S,1.00,\r\na,,,M,A-M,1.00,,EXTRA\r\nb,B,Size,S,B-S,2.00,\r\nc,C,Size\r\n",
    )
    reader = CatalogReader(path, ImportOptions(currency="EUR", batch_size=1))
    got = []
    with pytest.raises(CatalogRejected) as exc:
        for batch in reader:
            got.extend(batch)
    # row 2 was read before the fault; no batch after it is handed out and the caller rolls back
    assert [i.sku for i in got] == ["A-S"]
    fatal = [(p.row, p.code) for p in exc.value.report.fatal()]
    assert fatal == [(3, "ragged_row"), (5, "ragged_row")]
    assert "Row 5 has 3 fields but the header has 7" in exc.value.report.problems[-1].message


def test_scientific_notation_barcode_is_never_a_gtin(tmp_path: pathlib.Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + "a,A,Title,Default Title,A1,1.00,4.6347E+11\r\nb,B,Title,Default Title,B1,1.00,5.0123456789E+12\r\n",
    )
    items, report = parse_catalog(path, EUR)
    assert [i.gtins for i in items] == [(), ()]
    assert [(p.row, p.code, p.severity) for p in report.problems] == [
        (2, "barcode_scientific", Severity.WARNING),
        (3, "barcode_scientific", Severity.WARNING),
    ]


def test_duplicates_across_batches(tmp_path: pathlib.Path) -> None:
    rows = [
        "a,A,Title,Default Title,SKU1,1.00,5012345678900",
        "b,B,Title,Default Title,SKU2,1.00,5012345678900",  # same GTIN: imported without it
        "c,C,Title,Default Title,SKU1,1.00,4006381333931",  # same SKU: not imported
        "d,D,Title,Default Title,SKU4,1.00,'4006381333931",  # apostrophe stripped; GTIN is free
        "e,E,Title,Default Title,SKU5,1.00,0-5012345678900",  # the same GTIN, hyphenated, as 14 digits
    ]
    reader = CatalogReader(
        write(tmp_path, HEAD + "\r\n".join(rows) + "\r\n"), ImportOptions(currency="EUR", batch_size=2)
    )
    batches = list(reader)
    assert [len(b) for b in batches] == [2, 1, 1]
    items = [i for b in batches for i in b]
    assert [(i.sku, i.gtins) for i in items] == [
        ("SKU1", ("05012345678900",)),
        ("SKU2", ()),
        ("SKU4", ("04006381333931",)),
        ("SKU5", ()),
    ]
    report = reader.report
    assert [(p.row, p.code, p.severity) for p in report.problems] == [
        (3, "duplicate_gtin", Severity.WARNING),
        (4, "duplicate_sku", Severity.ERROR),
        (6, "duplicate_gtin", Severity.WARNING),
    ]
    assert report.problems[0].message.startswith("GTIN 05012345678900 is already on row 2")
    assert report.problems[1].message.startswith("SKU 'SKU1' was already imported from row 2")
    assert report.variants == 4


def test_missing_and_bad_prices(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, HEAD + "a,A,Title,Default Title,A1,,\r\nb,B,Title,Default Title,B1,abc,\r\nc,C,Title,Default Title,C1,2,99,\r\n"
                 "d,D,Title,Default Title,D1,-1,\r\ne,E,Title,Default Title,E1,3.5,\r\n")  # fmt: skip
    with pytest.raises(CatalogRejected):  # row 4 "2,99" unquoted is an extra field: ragged
        parse_catalog(path, EUR)
    path = write(tmp_path, HEAD + "a,A,Title,Default Title,A1,,\r\nb,B,Title,Default Title,B1,abc,\r\nc,C,Title,Default Title,C1,\"2,99\",\r\n"
                 "d,D,Title,Default Title,D1,-1,\r\ne,E,Title,Default Title,E1,3.5,\r\nf,F,Title,Default Title,F1,1.999,\r\n")  # fmt: skip
    items, report = parse_catalog(path, EUR)
    assert [(i.sku, i.unit_price) for i in items] == [("E1", Money(350, "EUR"))]
    assert [(p.row, p.code) for p in report.problems] == [
        (2, "missing_price"),
        (3, "bad_price"),
        (4, "bad_price"),
        (5, "bad_price"),
        (7, "bad_price"),
    ]
    assert "import with --decimal-comma" in report.problems[2].message
    assert "more decimals than EUR allows" in report.problems[4].message
    with pytest.raises(CatalogRejected) as exc:
        parse_catalog(path, ImportOptions(currency="EUR", strict=True))
    assert [p.code for p in exc.value.report.fatal()] == ["strict"]


def test_decimal_comma_woocommerce_with_semicolons_and_id_parent(tmp_path: pathlib.Path) -> None:
    text = (
        "\ufeffID;Type;SKU;Name;Published;Regular price;Sale price;Parent;Weight (lbs);Stock;GTIN, UPC, EAN, or ISBN\n"
        "7;variable;;Mug;1;;;;;;\n"
        "8;variation;MUG-R;Mug - Red;1;2,99;;id:7;1,5;4;4006381333931\n"
        "9;simple;TEA;Tea;-1;1.234,50;;;0,25;x;\n"
    )
    items, report = parse_catalog(write(tmp_path, text), ImportOptions(currency="EUR", decimal_comma=True))
    mug, tea = items
    assert (mug.sku, mug.unit_price, mug.nominal_weight_g, mug.stock, mug.gtins) == (
        "MUG-R",
        Money(299, "EUR"),
        680,
        4,
        ("04006381333931",),
    )
    assert (tea.unit_price, tea.nominal_weight_g, tea.stock, tea.active) == (
        Money(123450, "EUR"),
        113,
        None,
        False,
    )
    assert (report.format, report.products, report.variants) == ("woocommerce", 2, 2)
    assert [(p.row, p.code) for p in report.problems] == [(4, "bad_number")]


def test_unknown_parent_is_reported(tmp_path: pathlib.Path) -> None:
    text = "ID,Type,SKU,Name,Regular price,Parent\n8,variation,MUG-R,,2.99,woo-mug\n"
    items, report = parse_catalog(write(tmp_path, text), EUR)
    assert items[0].name == "woo-mug"
    assert [(p.row, p.code) for p in report.problems] == [(2, "unknown_parent")]


@pytest.mark.parametrize(
    ("content", "code", "fragment"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "not_csv", "a PNG image"),
        (b"PK\x03\x04" + bytes(100), "not_csv", "Excel .xlsx"),
        ("Handle,Title\n".encode("utf-16"), "not_csv", "UTF-16"),
        (b"Handle,Title\x00,Variant Price\n", "not_csv", "NUL bytes"),
        (b"", "no_header", "empty"),
        (b'{"products": [1, 2, 3]}\n', "unknown_format", "neither a Shopify export"),
        (b"Handle,Title,Handle\n", "duplicate_column", "Handle"),
        (b"Handle,Title\na,A\n", "missing_column", "variant price"),
        (b'Handle,Title,Variant Price\na,"A unclosed\n', "not_csv", "unclosed quote"),
        (HEAD.encode(), "no_items", "empty catalog"),
    ],
)
def test_not_a_catalog(tmp_path: pathlib.Path, content: bytes, code: str, fragment: str) -> None:
    fatal = rejected(write(tmp_path, content))
    assert [c for _, c, _ in fatal] == [code]
    assert fragment in fatal[0][2]


def test_wrong_encoding_names_the_row(tmp_path: pathlib.Path) -> None:
    text = HEAD + "a,A,Title,Default Title,A1,1.00,\r\nb,Café crème,Title,Default Title,B1,1.00,\r\n"
    path = write(tmp_path, text.encode("cp1252"))
    fatal = rejected(path)
    assert fatal[0][:2] == (3, "encoding")
    assert fatal[0][2].startswith(
        "Row 3 is not utf-8 text (line 3: byte b'\\xe9' in b'b,Caf\\xe9 cr\\xe8me,Title')"
    )
    items, _ = parse_catalog(path, ImportOptions(currency="EUR", encoding="cp1252"))
    assert items[1].name == "Café crème"


def test_wrong_encoding_deep_in_the_file_after_multiline_cells(tmp_path: pathlib.Path) -> None:
    # The fast path decodes in chunks; the row must still be exact, counted in CSV records
    # (a quoted cell spanning two lines is one row), far beyond the first chunk.
    good = "".join(f'p{n},"Line one\nline two",Title,Default Title,S{n},1.00,\r\n' for n in range(2000))
    path = write(
        tmp_path,
        HEAD.encode() + good.encode() + "z,Bad \xe9,Title,Default Title,Z,1.00,\r\n".encode("latin-1"),
    )
    fatal = rejected(path)
    assert fatal[0][:2] == (2002, "encoding")
    assert fatal[0][2].startswith("Row 2002 is not utf-8 text (line 4002: byte b'\\xe9'")


def test_wrong_format_asked(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, HEAD + "a,A,Title,Default Title,A1,1.00,\r\n")
    fatal = rejected(path, ImportOptions(currency="EUR", format="woocommerce"))
    assert fatal[0][1] == "wrong_format"


def test_unreadable_file(tmp_path: pathlib.Path) -> None:
    fatal = rejected(tmp_path / "missing.csv")
    assert fatal[0][1] == "unreadable" and "No such file" in fatal[0][2]


def test_options_validated() -> None:
    with pytest.raises(MoneyError):
        ImportOptions(currency="EURO")
    with pytest.raises(CatalogImportError, match="encoding"):
        ImportOptions(currency="EUR", encoding="klingon")
    with pytest.raises(CatalogImportError, match="format"):
        ImportOptions(currency="EUR", format="magento")  # type: ignore[arg-type]


def test_a_reader_is_iterated_once(tmp_path: pathlib.Path) -> None:
    reader = CatalogReader(write(tmp_path, HEAD + "a,A,Title,Default Title,A1,1.00,\r\n"), EUR)
    assert len(list(reader)) == 1
    with pytest.raises(RuntimeError):
        list(reader)
