import argparse
import pathlib

from appliance.store import paths


def test_command_line_beats_environment() -> None:
    env = {"LANEKIT_DATA_DIR": "/env/dir", "INVOCATION_ID": "x"}
    assert paths.data_dir("/cli/dir", env) == pathlib.Path("/cli/dir")
    assert paths.data_dir(None, env) == pathlib.Path("/env/dir")


def test_service_default_under_systemd() -> None:
    assert paths.data_dir(None, {"INVOCATION_ID": "abc", "HOME": "/home/u"}) == pathlib.Path(
        "/var/lib/lanekit"
    )


def test_interactive_default_is_the_xdg_data_dir() -> None:
    env = {"HOME": "/home/u", "XDG_DATA_HOME": "/x/data"}
    assert paths.default_data_dir(env, euid=12345) == pathlib.Path("/x/data/lanekit")
    assert paths.default_data_dir({"HOME": "/home/u"}, euid=12345) == pathlib.Path(
        "/home/u/.local/share/lanekit"
    )
    # A relative XDG_DATA_HOME is invalid per the spec and ignored.
    rel = {"HOME": "/home/u", "XDG_DATA_HOME": "rel/data"}
    assert paths.default_data_dir(rel, euid=12345) == pathlib.Path("/home/u/.local/share/lanekit")


def test_data_dir_argument_parses() -> None:
    p = argparse.ArgumentParser()
    paths.add_data_dir_argument(p)
    assert p.parse_args(["--data-dir", "/d"]).data_dir == "/d"
    assert paths.journal_path(pathlib.Path("/d")) == pathlib.Path("/d/journal.db")
    assert paths.replica_path(pathlib.Path("/d")) == pathlib.Path("/d/replica.db")


async def test_store_opens_both_files_in_the_data_dir(tmp_path: pathlib.Path) -> None:
    from appliance.store import Store
    from tests.support.journal_events import ev

    root = tmp_path / "data" / "lane"
    async with Store(root) as s:
        await s.journal.append(ev("s", 1))
        assert await s.replica.count() == 0
        assert s.outbox is s.journal.outbox
    assert sorted(p.name for p in root.glob("*.db")) == ["journal.db", "replica.db"]
