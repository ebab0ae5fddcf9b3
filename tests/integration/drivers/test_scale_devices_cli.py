"""`lanekit devices test scale`, against a simulator and against a configured (pty) port."""

from __future__ import annotations

import argparse
import io
import pathlib
from decimal import Decimal

import pytest

from appliance import devices_scale
from drivers.scale import ScaleSim
from tests.support.proc import lanekit


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    devices_scale.add_scale_arguments(parser)
    return parser.parse_args(list(argv))


def test_the_command_reads_a_simulated_scale_in_a_real_process() -> None:
    proc = lanekit("devices", "test", "scale", "--sim", "toledo8217", "--sim-weight", "0.412", timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("scale sim-toledo8217: protocol toledo8217 on /dev/pts/")
    assert lines[1] == "weight 0.412 kg (stable)"


@pytest.mark.parametrize("protocol", ["nci", "sics", "dialog06", "epelsa", "toledo8213"])
async def test_sim_reads_the_weight_it_was_given(protocol: str) -> None:
    out = io.StringIO()
    assert await devices_scale.run_scale_test(_args("--sim", protocol, "--sim-weight", "0.750"), out) == 0
    assert out.getvalue().splitlines()[1] in ("weight 0.750 kg (stable)", "weight 0.75 kg (stable)")


async def test_configured_scale_on_a_port(tmp_path: pathlib.Path) -> None:
    async with ScaleSim("sics") as sim:
        sim.set(Decimal("12.5"), motion=True)
        cfg = tmp_path / "lanekit.toml"
        cfg.write_text(
            f'[devices.scale]\nprotocol = "sics"\nport = "{sim.port}"\nname = "lane-3"\n'
            'serial = { baudrate = 9600, bytesize = 8, parity = "N", stopbits = 1 }\n'
        )
        out = io.StringIO()
        assert await devices_scale.run_scale_test(_args("--config", str(cfg)), out) == 1
        sim.set(Decimal("12.5"))
        out2 = io.StringIO()
        assert await devices_scale.run_scale_test(_args("--config", str(cfg), "--wait", "2"), out2) == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == f"scale lane-3: protocol sics on {sim.port}"
    assert lines[1] == "status motion: command not executable: busy or no stability reached"
    assert out2.getvalue().splitlines()[1] == "weight 12.5 kg (stable)"


async def test_bad_configs_exit_2_naming_the_key(tmp_path: pathlib.Path) -> None:
    cfg = tmp_path / "lanekit.toml"
    cases = {
        '[devices.scale]\nprotocol = "nci"\nport = "/dev/ttyS0"\nserial = { parity = "X" }\n': "$.serial.parity",
        "[devices.scale\n": "not valid TOML",
        '[devices.printer]\nbackend = "file"\n': "has no [devices.scale] table",
    }
    for text, expected in cases.items():
        cfg.write_text(text)
        out = io.StringIO()
        assert await devices_scale.run_scale_test(_args("--config", str(cfg)), out) == 2, text
        assert expected in out.getvalue()


async def test_a_port_that_is_not_there_exits_3(tmp_path: pathlib.Path) -> None:
    cfg = tmp_path / "lanekit.toml"
    cfg.write_text('[devices.scale]\nprotocol = "toledo8217"\nport = "/dev/ttyLANEKIT-NONE"\n')
    out = io.StringIO()
    assert await devices_scale.run_scale_test(_args("--config", str(cfg)), out) == 3
    assert "cannot open serial port /dev/ttyLANEKIT-NONE at 9600 7E1" in out.getvalue()
