import pathlib

import pytest

from appliance.store.errors import OutboxError, StoreMisuse
from appliance.store.journal import Journal
from tests.support.journal_events import ev


async def _finish(j: Journal, n: int) -> list[str]:
    uuids = []
    for i in range(n):
        sale = f"sale-{i}"
        await j.append(ev(sale, 1))
        done = await j.complete_sale(sale, "L", lambda c, s=sale: (ev(s, 2, "SaleCompleted"), s.encode()))
        uuids.append(done.uuid)
    return uuids


async def test_pending_in_sequence_order_and_ack_through_survives_restart(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.db"
    async with Journal(path) as j:
        uuids = await _finish(j, 5)
        assert uuids == sorted(uuids)  # UUIDv7 sorts by creation
        first = await j.outbox.pending(limit=2)
        assert [(e.seq, e.payload) for e in first] == [(1, b"sale-0"), (2, b"sale-1")]
        assert await j.outbox.ack_through(2) == 2
        assert await j.outbox.ack_through(2) == 0  # a repeated ack changes nothing
        assert await j.outbox.ack_through(1) == 0  # nor does a stale one
    async with Journal(path) as j:
        assert [e.seq for e in await j.outbox.pending()] == [3, 4, 5]
        assert [e.uuid for e in await j.outbox.pending()] == uuids[2:]
        assert await j.outbox.pending_count() == 3
        assert await j.outbox.ack_through(5) == 3
        assert await j.outbox.pending() == []
        await _finish_more(j)
        assert [e.seq for e in await j.outbox.pending()] == [6]  # the sequence never restarts


async def _finish_more(j: Journal) -> None:
    await j.append(ev("late", 1))
    await j.complete_sale("late", "L", lambda c: (ev("late", 2, "SaleCompleted"), b"late"))


@pytest.mark.parametrize("bad", [4, -1, "3", 2.0, None])
async def test_an_ack_for_rows_never_written_is_refused_and_changes_nothing(
    journal: Journal, bad: object
) -> None:
    await _finish(journal, 3)
    with pytest.raises(OutboxError):
        await journal.outbox.ack_through(bad)  # type: ignore[arg-type]
    assert await journal.outbox.acked_through() == 0
    assert len(await journal.outbox.pending()) == 3


async def test_pending_limit_must_be_positive(journal: Journal) -> None:
    with pytest.raises(StoreMisuse):
        await journal.outbox.pending(0)


async def test_a_range_can_be_resent_even_after_its_ack(journal: Journal) -> None:
    await _finish(journal, 4)
    await journal.outbox.ack_through(3)
    assert [e.seq for e in await journal.outbox.range(2, 3)] == [2, 3]
    assert [e.payload for e in await journal.outbox.range(1, 9, limit=2)] == [b"sale-0", b"sale-1"]
    assert await journal.outbox.range(5, 9) == []
    with pytest.raises(OutboxError):
        await journal.outbox.range("1", 2)  # type: ignore[arg-type]
