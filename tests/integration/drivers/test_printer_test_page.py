"""The field technician's printer test page and `lanekit devices test printer`'s runner."""

from __future__ import annotations

import argparse
import io
import pathlib

import pytest

from appliance.devices_printer import add_printer_arguments, run_printer_test
from drivers.printer import PrinterProfile, SimulatedPrinter, render_escpos
from drivers.printer.testpage import CHARSET_LINE, build_test_page


@pytest.mark.parametrize(
    ("profile", "charset"),
    [
        ("TM-T20II", CHARSET_LINE),
        ("POS-5890", CHARSET_LINE),
        ("TM-T88II", CHARSET_LINE),  # CP1252 has all of them too
        ("simple", "? £ ¥ Ä Ö Ü ä ö ü ß é è à ç ñ"),  # CP437 has no €
    ],
)
def test_test_page_prints_the_charset_line_per_profile(profile: str, charset: str) -> None:
    prof = PrinterProfile.load(profile)
    sim = SimulatedPrinter(profile)
    sim.feed(render_escpos(build_test_page(prof), prof))
    lines = sim.text().splitlines()
    assert charset in lines
    assert "".join(str(i % 10) for i in range(1, prof.columns + 1)) in lines
    assert sim.errors == [] and sim.cuts == (1 if prof.can_cut else 0)


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_printer_arguments(parser)
    return parser.parse_args(argv)


async def test_runner_prints_on_a_simulated_printer(tmp_path: pathlib.Path) -> None:
    out = io.StringIO()
    png = tmp_path / "test.png"
    assert await run_printer_test(_args("--sim", "--profile", "POS-5890", "--png", str(png)), out) == 0
    text = out.getvalue()
    assert CHARSET_LINE in text
    assert "profile POS-5890, code page CP858 (ESC t 53)" in text
    assert "status: ready" in text and "0 cut(s)" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def test_runner_uses_the_config_table(tmp_path: pathlib.Path) -> None:
    sim = SimulatedPrinter("TM-T20II", paper_out=True)
    host, port = await sim.start()
    try:
        cfg = tmp_path / "lanekit.toml"
        cfg.write_text(f'[devices.printer]\nbackend = "network"\nhost = "{host}"\nport = {port}\nprofile = "TM-T20II"\n')
        out = io.StringIO()
        spool = tmp_path / "spool"
        assert await run_printer_test(_args("--config", str(cfg), "--spool-dir", str(spool)), out) == 1
        assert "test page NOT printed" in out.getvalue() and "paper out" in out.getvalue()
        assert [p.name for p in (spool / "pending").iterdir()] == ["00000001-test-page.json"]
        sim.paper_out = False
        out = io.StringIO()
        assert await run_printer_test(_args("--config", str(cfg), "--spool-dir", str(tmp_path / "s2")), out) == 0
        assert sim.cuts == 1
    finally:
        await sim.stop()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[devices.printer]\nbackend = "network"\nhots = "x"\n', "unknown field `hots`"),
        ("[devices]\n", "no [devices.printer] table"),
        ("[devices.printer\n", "not valid TOML"),
        ('[devices.printers]\nbackend = "sim"\n', "unknown field `printers`"),
    ],
)
async def test_runner_config_errors_exit_2(tmp_path: pathlib.Path, toml: str, message: str) -> None:
    cfg = tmp_path / "lanekit.toml"
    cfg.write_text(toml)
    out = io.StringIO()
    assert await run_printer_test(_args("--config", str(cfg)), out) == 2
    assert message in out.getvalue()


async def test_runner_unreachable_printer_exits_3(tmp_path: pathlib.Path) -> None:
    sim = SimulatedPrinter()
    host, port = await sim.start()
    await sim.stop()  # nothing listens there any more
    cfg = tmp_path / "lanekit.toml"
    cfg.write_text(f'[devices.printer]\nbackend = "network"\nhost = "{host}"\nport = {port}\n')
    out = io.StringIO()
    assert await run_printer_test(_args("--config", str(cfg)), out) == 3
    assert f"cannot connect to {host}:{port}" in out.getvalue()


def test_lanekit_devices_test_printer_sim_command(tmp_path: pathlib.Path) -> None:
    from tests.support.proc import lanekit

    png = tmp_path / "page.png"
    done = lanekit("devices", "test", "printer", "--sim", "--profile", "POS-5890", "--png", str(png))
    assert done.returncode == 0, done.stdout + done.stderr
    assert CHARSET_LINE in done.stdout.splitlines()
    assert "~ tear here (no cutter) ~" in done.stdout
    assert "status: ready" in done.stdout and "0 cut(s)" in done.stdout
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_lanekit_devices_test_printer_bad_config_exits_2(tmp_path: pathlib.Path) -> None:
    from tests.support.proc import lanekit

    cfg = tmp_path / "lanekit.toml"
    cfg.write_text('[devices.printer]\nbackend = "telepathy"\n')
    done = lanekit("devices", "test", "printer", "--config", str(cfg))
    assert done.returncode == 2
    assert "unknown printer backend 'telepathy'" in done.stdout
