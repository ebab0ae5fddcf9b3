"""Run the PIN-pad firmware under CPython, as a separate process, on ptys.

    python drivers/pinpad/firmware/_shim/run.py --flash DIR [--kbpk HEX] [--host-fd N --reader-fd M]

Without fds it opens two ptys itself and prints ``HOST <path>`` and ``READER <path>``: point the
host driver at HOST, and a terminal (or a test) at READER to type ``CHIP <hex>``, ``PIN 1234``...
The firmware package is imported as ``firmware`` exactly as on the board; only ``machine`` and
``cryptolib`` come from this shim.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import time
import tty

HERE = pathlib.Path(__file__).resolve().parent
FIRMWARE_PARENT = HERE.parent.parent  # drivers/pinpad: holds the 'firmware' package
REPO = FIRMWARE_PARENT.parent.parent  # holds 'p2pe'


def _pty() -> tuple[int, str]:
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    # keep the slave open: a pty master reads EIO while no slave is open
    _KEEP.append(slave)
    return master, path


_KEEP: list[int] = []


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flash", required=True, help="directory standing in for the board's flash")
    ap.add_argument("--kbpk", help="hex key block protection key to provision into flash (test/dev only)")
    ap.add_argument("--host-fd", type=int, help="fd of the host link (a pty master)")
    ap.add_argument("--reader-fd", type=int, help="fd of the card reader line channel")
    args = ap.parse_args(argv)
    flash = pathlib.Path(args.flash)
    flash.mkdir(parents=True, exist_ok=True)
    if args.kbpk:
        target = flash / "kbpk.bin"
        target.write_bytes(bytes.fromhex(args.kbpk))
        target.chmod(0o600)
    sys.path[:0] = [str(HERE), str(FIRMWARE_PARENT), str(REPO)]
    import machine  # the shim, first on sys.path

    # MicroPython's time has the tick counters CPython's lacks
    time.ticks_ms = lambda: int(time.monotonic() * 1000)  # type: ignore[attr-defined]
    time.sleep_ms = lambda ms: time.sleep(ms / 1000)  # type: ignore[attr-defined]
    time.ticks_diff = lambda a, b: a - b  # type: ignore[attr-defined]

    host_fd, reader_fd = args.host_fd, args.reader_fd
    if host_fd is None or reader_fd is None:
        host_fd, host_path = _pty()
        reader_fd, reader_path = _pty()
        print(f"HOST {host_path}\nREADER {reader_path}", flush=True)
    machine.configure({1: host_fd, 2: reader_fd})
    from firmware import main as firmware_main

    firmware_main.run(str(flash))


if __name__ == "__main__":
    main()
