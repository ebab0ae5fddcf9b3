"""Issue 2's scan bench through the whole lane: scan -> interpret -> replica -> priced, journaled line.

Same rig and same raw-sqlite3 baseline as test_bench_scan.py (GTIN lookup + one insert in WAL with
synchronous=FULL, on the same disk-backed filesystem). Sales of 20 lines are voided and restarted,
so every scan reprices a realistic basket. Goal: p99 ≤ 2 ms and ≤ 3× the baseline.
"""

from __future__ import annotations

import random
import time

import pytest

from appliance.lane import Lane, LaneConfig
from appliance.store_profile import parse_profile
from tests.bench.report import percentile, record, scaled
from tests.bench.scan_core import RawScan, ScanRig, bench_dir, cpu_note, gtin_of

BENCH = "lane-scan"
PROFILE = """
id = "bench"
number = "0001"
name = "Bench"
currency = "EUR"
[tax]
regime = "inclusive"
classes.standard = [{ code = "A", label = "VAT 19%", rate = "0.19" }]
"""
LINES_PER_SALE = 20


@pytest.mark.bench
async def test_scan_to_priced_journaled_line() -> None:
    items = scaled(1_000_000, minimum=1000)
    samples = scaled(4000, minimum=400)
    rng = random.Random(7)
    async with ScanRig(bench_dir(), items) as rig:
        lane = Lane(LaneConfig("bench-lane"), parse_profile(PROFILE, "bench"), rig.replica, rig.journal)
        await lane.start()
        raw = RawScan(rig.root)
        ours: list[float] = []
        base: list[float] = []
        try:
            while len(ours) < samples:
                for _ in range(LINES_PER_SALE):
                    i = rng.randrange(items)
                    t = time.perf_counter()
                    line = await lane.scan(gtin_of(i)[1:])  # the 13 digits an EAN-13 scanner sends
                    ours.append(time.perf_counter() - t)
                    assert lane.sale is not None and lane.sale.lines[line].sku == f"SKU{i:07d}"
                    secs, row = raw.scan(gtin_of(rng.randrange(items)), f"raw-{len(base)}", 1)
                    assert row is not None
                    base.append(secs)
                view = lane.view()
                assert view is not None and len(view.lines) == LINES_PER_SALE
                await lane.void_sale("bench")
        finally:
            raw.close()
        assert (await rig.journal.verify()).ok
    note = f"{items} items, {len(ours)} scans in sales of {LINES_PER_SALE} lines, fs {rig.fs}, {cpu_note()}"
    p50, p99 = percentile(ours, 50) * 1e3, percentile(ours, 99) * 1e3
    b50, b99 = percentile(base, 50) * 1e3, percentile(base, 99) * 1e3
    record(BENCH, "scan->priced journaled line p50", p50, "ms", baseline=b50, note=note)
    record(BENCH, "scan->priced journaled line p99", p99, "ms", goal=2.0, baseline=b99, note=note)
    record(BENCH, "scan p99 vs raw sqlite3", p99 / b99, "x", goal=3.0, note=note)
