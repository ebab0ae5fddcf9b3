import datetime as dt
import pathlib
import sqlite3

import pytest

from appliance.store.errors import StoreMisuse
from appliance.store.journal import Journal
from tests.support.journal_events import T0, ev

LATER = T0 + dt.timedelta(days=1)


async def _sale(j: Journal, sale: str, n: int, finish: str | None) -> None:
    for v in range(1, n + 1):
        await j.append(ev(sale, v))
    if finish == "complete":
        await j.complete_sale(sale, "L", lambda c: (ev(sale, n + 1, "SaleCompleted"), sale.encode()))
    elif finish == "void":
        await j.void_sale(ev(sale, n + 1, "SaleVoided"))


async def test_prune_removes_finished_acknowledged_sales_and_the_chain_still_verifies(
    tmp_path: pathlib.Path,
) -> None:
    async with Journal(tmp_path / "j.db") as j:
        await _sale(j, "a", 2, "complete")  # positions 1-3, outbox 1
        await _sale(j, "b", 1, "void")  # 4-5
        await _sale(j, "c", 2, "complete")  # 6-8, outbox 2: not acknowledged yet
        await _sale(j, "d", 1, None)  # 9: open
        await j.outbox.ack_through(1)
        assert await j.prune(LATER) == 5  # a and b; c waits for HQ
        assert await j.events("a") == [] and await j.events("b") == []
        assert len(await j.events("c")) == 3
        assert [e.sale_id for e in await j.outbox.pending()] == ["c"]
        assert (await j.verify()).ok
        await j.append(ev("d", 2))  # the chain goes on from the base
        report = await j.verify()
        assert report.ok and report.events == 5
        await j.outbox.ack_through(2)
        assert await j.prune(LATER) == 3  # c now; d is open and stays
        assert await j.prune(LATER) == 0
        assert await j.open_sale() == "d"
        await j.complete_sale("d", "L", lambda c: (ev("d", 3, "SaleCompleted"), b"d"))
        assert (await j.last_receipt_no("L"), (await j.outbox.pending())[0].seq) == (3, 3)
        assert (await j.verify()).ok


async def test_prune_keeps_recent_sales_and_a_sale_straddling_the_cut(tmp_path: pathlib.Path) -> None:
    async with Journal(tmp_path / "j.db") as j:
        await j.append(ev("long", 1))  # opens first, finishes last
        await _sale(j, "quick", 1, "void")
        await j.void_sale(ev("long", 2, "SaleVoided"))
        assert await j.prune(T0) == 0  # nothing finished before T0
        assert await j.prune(LATER) == 4  # both, in one prefix
        await _sale(j, "x", 1, "void")
        await j.append(ev("y", 1))
        await _sale(j, "z", 1, "void")
        assert await j.prune(LATER) == 2  # x only: y is open and z comes after it
        assert (await j.verify()).ok


async def test_after_pruning_the_chain_still_catches_an_altered_event(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.db"
    async with Journal(path) as j:
        await _sale(j, "a", 1, "void")
        await _sale(j, "b", 2, None)
        await j.prune(LATER)
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):  # above the base: still guarded
            await j.db.execute("DELETE FROM events WHERE sale_id = 'b'")
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("DROP TRIGGER events_no_update")
    con.execute("UPDATE events SET payload = x'00' WHERE sale_id = 'b' AND version = 1")
    con.close()
    async with Journal(path) as j:
        fault = (await j.verify()).fault
    assert fault is not None and (fault.sale_id, fault.version) == ("b", 1)


async def test_a_journal_pruned_to_nothing_goes_on(tmp_path: pathlib.Path) -> None:
    async with Journal(tmp_path / "j.db") as j:
        await _sale(j, "a", 1, "void")
        assert await j.prune(LATER) == 2
        rec = await j.append(ev("b", 1))
        assert rec.seq == 3  # positions never restart
        assert (await j.verify()).ok
        with pytest.raises(StoreMisuse):
            await j.prune(dt.datetime(2026, 1, 1))
