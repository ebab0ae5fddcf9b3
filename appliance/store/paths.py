"""Where the lane keeps its data: `--data-dir`, else `LANEKIT_DATA_DIR`, else a default.

The default is `/var/lib/lanekit` when running as the service (systemd sets `INVOCATION_ID` for
every unit it starts, and the service runs as the `lanekit` user), else the XDG data directory
(`$XDG_DATA_HOME/lanekit`, or `~/.local/share/lanekit`), so a developer's `lanekit demo` never
needs root. The replica and the journal are separate files (see DESIGN.md).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import pwd
from collections.abc import Mapping

SERVICE_DIR = pathlib.Path("/var/lib/lanekit")
SERVICE_USER = "lanekit"
REPLICA_FILE = "replica.db"
JOURNAL_FILE = "journal.db"


def _service_uid() -> int | None:
    try:
        return pwd.getpwnam(SERVICE_USER).pw_uid
    except KeyError:
        return None


def running_as_service(env: Mapping[str, str] | None = None, euid: int | None = None) -> bool:
    env = os.environ if env is None else env
    if env.get("INVOCATION_ID"):
        return True
    uid = os.geteuid() if euid is None else euid
    service_uid = _service_uid()
    return service_uid is not None and uid == service_uid


def default_data_dir(env: Mapping[str, str] | None = None, euid: int | None = None) -> pathlib.Path:
    env = os.environ if env is None else env
    if running_as_service(env, euid):
        return SERVICE_DIR
    xdg = env.get("XDG_DATA_HOME", "")
    # The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    base = (
        pathlib.Path(xdg)
        if xdg and os.path.isabs(xdg)
        else pathlib.Path(env.get("HOME") or pathlib.Path.home()) / ".local" / "share"
    )
    return base / "lanekit"


def data_dir(
    cli_value: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> pathlib.Path:
    """The data directory chosen by the command line, the environment, or the default (in that order)."""
    env = os.environ if env is None else env
    if cli_value:
        return pathlib.Path(cli_value).expanduser()
    if env.get("LANEKIT_DATA_DIR"):
        return pathlib.Path(env["LANEKIT_DATA_DIR"]).expanduser()
    return default_data_dir(env)


def add_data_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=None,
        help="where the replica and journal live (default: $LANEKIT_DATA_DIR, /var/lib/lanekit as a "
        "service, else $XDG_DATA_HOME/lanekit)",
    )


def replica_path(root: pathlib.Path) -> pathlib.Path:
    return root / REPLICA_FILE


def journal_path(root: pathlib.Path) -> pathlib.Path:
    return root / JOURNAL_FILE
