"""`lanekit pki`: the fleet CA on the command line (init, issue, revoke, crl, acl, list)."""

from __future__ import annotations

import argparse
import logging
import os
import pathlib
import signal
import sys

from mqtt.broker.config import BrokerConfigError
from mqtt.pki import KINDS, CertificateAuthority, PkiError

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", type=pathlib.Path, required=True, help="PKI directory (CA key lives in ROOT/ca, 0600)")
    sub = p.add_subparsers(dest="action", required=True)
    s = sub.add_parser("init", help="create the CA and an empty CRL")
    s.add_argument("--name", default="Lanekit Fleet CA")
    s.add_argument("--days", type=int, default=3650)
    s = sub.add_parser("issue", help="issue a key and certificate into ROOT/issued/IDENTITY/")
    s.add_argument("identity", help="certificate CN = MQTT username = client id")
    s.add_argument("--kind", choices=KINDS, required=True)
    s.add_argument("--store", help="the store whose feeds a device reads (devices only)")
    s.add_argument("--host", action="append", default=[], help="broker DNS name or IP (repeatable; broker only)")
    s.add_argument("--days", type=int, default=397)
    s.add_argument("--owner", help="chown the 0600 key to this user (e.g. mosquitto for the broker key)")
    s = sub.add_parser("revoke", help="revoke an identity's certificates and rewrite the CRL")
    s.add_argument("identity")
    s.add_argument("--reason", default="key_compromise")
    s.add_argument("--acl", type=pathlib.Path, help="also rewrite this broker ACL file")
    s.add_argument("--reload-pid", type=int, help="send SIGHUP to this mosquitto so it reloads CRL and ACL")
    s = sub.add_parser("crl", help="re-sign the CRL (do it well before its next-update date)")
    s.add_argument("--days", type=int, default=30)
    s = sub.add_parser("acl", help="write the broker ACL file from the certificate index")
    s.add_argument("out", type=pathlib.Path)
    sub.add_parser("list", help="list issued certificates")


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except (PkiError, BrokerConfigError) as err:
        log.error("pki %s refused: %s", args.action, err)
        print(f"lanekit pki {args.action}: {err}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.action == "init":
        ca = CertificateAuthority.create(args.root, args.name, args.days)
        print(f"CA created: {ca.ca_cert_path} (key {ca.ca_dir / 'ca.key'}, 0600); CRL {ca.crl_path}")
        return 0
    ca = CertificateAuthority(args.root)
    if args.action == "issue":
        issued = ca.issue(
            args.identity, args.kind, store=args.store, days=args.days, hostnames=args.host, key_owner=args.owner
        )
        print(f"issued {args.kind} {args.identity}: cert {issued.cert} key {issued.key} ca {issued.ca}")
    elif args.action == "revoke":
        serials = ca.revoke(args.identity, args.reason)
        print(f"revoked {args.identity}: serials {', '.join(f'{s:x}' for s in serials)}; CRL {ca.crl_path}")
        if args.acl:
            ca.write_acl(args.acl)
        if args.reload_pid:
            os.kill(args.reload_pid, signal.SIGHUP)
            print(f"sent SIGHUP to {args.reload_pid}: the broker refuses {args.identity} from its next connect")
        else:
            print("reload the broker (SIGHUP, `systemctl reload mosquitto`) so it reads the new CRL")
    elif args.action == "crl":
        print(f"CRL re-signed: {ca.write_crl(args.days)}")
    elif args.action == "acl":
        print(f"ACL written: {ca.write_acl(args.out)}")
    elif args.action == "list":
        for r in ca.records():
            state = f"revoked {r.revoked_at} ({r.reason})" if r.revoked_at else f"valid until {r.not_after}"
            print(f"{r.identity:<24} {r.kind:<8} {r.store or '-':<8} {r.serial:x} {state}")
    return 0
