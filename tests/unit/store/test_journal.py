import asyncio
import dataclasses
import datetime as dt
import pathlib
import sqlite3

import pytest

from appliance.store.errors import DiskFull, SaleClosed, StoreMisuse, VersionConflict
from appliance.store.journal import Completion, EncodedEvent, Journal
from tests.support.journal_events import T0, ev


async def test_events_replay_exactly_as_appended(journal: Journal) -> None:
    sent = [ev("s1", 1), ev("s1", 2, "QuantityChanged", b'{"q":3}'), ev("s1", 3, "LineVoided", b"")]
    recs = [await journal.append(e) for e in sent]
    assert [r.seq for r in recs] == [1, 2, 3]
    assert await journal.events("s1") == sent
    assert await journal.events("other") == []


async def test_timestamps_come_back_in_utc_to_the_microsecond(journal: Journal) -> None:
    cet = dt.timezone(dt.timedelta(hours=1))
    stamp = dt.datetime(2026, 12, 3, 10, 0, 0, 123456, tzinfo=cet)
    await journal.append(EncodedEvent("s", 1, "LineAdded", 1, stamp, b"{}"))
    (back,) = await journal.events("s")
    assert back.timestamp == stamp
    assert back.timestamp.utcoffset() == dt.timedelta(0)
    assert back.timestamp.hour == 9


async def test_a_version_already_taken_is_refused_and_the_first_write_kept(tmp_path: pathlib.Path) -> None:
    # Two writers on the same file, as two processes would be.
    async with Journal(tmp_path / "j.db") as a, Journal(tmp_path / "j.db") as b:
        await a.append(ev("s1", 1))
        await a.append(ev("s1", 2, payload=b'{"writer":"a"}'))
        with pytest.raises(VersionConflict, match="version 2 of sale s1"):
            await b.append(ev("s1", 2, payload=b'{"writer":"b"}'))
        assert [e.payload for e in await b.events("s1")][1] == b'{"writer":"a"}'
        assert (await b.verify()).ok


async def test_skipping_a_version_is_refused(journal: Journal) -> None:
    await journal.append(ev("s1", 1))
    with pytest.raises(VersionConflict, match="not the sale's next version"):
        await journal.append(ev("s1", 3))
    with pytest.raises(VersionConflict):
        await journal.append(ev("s2", 2))
    assert await journal.open_sales() == ["s1"]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"version": 0}, "version must be a positive int"),
        ({"version": True}, "version must be a positive int"),
        ({"schema_version": 0}, "schema_version"),
        ({"type": "appliance.domain.sale.LineAdded"}, "stable name"),
        ({"type": ""}, "stable name"),
        ({"sale_id": ""}, "1-128 printable"),
        ({"sale_id": "a\nb"}, "1-128 printable"),
        ({"timestamp": dt.datetime(2026, 1, 1)}, "timezone-aware"),
        ({"payload": "text"}, "must be bytes"),
    ],
)
async def test_malformed_envelopes_are_refused_and_nothing_is_written(
    journal: Journal, change: dict, match: str
) -> None:
    bad = dataclasses.replace(ev("s1", 1), **change)
    with pytest.raises(StoreMisuse, match=match):
        await journal.append(bad)
    assert await journal.open_sales() == []
    assert (await journal.verify()).events == 0


async def test_complete_sale_commits_event_receipt_number_and_outbox_row_together(journal: Journal) -> None:
    await journal.append(ev("s1", 1))
    seen: list[Completion] = []

    def build(c: Completion) -> tuple[EncodedEvent, bytes]:
        seen.append(c)
        return ev(
            "s1", 2, "SaleCompleted", b'{"receipt":%d}' % c.receipt_no
        ), b'{"uuid":"%s"}' % c.uuid.encode()

    done = await journal.complete_sale("s1", "lane-7", build)
    assert seen == [done]
    assert (done.sale_id, done.lane_id, done.receipt_no, done.outbox_seq) == ("s1", "lane-7", 1, 1)
    assert done.uuid[14] == "7"  # UUIDv7
    assert (await journal.events("s1"))[-1].payload == b'{"receipt":1}'
    (row,) = await journal.outbox.pending()
    assert (row.seq, row.uuid, row.sale_id, row.receipt_no) == (1, done.uuid, "s1", 1)
    assert row.payload == b'{"uuid":"%s"}' % done.uuid.encode()
    assert await journal.sale_status("s1") == "completed"
    assert await journal.open_sale() is None
    with pytest.raises(SaleClosed):
        await journal.append(ev("s1", 3))


async def test_a_failed_completion_uses_up_no_receipt_number(journal: Journal) -> None:
    await journal.append(ev("s1", 1))

    def explode(c: Completion) -> tuple[EncodedEvent, bytes]:
        raise RuntimeError("printer state unknown")

    with pytest.raises(RuntimeError):
        await journal.complete_sale("s1", "L", explode)
    with pytest.raises(VersionConflict):  # final event with a stale version: rolled back too
        await journal.complete_sale("s1", "L", lambda c: (ev("s1", 1, "SaleCompleted"), b""))
    assert await journal.last_receipt_no("L") == 0
    assert await journal.outbox.pending() == []
    assert await journal.open_sale() == "s1"
    done = await journal.complete_sale("s1", "L", lambda c: (ev("s1", 2, "SaleCompleted"), b""))
    assert (done.receipt_no, done.outbox_seq) == (1, 1)


async def test_receipt_numbers_run_unbroken_per_lane_and_voids_take_none(journal: Journal) -> None:
    got = []
    for i, lane in enumerate(["A", "B", "A", "void", "A", "B"]):
        sale = f"s{i}"
        await journal.append(ev(sale, 1))
        if lane == "void":
            await journal.void_sale(ev(sale, 2, "SaleVoided"))
            continue
        done = await journal.complete_sale(sale, lane, lambda c, s=sale: (ev(s, 2, "SaleCompleted"), b"x"))
        got.append((lane, done.receipt_no, done.outbox_seq))
    assert got == [("A", 1, 1), ("B", 1, 2), ("A", 2, 3), ("A", 3, 4), ("B", 2, 5)]
    assert await journal.sale_status("s3") == "voided"
    with pytest.raises(SaleClosed):
        await journal.complete_sale("s3", "A", lambda c: (ev("s3", 3, "SaleCompleted"), b""))
    with pytest.raises(StoreMisuse, match="has no events"):
        await journal.complete_sale("nope", "A", lambda c: (ev("nope", 1, "SaleCompleted"), b""))


async def test_open_sale_finds_the_unfinished_sale_after_reopening(tmp_path: pathlib.Path) -> None:
    async with Journal(tmp_path / "j.db") as j:
        await j.append(ev("done", 1))
        await j.complete_sale("done", "L", lambda c: (ev("done", 2, "SaleCompleted"), b""))
        await j.append(ev("busy", 1))
        await j.append(ev("busy", 2))
    async with Journal(tmp_path / "j.db") as j:
        assert await j.open_sale() == "busy"
        assert [e.version for e in await j.events("busy")] == [1, 2]
        assert await j.last_receipt_no("L") == 1


async def test_committed_events_cannot_be_updated_or_deleted_through_sql(journal: Journal) -> None:
    await journal.append(ev("s1", 1))
    for sql in ("UPDATE events SET payload = x'00'", "DELETE FROM events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            await journal.db.execute(sql)
    assert len(await journal.events("s1")) == 1


async def test_disk_full_refuses_the_new_event_and_keeps_every_recorded_one(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.db"
    async with Journal(path) as j:
        (pages,) = next(iter(await j.db.execute_fetchall("PRAGMA page_count")))
        (page_size,) = next(iter(await j.db.execute_fetchall("PRAGMA page_size")))
    big = b"x" * 1500
    written = 0
    async with Journal(path, max_bytes=(pages + 4) * page_size) as j:
        with pytest.raises(DiskFull, match="no new sale can be recorded") as err:
            for v in range(1, 1000):
                await j.append(ev("s1", v, payload=big))
                written = v
        assert err.value.database == "journal"
        assert 1 <= written < 999
        assert len(await j.events("s1")) == written  # nothing recorded was lost, nothing half-written
        assert (await j.verify()).ok
        with pytest.raises(DiskFull):  # still refused, still consistent
            await j.complete_sale("s1", "L", lambda c: (ev("s1", written + 1, "SaleCompleted", big), big))
        assert await j.last_receipt_no("L") == 0
    async with Journal(path) as j:  # space freed (cap lifted): the lane carries on where it stopped
        await j.append(ev("s1", written + 1))
        assert len(await j.events("s1")) == written + 1
        assert (await j.verify()).ok


async def test_journal_misuse_when_not_open(tmp_path: pathlib.Path) -> None:
    j = Journal(tmp_path / "j.db")
    with pytest.raises(StoreMisuse, match="not open"):
        await j.events("s")
    await j.close()  # idempotent
    assert T0.tzinfo is dt.UTC


async def test_ensure_room_refuses_a_new_sale_before_the_cap_is_reached(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.db"
    async with Journal(path) as j:
        (pages,) = next(iter(await j.db.execute_fetchall("PRAGMA page_count")))
        (page_size,) = next(iter(await j.db.execute_fetchall("PRAGMA page_size")))
    async with Journal(path, max_bytes=(pages + 20) * page_size) as j:
        assert await j.room() == 20 * page_size
        await j.ensure_room(reserve=10 * page_size)
        v = 0
        while await j.room() >= 10 * page_size and v < 200:
            v += 1
            await j.append(ev("s1", v, payload=b"y" * 1000))
        assert 0 < v < 200
        with pytest.raises(DiskFull, match="no new sale can be recorded"):
            await j.ensure_room(reserve=10 * page_size)
        # the sale already open still finishes in the reserve
        await j.complete_sale("s1", "L", lambda c: (ev("s1", v + 1, "SaleCompleted"), b"{}"))


async def test_readers_never_see_a_completion_that_is_rolled_back(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.db"
    async with Journal(path) as j:
        (pages,) = next(iter(await j.db.execute_fetchall("PRAGMA page_count")))
        (page_size,) = next(iter(await j.db.execute_fetchall("PRAGMA page_size")))
    async with Journal(path, max_bytes=(pages + 8) * page_size) as j:
        await j.append(ev("s1", 1))
        seen: list[list[int]] = []
        stop = asyncio.Event()

        async def watch() -> None:
            while not stop.is_set():
                seen.append([e.version for e in await j.events("s1")])
                seen.append([e.seq for e in await j.outbox.pending()])
                await asyncio.sleep(0)

        watcher = asyncio.create_task(watch())
        await asyncio.sleep(0)
        with pytest.raises(DiskFull):  # the final event fits; the big outbox row does not: all rolls back
            await j.complete_sale("s1", "L", lambda c: (ev("s1", 2, "SaleCompleted"), b"z" * 200_000))
        stop.set()
        await watcher
        assert seen and all(s in ([1], []) for s in seen)
        assert [e.version for e in await j.events("s1")] == [1]
