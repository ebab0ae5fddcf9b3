"""The shadow's state file without a broker: crash recovery and the signature check itself."""

from __future__ import annotations

import pathlib

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.config import ConfigError, Settings, with_overlay
from mqtt.fleet.db import parse_target
from mqtt.fleet.shadow import STATE_FILE, ConfigShadow, ShadowState, load_state
from mqtt.fleet.signing import SignatureRefused, Signed, sign, verify


async def test_a_crash_during_the_health_check_rolls_back_at_the_next_start(tmp_path: pathlib.Path) -> None:
    crashed = ShadowState(applied_version=7, config={"lane": {"number": 7}}, lkg_version=4,
                          lkg_config={"lane": {"number": 4}}, attempted_version=7, phase="checking")
    (tmp_path / STATE_FILE).parent.mkdir(parents=True)
    (tmp_path / STATE_FILE).write_bytes(msgspec.json.encode(crashed))
    restarted: list[dict] = []

    async def restart(config: dict) -> None:
        restarted.append(config)

    shadow = ConfigShadow("s1-lane1", tmp_path, Ed25519PrivateKey.generate().public_key(), Settings(), restart=restart)
    await shadow.recover()
    st = load_state(tmp_path)
    assert (st.applied_version, st.config, st.attempted_version, st.phase) == (4, {"lane": {"number": 4}}, 7, "stable")
    assert restarted == [{"lane": {"number": 4}}]
    assert st.last_report is not None and (st.last_report.status, st.last_report.version) == ("failed", 7)
    assert "stopped during the health check" in st.last_report.error
    await shadow.recover()  # stable now: nothing more happens
    assert restarted == [{"lane": {"number": 4}}]


def test_signature_round_trip_and_refusals() -> None:
    key = Ed25519PrivateKey.generate()
    env = sign(key, b'{"x":1}')
    assert verify(key.public_key(), env, "t") == b'{"x":1}'
    assert len(msgspec.json.decode(env, type=Signed).sig) == 64  # Ed25519 signatures are 64 bytes
    with pytest.raises(SignatureRefused, match="exceeds the 10-byte limit"):
        verify(key.public_key(), env, "t", max_bytes=10)
    with pytest.raises(SignatureRefused, match="not a signed envelope"):
        verify(key.public_key(), b'{"payload": "AA==", "extra": 1}', "t")


def test_overlay_validation_names_the_key() -> None:
    assert with_overlay(Settings(), {"lane": {"number": 12}}).lane.number == 12
    with pytest.raises(ConfigError, match=r"lane\.number"):
        with_overlay(Settings(), {"lane": {"number": 1000}})
    with pytest.raises(ConfigError, match=r"'lane\.id' is set at provisioning"):
        with_overlay(Settings(), {"lane": {"id": "x"}})
    with pytest.raises(ConfigError, match="'data_dir' is set at provisioning"):
        with_overlay(Settings(), {"data_dir": "/"})


def test_targets() -> None:
    assert [parse_target(t) for t in ("all", "store:42", "region:north", "lane:s1-lane1")] == [
        "all", "store:42", "region:north", "lane:s1-lane1"]
    for bad in ("store", "store:", "shelf:1", "store:a/b", "region:+"):
        with pytest.raises(ValueError, match="expected all, region:NAME"):
            parse_target(bad)
