"""Issue 2's second bench: GTIN lookup + one durable journal append with a 1M-item replica.

Goal: p99 ≤ 2 ms and ≤ 3× a raw sqlite3 baseline measured in the same run on the same filesystem.
Sizes scale with LANEKIT_BENCH_SCALE. Samples alternate between the store and the baseline in
blocks, so background load hits both alike.
"""

from __future__ import annotations

import random

import pytest

from tests.bench.report import percentile, record, scaled
from tests.bench.scan_core import RawScan, ScanRig, bench_dir, cpu_note, gtin_of

BENCH = "scan"


@pytest.mark.bench
async def test_gtin_lookup_plus_durable_append() -> None:
    items = scaled(1_000_000, minimum=1000)
    samples = scaled(4000, minimum=400)
    rng = random.Random(2)
    async with ScanRig(bench_dir(), items) as rig:
        raw = RawScan(rig.root)
        try:
            ours: list[float] = []
            base: list[float] = []
            block = 50
            for start in range(0, samples, block):
                sale = f"sale-{start // block}"
                for v in range(1, block + 1):
                    i = rng.randrange(items)
                    secs, item = await rig.store_scan(gtin_of(i), sale, v)
                    assert item is not None and item.sku == f"SKU{i:07d}"
                    ours.append(secs)
                for v in range(1, block + 1):
                    i = rng.randrange(items)
                    secs, row = raw.scan(gtin_of(i), sale, v)
                    assert row is not None and row[0] == f"SKU{i:07d}"
                    base.append(secs)
        finally:
            raw.close()
        report = await rig.journal.verify()
        assert report.ok and report.events == len(ours)

    note = f"{items} items, {len(ours)} scans, fs {rig.fs}, {cpu_note()}"
    record(BENCH, "replica build (replace_catalog)", rig.build_s, "s", note=note)
    p50, p99 = percentile(ours, 50) * 1e3, percentile(ours, 99) * 1e3
    b50, b99 = percentile(base, 50) * 1e3, percentile(base, 99) * 1e3
    record(BENCH, "lookup+append p50", p50, "ms", baseline=b50, note=note)
    record(BENCH, "lookup+append p99", p99, "ms", goal=2.0, baseline=b99, note=note)
    record(BENCH, "lookup+append p99 vs raw sqlite3", p99 / b99, "x", goal=3.0, note=note)
