"""Topic names as validated values, and the Lanekit topic tree (see docs/topics.md).

`Topic` is a concrete name one publishes to; `Wildcard` is a subscription filter that may use
`+` and `#`. Both reject what MQTT forbids (empty, NUL, over-long, misplaced wildcards) at
construction, so a bad name fails where it is built, not at the broker.
"""

from __future__ import annotations

from dataclasses import dataclass

ROOT = "lanekit/v1"
_MAX_BYTES = 65535


class TopicError(ValueError):
    """A topic name or filter breaks MQTT's rules; the message says which rule."""


def _check_common(value: str, what: str) -> None:
    if not isinstance(value, str):
        raise TopicError(f"{what} must be a str, got {type(value).__name__}")
    if not value:
        raise TopicError(f"{what} is empty")
    if "\x00" in value:
        raise TopicError(f"{what} {value!r} contains NUL")
    if len(value.encode("utf-8")) > _MAX_BYTES:
        raise TopicError(f"{what} is longer than {_MAX_BYTES} bytes")


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic name one can publish to: no wildcards."""

    value: str

    def __post_init__(self) -> None:
        _check_common(self.value, "topic")
        if "+" in self.value or "#" in self.value:
            raise TopicError(f"topic {self.value!r} contains a wildcard; use Wildcard for filters")

    def __str__(self) -> str:
        return self.value

    def matches(self, wildcard: Wildcard | str) -> bool:
        """Whether this topic is selected by `wildcard` (MQTT 4.7 rules, `$`-topics excluded)."""
        w = wildcard if isinstance(wildcard, Wildcard) else Wildcard(wildcard)
        t_levels = self.value.split("/")
        w_levels = w.value.split("/")
        if self.value.startswith("$") and w_levels[0] in {"+", "#"}:
            return False
        for i, level in enumerate(w_levels):
            if level == "#":
                return True
            if i >= len(t_levels):
                return False
            if level != "+" and level != t_levels[i]:
                return False
        return len(t_levels) == len(w_levels)

    def __truediv__(self, level: str) -> Topic:
        return Topic(f"{self.value}/{level}")


@dataclass(frozen=True, slots=True)
class Wildcard:
    """A subscription filter: `+` matches one level, a trailing `#` any number of levels."""

    value: str

    def __post_init__(self) -> None:
        _check_common(self.value, "filter")
        levels = self.value.split("/")
        for i, level in enumerate(levels):
            if "#" in level and (level != "#" or i != len(levels) - 1):
                raise TopicError(f"filter {self.value!r}: '#' must be a whole level and the last one")
            if "+" in level and level != "+":
                raise TopicError(f"filter {self.value!r}: '+' must be a whole level")

    def __str__(self) -> str:
        return self.value


def as_filter(value: Topic | Wildcard | str) -> Wildcard:
    """A subscription filter from a filter, a concrete topic, or a string."""
    if isinstance(value, Wildcard):
        return value
    return Wildcard(value.value if isinstance(value, Topic) else value)


def _level(name: str, what: str) -> str:
    if not name or "/" in name or "+" in name or "#" in name or "\x00" in name:
        raise TopicError(f"{what} {name!r} cannot be a single topic level")
    return name


# The tree. Device-owned topics live under dev/{device}; the broker's ACL pattern
# `dev/%u/#` makes them writable by that certificate only.
def device_root(device: str) -> Topic:
    return Topic(f"{ROOT}/dev/{_level(device, 'device id')}")


def device_state(device: str) -> Topic:
    """Retained presence/state; the last will publishes `offline` here."""
    return device_root(device) / "state"


def sales(device: str) -> Topic:
    return device_root(device) / "sales"


def sales_ack(device: str) -> Topic:
    return device_root(device) / "sales" / "ack"


def sync_request(device: str) -> Topic:
    return device_root(device) / "sync" / "req"


def sync_reply(device: str, feed: str) -> Topic:
    return device_root(device) / "sync" / "reply" / _level(feed, "feed")


def pki_csr(device: str) -> Topic:
    return device_root(device) / "pki" / "csr"


def pki_cert(device: str) -> Topic:
    return device_root(device) / "pki" / "cert"


def config_desired(device: str) -> Topic:
    return device_root(device) / "config" / "desired"


def config_reported(device: str) -> Topic:
    return device_root(device) / "config" / "reported"


def config_get(device: str) -> Topic:
    """The device asks for its current desired document (on every connect)."""
    return device_root(device) / "config" / "get"


def command(device: str, command_id: str) -> Topic:
    return device_root(device) / "cmd" / _level(command_id, "command id")


def feed(store: str, name: str) -> Topic:
    return Topic(f"{ROOT}/store/{_level(store, 'store id')}/feed/{_level(name, 'feed')}")


def store_heartbeat(store: str) -> Topic:
    return Topic(f"{ROOT}/store/{_level(store, 'store id')}/heartbeat")


def store_feeds(store: str) -> Wildcard:
    return Wildcard(f"{ROOT}/store/{_level(store, 'store id')}/feed/+")


def sync_replies(device: str) -> Wildcard:
    return Wildcard(f"{device_root(device).value}/sync/reply/+")


ALL_SALES = Wildcard(f"{ROOT}/dev/+/sales")
ALL_SYNC_REQUESTS = Wildcard(f"{ROOT}/dev/+/sync/req")
ALL_CSRS = Wildcard(f"{ROOT}/dev/+/pki/csr")
ALL_STATES = Wildcard(f"{ROOT}/dev/+/state")
ALL_CONFIG_GETS = Wildcard(f"{ROOT}/dev/+/config/get")
ALL_CONFIG_REPORTED = Wildcard(f"{ROOT}/dev/+/config/reported")


def device_of(topic: Topic | str) -> str:
    """The device id in a `dev/{device}/...` topic; raises TopicError for any other topic."""
    parts = str(topic).split("/")
    root = ROOT.split("/")
    if parts[: len(root)] != root or len(parts) < len(root) + 2 or parts[len(root)] != "dev":
        raise TopicError(f"topic {topic!s} is not under {ROOT}/dev/")
    return parts[len(root) + 1]
