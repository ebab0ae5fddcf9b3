"""The payment host as a real process over mutual TLS: authorize by the test rules, idempotency,
status, reversal, refund, and bad input refused with nothing changed."""

from __future__ import annotations

import asyncio
import ssl
import stat
import subprocess
import sys

import msgspec
import pytest

from appliance.payments.gateway import GatewayRefused, GatewayTimeout, GatewayUnreachable
from appliance.payments.https import HttpsGateway, client_context
from tests.support.payhost import PAN, Payhost, authorization
from tests.support.proc import REPO, env


@pytest.fixture
async def host(tmp_path):
    async with Payhost(tmp_path, rules={"slow_seconds": 0.5, "hang_seconds": 6.0}, lanes=("lane-1", "lane-2")) as h:
        yield h


async def test_rules_approve_decline_partial_and_the_ledger_keeps_a_masked_card(host: Payhost) -> None:
    gw = host.gateway()
    answers = [await gw.authorize(authorization(f"t{i}", amount, i + 1, pin=pin))
               for i, (amount, pin) in enumerate([(2500, "1234"), (1205, None), (1251, None), (2010, None),
                                                  (700, "0000"), (1377, None)])]
    assert [(a.state, a.code, a.amount, a.approved) for a in answers] == [
        ("approved", "00", 2500, 2500), ("declined", "05", 1205, 0), ("declined", "51", 1251, 0),
        ("partial", "10", 2010, 1005), ("declined", "55", 700, 0), ("approved", "00", 1377, 1377)]
    assert {a.card for a in answers} == {"476173******0119"}
    assert all(len(a.auth_code) == 6 for a in answers if a.charged)
    declined = await gw.authorize(authorization("t9", 1000, 9, pan="4000000000000002"))
    assert (declined.state, declined.code, declined.card) == ("declined", "05", "400000******0002")
    rows = host.rows()
    assert {k: (r["state"], r["approved"], r["card"]) for k, r in rows.items()}["t3"] == (
        "partial", 1005, "476173******0119")
    ledger_bytes = b"".join(p.read_bytes() for p in host.ledger.parent.iterdir())
    assert PAN.encode() not in ledger_bytes and b"4000000000000002" not in ledger_bytes


async def test_same_transaction_id_is_answered_once_and_a_different_request_is_refused(host: Payhost) -> None:
    gw = host.gateway()
    first = await gw.authorize(authorization("dup-1", 4200, 1))
    again = await gw.authorize(authorization("dup-1", 4200, 1))
    assert first == again and first.state == "approved"
    with pytest.raises(GatewayRefused) as err:
        await gw.authorize(authorization("dup-1", 4300, 1))
    assert (err.value.status, err.value.error) == (409, "conflict")
    assert host.rows()["dup-1"]["amount"] == 4200


async def test_lost_answer_is_found_by_status_and_a_hung_one_is_reversed(host: Payhost) -> None:
    gw = host.gateway(timeout=2.0)
    with pytest.raises(GatewayTimeout):
        await gw.authorize(authorization("lost-1", 1099, 1))  # decided at once, answer held 6 s
    assert (await gw.status("lost-1")).state == "approved"
    with pytest.raises(GatewayTimeout):
        await gw.authorize(authorization("hung-2", 1098, 2))  # pending for 6 s
    assert (await gw.status("hung-2")).state == "pending"
    reversed_ = await gw.reverse("hung-2", "no answer")
    assert reversed_.state == "reversed"
    await asyncio.sleep(5.5)  # the decision arrives after the reversal: it must not charge
    after = await gw.status("hung-2")
    assert (after.state, after.approved) == ("reversed", 0)
    assert host.rows()["hung-2"]["reversed_from"] == "pending"
    # a request that arrives after its own reversal is never charged
    assert (await gw.reverse("never-3")).state == "reversed"
    late = await gw.authorize(authorization("never-3", 500, 3))
    assert late.state == "reversed"
    assert (await gw.status("nobody")).state == "unknown"


async def test_slow_answer_arrives_within_a_patient_deadline(host: Payhost) -> None:
    answer = await host.gateway(timeout=10).authorize(authorization("slow-1", 877, 1))
    assert (answer.state, answer.approved) == ("approved", 877)


async def test_refunds_are_idempotent_and_bounded_by_the_charge(host: Payhost) -> None:
    gw = host.gateway()
    await gw.authorize(authorization("sale-1", 3000, 1))
    assert (await gw.refund("r-1", "sale-1", 1000)).state == "approved"
    assert (await gw.refund("r-1", "sale-1", 1000)).state == "approved"  # retried: once
    over = await gw.refund("r-2", "sale-1", 2500)
    assert (over.state, over.code) == ("declined", "13")
    assert (await gw.refund("r-3", "sale-1", 2000)).state == "approved"
    rows = host.rows()
    assert sorted((k, r["approved"]) for k, r in rows.items() if r["kind"] == "refund") == [
        ("r-1", 1000), ("r-2", 0), ("r-3", 2000)]
    with pytest.raises(GatewayRefused) as err:
        await gw.refund("r-4", "no-such-sale", 100)
    assert err.value.status == 404


async def test_a_lane_acts_only_under_its_own_certificate(host: Payhost) -> None:
    await host.gateway("lane-1").authorize(authorization("mine-1", 100, 1))
    other = host.gateway("lane-2")
    with pytest.raises(GatewayRefused) as err:
        await other.authorize(authorization("x-1", 100, 2, lane="lane-1"))
    assert err.value.status == 403
    with pytest.raises(GatewayRefused):
        await other.reverse("mine-1")
    assert host.rows()["mine-1"]["state"] == "approved"


async def test_no_client_certificate_no_service(host: Payhost) -> None:
    ctx = ssl.create_default_context(cafile=host.client_files()[2])
    gw = HttpsGateway("127.0.0.1", host.port, ctx, timeout=5)
    with pytest.raises((GatewayUnreachable, GatewayTimeout)):
        await gw.status("t")
    assert not host.rows()


@pytest.mark.parametrize(("body", "needle"), [
    (b"not json", b"not JSON"),
    (b'{"v":1,"txn_id":"a","lane_id":"lane-1","amount":-5,"currency":"EUR","ksn":"AAAA","card_data":"AAAA",'
     b'"entry_mode":"chip"}', b"amount"),
    (b'{"v":2,"txn_id":"a"}', b"$.v"),
    (b'{"v":1,"txn_id":"a","lane_id":"lane-1","amount":5,"currency":"EUR","ksn":"EjRWeJASNFYAAAAB",'
     b'"card_data":"AAAAAAAAAAAAAAAAAAAAAA==","entry_mode":"chip"}', b"does not decrypt"),
    (b'{"v":1,"txn_id":"a","extra":1}', b"extra"),
])
async def test_bad_requests_are_refused_logged_and_change_nothing(host: Payhost, body: bytes, needle: bytes) -> None:
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", host.port, ssl=client_context(*host.client_files()), server_hostname="127.0.0.1")
    writer.write(b"POST /v1/authorize HTTP/1.1\r\nhost: x\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s"
                 % (len(body), body))
    reply = await reader.read()
    writer.close()
    head, _, payload = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert msgspec.json.decode(payload)["error"] == "bad_request"
    assert needle in payload
    assert not host.rows()
    assert needle.decode() in host.log.read_text() or "refused" in host.log.read_text()


def test_a_bdk_file_others_can_read_is_refused(tmp_path) -> None:
    h = Payhost(tmp_path)
    h.prepare()
    (tmp_path / "keys" / "bdk.key").chmod(0o644)
    out = subprocess.run(h.command(), capture_output=True, text=True, env=env(), cwd=REPO, timeout=60)
    assert out.returncode == 1
    assert "mode 0644" in out.stderr


def test_the_bdk_comes_from_the_systemd_credential(tmp_path) -> None:
    h = Payhost(tmp_path)
    h.prepare()
    cfg = h.config.read_text().replace(f'bdk_file = "{tmp_path}/keys/bdk.key"\n', "")
    h.config.write_text(cfg)
    creds = tmp_path / "creds"
    creds.mkdir()
    (tmp_path / "keys" / "bdk.key").rename(creds / "bdk")
    assert stat.S_IMODE((creds / "bdk").stat().st_mode) == 0o600
    proc = subprocess.Popen(h.command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                            env=env(CREDENTIALS_DIRECTORY=str(creds)))
    try:
        assert proc.stdout is not None
        assert "listening on https://127.0.0.1:" in proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(20)


def test_new_bdk_writes_an_owner_only_file(tmp_path) -> None:
    out = subprocess.run([sys.executable, "-m", "p2pe.payhost.cli", "new-bdk", str(tmp_path / "k" / "bdk.key")],
                         capture_output=True, text=True, env=env(), cwd=REPO, timeout=60)
    assert out.returncode == 0
    path = tmp_path / "k" / "bdk.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(bytes.fromhex(path.read_text().strip())) == 16
