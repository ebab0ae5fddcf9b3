"""Certificate renewal over the device's existing mTLS connection.

The device sends a CSR for its own CN on `dev/{id}/pki/csr`; only that certificate can write
there (broker ACL pattern), so the topic's device id is authenticated by the connection. The
CA service signs (or refuses, e.g. revoked) and answers on `dev/{id}/pki/cert`. The device
checks the new certificate matches its new key, chains to the CA and names it, then swaps
the files; it uses them from its next connection.
"""

from __future__ import annotations

import logging
import pathlib

import msgspec
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from mqtt import topics
from mqtt.client import Client
from mqtt.errors import LinkError
from mqtt.pki import CertificateAuthority, PkiError, identity_of, make_csr, write_private, write_public

log = logging.getLogger(__name__)
MAX_CSR_BYTES = 4096


class RenewalReply(msgspec.Struct, frozen=True):
    ok: bool
    cert: str | None = None
    error: str | None = None


async def request_renewal(client: Client, identity: str, cert: pathlib.Path, key: pathlib.Path, ca: pathlib.Path, *, timeout: float = 30.0) -> None:
    """Device side: renew our certificate through the connected `client`; files swapped on success."""
    key_pem, csr_pem = make_csr(identity)
    reply_topic = topics.pki_cert(identity)
    await client.subscribe(reply_topic, qos=1)
    await client.publish(topics.pki_csr(identity), csr_pem, qos=1)
    while True:
        msg = await client.next_message(timeout=timeout)
        if msg.topic == reply_topic:
            break
    try:
        reply = msgspec.json.decode(msg.payload, type=RenewalReply)
    except msgspec.DecodeError as err:
        raise PkiError(f"renewal reply for {identity!r} is malformed: {err}") from err
    if not reply.ok or reply.cert is None:
        raise PkiError(f"renewal for {identity!r} refused by the CA: {reply.error}")
    new_cert = reply.cert.encode()
    _check_pair(identity, new_cert, key_pem, ca.read_bytes())
    write_private(key.with_name(key.name + ".new"), key_pem)
    write_public(cert.with_name(cert.name + ".new"), new_cert)
    # key first: a crash between the renames leaves the new key with the old cert's ".new" twin
    # still on disk, which the next renewal simply redoes.
    key.with_name(key.name + ".new").replace(key)
    cert.with_name(cert.name + ".new").replace(cert)
    log.info("renewed certificate of %s", identity)


def _check_pair(identity: str, cert_pem: bytes, key_pem: bytes, ca_pem: bytes) -> None:
    try:
        c = x509.load_pem_x509_certificate(cert_pem)
        k = serialization.load_pem_private_key(key_pem, None)
        c.verify_directly_issued_by(x509.load_pem_x509_certificate(ca_pem))
    except (ValueError, TypeError) as err:
        raise PkiError(f"renewed certificate for {identity!r} is unusable: {err}") from err
    if c.public_key() != k.public_key():
        raise PkiError(f"renewed certificate for {identity!r} does not match the key we sent")
    if identity_of(cert_pem) != identity:
        raise PkiError(f"renewed certificate names {identity_of(cert_pem)!r}, not {identity!r}")


async def serve_renewals(client: Client, ca: CertificateAuthority, *, days: int = 397) -> None:
    """CA service side: answer every CSR on the fleet until the connection ends."""
    await client.subscribe(topics.ALL_CSRS, qos=1)
    async for msg in client.messages():
        try:
            device = topics.device_of(msg.topic)
        except ValueError:
            continue
        if msg.topic != topics.pki_csr(device):
            continue
        if len(msg.payload) > MAX_CSR_BYTES:
            reply = RenewalReply(False, error=f"CSR of {len(msg.payload)} bytes exceeds {MAX_CSR_BYTES}")
        else:
            try:
                reply = RenewalReply(True, cert=ca.renew(device, msg.payload, days=days).decode())
            except PkiError as err:
                reply = RenewalReply(False, error=str(err))
        if not reply.ok:
            log.warning("renewal for %s refused: %s", device, reply.error)
        try:
            await client.publish(topics.pki_cert(device), msgspec.json.encode(reply), qos=1)
        except LinkError as err:
            log.warning("could not answer renewal of %s: %s", device, err)
            raise
