"""The fleet's desired state in the HQ database (SQLite): config layers, per-device documents, reports.

Layers are partial configs per scope — `all`, `region:R`, `store:S`, `lane:D` — each with its
own version; a device's desired config is their merge in that order (later wins, key by key).
A layer write names the version it read: if the layer moved on since, it is refused as a
`Conflict` (two fleet managers cannot silently overwrite each other). Device documents carry
versions from one fleet-wide counter, so a device's versions only ever go up, also across
rollbacks (a rollback is a new version with the old content).

All calls run on one worker thread (sqlite3 in a single-thread executor), each one transaction.
"""

from __future__ import annotations

import asyncio
import functools
import pathlib
import sqlite3
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import msgspec

from mqtt.fleet.wire import Reported

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS fleet_devices(
    device TEXT PRIMARY KEY, store TEXT NOT NULL, region TEXT NOT NULL DEFAULT '', role TEXT NOT NULL DEFAULT 'lane');
CREATE TABLE IF NOT EXISTS config_layers(
    scope TEXT PRIMARY KEY, version INTEGER NOT NULL, config BLOB NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS config_layer_history(
    scope TEXT NOT NULL, version INTEGER NOT NULL, config BLOB NOT NULL, PRIMARY KEY(scope, version));
CREATE TABLE IF NOT EXISTS device_desired(
    device TEXT PRIMARY KEY, version INTEGER NOT NULL, config BLOB NOT NULL, signed BLOB NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS fleet_counter(id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS device_reported(device TEXT PRIMARY KEY, doc BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS device_presence(
    device TEXT PRIMARY KEY, online INTEGER NOT NULL, software TEXT NOT NULL, at REAL NOT NULL);
"""

SCOPE_KINDS = ("all", "region", "store", "lane")


class Conflict(ValueError):
    """A layer write based on a version that is no longer current."""


def parse_target(text: str) -> str:
    """A scope from `all`, `region:NAME`, `store:ID` or `lane:DEVICE`; raises ValueError naming the problem."""
    if text == "all":
        return "all"
    kind, sep, name = text.partition(":")
    if not sep or kind not in SCOPE_KINDS[1:] or not name or any(c in name for c in "/+#:"):
        raise ValueError(f"target {text!r}: expected all, region:NAME, store:ID or lane:DEVICE")
    return f"{kind}:{name}"


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


class Device(msgspec.Struct, frozen=True):
    device: str
    store: str
    region: str
    role: str

    def scopes(self) -> list[str]:
        return ["all", f"region:{self.region}", f"store:{self.store}", f"lane:{self.device}"]


class FleetDb:
    def __init__(self, conn: sqlite3.Connection, executor: ThreadPoolExecutor) -> None:
        self._db = conn
        self._executor = executor

    @classmethod
    async def open(cls, path: pathlib.Path | str) -> FleetDb:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fleet-db")

        def connect() -> sqlite3.Connection:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=5000")
            conn.executescript(_SCHEMA)
            return conn

        return cls(await asyncio.get_running_loop().run_in_executor(executor, connect), executor)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, functools.partial(fn, *args))

    async def close(self) -> None:
        await self._run(self._db.close)
        self._executor.shutdown(wait=True)

    def _tx(self, fn: Callable[[], T]) -> T:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            out = fn()
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return out

    # -- devices --------------------------------------------------------------------------
    async def register(self, devices: Iterable[Device]) -> None:
        rows = [(d.device, d.store, d.region, d.role) for d in devices]
        await self._run(self._tx, lambda: self._db.executemany(
            "INSERT INTO fleet_devices VALUES (?,?,?,?) ON CONFLICT(device) DO UPDATE SET "
            "store=excluded.store, region=excluded.region, role=excluded.role", rows))

    async def devices(self, scope: str = "all") -> list[Device]:
        kind, _, name = scope.partition(":")
        where = {"all": ("1=1", ()), "region": ("region=?", (name,)), "store": ("store=?", (name,)),
                 "lane": ("device=?", (name,))}[kind]
        rows = await self._run(lambda: self._db.execute(
            f"SELECT device, store, region, role FROM fleet_devices WHERE {where[0]} ORDER BY device", where[1]
        ).fetchall())
        return [Device(*r) for r in rows]

    # -- layers ---------------------------------------------------------------------------
    async def layer(self, scope: str) -> tuple[int, dict[str, Any]]:
        return await self._run(self._layer, scope)

    def _layer(self, scope: str) -> tuple[int, dict[str, Any]]:
        row = self._db.execute("SELECT version, config FROM config_layers WHERE scope=?", (scope,)).fetchone()
        return (0, {}) if row is None else (row[0], msgspec.json.decode(row[1]))

    async def layer_at(self, scope: str, version: int) -> dict[str, Any]:
        row = await self._run(lambda: self._db.execute(
            "SELECT config FROM config_layer_history WHERE scope=? AND version=?", (scope, version)).fetchone())
        return {} if row is None else msgspec.json.decode(row[0])

    async def put_layer(self, scope: str, config: dict[str, Any], read_version: int) -> int:
        """Write a layer if it is still at `read_version`; returns the new version, raises Conflict if not."""
        return await self._run(self._tx, functools.partial(self._put_layer, scope, config, read_version))

    def _put_layer(self, scope: str, config: dict[str, Any], read_version: int) -> int:
        body = msgspec.json.encode(config)
        new = read_version + 1
        if read_version == 0:
            cur = self._db.execute(
                "INSERT INTO config_layers VALUES (?,?,?,?) ON CONFLICT(scope) DO NOTHING", (scope, new, body, time.time()))
        else:
            cur = self._db.execute(
                "UPDATE config_layers SET version=?, config=?, updated_at=? WHERE scope=? AND version=?",
                (new, body, time.time(), scope, read_version))
        if cur.rowcount != 1:
            now = self._layer(scope)[0]
            raise Conflict(f"layer {scope} is at version {now}, not {read_version}: changed by someone else; "
                           "re-read it and try again")
        self._db.execute("INSERT INTO config_layer_history VALUES (?,?,?)", (scope, new, body))
        return new

    # -- device documents -----------------------------------------------------------------
    async def merged(self, device: Device) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            out: dict[str, Any] = {}
            for scope in device.scopes():
                out = merge(out, self._layer(scope)[1])
            return out

        return await self._run(run)

    async def set_desired(self, docs: list[tuple[str, dict[str, Any]]], sign: Callable[[str, int, dict[str, Any]], bytes]) -> dict[str, tuple[int, bytes]]:
        """Give each (device, config) the next fleet version and its signed document, in one transaction."""
        def run() -> dict[str, tuple[int, bytes]]:
            row = self._db.execute("SELECT value FROM fleet_counter WHERE id=1").fetchone()
            value = 0 if row is None else row[0]
            out: dict[str, tuple[int, bytes]] = {}
            now = time.time()
            for device, config in docs:
                value += 1
                signed = sign(device, value, config)
                self._db.execute(
                    "INSERT INTO device_desired VALUES (?,?,?,?,?) ON CONFLICT(device) DO UPDATE SET "
                    "version=excluded.version, config=excluded.config, signed=excluded.signed, at=excluded.at",
                    (device, value, msgspec.json.encode(config), signed, now))
                out[device] = (value, signed)
            self._db.execute("INSERT INTO fleet_counter VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET value=excluded.value",
                             (value,))
            return out

        return await self._run(self._tx, run)

    async def desired(self, device: str) -> tuple[int, dict[str, Any], bytes] | None:
        row = await self._run(lambda: self._db.execute(
            "SELECT version, config, signed FROM device_desired WHERE device=?", (device,)).fetchone())
        return None if row is None else (row[0], msgspec.json.decode(row[1]), row[2])

    # -- what devices say -----------------------------------------------------------------
    async def record_report(self, device: str, report: Reported) -> None:
        await self._run(lambda: self._db.execute(
            "INSERT INTO device_reported VALUES (?,?) ON CONFLICT(device) DO UPDATE SET doc=excluded.doc",
            (device, msgspec.json.encode(report))))

    async def record_presence(self, device: str, online: bool, software: str, at: float) -> None:
        await self._run(lambda: self._db.execute(
            "INSERT INTO device_presence VALUES (?,?,?,?) ON CONFLICT(device) DO UPDATE SET "
            "online=excluded.online, software=excluded.software, at=excluded.at", (device, int(online), software, at)))

    async def status(self) -> list[tuple[Device, bool | None, str, int, Reported | None]]:
        """Per device: (device, online or None if never seen, software, desired version, last report)."""
        def run() -> list[tuple[Device, bool | None, str, int, Reported | None]]:
            rows = self._db.execute(
                "SELECT d.device, d.store, d.region, d.role, p.online, p.software, dd.version, r.doc "
                "FROM fleet_devices d LEFT JOIN device_presence p USING(device) "
                "LEFT JOIN device_desired dd USING(device) LEFT JOIN device_reported r USING(device) ORDER BY d.device"
            ).fetchall()
            return [(Device(*r[:4]), None if r[4] is None else bool(r[4]), r[5] or "", r[6] or 0,
                     None if r[7] is None else msgspec.json.decode(r[7], type=Reported)) for r in rows]

        return await self._run(run)
