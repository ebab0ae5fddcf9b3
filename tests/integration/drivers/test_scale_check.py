"""The field technician's scale check, against a simulator and against a configured (pty) port."""

from __future__ import annotations

import argparse
import io
import pathlib
from decimal import Decimal

import pytest

from appliance import scale_check
from drivers.scale import ScaleSim


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    scale_check.add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.mark.parametrize("protocol", ["toledo8217", "nci", "sics", "dialog06", "epelsa"])
async def test_sim_reads_the_weight_it_was_given(protocol: str) -> None:
    out = io.StringIO()
    assert await scale_check.run(_args("--sim", protocol, "--sim-weight", "0.750"), out) == 0
    assert out.getvalue().splitlines()[1] in ("weight 0.750 kg (stable)", "weight 0.75 kg (stable)")


async def test_configured_scale_on_a_port(tmp_path: pathlib.Path) -> None:
    async with ScaleSim("sics") as sim:
        sim.set(Decimal("12.5"), motion=True)
        cfg = tmp_path / "lane.toml"
        cfg.write_text(
            f'[scale]\nprotocol = "sics"\nport = "{sim.port}"\nname = "lane-3"\n'
            'serial = { baudrate = 9600, bytesize = 8, parity = "N", stopbits = 1 }\n'
        )
        out = io.StringIO()
        assert await scale_check.run(_args("--config", str(cfg)), out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == f"scale lane-3: protocol sics on {sim.port}"
    assert lines[1] == "status motion: command not executable: busy or no stability reached"


async def test_bad_config_exits_2_naming_the_key(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "lane.toml"
    cfg.write_text('[scale]\nprotocol = "nci"\nport = "/dev/ttyS0"\nserial = { parity = "X" }\n')
    assert await scale_check.run(_args("--config", str(cfg))) == 2
    assert "$.serial.parity" in capsys.readouterr().err
    cfg.write_text("[scale\n")
    assert await scale_check.run(_args("--config", str(cfg))) == 2
    assert "not valid TOML" in capsys.readouterr().err
