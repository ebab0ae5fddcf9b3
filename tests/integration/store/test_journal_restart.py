"""Durability across a hard kill: what append() reported done is on disk after SIGKILL."""

from __future__ import annotations

import asyncio
import os
import pathlib
import signal
import subprocess
import sys
import textwrap

from appliance.store.journal import Journal
from tests.support.proc import REPO, env

WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from appliance.store.journal import Journal
    from tests.support.journal_events import ev

    async def main(path):
        async with Journal(path) as j:
            sale = 0
            while True:
                sale += 1
                sid = f"sale-{sale}"
                for v in range(1, 4):
                    await j.append(ev(sid, v))
                    print(f"appended {sid} {v}", flush=True)
                done = await j.complete_sale(sid, "L1", lambda c, s=sid: (ev(s, 4, "SaleCompleted"), s.encode()))
                print(f"completed {sid} {done.receipt_no} {done.outbox_seq}", flush=True)

    asyncio.run(main(sys.argv[1]))
    """
)


def test_sigkill_mid_stream_loses_nothing_that_was_acknowledged(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "journal.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, env=env(), cwd=REPO
    )
    acked: list[str] = []
    try:
        assert proc.stdout is not None
        while len(acked) < 150:
            line = proc.stdout.readline()
            assert line, f"writer died early (rc={proc.poll()})"
            acked.append(line.split(maxsplit=1)[1].strip())
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        if proc.stdout:
            proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL

    async def check() -> None:
        async with Journal(path) as j:
            report = await j.verify()
            assert report.ok, report.fault
            for a in acked:
                parts = a.split()
                sid = parts[0]
                events = await j.events(sid)
                if len(parts) == 2:  # "sale-N v": that event is there
                    assert int(parts[1]) <= len(events)
                else:  # "sale-N receipt seq": completed, numbered, in the outbox
                    assert await j.sale_status(sid) == "completed"
                    assert [e.type for e in events][-1] == "SaleCompleted"
            completed = [a.split() for a in acked if len(a.split()) == 3]
            pending = await j.outbox.pending(limit=1000)
            assert [(e.sale_id, e.receipt_no, e.seq) for e in pending[: len(completed)]] == [
                (c[0], int(c[1]), int(c[2])) for c in completed
            ]
            # receipt numbers have no gap even across the kill: the next one continues the series
            last = await j.last_receipt_no("L1")
            assert last in (len(completed), len(completed) + 1)
            assert report.events >= len([a for a in acked if len(a.split()) == 2])

    asyncio.run(check())
