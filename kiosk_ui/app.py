"""The kiosk app: screens driven by the lane's events; touches become lane commands.

Runs on the asyncio loop (Kivy's `async_run`), so no lane call ever blocks the UI: each command is
a task, and the lane's events arrive through an async iterator.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from kiosk_ui import env

env.prepare()

from kivy.app import App  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.uix.screenmanager import NoTransition, ScreenManager  # noqa: E402

from appliance.domain.money import Money  # noqa: E402
from appliance.lane import Lane, LaneError  # noqa: E402
from appliance.lane_events import (  # noqa: E402
    CommandRejected,
    LaneEvent,
    LaneNotice,
    SaleChanged,
    SaleFinished,
    ScanAccepted,
    ScanRejected,
    WeighingRequested,
)
from kiosk_ui.i18n import Language  # noqa: E402
from kiosk_ui.screens import AttendantScreen, AttractScreen, PayScreen, ScanScreen, ThanksScreen  # noqa: E402
from kiosk_ui.widgets import Scale  # noqa: E402

log = logging.getLogger(__name__)
THANKS_TIMEOUT_S = 8.0


def cash_amounts(balance_minor: int) -> list[int]:
    """Exact, then the next round notes a shopper would hand over (5, 10, 20, 50, 100 units)."""
    out = [balance_minor]
    for step in (500, 1000, 2000, 5000, 10000):
        up = -(-balance_minor // step) * step
        if up not in out:
            out.append(up)
    return out[:6]


class KioskApp(App):
    def __init__(self, lane: Lane, *, language: str = "de", portrait: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.lane = lane
        self.tr = Language(language)
        self.portrait = portrait
        self.sounds: list[str] = []  # "accept" / "reject" per scan (the audio backend plays them)
        self.tasks: set[asyncio.Task[Any]] = set()
        self._thanks_timer: Any = None

    # ---------------------------------------------------------------- build
    def build(self) -> ScreenManager:
        self.title = "Lanekit"
        tr = self.tr
        self.sm = ScreenManager(transition=NoTransition())
        self.attract = AttractScreen(tr, self.lane.profile.name, self.start_shopping, self.set_language)
        self.scan_screen = ScanScreen(tr, self.go_pay, self.call_help, self.toggle_accessible, self.portrait)
        self.pay_screen = PayScreen(tr, self.pay_cash, self.pay_points, self.pay_card, self.back_to_scan)
        self.thanks = ThanksScreen(tr, self.to_attract)
        self.attendant = AttendantScreen(tr, self.attendant_login, self.clear_intervention, self.attendant_done)
        for s in (self.attract, self.scan_screen, self.pay_screen, self.thanks, self.attendant):
            self.sm.add_widget(s)
        view = self.lane.view()
        if view is not None:  # a crash-restart returns to the open sale exactly as it was
            self.scan_screen.show(view)
            self.sm.current = "scan"
        return self.sm

    def on_start(self) -> None:
        self.spawn(self._listen())

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_event_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    # -------------------------------------------------------------- events
    async def _listen(self) -> None:
        async for event in self.lane.events():
            self.on_lane_event(event)

    def on_lane_event(self, event: LaneEvent) -> None:
        tr = self.tr
        match event:
            case SaleChanged(view=view):
                self.scan_screen.show(view)
                if self.sm.current == "attract":
                    self.sm.current = "scan"
                if self.sm.current == "pay":
                    self.pay_screen.show(view, cash_amounts(view.balance.minor))
            case ScanAccepted():
                self.sounds.append("accept")
                self.scan_screen.message.text = ""
            case ScanRejected(reason=reason):
                self.sounds.append("reject")
                self.scan_screen.message.text = reason
                if self.sm.current == "attract":
                    self.sm.current = "scan"
            case CommandRejected(reason=reason):
                self.scan_screen.message.text = reason
                self.pay_screen.prompt.text = reason
            case WeighingRequested(name=name, unit_price=price, unit=unit):
                self.scan_screen.message.text = (f"{tr('Place the item on the scale')}: {name} · "
                                                 f"{tr('Unit price')} {tr.money(price)}/{unit}")
            case SaleFinished(view=view):
                self.thanks.show(view)
                self.sm.current = "thanks"
                self._thanks_timer = Clock.schedule_once(lambda dt: self.to_attract(), THANKS_TIMEOUT_S)
            case LaneNotice(message=message):
                self.scan_screen.message.text = message

    # ------------------------------------------------------------ commands
    def start_shopping(self) -> None:
        self.scan_screen.show(self.lane.view())
        self.sm.current = "scan"

    def set_language(self, code: str) -> None:
        self.tr.set(code)
        for s in (self.attract,):
            s.refresh()
        self.scan_screen.show(self.lane.view())

    def toggle_accessible(self) -> None:
        Scale.factor = 1.0 if Scale.factor > 1 else 1.4
        self.scan_screen.message.text = "A+" if Scale.factor > 1 else ""

    def call_help(self) -> None:
        """The shopper asks for help; the attendant who comes logs in on this screen."""
        self.lane.notify("alert", "Shopper asked for help")
        self.scan_screen.message.text = self.tr("An attendant is on the way.")
        self.attendant.show(None, self.lane.view())
        self.sm.current = "attendant"

    def attendant_login(self, pin: str) -> None:
        async def go() -> None:
            try:
                who = await self.lane.attendant_login(pin)
            except LaneError as err:
                self.attendant.show(None, self.lane.view(), str(err))
                return
            self.attendant.show(who.name, self.lane.view())

        self.spawn(go())

    def clear_intervention(self, intervention_id: str, outcome: str) -> None:
        async def go() -> None:
            await self._command(self.lane.clear_intervention(intervention_id, outcome))
            who = self.lane.attendant
            self.attendant.show(who.name if who else None, self.lane.view())

        self.spawn(go())

    def attendant_done(self) -> None:
        async def go() -> None:
            await self.lane.attendant_logout()
            self.scan_screen.show(self.lane.view())
            self.sm.current = "scan" if self.lane.view() is not None else "attract"

        self.spawn(go())

    def go_pay(self) -> None:
        view = self.lane.view()
        if view is None or not view.lines:
            return
        self.pay_screen.prompt.text = ""
        self.pay_screen.show(view, cash_amounts(view.balance.minor))
        self.sm.current = "pay"

    def back_to_scan(self) -> None:
        self.sm.current = "scan"

    def pay_cash(self, minor: int) -> None:
        self.spawn(self._command(self.lane.pay_cash(Money(minor, self.lane.profile.currency))))

    def pay_points(self) -> None:
        self.spawn(self._command(self.lane.pay_points()))

    def pay_card(self) -> None:
        self.pay_screen.prompt.text = self.tr("Card payment: insert or tap your card on the PIN pad")

    async def _command(self, coro: Coroutine[Any, Any, Any]) -> None:
        try:
            await coro
        except LaneError as err:  # the lane also emitted CommandRejected; keep the UI alive
            log.info("command refused: %s", err)

    def to_attract(self) -> None:
        if self._thanks_timer is not None:
            self._thanks_timer.cancel()
            self._thanks_timer = None
        self.scan_screen.show(None)
        self.sm.current = "attract"

    def screenshot(self, path: str) -> str:
        self.root.export_to_png(path)
        return path


async def run_kiosk(lane: Lane, stop: asyncio.Event | None = None, *, language: str = "de",
                    portrait: bool = False) -> None:
    """Show the kiosk UI for `lane` until the window closes or `stop` is set."""
    app = KioskApp(lane, language=language, portrait=portrait)
    runner = asyncio.ensure_future(app.async_run(async_lib="asyncio"))
    if stop is None:
        await runner
        return
    stopper = asyncio.ensure_future(stop.wait())
    await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
    if not runner.done():
        app.stop()
        await runner
    stopper.cancel()
