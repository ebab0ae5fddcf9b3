"""Scales on serial lines: Mettler Toledo 8217/8213, NCI/Weigh-Tronix ECR, MT-SICS, Dialog 06,
continuous output (Epelsa, CAS 22 bytes, Dini Argeo); and a simulator of each on a pty.

    scale = await open_scale(load_config(toml_table["scale"]))
    async with scale:
        weight = await stable_weight(scale, timeout=5)
"""

from drivers.scale.base import CommandUnsupported, Reading, Scale, ScaleClosedError
from drivers.scale.config import PTY_SETTINGS, ScaleConfig, ScaleConfigError, SerialSettings, load_config
from drivers.scale.detect import detect_protocol, probe_toledo_echo
from drivers.scale.interface import PROTOCOLS, open_scale, protocol_class
from drivers.scale.sim import SIM_PROTOCOLS, ScaleSim, SimReading
from drivers.scale.stable import NoStableWeight, stable_weight

__all__ = [
    "PROTOCOLS",
    "PTY_SETTINGS",
    "SIM_PROTOCOLS",
    "CommandUnsupported",
    "NoStableWeight",
    "Reading",
    "Scale",
    "ScaleClosedError",
    "ScaleConfig",
    "ScaleConfigError",
    "ScaleSim",
    "SerialSettings",
    "SimReading",
    "detect_protocol",
    "load_config",
    "open_scale",
    "probe_toledo_echo",
    "protocol_class",
    "stable_weight",
]
