"""Age checks, attendant logins with lockout, permissions, and the hash-chained audit log."""

from __future__ import annotations

import pathlib
import sqlite3

import pytest

from appliance.associates import check_pin, hash_pin
from appliance.lane import Lane, LaneConfig, LaneError
from appliance.store.audit import AuditLog
from appliance.store.journal import Journal
from appliance.store.replica import Replica
from appliance.store_profile import StoreProfile
from tests.support.clock import T0, FixedClock
from tests.support.proc import lanekit

WINE, BREAD = "4260000000011", "4260000000028"


@pytest.fixture
async def audited(stores: tuple[Replica, Journal], profile: StoreProfile, tmp_path: pathlib.Path):  # type: ignore[no-untyped-def]
    replica, journal = stores
    clock = FixedClock(T0)
    async with AuditLog(tmp_path / "audit.db") as audit:
        lane = Lane(LaneConfig("lane-01"), profile, replica, journal, clock=clock, audit=audit)
        await lane.start()
        yield lane, audit, clock


def test_pin_hashes_are_salted_scrypt_and_check_only_the_right_pin() -> None:
    h1, h2 = hash_pin("4711"), hash_pin("4711")
    assert h1 != h2 and h1.startswith("scrypt$16384$8$1$")
    assert check_pin("4711", h1) and not check_pin("4712", h1) and not check_pin("4711", "md5$x")


async def test_refused_age_check_removes_the_item(audited) -> None:  # type: ignore[no-untyped-def]
    lane, audit, _ = audited
    await lane.scan(BREAD)
    await lane.scan(WINE)
    await lane.attendant_login("1234")
    await lane.clear_intervention("i1", "refused", "no ID shown")
    view = lane.view()
    assert [ln.sku for ln in view.lines] == ["bread-rye"] and view.interventions == ()
    await lane.pay_cash("5.00")
    actions = [(e.actor, e.action) for e in await audit.entries()]
    assert actions == [("A-17", "attendant_login"), ("A-17", "intervention_refused")]
    assert (await audit.verify()).ok


async def test_wrong_pins_lock_the_login(audited) -> None:  # type: ignore[no-untyped-def]
    lane, audit, clock = audited
    for left in (4, 3, 2, 1, 0):
        with pytest.raises(LaneError, match=f"Wrong PIN \\({left} tries left"):
            await lane.attendant_login("0000")
    with pytest.raises(LaneError, match="locked for 5 minutes"):
        await lane.attendant_login("1234")  # even the right PIN, while locked
    clock.advance(minutes=5, seconds=1)
    assert (await lane.attendant_login("1234")).associate_id == "A-17"
    failed = [e for e in await audit.entries() if e.action == "attendant_login_failed"]
    assert len(failed) == 6


async def test_a_cashier_may_not_what_a_supervisor_may(audited) -> None:  # type: ignore[no-untyped-def]
    from appliance.associates import Attendants
    from appliance.domain.roles import Action

    lane, _, _ = audited
    cashier = await lane.attendant_login("1234")
    with pytest.raises(Exception, match="Alex \\(cashier\\) may not void sale; a supervisor must override"):
        Attendants.require(cashier, Action.VOID_SALE)
    supervisor = await lane.attendant_login("9876")
    assert Attendants.require(supervisor, Action.VOID_SALE) is supervisor


async def test_altered_or_missing_audit_entries_are_found(audited, tmp_path: pathlib.Path) -> None:  # type: ignore[no-untyped-def]
    lane, audit, _ = audited
    await lane.scan(WINE)
    await lane.attendant_login("1234")
    await lane.clear_intervention("i1")
    await lane.attendant_logout()
    await audit.close()
    path = tmp_path / "audit.db"
    ok = lanekit("audit", "verify", "--data-dir", str(tmp_path))
    assert ok.returncode == 0 and "3 entries, hash chain intact" in ok.stdout
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER audit_no_update")  # what someone editing the file would do
    db.execute("UPDATE audit SET actor = 'S-02' WHERE seq = 2")
    db.commit()
    bad = lanekit("audit", "verify", "--data-dir", str(tmp_path))
    assert bad.returncode == 1 and "entry 2 (intervention_approved by S-02) was altered" in bad.stderr
    db.execute("UPDATE audit SET actor = 'A-17' WHERE seq = 2")
    db.execute("DROP TRIGGER audit_no_delete")
    db.execute("DELETE FROM audit WHERE seq = 2")
    db.commit()
    db.close()
    gone = lanekit("audit", "verify", "--data-dir", str(tmp_path))
    assert gone.returncode == 1 and "entry 2 is missing (next is 3)" in gone.stderr
    await audit.open()  # the fixture closes it


async def test_audit_is_append_only_through_sqlite(audited, tmp_path: pathlib.Path) -> None:  # type: ignore[no-untyped-def]
    lane, _audit, _ = audited
    await lane.attendant_login("1234")
    db = sqlite3.connect(tmp_path / "audit.db")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit SET actor = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit")
    db.close()
