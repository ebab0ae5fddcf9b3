import pathlib
import shutil
import sqlite3

import pytest

from appliance.store.errors import JournalCorrupt
from appliance.store.journal import Journal
from tests.support.journal_events import ev
from tests.support.proc import lanekit

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "journal"


def _unguarded(path: pathlib.Path, sql: str, *params: object) -> None:
    """Alter committed rows behind the store's back (the append-only triggers dropped for it)."""
    con = sqlite3.connect(path, isolation_level=None)
    saved = [r[0] for r in con.execute("SELECT sql FROM sqlite_master WHERE name LIKE 'events_no_%'")]
    con.execute("BEGIN")
    con.execute("DROP TRIGGER events_no_update")
    con.execute("DROP TRIGGER events_no_delete")
    con.execute(sql, params)
    for s in saved:
        con.execute(s)
    con.execute("COMMIT")
    con.close()


async def _three_sales(path: pathlib.Path) -> None:
    async with Journal(path) as j:
        for sale, n in (("a", 3), ("b", 3), ("c", 2)):
            for v in range(1, n + 1):
                await j.append(ev(sale, v))
            if sale != "c":
                await j.complete_sale(sale, "L", lambda c, s=sale, n=n: (ev(s, n + 1, "SaleCompleted"), b""))


async def _fault(path: pathlib.Path) -> tuple[str, int, str]:
    async with Journal(path) as j:
        report = await j.verify()
    assert report.fault is not None
    with pytest.raises(JournalCorrupt) as err:
        report.raise_for_fault()
    assert (err.value.sale_id, err.value.version) == (report.fault.sale_id, report.fault.version)
    return report.fault.sale_id, report.fault.version, report.fault.reason


async def test_an_intact_journal_verifies(tmp_path: pathlib.Path) -> None:
    await _three_sales(tmp_path / "journal.db")
    async with Journal(tmp_path / "journal.db") as j:
        report = await j.verify()
    assert (report.ok, report.events) == (True, 10)
    out = lanekit("journal", "verify", "--data-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "10 events, checksum chain intact" in out.stdout


@pytest.mark.parametrize(
    ("column", "value"),
    [("payload", b'{"sale":"b","v":9}'), ("at_us", 1), ("type", "LineVoided"), ("schema_version", 2)],
)
async def test_an_altered_field_is_named_by_sale_and_version(
    tmp_path: pathlib.Path, column: str, value: object
) -> None:
    path = tmp_path / "journal.db"
    await _three_sales(path)
    _unguarded(path, f"UPDATE events SET {column} = ? WHERE sale_id = 'b' AND version = 2", value)
    sale, version, reason = await _fault(path)
    assert (sale, version) == ("b", 2)
    assert "altered" in reason


async def test_a_deleted_middle_event_is_named(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "journal.db"
    await _three_sales(path)
    _unguarded(path, "DELETE FROM events WHERE sale_id = 'a' AND version = 3")
    assert (await _fault(path))[:2] == ("a", 3)


async def test_a_whole_deleted_sale_breaks_the_chain_at_the_next_event(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "journal.db"
    await _three_sales(path)
    _unguarded(path, "DELETE FROM events WHERE sale_id = 'c'")  # the open sale, at the tail: add one after
    async with Journal(path) as j:
        await j.append(ev("d", 1))  # chains onto b's final event: intact
    _unguarded(path, "DELETE FROM events WHERE sale_id = 'b'")
    sale, version, reason = await _fault(path)
    assert (sale, version) == ("b", 4)  # b's final event anchors the outbox row
    assert "missing" in reason


async def test_a_lost_journal_tail_is_caught_by_the_outbox_anchor(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "journal.db"
    async with Journal(path) as j:
        await j.append(ev("a", 1))
        await j.complete_sale("a", "L", lambda c: (ev("a", 2, "SaleCompleted"), b""))
    _unguarded(path, "DELETE FROM events WHERE sale_id = 'a' AND version = 2")
    assert await _fault(path) == ("a", 2, "the sale's final event (recorded in the outbox) is missing")


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("flipped_byte", "its checksum does not match its content: the event was altered"),
        ("missing_event", "event version 2 is missing (the sale jumps to 3)"),
    ],
)
def test_cli_names_the_sale_and_version_in_the_shipped_corrupt_fixtures(
    tmp_path: pathlib.Path, fixture: str, reason: str
) -> None:
    data = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, data)
    out = lanekit("journal", "verify", "--data-dir", str(data))
    assert out.returncode == 1, out.stdout + out.stderr
    assert "journal CORRUPT" in out.stderr
    assert "sale sale-0002 event version 2" in out.stderr
    assert reason in out.stderr


def test_cli_verify_uses_the_environment_data_dir_and_reports_a_missing_journal(
    tmp_path: pathlib.Path,
) -> None:
    out = lanekit("journal", "verify", LANEKIT_DATA_DIR=str(tmp_path / "none"))
    assert out.returncode == 2
    assert f"no journal at {tmp_path / 'none' / 'journal.db'}" in out.stderr


def test_cli_verify_refuses_a_file_that_is_not_a_database(tmp_path: pathlib.Path) -> None:
    (tmp_path / "journal.db").write_bytes(b"not sqlite at all" * 100)
    out = lanekit("journal", "verify", "--data-dir", str(tmp_path))
    assert out.returncode == 2
    assert "not a readable SQLite database" in out.stderr


async def test_cli_show_and_status_describe_the_journal(tmp_path: pathlib.Path) -> None:
    await _three_sales(tmp_path / "journal.db")
    async with Journal(tmp_path / "journal.db") as j:
        await j.outbox.ack_through(1)
    out = lanekit("journal", "show", "b", "--data-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "sale b: completed, lane L receipt 2",
        '   1 2026-12-03T09:00:01+00:00 LineAdded v1 {"sale":"b","v":1}',
        '   2 2026-12-03T09:00:02+00:00 LineAdded v1 {"sale":"b","v":2}',
        '   3 2026-12-03T09:00:03+00:00 LineAdded v1 {"sale":"b","v":3}',
        '   4 2026-12-03T09:00:04+00:00 SaleCompleted v1 {"sale":"b","v":4}',
    ]
    out = lanekit("journal", "status", "--data-dir", str(tmp_path))
    assert out.stdout.splitlines() == [
        f"journal {tmp_path / 'journal.db'}: 10 events",
        "sales: 1 open, 2 completed, 0 voided",
        "open: c",
        "lane L: last receipt number 2",
        "outbox: 2 written, acknowledged through 1, 1 waiting for HQ",
    ]
    missing = lanekit("journal", "show", "zz", "--data-dir", str(tmp_path))
    assert missing.returncode == 1 and "no sale 'zz'" in missing.stderr


async def test_a_first_release_journal_upgrades_in_place_and_keeps_its_verdict(tmp_path: pathlib.Path) -> None:
    # The shipped fixtures were written at journal schema 1; opening one migrates it.
    data = tmp_path / "missing_event"
    shutil.copytree(FIXTURES / "missing_event", data)
    async with Journal(data / "journal.db") as j:
        versions = await j.db.execute_fetchall("SELECT version FROM schema_migrations ORDER BY version")
        assert [v for (v,) in versions] == [1, 2]
        fault = (await j.verify()).fault
        assert fault is not None and (fault.sale_id, fault.version) == ("sale-0002", 2)
        assert [e.version for e in await j.events("sale-0003")] == [1, 2]
        await j.append(ev("sale-0003", 3))  # the open sale carries on after the upgrade
