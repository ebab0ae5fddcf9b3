"""The signed config shadow against a real mosquitto: apply, refuse, roll back, wait for idle, catch up."""

from __future__ import annotations

import pathlib

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mqtt import topics
from mqtt.fleet.db import Conflict, FleetDb
from mqtt.fleet.shadow import STATE_FILE, load_state
from mqtt.fleet.signing import Signed, sign
from mqtt.fleet.wire import DesiredDoc, Reported
from tests.support.broker import Broker
from tests.support.fleet import Fleet
from tests.support.fleet_shadow import FleetRig, until


@pytest.fixture(scope="module")
def fleet_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def doc(device: str, version: int, config: dict, key: Ed25519PrivateKey) -> bytes:
    return sign(key, msgspec.json.encode(DesiredDoc(device=device, version=version, config=config)))


async def test_push_to_a_store_applies_on_its_lanes_only(fleet: Fleet, tls_broker: Broker, tmp_path: pathlib.Path,
                                                          fleet_key: Ed25519PrivateKey) -> None:
    async with FleetRig(fleet, tls_broker, tmp_path, fleet_key) as rig:
        lanes = {d: await rig.lane(d) for d in ("s1-lane1", "s1-lane2", "s2-lane1")}
        manager = await rig.hq()
        assert rig.client is not None
        await manager.rollout(rig.client, "all", {"lane": {"weight_timeout_s": 9.0}}, canary=1.0, wait_healthy=10)
        result = await manager.rollout(rig.client, "store:s1", {"lane": {"kind": "handheld"}}, canary=0.5, wait_healthy=10)
        assert result.healthy == ["s1-lane1", "s1-lane2"] and not result.failed and not result.halted
        for d in ("s1-lane1", "s1-lane2"):
            st = lanes[d].shadow.state
            assert st.config == {"lane": {"weight_timeout_s": 9.0, "kind": "handheld"}}
            assert st.lkg_config == {"lane": {"weight_timeout_s": 9.0}}
            on_disk = load_state(tmp_path / d / "data")
            assert on_disk.applied_version == st.applied_version and on_disk.config == st.config
        assert lanes["s2-lane1"].shadow.state.config == {"lane": {"weight_timeout_s": 9.0}}
        # the two canary waves gave s1-lane1 and s1-lane2 versions from one fleet-wide counter
        assert {d: lanes[d].shadow.state.applied_version for d in lanes} == {"s1-lane1": 4, "s1-lane2": 5, "s2-lane1": 3}
        assert manager.latest["s1-lane2"] == Reported(applied_version=5, status="applied", version=5,
                                                       at=manager.latest["s1-lane2"].at)


async def test_unsigned_badly_signed_foreign_and_replayed_documents_are_refused(
        fleet: Fleet, tls_broker: Broker, tmp_path: pathlib.Path, fleet_key: Ed25519PrivateKey) -> None:
    async with FleetRig(fleet, tls_broker, tmp_path, fleet_key) as rig:
        lane = await rig.lane("s1-lane1")
        await rig.hq()
        assert rig.client is not None and rig.manager is not None
        desired = topics.config_desired("s1-lane1")
        v5 = doc("s1-lane1", 5, {"lane": {"number": 5}}, fleet_key)
        await rig.client.publish(desired, v5, qos=1, retain=True)
        await until(lambda: lane.shadow.state.applied_version == 5, "version 5 applied")

        async def refused(payload: bytes, reason: str) -> None:
            lane.shadow.changed.clear()
            await rig.client.publish(desired, payload, qos=1, retain=True)
            await until(lambda: rig.manager.latest["s1-lane1"].status == "refused"
                        and reason in rig.manager.latest["s1-lane1"].error, f"refusal: {reason}")
            assert lane.shadow.state.applied_version == 5 and lane.shadow.state.config == {"lane": {"number": 5}}
            assert rig.manager.latest["s1-lane1"].applied_version == 5

        body = msgspec.json.encode(DesiredDoc(device="s1-lane1", version=9, config={"lane": {"number": 9}}))
        await refused(msgspec.json.encode(Signed(payload=body)), "unsigned document refused")
        await refused(sign(Ed25519PrivateKey.generate(), body), "does not verify with the pinned fleet key")
        tampered = msgspec.json.decode(sign(fleet_key, body), type=Signed)
        await refused(msgspec.json.encode(Signed(payload=body.replace(b"9}", b"8}"), sig=tampered.sig)),
                      "does not verify")
        await refused(b"{not json", "not a signed envelope")
        await refused(doc("s1-lane2", 9, {}, fleet_key), "is for device 's1-lane2'")
        await refused(doc("s1-lane1", 4, {"lane": {"number": 4}}, fleet_key), "older than version 5")
        await refused(doc("s1-lane1", 6, {"lane": {"number": 0}}, fleet_key), "does not validate")
        await refused(doc("s1-lane1", 7, {"link": {"broker_url": "mqtt://evil"}}, fleet_key), "set at provisioning")
        # the retained reported document says the same to anyone who looks later
        assert load_state(tmp_path / "s1-lane1" / "data").last_report.status == "refused"
        assert (tmp_path / "s1-lane1" / "data" / STATE_FILE).exists()


async def test_failed_health_check_rolls_back_to_last_known_good(
        fleet: Fleet, tls_broker: Broker, tmp_path: pathlib.Path, fleet_key: Ed25519PrivateKey) -> None:
    restarts: list[dict] = []

    async def restart(config: dict) -> None:
        restarts.append(config)

    async def health(config: dict) -> str | None:
        return "printer did not come back after restart" if config.get("devices") else None

    async with FleetRig(fleet, tls_broker, tmp_path, fleet_key) as rig:
        lane = await rig.lane("s1-lane1", restart=restart, health=health)
        manager = await rig.hq()
        assert rig.client is not None
        good = await manager.rollout(rig.client, "lane:s1-lane1", {"lane": {"number": 3}}, wait_healthy=10)
        assert good.healthy == ["s1-lane1"]
        bad = await manager.rollout(rig.client, "lane:s1-lane1", {"devices": {"printer": {"backend": "usb"}}},
                                    wait_healthy=10)
        assert bad.halted and bad.failed == {"s1-lane1": "failed: printer did not come back after restart"}
        st = lane.shadow.state
        assert (st.applied_version, st.config, st.attempted_version) == (1, {"lane": {"number": 3}}, 2)
        assert restarts == [{"lane": {"number": 3}}, {"devices": {"printer": {"backend": "usb"}}}, {"lane": {"number": 3}}]
        assert manager.latest["s1-lane1"].applied_version == 1 and manager.latest["s1-lane1"].version == 2
        # the same failed version delivered again (retained copy, reconnect) is not retried
        await lane.stop()
        await rig.start("s1-lane1")
        await until(lambda: rig.manager.latest["s1-lane1"].status == "failed", "report re-published")
        assert len(restarts) == 3


async def test_canary_failure_halts_the_rollout_and_rolls_back(
        fleet: Fleet, tls_broker: Broker, tmp_path: pathlib.Path, fleet_key: Ed25519PrivateKey) -> None:
    async def health(config: dict) -> str | None:
        return "scanner missing" if config.get("lane", {}).get("kind") == "register" else None

    async with FleetRig(fleet, tls_broker, tmp_path, fleet_key) as rig:
        lanes = {d: await rig.lane(d, health=health) for d in ("s1-lane1", "s1-lane2", "s2-lane1")}
        manager = await rig.hq()
        assert rig.client is not None
        await manager.rollout(rig.client, "all", {"lane": {"kind": "handheld"}}, canary=1.0, wait_healthy=10)
        result = await manager.rollout(rig.client, "all", {"lane": {"kind": "register"}}, canary=0.05,
                                       wait_healthy=10, rollback=True)
        assert result.halted and result.rolled_back
        assert result.failed == {"s1-lane1": "failed: scanner missing"}
        assert result.not_reached == ["s1-lane2", "s2-lane1"]
        # the canary got a new version carrying the old content; the others never saw the bad one
        await until(lambda: lanes["s1-lane1"].shadow.state.applied_version == 5, "rollback version applied")
        assert lanes["s1-lane1"].shadow.state.config == {"lane": {"kind": "handheld"}}
        assert [lanes[d].shadow.state.applied_version for d in ("s1-lane2", "s2-lane1")] == [2, 3]
        assert await rig.db.layer("all") == (3, {"lane": {"kind": "handheld"}})


async def test_offline_lane_catches_up_on_reconnect_by_asking(
        fleet: Fleet, tls_broker: Broker, tmp_path: pathlib.Path, fleet_key: Ed25519PrivateKey) -> None:
    async with FleetRig(fleet, tls_broker, tmp_path, fleet_key) as rig:
        lane = await rig.lane("s2-lane1", start=False)
        manager = await rig.hq()
        assert rig.client is not None
        result = await manager.rollout(rig.client, "region:south", {"lane": {"number": 12}}, wait_healthy=0.5,
                                       fail_threshold=1.0)
        assert result.failed == {"s2-lane1": "no report within 0.5s"}
        # drop the retained copy: the lane must get its document by asking config/get on connect
        await rig.client.publish(topics.config_desired("s2-lane1"), b"", qos=1, retain=True)
        await rig.start("s2-lane1")
        await until(lambda: lane.shadow.state.applied_version == 1, "applied after reconnect")
        assert lane.shadow.state.config == {"lane": {"number": 12}}
        await until(lambda: manager.latest.get("s2-lane1") is not None
                    and manager.latest["s2-lane1"].applied_version == 1, "reported")
        (_, _, _, _, rep), = [r for r in await rig.db.status() if r[0].device == "s2-lane1"]
        assert rep is not None and rep.applied_version == 1


async def test_restart_waits_for_an_idle_lane_and_tells_the_fleet_past_the_deadline(
        fleet: Fleet, tls_broker: Broker, tmp_path: pathlib.Path, fleet_key: Ed25519PrivateKey) -> None:
    open_sale = [True]
    async with FleetRig(fleet, tls_broker, tmp_path, fleet_key) as rig:
        lane = await rig.lane("s1-lane2", is_idle=lambda: not open_sale[0], idle_deadline=0.2, idle_poll=0.02)
        await rig.hq()
        assert rig.client is not None and rig.manager is not None
        await rig.client.publish(topics.config_desired("s1-lane2"), doc("s1-lane2", 3, {"lane": {"number": 2}}, fleet_key),
                                 qos=1, retain=True)
        await until(lambda: rig.manager.latest.get("s1-lane2") is not None
                    and rig.manager.latest["s1-lane2"].status == "waiting", "waiting reported")
        assert "open sale" in rig.manager.latest["s1-lane2"].error
        assert lane.shadow.state.applied_version == 0
        open_sale[0] = False
        await until(lambda: lane.shadow.state.applied_version == 3, "applied once idle")
        await until(lambda: rig.manager.latest["s1-lane2"].status == "applied", "applied reported")


async def test_a_stale_layer_write_is_a_conflict(tmp_path: pathlib.Path) -> None:
    db = await FleetDb.open(tmp_path / "f.db")
    try:
        assert await db.put_layer("store:s1", {"a": 1}, 0) == 1
        with pytest.raises(Conflict, match="at version 1, not 0"):
            await db.put_layer("store:s1", {"a": 2}, 0)
        assert await db.put_layer("store:s1", {"a": 3}, 1) == 2
        with pytest.raises(Conflict):
            await db.put_layer("store:s1", {"a": 4}, 1)
        assert await db.layer("store:s1") == (2, {"a": 3})
    finally:
        await db.close()
