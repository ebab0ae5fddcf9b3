"""Settings: TOML validated into typed msgspec Structs, over embedded defaults.

`--config FILE` (default /etc/lanekit/lanekit.toml when present) overrides the defaults key by key;
an unknown key or a wrong type is refused with the path of the offending key. Secrets and keys are
files (0600) named here by path, never inline.
"""

from __future__ import annotations

import os
import pathlib
import tomllib
from typing import Annotated, Any, Literal

import msgspec

from appliance.domain.errors import DomainError

DEFAULT_CONFIG_PATH = pathlib.Path("/etc/lanekit/lanekit.toml")


class ConfigError(DomainError):
    """A configuration document that does not validate: names the file and the key at fault."""


class LaneSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: str = "lane-01"
    number: Annotated[int, msgspec.Meta(ge=1, le=999)] = 1  # printed in receipt references
    kind: Literal["kiosk", "handheld", "register"] = "kiosk"
    store_file: str = ""  # store profile TOML; default: <data-dir>/store.toml
    weight_timeout_s: float = 10.0


# One device's table, e.g. {backend = "evdev_wedge", vid_pid = "05e0:1200", layout = "de"}; its keys are
# validated by the driver's own settings schema when the device opens (a misspelt key is an error there).
DeviceTable = dict[str, Any]


class DevicesSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    scanner: DeviceTable | None = None
    scale: DeviceTable | None = None
    printer: DeviceTable | None = None
    pinpad: DeviceTable | None = None


class LinkSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    broker_url: str = ""  # empty: no broker, the lane runs standalone
    client_cert: str = ""
    client_key: str = ""
    ca_cert: str = ""


class Settings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    lane: LaneSettings = LaneSettings()
    devices: DevicesSettings = DevicesSettings()
    link: LinkSettings = LinkSettings()
    data_dir: str = ""


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def parse_settings(text: str, source: str = "<config>") -> Settings:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{source}: not valid TOML: {err}") from err
    defaults = msgspec.to_builtins(Settings())
    try:
        return msgspec.convert(_merge(defaults, doc), type=Settings)
    except msgspec.ValidationError as err:
        raise ConfigError(f"{source}: {err}") from err


def load_settings(path: str | os.PathLike[str] | None) -> Settings:
    """The settings from `path`, or from /etc/lanekit/lanekit.toml when present, else the defaults."""
    p = pathlib.Path(path) if path else (DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.exists() else None)
    if p is None:
        return Settings()
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{p}: cannot read the configuration: {err}") from err
    return parse_settings(text, str(p))


# Set at provisioning, never by a fleet push: a wrong value here would cut the lane off its broker
# or its data, and no later push could reach it to repair that.
_PROVISIONED = ("data_dir", "link")


def with_overlay(base: Settings, overlay: dict[str, Any], source: str = "<fleet config>") -> Settings:
    """`base` with a fleet config overlay merged key by key; ConfigError says which key is wrong."""
    if not isinstance(overlay, dict):
        raise ConfigError(f"{source}: a config overlay must be a table, got {type(overlay).__name__}")
    for key in _PROVISIONED:
        if key in overlay:
            raise ConfigError(f"{source}: {key!r} is set at provisioning and cannot be changed by the fleet")
    if isinstance(overlay.get("lane"), dict) and "id" in overlay["lane"]:
        raise ConfigError(f"{source}: 'lane.id' is set at provisioning and cannot be changed by the fleet")
    try:
        return msgspec.convert(_merge(msgspec.to_builtins(base), overlay), type=Settings)
    except msgspec.ValidationError as err:
        raise ConfigError(f"{source}: {err}") from err
