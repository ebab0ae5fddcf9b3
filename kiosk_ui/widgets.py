"""Kiosk widgets: large touch targets, high contrast, one font scale for the accessible mode."""

from __future__ import annotations

from kivy.graphics import Color, Rectangle
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label

BG = (0.06, 0.09, 0.14, 1)
PANEL = (0.12, 0.17, 0.25, 1)
ACCENT = (0.0, 0.55, 0.32, 1)  # pay / confirm: green with white text, contrast > 4.5:1
ALERT = (0.75, 0.1, 0.1, 1)
TEXT = (1, 1, 1, 1)
MUTED = (0.8, 0.85, 0.9, 1)
MIN_TOUCH = 72  # dp: a thumb, with room (EN 301 549 / EAA asks for generous targets)


class Scale:
    """Font scale shared by every widget; the accessible mode raises it."""

    factor = 1.0


def sp_(size: float) -> float:
    return dp(size * Scale.factor)


def fill(widget: BoxLayout, rgba: tuple[float, float, float, float]) -> None:
    with widget.canvas.before:
        Color(*rgba)
        rect = Rectangle(pos=widget.pos, size=widget.size)
    widget.bind(pos=lambda w, v: setattr(rect, "pos", v), size=lambda w, v: setattr(rect, "size", v))


def label(text: str = "", size: float = 22, color: tuple = TEXT, bold: bool = False, halign: str = "left",
          **kw: object) -> Label:
    lbl = Label(text=text, font_size=sp_(size), color=color, bold=bold, halign=halign, valign="middle", **kw)
    lbl.bind(size=lambda w, v: setattr(w, "text_size", v))
    return lbl


def button(text: str, on_press: object, *, color: tuple = PANEL, size: float = 26, name: str = "",
           height: float = MIN_TOUCH) -> Button:
    b = Button(text=text, font_size=sp_(size), background_normal="", background_color=color, color=TEXT,
               size_hint_y=None, height=dp(max(height, MIN_TOUCH)), bold=True)
    b.lanekit_name = name or text
    b.bind(on_release=lambda *_: on_press())
    return b
