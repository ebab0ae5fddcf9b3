from __future__ import annotations

import pathlib
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mqtt.pki import CertificateAuthority, PkiError, make_csr


@pytest.fixture
def ca(tmp_path: pathlib.Path) -> CertificateAuthority:
    return CertificateAuthority.create(tmp_path / "pki")


def test_ca_and_device_files_are_p256_keys_0600_and_chain(ca: CertificateAuthority) -> None:
    issued = ca.issue("s1-lane1", "device", store="s1")
    assert stat.S_IMODE((ca.ca_dir / "ca.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(issued.key.stat().st_mode) == 0o600
    cert = x509.load_pem_x509_certificate(issued.cert.read_bytes())
    cacert = x509.load_pem_x509_certificate(ca.ca_cert_path.read_bytes())
    cert.verify_directly_issued_by(cacert)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "s1-lane1"
    pub = cert.public_key()
    assert isinstance(pub, ec.EllipticCurvePublicKey) and pub.curve.name == "secp256r1"
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert cacert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_broker_cert_carries_server_auth_and_sans(ca: CertificateAuthority) -> None:
    issued = ca.issue("broker", "broker", hostnames=["127.0.0.1", "mqtt.store1.example"])
    cert = x509.load_pem_x509_certificate(issued.cert.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["mqtt.store1.example"]
    assert [str(i) for i in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.SERVER_AUTH]


@pytest.mark.parametrize(
    ("identity", "kind", "store", "why"),
    [
        ("s1/lane1", "device", "s1", "not allowed"),
        ("s1-lane1", "device", None, "needs --store"),
        ("s1-lane1", "printer", None, "unknown certificate kind"),
        ("", "service", None, "not allowed"),
        ("a+b", "service", None, "not allowed"),
    ],
)
def test_bad_issue_requests_are_refused(ca: CertificateAuthority, identity: str, kind: str, store: str | None, why: str) -> None:
    with pytest.raises(PkiError, match=why):
        ca.issue(identity, kind, store=store)
    assert ca.records() == []


def test_second_live_certificate_for_an_identity_is_refused(ca: CertificateAuthority) -> None:
    ca.issue("svc-hq", "service")
    with pytest.raises(PkiError, match="already has a valid certificate"):
        ca.issue("svc-hq", "service")


def test_revocation_lists_serial_in_signed_crl_and_drops_acl(ca: CertificateAuthority) -> None:
    a = ca.issue("s1-lane1", "device", store="s1")
    ca.issue("s1-lane2", "device", store="s1")
    serials = ca.revoke("s1-lane1", "key_compromise")
    crl = x509.load_pem_x509_crl(ca.crl_path.read_bytes())
    assert crl.is_signature_valid(x509.load_pem_x509_certificate(ca.ca_cert_path.read_bytes()).public_key())  # type: ignore[arg-type]
    assert [r.serial_number for r in crl] == serials
    assert crl.get_revoked_certificate_by_serial_number(serials[0]).extensions.get_extension_for_class(x509.CRLReason).value.reason == x509.ReasonFlags.key_compromise  # type: ignore[union-attr]
    assert ca.is_revoked(a.cert.read_bytes())
    assert [e.identity for e in ca.acl_entries()] == ["s1-lane2"]
    with pytest.raises(PkiError, match="no unrevoked certificate"):
        ca.revoke("s1-lane1")


def test_renewal_signs_only_own_identity_with_p256(ca: CertificateAuthority) -> None:
    ca.issue("s1-lane1", "device", store="s1")
    _, csr = make_csr("s1-lane1")
    cert = x509.load_pem_x509_certificate(ca.renew("s1-lane1", csr))
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "s1-lane1"
    _, other = make_csr("s1-lane2")
    with pytest.raises(PkiError, match="renews only itself"):
        ca.renew("s1-lane1", other)
    with pytest.raises(PkiError, match="not valid PEM"):
        ca.renew("s1-lane1", b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")
    with pytest.raises(PkiError, match="no valid, unrevoked certificate"):
        ca.renew("s9-lane9", make_csr("s9-lane9")[1])


def test_ca_refuses_to_overwrite_itself(tmp_path: pathlib.Path) -> None:
    CertificateAuthority.create(tmp_path / "pki")
    with pytest.raises(PkiError, match="already exists"):
        CertificateAuthority.create(tmp_path / "pki")
