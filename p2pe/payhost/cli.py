"""`lanekit-payhost`: the payment host's own command (the appliance's `lanekit` never loads it).

    lanekit-payhost serve --config /etc/lanekit/payhost.toml
    lanekit-payhost new-bdk /etc/lanekit/keys/bdk.key      # lab only: a random BDK, 0600
    lanekit-payhost ledger --config payhost.toml           # the ledger as JSON lines
    lanekit-payhost key-block --bdk-file F --kbpk-file K --ikid HEX   # lab key loading: TR-31 block

`serve` prints ``payhost listening on https://HOST:PORT`` once it accepts connections (port 0
picks a free port), and stops cleanly on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import pathlib
import signal
import sys

from p2pe.payhost.config import ConfigError, load_config
from p2pe.payhost.keys import KeyFileError, bdk_path, load_bdk, write_bdk
from p2pe.payhost.ledger import Ledger
from p2pe.payhost.server import PayhostServer, server_context
from p2pe.payhost.service import PaymentService

log = logging.getLogger("lanekit.payhost")


async def serve(config_path: pathlib.Path) -> int:
    cfg, base = load_config(config_path)
    bdk = load_bdk(bdk_path(cfg.bdk_file, base))
    ctx = server_context(str(cfg.path(cfg.cert, base)), str(cfg.path(cfg.key, base)),
                         str(cfg.path(cfg.client_ca, base)))
    ledger = Ledger(cfg.path(cfg.ledger, base))
    server = PayhostServer(PaymentService(ledger, bdk, cfg.rules, cfg.gift_cards, cfg.currency), ctx)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        port = await server.start(cfg.listen, cfg.port)
        print(f"payhost listening on https://{cfg.listen}:{port}", flush=True)
        await stop.wait()
    finally:
        await server.close()
        ledger.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="lanekit-payhost", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="answer lanes over mutual TLS")
    s.add_argument("--config", type=pathlib.Path, required=True)
    s = sub.add_parser("new-bdk", help="write a random 16-byte BDK (hex, mode 0600); lab use only")
    s.add_argument("path", type=pathlib.Path)
    s = sub.add_parser("ledger", help="print the ledger as JSON lines")
    s.add_argument("--config", type=pathlib.Path, required=True)
    s = sub.add_parser("key-block", help="print the TR-31 block that loads a PIN pad's AES DUKPT initial key "
                                         "(lab key loading; the KBPK is the pad's key block protection key)")
    s.add_argument("--bdk-file", type=pathlib.Path, required=True)
    s.add_argument("--kbpk-file", type=pathlib.Path, required=True)
    s.add_argument("--ikid", required=True, help="the pad's 8-byte initial key id, 16 hex digits")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "serve":
            return asyncio.run(serve(args.config))
        if args.command == "new-bdk":
            write_bdk(args.path, os.urandom(16))
            print(f"BDK written to {args.path} (0600)")
            return 0
        if args.command == "key-block":
            return _key_block(args.bdk_file, args.kbpk_file, args.ikid)
        cfg, base = load_config(args.config)
        ledger = Ledger(cfg.path(cfg.ledger, base))
        for row in ledger.rows():
            print(json.dumps(row, sort_keys=True))
        ledger.close()
        return 0
    except (ConfigError, KeyFileError, OSError) as err:
        log.error("%s", err)
        print(f"lanekit-payhost {args.command}: {err}", file=sys.stderr)
        return 1


def _key_block(bdk_file: pathlib.Path, kbpk_file: pathlib.Path, ikid: str) -> int:
    from p2pe.host import initial_key_block

    try:
        ik_id = bytes.fromhex(ikid)
    except ValueError:
        raise KeyFileError(f"--ikid {ikid!r} is not hex") from None
    if len(ik_id) != 8:
        raise KeyFileError(f"--ikid is 8 bytes (16 hex digits), not {len(ik_id)}")
    print(initial_key_block(load_bdk(bdk_file), ik_id, load_bdk(kbpk_file)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
