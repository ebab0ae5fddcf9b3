"""Fixtures for link tests: a fleet PKI and a real mosquitto on a free loopback port.

`fleet` is one CA per session with certificates for two stores' lanes, the HQ service and the
broker; `tls_broker` starts the production (mTLS + ACL + CRL) config on it for each test;
`plain_broker` is an anonymous plain listener for tests of the client mechanics only.
`connect_as(identity)` builds a `mqtt.client.Client` with that identity's files.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterator

import pytest

from mqtt.client import Client, Will
from tests.support.broker import HOST, Broker
from tests.support.fleet import Fleet, make_fleet, start_tls_broker


@pytest.fixture(scope="session")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Fleet:
    return make_fleet(tmp_path_factory.mktemp("fleet"))


@pytest.fixture
def tls_broker(fleet: Fleet, tmp_path: pathlib.Path) -> Iterator[Broker]:
    broker = start_tls_broker(fleet, tmp_path / "broker")
    yield broker
    broker.kill()


@pytest.fixture
def plain_broker(tmp_path: pathlib.Path) -> Iterator[Broker]:
    broker = Broker(tmp_path / "plain").start()
    yield broker
    broker.kill()


ConnectAs = Callable[..., Client]


@pytest.fixture
def connect_as(fleet: Fleet, tls_broker: Broker) -> ConnectAs:
    def make(identity: str, *, client_id: str | None = None, will: Will | None = None, **kw: object) -> Client:
        return Client(
            HOST, tls_broker.port, client_id=client_id or identity, tls=fleet.client_tls(identity), will=will,
            timeout=5.0, **kw,  # type: ignore[arg-type]
        )

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Real-broker timing tests: a failure is retried twice before it counts.

    Under heavy CPU load (CI beside other suites) mosquitto's log writes and paho's reconnects can
    lag past these tests' waits; a retry that passes is reported as a rerun, so the flake stays visible.
    """
    here = pathlib.Path(__file__).parent
    for item in items:
        if here in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=1))
