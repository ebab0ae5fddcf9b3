"""How a lane starts its link: one call from the composition root.

    link = build_lane_link(store, broker_url="mqtts://mqtt.example:8883", device_id="s0042-lane03",
                           store_id="s0042", ca="/etc/lanekit/ca.pem", cert=".../lane.pem", key=".../lane.key")
    task = asyncio.create_task(link.run())     # replication in, sales out; reconnects until cancelled
    ...after Journal.complete_sale(...):  link.sale_completed()

`mqtt://` is plain MQTT for development brokers; production uses `mqtts://` with the lane's
certificate (its CN is the device id).
"""

from __future__ import annotations

import pathlib
import urllib.parse
from dataclasses import dataclass

from appliance.store.data_dir_store import Store
from mqtt.broker.config import BrokerConfigError, check_identity
from mqtt.link import DeviceLink, LinkSettings
from mqtt.replication import Replicator
from mqtt.uploader import SaleUploader


class BrokerUrlError(ValueError):
    """The broker URL is not mqtt://HOST[:PORT] or mqtts://HOST[:PORT]."""


def parse_broker_url(url: str) -> tuple[str, int, bool]:
    """(host, port, tls) from `mqtts://host:8883` or `mqtt://host:1883` (default ports by scheme)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise BrokerUrlError(f"broker URL {url!r} must look like mqtts://HOST:PORT (or mqtt:// for development)")
    if parts.path not in ("", "/") or parts.query or parts.username:
        raise BrokerUrlError(f"broker URL {url!r} carries a path, query or user; identity comes from the certificate")
    try:
        port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
    except ValueError as err:
        raise BrokerUrlError(f"broker URL {url!r}: {err}") from err
    return parts.hostname, port, parts.scheme == "mqtts"


@dataclass
class LaneLink:
    link: DeviceLink
    uploader: SaleUploader
    replicator: Replicator

    async def run(self) -> None:
        await self.link.run()

    def sale_completed(self) -> None:
        """Wake the uploader: a finished sale is in the outbox."""
        self.uploader.notify()


def build_lane_link(
    store: Store,
    *,
    broker_url: str,
    device_id: str,
    store_id: str,
    ca: str | pathlib.Path | None = None,
    cert: str | pathlib.Path | None = None,
    key: str | pathlib.Path | None = None,
    version: str = "",
) -> LaneLink:
    host, port, tls = parse_broker_url(broker_url)
    try:
        check_identity(device_id, "device id")
        check_identity(store_id, "store id")
    except BrokerConfigError as err:
        raise BrokerUrlError(str(err)) from err
    if tls and not (ca and cert and key):
        raise BrokerUrlError(f"{broker_url} is TLS: the link needs the CA, the lane's certificate and its key")
    settings = LinkSettings(
        host=host, port=port, device_id=device_id, store=store_id,
        ca=pathlib.Path(ca) if tls and ca else None, cert=pathlib.Path(cert) if tls and cert else None,
        key=pathlib.Path(key) if tls and key else None, version=version,
    )
    uploader = SaleUploader(store.outbox)
    replicator = Replicator(store.replica)
    return LaneLink(DeviceLink(settings, [replicator, uploader]), uploader, replicator)
