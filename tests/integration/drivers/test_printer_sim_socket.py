"""Printers against the simulated printer over a real loopback socket (and a real pty)."""

from __future__ import annotations

import pathlib

import pytest

from drivers.events import DeviceInitError, DeviceTimeout, FrameError, PrinterStatus
from drivers.printer import (
    Barcode,
    Cut,
    DrawerError,
    PrinterProfile,
    PrintFailed,
    QrCode,
    ReceiptDocument,
    Row,
    SimulatedPrinter,
    StatusUnavailable,
    TextLine,
    open_printer,
    render_escpos,
)
from drivers.printer.spool import ReprintSpool

DOC = ReceiptDocument(
    (
        TextLine("Lanekit Markt"),
        Row("Äpfel", "€ 1,50"),
        Row("Crème brûlée £", "£ 3,00"),
        Barcode("0012034000042"),
        QrCode("https://lanekit.example/r/0012034000042"),
        Cut(),
    ),
    ref="0012-03-000042",
)
QUERY = [1, 2, 3, 4]


@pytest.fixture
async def sim() -> SimulatedPrinter:
    device = SimulatedPrinter("TM-T20II")
    await device.start()
    yield device
    await device.stop()


def settings(sim: SimulatedPrinter, **extra: object) -> dict[str, object]:
    host, port = sim.address
    return {"backend": "sim", "profile": "TM-T20II", "host": host, "port": port, "drawer_settle_s": 0.0, **extra}


async def test_receipt_reaches_the_printer_byte_exact_with_status_checks(sim: SimulatedPrinter, tmp_path: pathlib.Path) -> None:
    async with open_printer(settings(sim), spool_dir=tmp_path, device=sim) as printer:
        await printer.print(DOC)
    assert bytes(sim.received) == render_escpos(DOC, PrinterProfile.load("TM-T20II"))
    assert sim.status_requests == QUERY + QUERY  # before and after
    assert sim.text().splitlines()[:3] == [
        "Lanekit Markt",
        "Äpfel" + " " * 37 + "€ 1,50",
        "Crème brûlée £" + " " * 28 + "£ 3,00",
    ]
    assert sim.cuts == 1 and sim.errors == []
    assert ReprintSpool(tmp_path).pending() == []
    assert printer.pending_events() == []


async def test_paper_out_at_print_time_keeps_the_receipt_and_alerts(sim: SimulatedPrinter, tmp_path: pathlib.Path) -> None:
    sim.paper_out = True
    async with open_printer(settings(sim), spool_dir=tmp_path, device=sim) as printer:
        with pytest.raises(PrintFailed) as info:
            await printer.print(DOC)
        assert sim.received == b""  # nothing sent to a printer without paper
        entry = info.value.entry
        assert entry is not None and entry.path.exists() and entry.attempts == 1
        assert "paper out" in entry.last_error
        [alert] = printer.pending_events()
        assert isinstance(alert, PrinterStatus) and alert.paper_out and not alert.online
        assert "receipt 0012-03-000042 not printed" in alert.detail and entry.path.name in alert.detail

        spool = ReprintSpool(tmp_path)
        [pending] = spool.pending()
        assert spool.load(pending) == DOC

        sim.paper_out = False  # the attendant loads paper; the lane reprints
        assert await printer.reprint_pending() == 1
    assert bytes(sim.received) == render_escpos(DOC, PrinterProfile.load("TM-T20II"))
    assert spool.pending() == []


async def test_paper_running_out_mid_receipt_keeps_it_for_reprint(sim: SimulatedPrinter, tmp_path: pathlib.Path) -> None:
    sim.paper_runs_out_after = 30
    async with open_printer(settings(sim), spool_dir=tmp_path, device=sim) as printer:
        with pytest.raises(PrintFailed, match="while printing"):
            await printer.print(DOC)
        [alert] = printer.pending_events()
    assert alert.paper_out
    assert [e.ref for e in ReprintSpool(tmp_path).pending()] == ["0012-03-000042"]


async def test_cover_open_and_offline_refuse_to_print(sim: SimulatedPrinter, tmp_path: pathlib.Path) -> None:
    sim.cover_open = True
    async with open_printer(settings(sim), spool_dir=tmp_path, device=sim) as printer:
        with pytest.raises(PrintFailed, match="cover open"):
            await printer.print(DOC)
        sim.cover_open, sim.offline = False, True
        with pytest.raises(PrintFailed, match="offline"):
            await printer.print(DOC)
        assert [a.cover_open for a in printer.pending_events()] == [True, False]
    assert len(ReprintSpool(tmp_path).pending()) == 2


async def test_paper_near_end_prints_and_warns(sim: SimulatedPrinter, tmp_path: pathlib.Path) -> None:
    sim.paper_near_end = True
    async with open_printer(settings(sim), spool_dir=tmp_path, device=sim) as printer:
        await printer.print(DOC)
        [warning] = printer.pending_events()
    assert warning.paper_near_end and not warning.paper_out and warning.detail == "paper near end"
    assert sim.cuts == 1


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({}, PrinterStatus(online=True, drawer_open=False, device="printer", detail="ready")),
        ({"paper_near_end": True}, PrinterStatus(online=True, paper_near_end=True, drawer_open=False, device="printer", detail="paper near end")),
        ({"paper_out": True}, PrinterStatus(online=False, paper_out=True, paper_near_end=True, drawer_open=False, device="printer", detail="offline, paper out")),
        ({"cover_open": True}, PrinterStatus(online=False, cover_open=True, drawer_open=False, device="printer", detail="offline, cover open")),
        ({"drawer_open": True}, PrinterStatus(online=True, drawer_open=True, device="printer", detail="ready")),
    ],
)
async def test_status_over_the_socket(sim: SimulatedPrinter, tmp_path: pathlib.Path, state: dict[str, bool], expected: PrinterStatus) -> None:
    for k, v in state.items():
        setattr(sim, k, v)
    async with open_printer(settings(sim), spool_dir=tmp_path, device=sim) as printer:
        assert await printer.status() == expected


async def test_garbage_status_reply_is_a_frame_error_with_offset(sim: SimulatedPrinter, tmp_path: pathlib.Path) -> None:
    sim.status_garbage = b"\x12\xff\x12\x12"
    async with open_printer(settings(sim), spool_dir=tmp_path, device=sim) as printer:
        with pytest.raises(FrameError) as info:
            await printer.status()
        assert info.value.offset == 1
        # a print whose status cannot be read is kept, not lost
        with pytest.raises(PrintFailed, match="offline cause"):
            await printer.print(DOC)
    assert len(ReprintSpool(tmp_path).pending()) == 1


async def test_silent_printer_times_out_and_print_is_spooled(sim: SimulatedPrinter, tmp_path: pathlib.Path) -> None:
    sim.answer_status = False
    async with open_printer(settings(sim, status_timeout_s=0.2), spool_dir=tmp_path, device=sim) as printer:
        with pytest.raises(DeviceTimeout):
            await printer.status()
        with pytest.raises(PrintFailed, match="no answer to DLE EOT"):
            await printer.print(DOC)
    assert len(ReprintSpool(tmp_path).pending()) == 1


async def test_drawer_kick_then_sensor_check(sim: SimulatedPrinter, tmp_path: pathlib.Path) -> None:
    async with open_printer(settings(sim), spool_dir=tmp_path, device=sim) as printer:
        status = await printer.open_drawer(5)
        assert status.drawer_open is True and sim.drawer_kicks == [5]
        assert bytes(sim.received) == bytes.fromhex("1b 70 01 32 32")
        sim.drawer_open, sim.drawer_jammed = False, True
        with pytest.raises(DrawerError, match="did not open after the kick on pin 2"):
            await printer.open_drawer(2)
        [alert] = printer.pending_events()
        assert alert.drawer_open is False


async def test_drawer_without_sensor_reports_unknown(sim: SimulatedPrinter, tmp_path: pathlib.Path) -> None:
    async with open_printer(settings(sim, drawer_open_level="none"), spool_dir=tmp_path, device=sim) as printer:
        status = await printer.open_drawer()
    assert status.drawer_open is None and sim.status_requests == []


async def test_sim_backend_owns_its_simulator_when_port_is_zero(tmp_path: pathlib.Path) -> None:
    printer = open_printer({"backend": "sim", "profile": "POS-5890"}, spool_dir=tmp_path)
    async with printer:
        await printer.print(DOC)
        device = printer.device
        assert device is not None and device.cuts == 0  # POS-5890 has no cutter
        assert "Äpfel" in device.text()
    await printer.close()  # idempotent
    assert not device.running


async def test_closed_port_is_an_init_error_and_close_is_a_no_op(tmp_path: pathlib.Path) -> None:
    sim = SimulatedPrinter()
    host, port = await sim.start()
    await sim.stop()  # nothing listens there now
    printer = open_printer({"backend": "network", "host": host, "port": port}, spool_dir=tmp_path)
    with pytest.raises(DeviceInitError, match=f"cannot connect to {host}:{port}"):
        await printer.open()
    await printer.close()
    assert printer.closed
    with pytest.raises(RuntimeError, match="not open"):
        await printer.print(DOC)


async def test_serial_backend_on_a_pty(tmp_path: pathlib.Path) -> None:
    sim = SimulatedPrinter("POS-5890")
    path = sim.open_pty()
    try:
        cfg = {"backend": "serial", "port": path, "profile": "POS-5890", "dsrdtr": False, "baudrate": 115200}
        async with open_printer(cfg, spool_dir=tmp_path) as printer:
            assert (await printer.status()).online
            await printer.print(DOC)  # the status answered after it proves the bytes were read
        assert bytes(sim.received) == render_escpos(DOC, PrinterProfile.load("POS-5890"))
        assert sim.status_requests == QUERY * 3
    finally:
        await sim.stop()


async def test_file_backend_writes_bytes_and_has_no_status(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "receipt.bin"
    async with open_printer({"backend": "file", "path": str(out), "profile": "TM-T20II"}, spool_dir=tmp_path / "spool") as printer:
        with pytest.raises(StatusUnavailable):
            await printer.status()
        await printer.print(DOC)
        drawer = await printer.open_drawer()
    assert out.read_bytes() == render_escpos(DOC, PrinterProfile.load("TM-T20II")) + bytes.fromhex("1b 70 00 32 32")
    assert drawer.drawer_open is None


async def test_unwritable_file_is_an_init_error(tmp_path: pathlib.Path) -> None:
    printer = open_printer({"backend": "file", "path": str(tmp_path / "no" / "such" / "dir")}, spool_dir=tmp_path)
    with pytest.raises(DeviceInitError, match="cannot open"):
        await printer.open()
