"""`lanekit catalog import` as a real process: exit status and summary."""

from __future__ import annotations

import pathlib

from tests.support.proc import lanekit

SAMPLES = pathlib.Path(__file__).resolve().parents[3] / "appliance" / "importers" / "samples"


def test_import_summary() -> None:
    r = lanekit(
        "catalog",
        "import",
        str(SAMPLES / "shopify_template_legacy_header.csv"),
        "--currency",
        "usd",
        "--check",
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == (
        "shopify_template_legacy_header.csv: imported (shopify-legacy): 17 rows, 3 products, 16 variants, 1 rows skipped"
    )
    assert lines[1].startswith(
        "  WARNING bad_check_digit ×14 at rows 2, 3, 4, 5, 6, 8, 9, 11, 12, 13 …: Barcode 365275101829"
    )
    assert lines[2].startswith("  INFO    image_row ×1 at rows 17:")
    assert lines[-1].startswith("16 items in USD")


def test_ragged_file_exits_1() -> None:
    r = lanekit("catalog", "import", str(SAMPLES / "shopify_new_header_RAGGED_stoa.csv"), "--check")
    assert r.returncode == 1
    assert "REJECTED, nothing imported" in r.stdout
    assert "FATAL   ragged_row ×28 at rows 2, 3, 4" in r.stdout
    assert "was rejected, nothing was imported: Row 2 has 58 fields" in r.stderr  # the log line


def test_strict_rejects_warnings() -> None:
    r = lanekit(
        "catalog", "import", str(SAMPLES / "shopify_template_new_header_2024.csv"), "--strict", "--check"
    )
    assert r.returncode == 1
    assert "FATAL   strict ×1: --strict: 15 warning(s) or error(s) in the file." in r.stdout


def test_bad_command_line_exits_2() -> None:
    r = lanekit(
        "catalog", "import", str(SAMPLES / "shopify_template_new_header_2024.csv"), "--currency", "XYZ1"
    )
    assert r.returncode == 2
    assert "Unknown ISO 4217 currency code 'XYZ1'" in r.stderr
    r = lanekit("catalog", "import", "x.csv", "--format", "magento")
    assert r.returncode == 2 and "invalid choice: 'magento'" in r.stderr


def test_progress_bar_on_stderr() -> None:
    r = lanekit(
        "catalog",
        "import",
        str(SAMPLES / "woocommerce_real_export_gopoma_2024-07-28.csv"),
        "--check",
        "--progress",
        "on",
    )
    assert r.returncode == 0, r.stderr
    assert (
        "import: 100%" in r.stderr and "81.0k/81.0k" in r.stderr
    )  # tqdm's final state for the 81,009-byte file
    r = lanekit(
        "catalog",
        "import",
        str(SAMPLES / "woocommerce_real_export_gopoma_2024-07-28.csv"),
        "--check",
        "--progress",
        "off",
    )
    assert "import:" not in r.stderr
