"""Kill the real lane process after each step of a card payment, restart it, and judge from the
payment host's ledger: the shopper is charged exactly once with a completed sale, or not at all."""

from __future__ import annotations

import asyncio
import json
import pathlib
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

from appliance.store.journal import Journal
from appliance.store_profile import load_profile
from appliance.wiring import open_stores
from tests.faults.card_child import STEPS
from tests.integration.lane.conftest import catalog_items
from tests.support.payhost import Payhost, card_read
from tests.support.proc import REPO, env

HERE = pathlib.Path(__file__).resolve().parent
PROFILE = REPO / "appliance" / "demo" / "store.toml"


@pytest.fixture
async def host(tmp_path: pathlib.Path) -> AsyncIterator[Payhost]:
    async with Payhost(tmp_path / "payhost", lanes=("lane-1",)) as h:
        yield h


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    d = tmp_path_factory.mktemp("template")

    async def build() -> None:
        async with open_stores(d) as (replica, _):
            await replica.replace_catalog(iter(catalog_items(load_profile(PROFILE))))

    asyncio.run(build())
    return d


def run_child(host: Payhost, data: pathlib.Path, step: str, counter: int) -> subprocess.CompletedProcess[str]:
    ksn, ciphertext, pin = card_read(counter, pin="1234")
    client = host.root / "pki" / "issued" / "lane-1"
    return subprocess.run([sys.executable, str(HERE / "card_child.py"), str(data), str(host.port), str(client), step,
                           f"{ksn.hex()}:{ciphertext.hex()}:{pin.hex()}"],
                          env=env(), capture_output=True, text=True, timeout=120, cwd=REPO)


async def sales(data: pathlib.Path) -> list[tuple[str, str | None, int]]:
    """(sale id, status, card tender total) of every sale in the journal."""
    async with Journal(data / "journal.db") as journal:
        out = []
        for (sale_id,) in await journal.fetch("SELECT DISTINCT sale_id FROM events"):
            rows = await journal.fetch("SELECT payload FROM events WHERE sale_id = ? AND type = 'TenderAdded'",
                                       (sale_id,))
            card = sum(json.loads(bytes(r[0]))["amount"] for r in rows if json.loads(bytes(r[0]))["kind"] == "card")
            out.append((sale_id, await journal.sale_status(sale_id), card))
        return out


@pytest.mark.parametrize("step", [*STEPS, "none"])
async def test_kill_after_each_step_charges_once_with_a_completed_sale_or_not_at_all(
        host: Payhost, template: pathlib.Path, tmp_path: pathlib.Path, step: str) -> None:
    data = tmp_path / "lane"
    shutil.copytree(template, data)
    counter = [*STEPS, "none"].index(step) + 1
    first = run_child(host, data, step, counter)
    if step == "none":
        assert first.returncode == 0, first.stderr
    else:
        assert first.returncode == -signal.SIGKILL, first.stdout + first.stderr
    again = run_child(host, data, "recover", counter)
    assert again.returncode == 0, again.stderr
    [(sale_id, status, card_paid)] = await sales(data)
    prefix = sale_id.replace("-", "")[:26]
    charged = sum(v for k, v in host_charged(host).items() if k.startswith(prefix))
    if step == "requested":
        # nothing was sent: the restart reverses (a tombstone), the sale stays open and unpaid
        assert (charged, status, card_paid) == (0, "open", 0)
        assert host.rows()[f"{prefix}.1"]["state"] == "reversed"
    else:
        assert (charged, status, card_paid) == (249, "completed", 249)
    receipts = list((data / "receipts").glob("*.txt")) if (data / "receipts").exists() else []
    if status == "completed" and step not in ("completed", "receipt"):
        assert len(receipts) == 1 and "**** 0119" in receipts[0].read_text()


def host_charged(host: Payhost) -> dict[str, int]:
    return {k: int(r["approved"]) for k, r in host.rows().items() if r["kind"] == "sale"
            and r["state"] in ("approved", "partial")}
