"""Kivy's environment, set before Kivy is first imported (Kivy reads it at import time).

Without a display (no DISPLAY / WAYLAND_DISPLAY) the UI renders offscreen through SDL2, which
draws real pixels (the tests' screenshots); never Kivy's mock GL backend.
"""

from __future__ import annotations

import os
import tempfile


def prepare(*, headless: bool | None = None, width: int = 1280, height: int = 800) -> None:
    if "kivy" in __import__("sys").modules and os.environ.get("LANEKIT_KIVY_READY"):
        return
    if headless is None:
        headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
    os.environ.setdefault("KIVY_GL_BACKEND", "sdl2")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="lanekit-kivy-"))
    os.environ["LANEKIT_KIVY_READY"] = "1"
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("kivy", "exit_on_escape", "0")  # no way out of the app without an attendant
    Config.set("kivy", "keyboard_mode", "system")
    # only the mouse/touch provider SDL gives us: no probing of /dev/input (the scanner lives there)
    if Config.has_section("input"):
        for key in list(Config.options("input")):
            Config.remove_option("input", key)
    else:
        Config.add_section("input")
    Config.set("input", "mouse", "mouse")
