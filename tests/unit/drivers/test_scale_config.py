"""Scale configuration is untrusted input: every mistake is a typed error naming the key."""

from __future__ import annotations

import tomllib

import pytest

from drivers.events import BackendUnavailable, DeviceInitError, WeightUnit
from drivers.scale import ScaleConfig, ScaleConfigError, SerialSettings, load_config, protocol_class
from drivers.scale.continuous import EpelsaScale
from drivers.scale.toledo import Toledo8217Scale

GOOD = """
[scale]
protocol = "toledo8217"
port = "/dev/ttyUSB0"
unit = "kg"
serial = { baudrate = 9600, bytesize = 7, parity = "E", stopbits = 1 }
"""


def test_a_good_table() -> None:
    cfg = load_config(tomllib.loads(GOOD)["scale"])
    assert cfg == ScaleConfig(protocol="toledo8217", port="/dev/ttyUSB0", serial=SerialSettings(9600, 7, "E", 1))
    assert protocol_class(cfg.protocol) is Toledo8217Scale
    assert Toledo8217Scale.PROTOCOL.serial == SerialSettings(9600, 7, "E", 1)  # Odoo's 9600 7E1


@pytest.mark.parametrize(
    ("table", "where"),
    [
        ({"protocol": "toledo8217", "port": "/dev/ttyS0", "baud": 9600}, "baud"),  # misspelt key
        ({"protocol": "bizerba", "port": "/dev/ttyS0"}, "$.protocol"),
        ({"protocol": "nci", "port": "/dev/ttyS0", "serial": {"parity": "M"}}, "$.serial.parity"),
        ({"protocol": "nci", "port": "/dev/ttyS0", "serial": {"bytesize": 9}}, "$.serial.bytesize"),
        ({"protocol": "nci", "port": "/dev/ttyS0", "serial": {"baudrate": 9601}}, "$.serial.baudrate"),
        ({"protocol": "nci"}, "port"),
        ({"protocol": "sics", "port": "/dev/ttyS0", "timeout": 0}, "timeout"),
        ({"protocol": "dialog06", "port": "/dev/ttyS0", "unit_price": 1_000_000}, "unit_price"),
        ({"protocol": "auto", "backend": "sim"}, "auto"),
        ({"protocol": "nci", "port": "/dev/ttyS0", "unit": "stone"}, "$.unit"),
    ],
)
def test_bad_tables_are_refused_naming_the_key(table: dict, where: str) -> None:
    with pytest.raises(ScaleConfigError) as info:
        load_config(table)
    assert where in str(info.value)


def test_an_unknown_protocol_name_is_backend_unavailable() -> None:
    with pytest.raises(BackendUnavailable, match="no such scale protocol"):
        protocol_class("bizerba")


async def test_a_unit_the_protocol_cannot_carry_is_refused_before_opening() -> None:
    with pytest.raises(ScaleConfigError, match="epelsa replies cannot be in g"):
        EpelsaScale("/nonexistent", unit=WeightUnit.G)


async def test_a_missing_port_is_a_device_init_error_naming_it() -> None:
    with pytest.raises(DeviceInitError, match="/dev/ttyLANEKIT-NONE at 9600 7E1"):
        Toledo8217Scale("/dev/ttyLANEKIT-NONE")
