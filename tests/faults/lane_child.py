"""A lane process that kills itself (SIGKILL) right after its Nth durable journal write.

Used by test_lane_crash.py: `python lane_child.py DATA_DIR N`. The scans and the payment are fixed;
the parent checks that a restart replays exactly what was journaled.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import signal
import sys
from decimal import Decimal

from appliance.lane import Lane, LaneConfig
from appliance.store.journal import Journal
from appliance.store_profile import load_profile
from appliance.wiring import open_stores

REPO = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = [("scan", "4260000000011"), ("scan", "4260000000035"), ("qty", "2"), ("scan", "4011"), ("void", "1"),
          ("cash", "2.00"), ("cash", "20.00")]


async def main(data_dir: pathlib.Path, kill_after: int) -> None:
    writes = 0
    original_insert = Journal._insert

    async def counting_insert(self: Journal, event):  # type: ignore[no-untyped-def]
        nonlocal writes
        rec = await original_insert(self, event)
        writes += 1
        if writes == kill_after and event.type != "SaleCompleted":
            os.kill(os.getpid(), signal.SIGKILL)
        return rec

    Journal._insert = counting_insert  # type: ignore[method-assign]
    original_complete = Journal.complete_sale

    async def counting_complete(self: Journal, *a, **kw):  # type: ignore[no-untyped-def]
        done = await original_complete(self, *a, **kw)
        if writes >= kill_after:  # the completing transaction has committed
            os.kill(os.getpid(), signal.SIGKILL)
        return done

    Journal.complete_sale = counting_complete  # type: ignore[method-assign]
    profile = load_profile(REPO / "appliance" / "demo" / "store.toml")
    async with open_stores(data_dir) as (replica, journal):
        lane = Lane(LaneConfig("lane-01"), profile, replica, journal)
        await lane.start()
        for verb, arg in SCRIPT:
            if verb == "scan":
                await lane.scan(arg, weight_kg=Decimal("0.5") if arg == "4011" else None)
            elif verb == "qty":
                await lane.set_quantity(2, arg)
            elif verb == "void":
                await lane.void_line(int(arg))
            else:
                await lane.pay_cash(arg)
    print("finished without being killed")


if __name__ == "__main__":
    asyncio.run(main(pathlib.Path(sys.argv[1]), int(sys.argv[2])))
