"""`lanekit demo` as a user runs it: a real process, the sample catalogs, the receipt on "paper".

With a fixed clock the receipt is byte-identical run to run; the golden files pin it. To accept a
deliberate change: LANEKIT_UPDATE_GOLDEN=1 pytest tests/integration/demo
"""

from __future__ import annotations

import os
import pathlib

import pytest

from tests.support.proc import lanekit

GOLDEN = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "golden"
NOW = "2026-12-03T10:00:00+01:00"


def _run(data_dir: pathlib.Path, *extra: str) -> tuple[str, bytes]:
    proc = lanekit("demo", "--now", NOW, "--data-dir", str(data_dir), *extra, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout, (data_dir / "receipts" / "receipt.escpos").read_bytes()


def _receipt_text(stdout: str) -> str:
    # the store name prints double width, which the preview shows letter-spaced
    start = stdout.rindex("\n", 0, stdout.index("L a n e k i t")) + 1
    return stdout[start : stdout.index("ESC/POS bytes:")].rstrip() + "\n"


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes]:
    return _run(tmp_path_factory.mktemp("demo1"))


def test_demo_sells_the_scripted_basket(first_run: tuple[str, bytes]) -> None:
    out, _ = first_run
    assert "scan '4006381333931' refused: Item 4006381333931 is not in the catalog" in out
    assert "Bad check digit: 4006381333938 ends in 8, expected 1." in out
    assert "-> line 9: Gouda jung (Theke) 5,31" in out  # 0.412 kg × 12.90 from the variable-measure EAN
    assert "1000 loyalty points -> 10,00 EUR paid" in out
    text = _receipt_text(out)
    for row in ("3 Caps for 40.00", "Any 3 beanies & hats for 45.00", "SUMME EUR", "Rückgeld", "Punkte gesammelt",
                "Bon 000001  Kasse lane-01  03.12.2026 10:00"):
        assert row in text, row


def test_receipt_is_byte_identical_run_to_run(first_run: tuple[str, bytes], tmp_path: pathlib.Path) -> None:
    out2, bytes2 = _run(tmp_path / "demo2")
    assert bytes2 == first_run[1]
    assert _receipt_text(out2) == _receipt_text(first_run[0])


def test_receipt_matches_the_golden_files(first_run: tuple[str, bytes]) -> None:
    out, data = first_run
    text = _receipt_text(out)
    if os.environ.get("LANEKIT_UPDATE_GOLDEN"):
        (GOLDEN / "demo-receipt.escpos").write_bytes(data)
        (GOLDEN / "demo-receipt.txt").write_text(text, encoding="utf-8")
    assert data == (GOLDEN / "demo-receipt.escpos").read_bytes()
    assert text == (GOLDEN / "demo-receipt.txt").read_text(encoding="utf-8")
    # the euro sign and umlauts go out in code page 858 (ESC t 19), never via the Greek table
    assert b"\x1bt\x13" in data and b"R\x81ckgeld" in data and b"\x1bt\x0f" not in data


def test_demo_with_a_basket_file(tmp_path: pathlib.Path) -> None:
    basket = tmp_path / "b.txt"
    basket.write_text("4260000000028 *2\n!qty 1 3\n!cash 10.00\n", encoding="utf-8")
    out, _ = _run(tmp_path / "d", "--basket", str(basket))
    assert "cash 10.00 EUR for 7,47 -> change 2,53" in out  # 3 × 2.49


def test_demo_refuses_a_bad_basket_file_before_selling(tmp_path: pathlib.Path) -> None:
    basket = tmp_path / "bad.txt"
    basket.write_text("4260000000028\n!pay 5\n", encoding="utf-8")
    proc = lanekit("demo", "--basket", str(basket), "--data-dir", str(tmp_path / "d"))
    assert proc.returncode == 2
    assert f"{basket}:2: unknown directive !pay" in proc.stderr
    assert not (tmp_path / "d").exists()
