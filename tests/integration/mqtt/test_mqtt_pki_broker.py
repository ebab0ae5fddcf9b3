"""Revocation and renewal against the real broker: the CRL and the mTLS identity do the work."""

from __future__ import annotations

import asyncio
import pathlib
import stat

import pytest
from cryptography import x509

from mqtt import topics
from mqtt.client import Client, ClientTls
from mqtt.errors import ConnectFailed
from mqtt.pki import PkiError
from mqtt.renewal import request_renewal, serve_renewals
from tests.support.broker import HOST
from tests.support.fleet import make_fleet, start_tls_broker
from tests.support.proc import lanekit


async def test_revoked_device_is_refused_at_next_connect(tmp_path: pathlib.Path) -> None:
    fleet = make_fleet(tmp_path)  # own CA: this test revokes
    broker = start_tls_broker(fleet, tmp_path / "broker")
    try:
        def lane(identity: str) -> Client:
            return Client(HOST, broker.port, client_id=identity, tls=fleet.client_tls(identity), timeout=5)

        async with lane("s1-lane2") as c:
            await c.publish(topics.device_state("s1-lane2"), b"online", qos=1)
        # revoke through the command, as an operator would, and have it SIGHUP the broker
        assert broker.proc is not None
        done = lanekit("pki", "--root", str(fleet.root / "pki"), "revoke", "s1-lane2",
                       "--reason", "key_compromise", "--reload-pid", str(broker.proc.pid))
        assert done.returncode == 0, done.stderr
        for _ in range(200):
            if "Reloading config" in broker.log():
                break
            await asyncio.sleep(0.01)
        with pytest.raises(ConnectFailed):
            await lane("s1-lane2").connect()
        # mosquitto writes the refusal to its log a moment after the handshake fails
        for _ in range(300):
            if "certificate revoked" in broker.log() or "certificate verify failed" in broker.log():
                break
            await asyncio.sleep(0.01)
        assert "certificate revoked" in broker.log() or "certificate verify failed" in broker.log()
        async with lane("s1-lane1") as other:  # the rest of the fleet is unaffected
            await other.publish(topics.device_state("s1-lane1"), b"online", qos=1)
        crl = x509.load_pem_x509_crl(fleet.ca.crl_path.read_bytes())
        serial = x509.load_pem_x509_certificate(fleet.ids["s1-lane2"].cert.read_bytes()).serial_number
        assert crl.get_revoked_certificate_by_serial_number(serial) is not None
    finally:
        broker.kill()


async def test_renewal_over_existing_mtls_identity(tmp_path: pathlib.Path) -> None:
    fleet = make_fleet(tmp_path)
    broker = start_tls_broker(fleet, tmp_path / "broker")
    files = fleet.ids["s1-lane1"]
    old_serial = x509.load_pem_x509_certificate(files.cert.read_bytes()).serial_number
    old_key = files.key.read_bytes()
    try:
        ca_client = Client(HOST, broker.port, client_id="svc-hq", tls=fleet.client_tls("svc-hq"), timeout=5)
        async with ca_client:
            server = asyncio.create_task(serve_renewals(ca_client, fleet.ca))
            async with Client(HOST, broker.port, client_id="s1-lane1", tls=fleet.client_tls("s1-lane1"), timeout=5) as dev:
                await request_renewal(dev, "s1-lane1", files.cert, files.key, files.ca)
            server.cancel()
        new = x509.load_pem_x509_certificate(files.cert.read_bytes())
        assert new.serial_number != old_serial
        assert files.key.read_bytes() != old_key
        assert stat.S_IMODE(files.key.stat().st_mode) == 0o600
        # the renewed identity connects and owns the same tree
        tls = ClientTls(fleet.ca.ca_cert_path, files.cert, files.key)
        async with Client(HOST, broker.port, client_id="s1-lane1", tls=tls, timeout=5) as dev:
            await dev.publish(topics.device_state("s1-lane1"), b"renewed", qos=1)
    finally:
        broker.kill()


async def test_revoked_device_cannot_renew(tmp_path: pathlib.Path) -> None:
    fleet = make_fleet(tmp_path)
    broker = start_tls_broker(fleet, tmp_path / "broker")
    files = fleet.ids["s1-lane1"]
    try:
        async with Client(HOST, broker.port, client_id="svc-hq", tls=fleet.client_tls("svc-hq"), timeout=5) as hq:
            server = asyncio.create_task(serve_renewals(hq, fleet.ca))
            async with Client(HOST, broker.port, client_id="s1-lane1", tls=fleet.client_tls("s1-lane1"), timeout=5) as dev:
                fleet.ca.revoke("s1-lane1")  # stolen while connected; the broker is not reloaded yet
                before = files.cert.read_bytes()
                with pytest.raises(PkiError, match="no valid, unrevoked certificate"):
                    await request_renewal(dev, "s1-lane1", files.cert, files.key, files.ca)
                assert files.cert.read_bytes() == before
            server.cancel()
    finally:
        broker.kill()
