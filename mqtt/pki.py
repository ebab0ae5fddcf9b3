"""The fleet's certificate authority: CA, broker, device and service certificates, CRL, ACL.

Layout under the PKI root (the CA host's disk; only `issued/<identity>/` travels to a device):

    ca/ca.crt  ca/ca.key (0600)  ca/index.json  ca/crl.pem
    issued/<identity>/cert.pem  key.pem (0600)  ca.pem

Every key is ECDSA P-256. An identity is the certificate CN, which the broker turns into the
MQTT username and client id, so it is also a topic level (`mqtt.broker.check_identity`).
Renewal signs a CSR that arrived over the device's existing mTLS connection (the broker's ACL
guarantees the topic's device id is the certificate's CN); revocation writes a new CRL that
the broker reloads on SIGHUP.
"""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import pwd

import msgspec
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mqtt.broker.config import AclEntry, BrokerConfigError, check_identity, render_acl

KINDS = ("broker", "device", "service")
_REASONS = {
    "key_compromise": x509.ReasonFlags.key_compromise,
    "superseded": x509.ReasonFlags.superseded,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
    "unspecified": x509.ReasonFlags.unspecified,
}


class PkiError(Exception):
    """A PKI operation was refused; the message says what and why."""


class CertRecord(msgspec.Struct, kw_only=True):
    identity: str
    kind: str
    serial: int
    not_after: str
    store: str | None = None
    revoked_at: str | None = None
    reason: str | None = None


class _Index(msgspec.Struct):
    certs: list[CertRecord] = msgspec.field(default_factory=list)


class Issued(msgspec.Struct, frozen=True):
    """Where an identity's files are: certificate, private key and the CA to trust."""

    cert: pathlib.Path
    key: pathlib.Path
    ca: pathlib.Path


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def write_private(path: pathlib.Path, data: bytes, owner: str | None = None) -> None:
    """Write a secret with 0600 from the first byte; chown to `owner` when we are root."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    if owner is not None and os.geteuid() == 0:
        try:
            pw = pwd.getpwnam(owner)
        except KeyError as err:
            raise PkiError(f"cannot give {path} to user {owner!r}: no such user") from err
        os.chown(tmp, pw.pw_uid, pw.pw_gid)
    os.replace(tmp, path)


def write_public(path: pathlib.Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def make_csr(identity: str) -> tuple[bytes, bytes]:
    """Device side of renewal: a fresh key (PEM) and a CSR for the same identity (PEM)."""
    check_identity(identity)
    key = _new_key()
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, identity)]))
        .sign(key, hashes.SHA256())
    )
    return _key_pem(key), csr.public_bytes(serialization.Encoding.PEM)


def identity_of(cert_pem: bytes) -> str:
    cert = x509.load_pem_x509_certificate(cert_pem)
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if len(cns) != 1:
        raise PkiError("certificate has no single CN")
    return str(cns[0].value)


class CertificateAuthority:
    def __init__(self, root: pathlib.Path) -> None:
        self.root = pathlib.Path(root)
        self.ca_dir = self.root / "ca"
        if not (self.ca_dir / "ca.crt").exists():
            raise PkiError(f"no CA at {self.ca_dir}: run `lanekit pki init` first")
        self._cert = x509.load_pem_x509_certificate((self.ca_dir / "ca.crt").read_bytes())
        key = serialization.load_pem_private_key((self.ca_dir / "ca.key").read_bytes(), None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise PkiError("the CA key is not an EC key")
        self._key = key

    # -- creation -------------------------------------------------------------------------
    @classmethod
    def create(cls, root: pathlib.Path, name: str = "Lanekit Fleet CA", days: int = 3650) -> CertificateAuthority:
        ca_dir = pathlib.Path(root) / "ca"
        if (ca_dir / "ca.crt").exists():
            raise PkiError(f"a CA already exists at {ca_dir}; refusing to overwrite it")
        key = _new_key()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                    key_encipherment=False, data_encipherment=False, key_agreement=False,
                    encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        write_private(ca_dir / "ca.key", _key_pem(key))
        write_public(ca_dir / "ca.crt", cert.public_bytes(serialization.Encoding.PEM))
        write_public(ca_dir / "index.json", msgspec.json.encode(_Index()))
        ca = cls(root)
        ca.write_crl()
        return ca

    @property
    def ca_cert_path(self) -> pathlib.Path:
        return self.ca_dir / "ca.crt"

    @property
    def crl_path(self) -> pathlib.Path:
        return self.ca_dir / "crl.pem"

    # -- index ----------------------------------------------------------------------------
    def records(self) -> list[CertRecord]:
        return msgspec.json.decode((self.ca_dir / "index.json").read_bytes(), type=_Index).certs

    def _save(self, records: list[CertRecord]) -> None:
        write_public(self.ca_dir / "index.json", msgspec.json.format(msgspec.json.encode(_Index(records))))

    def active(self, identity: str) -> list[CertRecord]:
        now = _now().isoformat()
        return [r for r in self.records() if r.identity == identity and r.revoked_at is None and r.not_after > now]

    # -- issuing --------------------------------------------------------------------------
    def _sign(
        self, identity: str, kind: str, public_key: ec.EllipticCurvePublicKey, days: int, hostnames: list[str]
    ) -> x509.Certificate:
        now = _now()
        usage = [ExtendedKeyUsageOID.SERVER_AUTH] if kind == "broker" else [ExtendedKeyUsageOID.CLIENT_AUTH]
        b = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, identity)]))
            .issuer_name(self._cert.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage(usage), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False
            )
        )
        if hostnames:
            import ipaddress

            names: list[x509.GeneralName] = []
            for h in hostnames:
                try:
                    names.append(x509.IPAddress(ipaddress.ip_address(h)))
                except ValueError:
                    names.append(x509.DNSName(h))
            b = b.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return b.sign(self._key, hashes.SHA256())

    def _record(self, cert: x509.Certificate, identity: str, kind: str, store: str | None) -> None:
        records = self.records()
        records.append(
            CertRecord(
                identity=identity, kind=kind, serial=cert.serial_number, store=store,
                not_after=cert.not_valid_after_utc.isoformat(),
            )
        )
        self._save(records)

    def issue(
        self,
        identity: str,
        kind: str,
        *,
        store: str | None = None,
        days: int = 397,
        hostnames: list[str] | None = None,
        key_owner: str | None = None,
    ) -> Issued:
        """A new key and certificate under issued/<identity>/ (key 0600, owned by `key_owner`)."""
        try:
            check_identity(identity)
            if store is not None:
                check_identity(store, "store")
        except BrokerConfigError as err:
            raise PkiError(str(err)) from err
        if kind not in KINDS:
            raise PkiError(f"unknown certificate kind {kind!r}: choose one of {', '.join(KINDS)}")
        if kind == "device" and store is None:
            raise PkiError(f"device {identity!r} needs --store: a device reads its own store's feeds")
        if kind != "broker" and self.active(identity):
            raise PkiError(f"{identity!r} already has a valid certificate: renew it, or revoke it first")
        key = _new_key()
        cert = self._sign(identity, kind, key.public_key(), days, hostnames or [])
        out = self.root / "issued" / identity
        write_private(out / "key.pem", _key_pem(key), owner=key_owner)
        write_public(out / "cert.pem", cert.public_bytes(serialization.Encoding.PEM))
        write_public(out / "ca.pem", self.ca_cert_path.read_bytes())
        self._record(cert, identity, kind, store)
        return Issued(out / "cert.pem", out / "key.pem", out / "ca.pem")

    def renew(self, identity: str, csr_pem: bytes, *, days: int = 397) -> bytes:
        """Sign a renewal CSR for `identity`, who proved it over mTLS; returns the new cert (PEM).

        The CSR must name the same identity, carry a valid self-signature over a P-256 key, and
        the identity must hold a valid, unrevoked certificate: a revoked device cannot renew.
        """
        try:
            csr = x509.load_pem_x509_csr(csr_pem)
        except ValueError as err:
            raise PkiError(f"renewal for {identity!r}: the CSR is not valid PEM ({err})") from err
        if not csr.is_signature_valid:
            raise PkiError(f"renewal for {identity!r}: the CSR's signature does not verify")
        cns = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        if len(cns) != 1 or cns[0].value != identity:
            asked = cns[0].value if cns else None
            raise PkiError(f"renewal for {identity!r}: the CSR asks for {asked!r}; a device renews only itself")
        pub = csr.public_key()
        if not isinstance(pub, ec.EllipticCurvePublicKey) or pub.curve.name != "secp256r1":
            raise PkiError(f"renewal for {identity!r}: the CSR's key is not ECDSA P-256")
        current = self.active(identity)
        if not current:
            raise PkiError(f"renewal for {identity!r} refused: no valid, unrevoked certificate to renew")
        kind, store = current[-1].kind, current[-1].store
        if kind == "broker":
            raise PkiError("broker certificates are renewed on the CA host, not over MQTT")
        cert = self._sign(identity, kind, pub, days, [])
        self._record(cert, identity, kind, store)
        return cert.public_bytes(serialization.Encoding.PEM)

    # -- revocation -----------------------------------------------------------------------
    def revoke(self, identity: str, reason: str = "key_compromise") -> list[int]:
        """Revoke every valid certificate of `identity` and rewrite the CRL; returns the serials."""
        if reason not in _REASONS:
            raise PkiError(f"unknown revocation reason {reason!r}: choose one of {', '.join(_REASONS)}")
        records = self.records()
        now = _now().isoformat()
        hit = [r for r in records if r.identity == identity and r.revoked_at is None]
        if not hit:
            raise PkiError(f"{identity!r} has no unrevoked certificate to revoke")
        for r in hit:
            r.revoked_at, r.reason = now, reason
        self._save(records)
        self.write_crl()
        return [r.serial for r in hit]

    def write_crl(self, days: int = 30) -> pathlib.Path:
        """Sign a CRL of every revoked serial; it must be re-signed before `days` pass."""
        now = _now()
        b = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self._cert.subject)
            .last_update(now - dt.timedelta(minutes=5))
            .next_update(now + dt.timedelta(days=days))
        )
        for r in self.records():
            if r.revoked_at is None:
                continue
            b = b.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(r.serial)
                .revocation_date(dt.datetime.fromisoformat(r.revoked_at))
                .add_extension(x509.CRLReason(_REASONS.get(r.reason or "", x509.ReasonFlags.unspecified)), False)
                .build()
            )
        crl = b.sign(self._key, hashes.SHA256())
        write_public(self.crl_path, crl.public_bytes(serialization.Encoding.PEM))
        return self.crl_path

    def is_revoked(self, cert_pem: bytes) -> bool:
        crl = x509.load_pem_x509_crl(self.crl_path.read_bytes())
        cert = x509.load_pem_x509_certificate(cert_pem)
        return crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None

    def verify(self, cert_pem: bytes) -> str:
        """The identity of a certificate this CA signed; raises PkiError otherwise."""
        cert = x509.load_pem_x509_certificate(cert_pem)
        try:
            cert.verify_directly_issued_by(self._cert)
        except (ValueError, TypeError, InvalidSignature) as err:
            raise PkiError("certificate was not issued by this CA") from err
        return identity_of(cert_pem)

    # -- broker ACL -----------------------------------------------------------------------
    def acl_entries(self) -> list[AclEntry]:
        latest: dict[str, CertRecord] = {}
        for r in self.records():
            if r.kind in ("device", "service") and r.revoked_at is None:
                latest[r.identity] = r
        return [AclEntry(r.identity, r.kind, r.store) for r in latest.values()]

    def write_acl(self, path: pathlib.Path) -> pathlib.Path:
        write_public(pathlib.Path(path), render_acl(self.acl_entries()).encode())
        return pathlib.Path(path)
