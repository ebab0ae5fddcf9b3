import asyncio
import os
import pathlib
import socket

from appliance.sdnotify import notify, watchdog_interval, watchdog_pinger


def test_notify_sends_datagrams_to_the_socket(tmp_path: pathlib.Path) -> None:
    path = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as srv:
        srv.bind(path)
        assert notify("READY=1", {"NOTIFY_SOCKET": path})
        assert srv.recv(100) == b"READY=1"


def test_abstract_socket_and_absent_socket() -> None:
    name = f"lanekit-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as srv:
        srv.bind("\0" + name)
        assert notify("STATUS=ok", {"NOTIFY_SOCKET": "@" + name})
        assert srv.recv(100) == b"STATUS=ok"
    assert notify("READY=1", {}) is False
    assert notify("READY=1", {"NOTIFY_SOCKET": "/nonexistent/sock"}) is False


def test_watchdog_interval_is_half_the_timeout_for_this_pid() -> None:
    assert watchdog_interval({"WATCHDOG_USEC": "20000000"}) == 10.0
    assert watchdog_interval({"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": str(os.getpid())}) == 10.0
    assert watchdog_interval({"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval({}) is None


async def test_pinger_pings_from_the_event_loop(tmp_path: pathlib.Path) -> None:
    path = str(tmp_path / "wd.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as srv:
        srv.bind(path)
        srv.setblocking(False)
        task = asyncio.create_task(watchdog_pinger(0.01, {"NOTIFY_SOCKET": path}))
        got: list[bytes] = []
        while len(got) < 3:
            await asyncio.sleep(0.01)
            try:
                got.append(srv.recv(100))
            except BlockingIOError:
                pass
        task.cancel()
        assert set(got) == {b"WATCHDOG=1"}
