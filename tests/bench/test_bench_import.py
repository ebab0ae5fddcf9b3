"""Catalog import of a generated Shopify-style CSV: time and peak RSS against plain csv.reader.

Both run as fresh processes (the real `lanekit catalog import` command writing a replica in a
fresh data dir, and a csv.reader loop over the same file) under tests/bench/peak.py, which reports each one's own peak RSS. The
issue's size is 1,000,000 rows; LANEKIT_BENCH_SCALE scales it.
"""

from __future__ import annotations

import pathlib
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.bench.catalog_gen import gtin13, write_catalog
from tests.bench.report import record, scaled
from tests.support.proc import REPO, env

BENCH = "catalog_import"
BASELINE = "import csv, sys\nwith open(sys.argv[1], newline='', encoding='utf-8') as f:\n    print(sum(1 for _ in csv.reader(f)))\n"


def _run_child(argv: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, peak RSS in MB, CPU seconds and stdout of one child process."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.peak", *argv], capture_output=True, text=True, env=env(), cwd=REPO
    )
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr
    peak, cpu = proc.stderr.strip().splitlines()[-1].split()
    return (
        seconds,
        int(peak.removeprefix("PEAK_RSS_KB=")) / 1024,
        float(cpu.removeprefix("CPU_S=")),
        proc.stdout,
    )


@pytest.mark.bench
def test_bench_catalog_import(tmp_path: pathlib.Path) -> None:
    rows = scaled(1_000_000, minimum=2000)
    path = tmp_path / "catalog.csv"
    products = write_catalog(path, rows)

    base_s, base_mb, base_cpu, base_out = _run_child(["-c", BASELINE, str(path)])
    assert int(base_out) == rows + 1

    data = tmp_path / "data"
    cmd = [
        "appliance.cli",
        "catalog",
        "import",
        str(path),
        "--data-dir",
        str(data),
        "--currency",
        "EUR",
        "--progress",
        "off",
    ]
    imp_s, imp_mb, imp_cpu, out = _run_child(cmd)
    lines = out.splitlines()
    assert (
        lines[0]
        == f"catalog.csv: imported (shopify-legacy): {rows} rows, {products} products, {rows} variants, 0 rows skipped"
    )
    assert lines[-1] == f"{rows} items in EUR now in the replica {data / 'replica.db'}."
    check = sqlite3.connect(data / "replica.db")
    try:
        assert check.execute("SELECT count(*) FROM items").fetchone() == (rows,)
        assert check.execute("SELECT count(*) FROM gtins").fetchone() == (rows,)
        last = check.execute("SELECT sku FROM gtins WHERE gtin = ?", (gtin13(rows - 1).zfill(14),)).fetchone()
        assert last == (f"SKU-{rows - 1:07d}",)
    finally:
        check.close()

    note = f"{rows} rows, {path.stat().st_size / 1e6:.0f} MB file"
    record(
        BENCH, "import into replica time", imp_s, "s", goal=30 * rows / 1_000_000, baseline=base_s, note=note
    )
    # CPU seconds (both threads) beside the wall time: on a machine whose cores are shared the wall
    # time also counts waiting for a core.
    record(BENCH, "import CPU time", imp_cpu, "s", baseline=base_cpu, note=note)
    record(BENCH, "import peak RSS", imp_mb, "MB", goal=200, baseline=base_mb, note=note)
