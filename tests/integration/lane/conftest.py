"""A real lane on real SQLite files with the demo store profile."""

from __future__ import annotations

import pathlib
from collections.abc import AsyncIterator

import pytest

from appliance.domain.items import Item
from appliance.domain.money import Money
from appliance.lane import Lane, LaneConfig
from appliance.store.journal import Journal
from appliance.store.replica import Replica
from appliance.store_profile import StoreProfile, load_profile, load_promotions
from tests.support.clock import T0, FixedClock

REPO = pathlib.Path(__file__).resolve().parents[3]


def catalog_items(profile: StoreProfile) -> list[Item]:
    extra = [
        Item("woo-beanie", "Beanie", Money(1800, "EUR"), "standard", gtins=("04260000000042",), category="Accessories"),
        Item("woo-cap", "Cap", Money(1600, "EUR"), "standard", gtins=("04260000000059",), category="Accessories"),
        Item("woo-hoodie-with-logo", "Hoodie with Logo", Money(4500, "EUR"), "standard", gtins=("04260000000073",),
             category="Clothing > Hoodies"),
        Item("Woo-beanie-logo", "Beanie with Logo", Money(1800, "EUR"), "standard", gtins=("04260000000097",),
             category="Clothing > Accessories"),
        Item("woo-fashion-hat", "Hat", Money(1200, "EUR"), "standard", gtins=("04260000000103",),
             category="Clothing > Accessories"),
    ]
    return [*profile.items, *extra]


@pytest.fixture
def profile() -> StoreProfile:
    return load_profile(REPO / "appliance" / "demo" / "store.toml")


@pytest.fixture
async def stores(tmp_path: pathlib.Path, profile: StoreProfile) -> AsyncIterator[tuple[Replica, Journal]]:
    async with Replica(tmp_path / "replica.db") as replica, Journal(tmp_path / "journal.db") as journal:
        await replica.replace_catalog(iter(catalog_items(profile)))
        yield replica, journal


@pytest.fixture
async def lane(stores: tuple[Replica, Journal], profile: StoreProfile) -> Lane:
    replica, journal = stores
    lane = Lane(LaneConfig("lane-01"), profile, replica, journal, clock=FixedClock(T0))
    await lane.start()
    return lane


@pytest.fixture
async def promo_lane(stores: tuple[Replica, Journal], profile: StoreProfile) -> Lane:
    """The demo store's lane with the demo promotions (HQ's wire schema) loaded."""
    replica, journal = stores
    lane = Lane(LaneConfig("lane-01"), profile, replica, journal, clock=FixedClock(T0), rules=load_promotions(profile))
    await lane.start()
    return lane
