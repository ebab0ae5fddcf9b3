"""A simulated ESC/POS printer: takes real bytes on a real loopback TCP socket (or a pty) and
answers DLE EOT real-time status from a scriptable state.

    sim = SimulatedPrinter(profile="TM-T20II")
    host, port = await sim.start()            # 127.0.0.1, a free port
    sim.paper_out = True                       # script the state at any time
    sim.paper_runs_out_after = 40              # ...or let paper end 40 bytes into the next job
    sim.text()                                 # what was printed, decoded with the selected table
    await sim.stop()

The state is per object (no module globals). Bytes are split into commands (escpos_stream), so a
10 04 01 inside raster data is data, not a status request, as on a real interpreter. A drawer
kick (ESC p) opens the drawer unless `drawer_jammed`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tty

from escpos.capabilities import CAPABILITIES, get_profile

from drivers.events import FrameError
from drivers.printer import escpos_stream
from drivers.printer.status import StatusBits, encode_status_byte

log = logging.getLogger(__name__)


class SimulatedPrinter:
    def __init__(
        self,
        profile: str = "default",
        *,
        paper_out: bool = False,
        paper_near_end: bool = False,
        cover_open: bool = False,
        drawer_open: bool = False,
        offline: bool = False,
        answer_status: bool = True,
    ) -> None:
        self.tables = {int(n): name for n, name in get_profile(profile).codePages.items()}
        self.paper_out = paper_out
        self.paper_near_end = paper_near_end
        self.cover_open = cover_open
        self.drawer_open = drawer_open
        self.offline = offline
        self.drawer_jammed = False
        self.autocutter_error = False
        self.answer_status = answer_status  # False: a model that ignores DLE EOT
        self.status_garbage: bytes | None = None  # script a broken status reply
        self.paper_runs_out_after: int | None = None
        self.received = bytearray()  # everything except real-time commands, as sent
        self.commands: list[escpos_stream.Command] = []
        self.status_requests: list[int] = []
        self.errors: list[FrameError] = []
        self.cuts = 0
        self.drawer_kicks: list[int] = []
        self.connections = 0
        self._pending = b""
        self._table = 0
        self._lines: list[str] = [""]
        self._server: asyncio.Server | None = None
        self._pty: tuple[int, int] | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    # -- state ---------------------------------------------------------------------------------

    def bits(self) -> StatusBits:
        return StatusBits(
            offline=self.offline or self.paper_out or self.cover_open,
            drawer_pin_high=self.drawer_open,
            cover_open=self.cover_open,
            feed_button=False,
            paper_end_stop=self.paper_out,
            error=self.autocutter_error,
            autocutter_error=self.autocutter_error,
            unrecoverable_error=False,
            auto_recoverable_error=False,
            paper_near_end=self.paper_near_end or self.paper_out,
            paper_out=self.paper_out,
        )

    def text(self) -> str:
        """Printed text so far, decoded with the code page table selected at each point."""
        return "\n".join(self._lines)

    # -- the interpreter -----------------------------------------------------------------------

    def feed(self, data: bytes) -> bytes:
        """Take bytes from the host; returns the bytes the printer sends back."""
        buf = self._pending + data
        pos, reply = 0, bytearray()
        while pos < len(buf):
            try:
                cmd = escpos_stream.next_command(buf, pos)
            except FrameError as err:
                log.warning("simulated printer: %s", err)
                self.errors.append(err)
                self.received += buf[pos : pos + 1]
                pos += 1
                continue
            if cmd is None:
                break
            pos += len(cmd.raw)
            reply += self._execute(cmd)
        self._pending = buf[pos:]
        return bytes(reply)

    def _execute(self, cmd: escpos_stream.Command) -> bytes:
        if cmd.name == "DLE EOT":
            n = cmd.args[0]
            self.status_requests.append(n)
            if not self.answer_status or not 1 <= n <= 4:
                return b""
            if self.status_garbage is not None:
                return self.status_garbage if n == 1 else b""
            return bytes([encode_status_byte(self.bits(), n)])
        if cmd.name.startswith("DLE"):
            return b""
        self.received += cmd.raw
        self.commands.append(cmd)
        if self.paper_runs_out_after is not None:
            self.paper_runs_out_after -= len(cmd.raw)
            if self.paper_runs_out_after <= 0:
                self.paper_out, self.paper_runs_out_after = True, None
        match cmd.name:
            case "ESC @":
                self._table = 0
            case "ESC t":
                self._table = cmd.args[0]
            case "text":
                self._lines[-1] += self._decode(cmd.args)
            case "LF":
                self._lines.append("")
            case "GS V":
                self.cuts += 1
            case "ESC p":
                self.drawer_kicks.append(2 if cmd.args[0] in (0, 48) else 5)
                if not self.drawer_jammed:
                    self.drawer_open = True
        return b""

    def _decode(self, data: bytes) -> str:
        name = self.tables.get(self._table, "CP437")
        enc = CAPABILITIES["encodings"].get(name, {})
        if "python_encode" in enc:
            return data.decode(enc["python_encode"], errors="replace")
        if "data" in enc:
            table = "".join(enc["data"])
            return "".join(chr(b) if b < 0x80 else table[b - 0x80] for b in data)
        return data.decode("latin-1")

    # -- TCP transport -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        """Listen on a real loopback socket; returns the bound address."""
        self._server = await asyncio.start_server(self._serve, host, port)
        sockname = self._server.sockets[0].getsockname()
        return sockname[0], sockname[1]

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def address(self) -> tuple[str, int]:
        assert self._server is not None, "start() the simulated printer first"
        sockname = self._server.sockets[0].getsockname()
        return sockname[0], sockname[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            while chunk := await reader.read(4096):
                reply = self.feed(chunk)
                if reply:
                    writer.write(reply)
                    await writer.drain()
        except ConnectionError as err:
            log.info("simulated printer: connection dropped: %s", err)
        finally:
            self._writers.discard(writer)
            writer.close()

    # -- pty transport (for the serial backend) ------------------------------------------------

    def open_pty(self) -> str:
        """Serve on a pseudo-terminal; returns the path the serial backend opens."""
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        asyncio.get_running_loop().add_reader(master, self._pty_readable, master)
        self._pty = (master, slave)
        return os.ttyname(slave)

    def _pty_readable(self, master: int) -> None:
        try:
            chunk = os.read(master, 4096)
        except BlockingIOError:
            return
        except OSError as err:  # EIO once the last slave fd closes
            log.info("simulated printer: pty read ended: %s", err)
            return
        reply = self.feed(chunk)
        if reply:
            os.write(master, reply)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for w in list(self._writers):
                w.close()
            await self._server.wait_closed()
            self._server = None
        if self._pty is not None:
            master, slave = self._pty
            asyncio.get_running_loop().remove_reader(master)
            os.close(master)
            os.close(slave)
            self._pty = None

    async def __aenter__(self) -> SimulatedPrinter:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
