"""A test fleet: one CA with certificates for two stores' lanes, the HQ service and the broker."""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

from mqtt.broker.config import TlsFiles
from mqtt.client import ClientTls
from mqtt.pki import CertificateAuthority, Issued
from tests.support.broker import HOST, Broker

DEVICES = {"s1-lane1": "s1", "s1-lane2": "s1", "s2-lane1": "s2"}
SERVICES = ("svc-hq",)


@dataclass
class Fleet:
    root: pathlib.Path
    ca: CertificateAuthority
    broker: Issued
    ids: dict[str, Issued]
    rogue: Issued  # a certificate with a valid-looking CN from a CA the broker does not trust

    def broker_tls(self) -> TlsFiles:
        return TlsFiles(
            cafile=str(self.ca.ca_cert_path), certfile=str(self.broker.cert),
            keyfile=str(self.broker.key), crlfile=str(self.ca.crl_path),
        )

    def client_tls(self, identity: str) -> ClientTls:
        files = self.rogue if identity == "rogue" else self.ids[identity]
        # The rogue trusts the real CA (it wants to reach the broker) but presents its own cert.
        return ClientTls(ca=self.ca.ca_cert_path, cert=files.cert, key=files.key)


def make_fleet(root: pathlib.Path) -> Fleet:
    ca = CertificateAuthority.create(root / "pki")
    broker = ca.issue("broker", "broker", hostnames=[HOST, "localhost"])
    ids = {d: ca.issue(d, "device", store=s) for d, s in DEVICES.items()}
    ids.update({s: ca.issue(s, "service") for s in SERVICES})
    rogue_ca = CertificateAuthority.create(root / "rogue")
    rogue = rogue_ca.issue("s1-lane1", "device", store="s1")
    return Fleet(root, ca, broker, ids, rogue)


def start_tls_broker(fleet: Fleet, workdir: pathlib.Path) -> Broker:
    return Broker(workdir, tls=fleet.broker_tls(), acl=fleet.ca.write_acl(workdir / "acl.src").read_text()).start()
