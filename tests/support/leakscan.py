"""Search files for card data in every encoding it could take: ASCII, packed BCD, hex text of
the ASCII, base64 (all three alignments, of the ASCII and of the BCD) and UTF-16 (LE and BE)."""

from __future__ import annotations

import base64
import pathlib


def encodings(secret: str) -> dict[str, bytes]:
    """name -> bytes to look for. `secret` is digits, with 'D' (or '=') as the track-2 separator."""
    ascii_ = secret.encode()
    out = {"ascii": ascii_, "hex-of-ascii": ascii_.hex().encode(), "HEX-of-ascii": ascii_.hex().upper().encode(),
           "utf-16-le": secret.encode("utf-16-le"), "utf-16-be": secret.encode("utf-16-be")}
    digits = secret.replace("=", "D")
    if len(digits) % 2 == 0:
        out["bcd"] = bytes.fromhex(digits)
    for name, raw in (("ascii", ascii_), ("bcd", out.get("bcd", b""))):
        if not raw:
            continue
        for k in range(3):
            # characters that depend on the secret alone, whatever precedes it
            out[f"base64-{name}-{k}"] = base64.b64encode(bytes(k) + raw)[4:-4]
    return out


def scan(paths: list[pathlib.Path], secrets: list[str]) -> list[tuple[str, str, str]]:
    """Every (file, secret, encoding) found."""
    needles = [(s, name, b) for s in secrets for name, b in encodings(s).items()]
    hits = []
    for path in paths:
        data = path.read_bytes()
        for secret, name, needle in needles:
            if needle in data:
                hits.append((str(path), secret, name))
    return hits


def files_under(root: pathlib.Path) -> list[pathlib.Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())
