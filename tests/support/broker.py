"""A real mosquitto for tests: its own config in a temp dir, a free loopback port, start/stop/kill.

    broker = Broker(tmp_path / "broker", tls=TlsFiles(...), acl=acl_text)
    broker.start()          # waits until the port accepts connections; raises with the log if not
    broker.kill(); broker.start()   # same port, same persistence dir
    broker.reload()         # SIGHUP: re-reads ACL and CRL

The config comes from `mqtt.broker.config.render_config`, so tests exercise the production
template. mosquitto missing is an install bug: `MosquittoMissing` is raised, never a skip.
mosquitto drops privileges to its `user` before reading keys, ACL and CRL; tests run it as
the current user so it can read the pytest temp dirs (production keeps `mosquitto`).
"""

from __future__ import annotations

import getpass
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import time

from mqtt.broker.config import BrokerSettings, TlsFiles, render_config

HOST = "127.0.0.1"


class MosquittoMissing(RuntimeError):
    """The mosquitto binary is not installed (scripts/apt-test.txt installs it)."""


class BrokerFailed(RuntimeError):
    """mosquitto did not come up or did not go down; the message carries its log."""


def mosquitto_binary() -> str:
    found = shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if os.access(p, os.X_OK)), None
    )
    if found is None:
        raise MosquittoMissing(
            "mosquitto is not installed: the MQTT tests need a real broker "
            "(apt-get install mosquitto, listed in scripts/apt-test.txt)"
        )
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Broker:
    def __init__(
        self,
        workdir: pathlib.Path,
        *,
        tls: TlsFiles | None = None,
        acl: str | None = None,
        persistence: bool = True,
        port: int | None = None,
        allow_anonymous: bool | None = None,
        max_packet_size: int = 2 * 1024 * 1024,
    ) -> None:
        self.binary = mosquitto_binary()
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.tls = tls
        self.log_path = self.workdir / "mosquitto.log"
        self.conf_path = self.workdir / "mosquitto.conf"
        acl_path = None
        if acl is not None:
            acl_path = self.workdir / "acl"
            acl_path.write_text(acl, encoding="utf-8")
        data = None
        if persistence:
            data = self.workdir / "data"
            data.mkdir(exist_ok=True)
        settings = BrokerSettings(
            port=self.port,
            bind=HOST,
            tls=tls,
            acl_file=None if acl_path is None else str(acl_path),
            persistence_dir=None if data is None else str(data),
            user=getpass.getuser(),
            max_packet_size=max_packet_size,
            allow_anonymous=(tls is None and acl is None) if allow_anonymous is None else allow_anonymous,
            autosave_interval=1,
        )
        self.settings = settings
        self.conf_path.write_text(render_config(settings), encoding="utf-8")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def acl_path(self) -> pathlib.Path:
        return self.workdir / "acl"

    def set_acl(self, text: str) -> None:
        """Replace the ACL file; call reload() for a running broker to apply it."""
        self.acl_path.write_text(text, encoding="utf-8")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 10.0) -> Broker:
        if self.running:
            raise BrokerFailed(f"broker on port {self.port} is already running")
        with self.log_path.open("ab") as log:
            log.write(f"--- lanekit test: starting {self.binary} -c {self.conf_path}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [self.binary, "-c", str(self.conf_path)],
                stdout=log,
                stderr=log,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BrokerFailed(
                    f"mosquitto exited with {self.proc.returncode} at start-up on port {self.port}:\n{self.log()}"
                )
            if " running" in self.log().rsplit("--- lanekit test: starting", 1)[-1] and self._accepts():
                return self
            time.sleep(0.02)
        self.kill()
        raise BrokerFailed(f"mosquitto did not accept connections on port {self.port} within {timeout}s:\n{self.log()}")

    def _accepts(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def stop(self, timeout: float = 10.0) -> None:
        """Graceful: SIGTERM, which lets mosquitto write its persistence file."""
        if not self.running:
            return
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired as err:
            self.proc.kill()
            self.proc.wait()
            raise BrokerFailed(f"mosquitto ignored SIGTERM for {timeout}s:\n{self.log()}") from err

    def kill(self) -> None:
        """Abrupt: SIGKILL, as a power cut or OOM kill would do."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self, timeout: float = 10.0) -> Broker:
        self.stop()
        return self.start(timeout)

    def reload(self, timeout: float = 5.0) -> None:
        """SIGHUP: mosquitto re-reads its config, ACL file and certificates/CRL."""
        if not self.running:
            raise BrokerFailed("cannot reload a broker that is not running")
        assert self.proc is not None
        before = self.log().count("Reloading config")
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while self.log().count("Reloading config") <= before:
            if time.monotonic() > deadline:
                raise BrokerFailed(f"mosquitto did not log a reload within {timeout}s:\n{self.log()}")
            time.sleep(0.02)

    def __enter__(self) -> Broker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()
