"""The kiosk UI under SDL's offscreen driver (real GL pixels, no display), on a real lane."""

from __future__ import annotations

import asyncio
import os
import pathlib
import tempfile
from collections.abc import AsyncIterator

import pytest

os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="lanekit-kivy-test-"))
from kiosk_ui import env

env.prepare(headless=True, width=1024, height=700)

from appliance.lane import Lane, LaneConfig  # noqa: E402
from appliance.store.journal import Journal  # noqa: E402
from appliance.store.replica import Replica  # noqa: E402
from appliance.store_profile import load_profile, load_promotions  # noqa: E402
from tests.integration.lane.conftest import catalog_items  # noqa: E402
from tests.support.clock import T0, FixedClock  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[3]
SHOTS = REPO / "docs" / "screenshots"


@pytest.fixture
async def kiosk(tmp_path: pathlib.Path) -> AsyncIterator[object]:
    from kiosk_ui.app import KioskApp

    profile = load_profile(REPO / "appliance" / "demo" / "store.toml")
    async with Replica(tmp_path / "replica.db") as replica, Journal(tmp_path / "journal.db") as journal:
        await replica.replace_catalog(iter(catalog_items(profile)))
        lane = Lane(LaneConfig("lane-01"), profile, replica, journal, clock=FixedClock(T0),
                    rules=load_promotions(profile))
        await lane.start()
        app = KioskApp(lane)
        runner = asyncio.ensure_future(app.async_run(async_lib="asyncio"))
        for _ in range(200):
            await asyncio.sleep(0.02)
            if app.root is not None and app.tasks:
                break
        await frames(3)
        try:
            yield app
        finally:
            app.stop()
            await asyncio.wait_for(runner, 10)
            from kivy.app import App

            App._running_app = None


async def frames(n: int = 2) -> None:
    """Let Kivy draw a few frames (its clock runs on this loop)."""
    for _ in range(n):
        await asyncio.sleep(1 / 30)


def nonblank(path: pathlib.Path) -> int:
    """How many distinct colours a screenshot has (a blank frame has one)."""
    from PIL import Image

    with Image.open(path) as im:
        return len(im.convert("RGB").getcolors(maxcolors=1 << 20) or [])


def find(widget: object, name: str) -> object:
    """A button by its lanekit name anywhere under `widget`."""
    for w in widget.walk():  # type: ignore[attr-defined]
        if getattr(w, "lanekit_name", None) == name:
            return w
    raise LookupError(name)
