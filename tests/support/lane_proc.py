"""A lane's link as its own process (for fault tests that kill it): Store + build_lane_link, until killed.

    python -m tests.support.lane_proc DATA_DIR BROKER_URL DEVICE STORE CA CERT KEY
"""

from __future__ import annotations

import asyncio
import logging
import sys

from appliance.store.data_dir_store import Store
from mqtt.lane_link import build_lane_link


async def main(data: str, url: str, device: str, store_id: str, ca: str, cert: str, key: str) -> None:
    async with Store(data) as store:
        link = build_lane_link(store, broker_url=url, device_id=device, store_id=store_id, ca=ca, cert=cert, key=key)
        link.replicator.reorder_window = 0.1
        print("lane up", flush=True)
        await link.run()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(main(*sys.argv[1:8]))
