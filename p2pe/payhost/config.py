"""The payment host's TOML configuration, validated into typed settings.

Paths are relative to the config file's folder. The BDK is never in the config: it is a file
(0600) named by ``bdk_file``, or the systemd credential ``bdk`` ($CREDENTIALS_DIRECTORY/bdk).
"""

from __future__ import annotations

import pathlib
import tomllib
from typing import Annotated

import msgspec


class ConfigError(ValueError):
    pass


class Rules(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    slow_seconds: Annotated[float, msgspec.Meta(ge=0, le=600)] = 2.0
    hang_seconds: Annotated[float, msgspec.Meta(ge=0, le=3600)] = 30.0
    wrong_pin: str = "0000"
    # test PAN -> decline code
    decline_pans: dict[str, str] = msgspec.field(
        default_factory=lambda: {"4000000000000002": "05", "4000000000009995": "51"})


class PayhostConfig(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    listen: str = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=0, le=65535)] = 8443
    cert: str
    key: str
    client_ca: str
    ledger: str = "/var/lib/lanekit-payhost/ledger.db"
    bdk_file: str = ""
    rules: Rules = msgspec.field(default_factory=Rules)
    currency: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")] = "EUR"
    # lab gift cards issued at start-up (number -> opening balance in minor units); existing ones keep theirs
    gift_cards: dict[str, Annotated[int, msgspec.Meta(ge=0)]] = msgspec.field(default_factory=dict)

    def path(self, value: str, base: pathlib.Path) -> pathlib.Path:
        p = pathlib.Path(value)
        return p if p.is_absolute() else base / p


def load_config(path: pathlib.Path) -> tuple[PayhostConfig, pathlib.Path]:
    """The settings and the folder relative paths are resolved against."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return msgspec.convert(data, type=PayhostConfig), path.resolve().parent
    except OSError as err:
        raise ConfigError(f"payhost config {path}: cannot read: {err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"payhost config {path}: not TOML: {err}") from err
    except msgspec.ValidationError as err:
        raise ConfigError(f"payhost config {path}: {err}") from err
