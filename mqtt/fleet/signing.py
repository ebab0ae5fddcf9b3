"""The fleet key: Ed25519 signatures over desired documents and commands.

HQ holds the private key (a 0600 PEM file); each device pins the public key (a PEM file on
the read-only root, written at provisioning). A device accepts nothing the pinned key did not
sign. The signature covers the exact payload bytes carried in the envelope, so what is
verified is what is decoded: there is no re-serialisation between the two.
"""

from __future__ import annotations

import pathlib

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from mqtt.pki import write_private, write_public


class SignatureRefused(ValueError):
    """An envelope is unsigned, malformed, or not signed by the pinned fleet key."""


class Signed(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What travels: the payload bytes and the Ed25519 signature over them (base64 in JSON)."""

    payload: bytes
    sig: bytes = b""


def generate(private_path: pathlib.Path, public_path: pathlib.Path) -> Ed25519PrivateKey:
    """A new fleet key: private PEM 0600, public PEM beside it (what devices pin)."""
    key = Ed25519PrivateKey.generate()
    write_private(private_path, key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    write_public(public_path, public_pem(key))
    return key


def public_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_private(path: pathlib.Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return key


def load_public(data: bytes, where: str = "fleet public key") -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as err:
        raise ValueError(f"{where}: not a PEM public key: {err}") from err
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{where}: not an Ed25519 public key")
    return key


def sign(key: Ed25519PrivateKey, payload: bytes) -> bytes:
    return msgspec.json.encode(Signed(payload=payload, sig=key.sign(payload)))


def verify(key: Ed25519PublicKey, data: bytes, where: str, max_bytes: int = 256 * 1024) -> bytes:
    """The payload of a signed envelope; raises SignatureRefused saying why it is refused."""
    if len(data) > max_bytes:
        raise SignatureRefused(f"{where}: {len(data)} bytes exceeds the {max_bytes}-byte limit")
    try:
        env = msgspec.json.decode(data, type=Signed)
    except msgspec.DecodeError as err:
        raise SignatureRefused(f"{where}: not a signed envelope: {err}") from err
    if not env.sig:
        raise SignatureRefused(f"{where}: unsigned document refused")
    try:
        key.verify(env.sig, env.payload)
    except InvalidSignature as err:
        raise SignatureRefused(f"{where}: signature does not verify with the pinned fleet key") from err
    return env.payload
