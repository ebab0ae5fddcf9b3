"""`lanekit fleet` as a real process against a real mosquitto, with lanes running in this process."""

from __future__ import annotations

import asyncio
import pathlib
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mqtt.fleet.signing import load_private
from tests.support.broker import HOST, Broker
from tests.support.fleet import Fleet
from tests.support.fleet_shadow import FleetRig
from tests.support.proc import REPO, env, lanekit


async def _lanekit(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "appliance.cli", *args, cwd=REPO, env=env(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _conn(fleet: Fleet, broker: Broker) -> list[str]:
    hq = fleet.ids["svc-hq"]
    return ["--broker", f"{HOST}:{broker.port}", "--ca", str(fleet.ca.ca_cert_path), "--cert", str(hq.cert),
            "--tls-key", str(hq.key), "--identity", "svc-hq"]


async def test_push_halts_on_a_failing_canary_rolls_back_and_status_shows_it(
        fleet: Fleet, tls_broker: Broker, tmp_path: pathlib.Path) -> None:
    key_path, pub_path = tmp_path / "fleet.key", tmp_path / "fleet.pub"
    r = lanekit("fleet", "keygen", "--private", str(key_path), "--public", str(pub_path))
    assert r.returncode == 0, r.stderr
    assert key_path.stat().st_mode & 0o777 == 0o600
    key: Ed25519PrivateKey = load_private(key_path)
    db = tmp_path / "hq-fleet.db"

    async def health(config: dict) -> str | None:
        return "receipt printer offline" if config.get("devices", {}).get("printer") else None

    async with FleetRig(fleet, tls_broker, tmp_path, key) as rig:
        for d in ("s1-lane1", "s1-lane2", "s2-lane1"):
            await rig.lane(d, health=health)
        good = tmp_path / "good.toml"
        good.write_text("[lane]\nweight_timeout_s = 8.0\n")
        bad = tmp_path / "bad.toml"
        bad.write_text('[devices.printer]\nbackend = "usb"\n')
        invalid = tmp_path / "invalid.toml"
        invalid.write_text("[lane]\nnumber = 0\n")
        conn = _conn(fleet, tls_broker)

        rc, out, err = await _lanekit("fleet", "--db", str(db), "push", str(good), "--target", "all", "--canary", "34%",
                                      "--wait-healthy", "20s", "--key", str(key_path), *conn)
        assert rc == 0, err
        assert "layer all v1: 3 healthy, 0 failed, 0 not reached" in out
        assert "wave 1: pushing layer all v1 to 2 device(s)" in err and "wave 2" in err
        assert [rig.lanes[d].shadow.state.config for d in sorted(rig.lanes)] == [{"lane": {"weight_timeout_s": 8.0}}] * 3

        rc, out, err = await _lanekit("fleet", "--db", str(db), "push", str(bad), "--target", "region:north",
                                      "--canary", "5%", "--wait-healthy", "20s", "--rollback", "--key", str(key_path), *conn)
        assert rc == 3, err
        assert "layer region:north v1: 0 healthy, 1 failed, 1 not reached — HALTED, rolled back" in out
        assert "s1-lane1: failed: receipt printer offline" in out

        rc, out, err = await _lanekit("fleet", "--db", str(db), "push", str(invalid), "--target", "all",
                                      "--key", str(key_path), *conn)
        assert rc == 1 and "lane.number" in err

        gone = rig.lanes["s2-lane1"]
        assert gone.link.supervisor.client is not None
        gone.link.supervisor.client.abort()  # the socket drops without DISCONNECT: the last will says offline
        await gone.stop()
        rc, out, err = await _lanekit("fleet", "--db", str(db), "status", "--wait", "1s", *conn)
        assert rc == 0, err
        lines = [line.split() for line in out.splitlines()]
        assert lines[0] == ["DEVICE", "STORE", "REGION", "ONLINE", "SOFTWARE", "DESIRED", "APPLIED", "STATUS", "LAST", "ERROR"]
        rows = {cols[0]: cols for cols in lines[1:]}
        # s1-lane1: v1 (wave 1), v4 failed, v5 = the rollback; s1-lane2: v2; s2-lane1: v3
        assert rows["s1-lane1"][1:8] == ["s1", "north", "online", "1.2.3", "5", "5", "applied"]
        assert rows["s1-lane2"][1:8] == ["s1", "north", "online", "1.2.3", "2", "2", "applied"]
        assert rows["s2-lane1"][1:4] == ["s2", "south", "offline"]
