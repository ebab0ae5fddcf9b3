from __future__ import annotations

import pytest

from mqtt import topics
from mqtt.broker.config import (
    AclEntry,
    BrokerConfigError,
    BrokerSettings,
    TlsFiles,
    render_acl,
    render_config,
)
from mqtt.topics import Topic, TopicError, Wildcard


@pytest.mark.parametrize(
    ("topic", "filt", "expected"),
    [
        ("a/b/c", "a/b/c", True),
        ("a/b/c", "a/+/c", True),
        ("a/b/c", "a/#", True),
        ("a", "a/#", True),  # '#' also matches the parent level (MQTT 4.7.1.2)
        ("a/b/c", "a/+", False),
        ("a/b", "a/b/c", False),
        ("a/b/c", "#", True),
        ("$SYS/x", "#", False),
        ("$SYS/x", "+/x", False),
        ("$SYS/x", "$SYS/#", True),
        ("a//c", "a/+/c", True),
    ],
)
def test_matches(topic: str, filt: str, expected: bool) -> None:
    assert Topic(topic).matches(Wildcard(filt)) is expected


@pytest.mark.parametrize("bad", ["", "a/+/b", "a/#", "x\x00y", "é" * 40000])
def test_topic_rejects(bad: str) -> None:
    with pytest.raises(TopicError):
        Topic(bad)


@pytest.mark.parametrize("bad", ["", "a/#/b", "a/b#", "a/+b", "+a"])
def test_wildcard_rejects(bad: str) -> None:
    with pytest.raises(TopicError):
        Wildcard(bad)


def test_tree_names() -> None:
    assert topics.sales("s1-lane1").value == "lanekit/v1/dev/s1-lane1/sales"
    assert topics.sales_ack("s1-lane1").value == "lanekit/v1/dev/s1-lane1/sales/ack"
    assert topics.feed("s1", "prices").value == "lanekit/v1/store/s1/feed/prices"
    assert topics.sync_reply("s1-lane1", "items").value == "lanekit/v1/dev/s1-lane1/sync/reply/items"
    assert topics.device_of(topics.sales("s1-lane1")) == "s1-lane1"
    assert topics.sales("s1-lane1").matches(topics.ALL_SALES)
    assert not topics.sales_ack("s1-lane1").matches(topics.ALL_SALES)
    with pytest.raises(TopicError):
        topics.device_of(topics.feed("s1", "items"))
    with pytest.raises(TopicError):
        topics.sales("s1/lane1")
    with pytest.raises(TopicError):
        topics.feed("s1", "#")


def test_production_config_is_mtls_only() -> None:
    conf = render_config(
        BrokerSettings(tls=TlsFiles(cafile="/c/ca.pem", certfile="/c/b.pem", keyfile="/c/b.key", crlfile="/c/crl.pem"),
                       acl_file="/etc/mosquitto/lanekit.acl", persistence_dir="/var/lib/mosquitto")
    ).splitlines()
    for line in ("allow_anonymous false", "require_certificate true", "use_identity_as_username true",
                 "use_username_as_clientid true", "crlfile /c/crl.pem", "persistence true", "listener 8883 0.0.0.0",
                 "acl_file /etc/mosquitto/lanekit.acl", "user mosquitto"):
        assert line in conf


def test_config_refuses_open_plain_listener() -> None:
    with pytest.raises(BrokerConfigError, match="plain listener"):
        render_config(BrokerSettings())
    with pytest.raises(BrokerConfigError, match="port"):
        render_config(BrokerSettings(port=0, allow_anonymous=True))


def test_acl_text() -> None:
    acl = render_acl([AclEntry("svc-hq", "service"), AclEntry("s1-lane1", "device", "s1")])
    assert acl.splitlines()[2:] == [
        "pattern readwrite lanekit/v1/dev/%u/#",
        "",
        "user s1-lane1",
        "topic read lanekit/v1/store/s1/#",
        "",
        "user svc-hq",
        "topic readwrite lanekit/v1/#",
    ]
    with pytest.raises(BrokerConfigError, match="no store"):
        render_acl([AclEntry("s1-lane1", "device")])
    with pytest.raises(BrokerConfigError, match="not allowed"):
        render_acl([AclEntry("s1 lane1", "service")])
