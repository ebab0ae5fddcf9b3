"""The BDK: a hex file readable by its owner only, or the systemd credential ``bdk``."""

from __future__ import annotations

import os
import pathlib
import stat


class KeyFileError(ValueError):
    pass


def bdk_path(configured: str, base: pathlib.Path) -> pathlib.Path:
    if configured:
        p = pathlib.Path(configured)
        return p if p.is_absolute() else base / p
    creds = os.environ.get("CREDENTIALS_DIRECTORY")
    if not creds:
        raise KeyFileError("no bdk_file in the config and no systemd credential: set bdk_file, or run under "
                           "systemd with LoadCredential=bdk:...")
    return pathlib.Path(creds) / "bdk"


def load_bdk(path: pathlib.Path) -> bytes:
    """A 16-byte BDK from ``path`` (32 hex digits); refuses a file others can read."""
    try:
        st = path.stat()
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as err:
        raise KeyFileError(f"BDK file {path}: cannot read: {err}") from err
    if st.st_mode & 0o077:
        raise KeyFileError(f"BDK file {path} has mode {stat.S_IMODE(st.st_mode):04o}: it must be 0600 or 0400 "
                           "(owner only)")
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise KeyFileError(f"BDK file {path}: not hex") from None
    if len(key) != 16:
        raise KeyFileError(f"BDK file {path}: a BDK is 16 bytes (32 hex digits), not {len(key)}")
    return key


def write_bdk(path: pathlib.Path, key: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.hex().upper() + "\n")
