"""A shopper completes a sale by touch with simulated scans; every screen is captured.

The screenshots go to docs/screenshots/ (the README shows them) and are checked to be non-blank.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from appliance.domain.money import Money
from appliance.lane import LaneError
from tests.integration.ui.conftest import SHOTS, find, frames, nonblank


async def shoot(app, name: str) -> None:  # type: ignore[no-untyped-def]
    await frames(3)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    app.screenshot(str(path))
    assert nonblank(path) > 20, f"{name} screenshot is blank"


async def _until(cond, tries: int = 100) -> None:  # type: ignore[no-untyped-def]
    for _ in range(tries):
        if cond():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


def press(app, name: str) -> None:  # type: ignore[no-untyped-def]
    b = find(app.root, name)
    assert not b.disabled, f"{name} is disabled"
    b.dispatch("on_release")


async def test_shopper_pays_cash_by_touch(kiosk) -> None:  # type: ignore[no-untyped-def]
    app = kiosk
    assert app.sm.current == "attract"
    assert app.attract.hint.text == "Bildschirm berühren oder Artikel scannen"
    await shoot(app, "01-attract")
    press(app, "start")
    assert app.sm.current == "scan" and find(app.root, "pay").disabled
    for code in ("4260000000011", "4260000000059", "4260000000059", "4260000000059"):
        await app.lane.scan(code)
    with pytest.raises(LaneError):
        await app.lane.scan("4006381333938")  # misread: refused with a reason the shopper sees
    await frames()
    screen = app.scan_screen
    assert screen.rows == ["Riesling trocken 0,75l 7,49\xa0€", "Cap 16,00\xa0€", "Cap 16,00\xa0€", "Cap 16,00\xa0€",
                           "3 Caps for 40.00 -8,00\xa0€"]
    assert screen.total.text == "Summe 47,49\xa0€" and screen.saved.text == "Sie sparen 8,00\xa0€"
    assert "Bad check digit" in screen.message.text
    assert app.sounds == ["accept"] * 4 + ["reject"]
    await shoot(app, "02-scanning")
    # the Riesling is 16+: the attendant comes, logs in with a PIN and approves
    press(app, "help")
    assert app.sm.current == "attendant"
    for key in ("1", "2", "3", "4", "OK"):
        press(app, f"key-{key}")
    await _until(lambda: app.lane.attendant is not None)
    await frames()
    assert app.attendant.title.text == "Mitarbeiter: Alex"
    await shoot(app, "05-attendant")
    press(app, "approve-i1")
    await _until(lambda: not app.lane.view().interventions)
    press(app, "attendant-done")
    await _until(lambda: app.sm.current == "scan")
    press(app, "pay")
    assert app.sm.current == "pay" and app.pay_screen.balance.text == "Noch zu zahlen: 47,49\xa0€"
    assert find(app.root, "points").disabled  # no member identified
    await shoot(app, "03-payment")
    press(app, "cash-5000")
    for _ in range(50):
        await asyncio.sleep(0.02)
        if app.sm.current == "thanks":
            break
    assert app.sm.current == "thanks" and app.thanks.change.text == "Rückgeld: 2,51\xa0€"
    assert app.lane.last_sale is not None and app.lane.last_sale.receipt_no == 1
    await shoot(app, "04-thanks")
    press(app, "again")
    assert app.sm.current == "attract"


async def test_english_member_points_and_weighing_prompt(kiosk) -> None:  # type: ignore[no-untyped-def]
    app = kiosk
    press(app, "lang-en")
    assert app.attract.hint.text == "Touch the screen or scan an item to start"
    await app.lane.scan("4260000000073")  # hoodie with logo 45.00; member price 40.00
    await app.lane.scan("LK100042")
    await frames()
    assert app.sm.current == "scan" and app.scan_screen.total.text == "Total €40.00"
    assert app.scan_screen.loyalty.text.startswith("★ M-100042")
    app.lane._weight_timeout = 0.3  # no scale on this lane: the prompt shows, then the refusal
    with pytest.raises(LaneError):
        await app.lane.scan("4011")
    await frames()
    assert "sold by weight" in app.scan_screen.message.text
    press(app, "pay")
    press(app, "points")  # 40.00 due at 100 points per 1.00; the member has 2500 -> 25.00 paid
    for _ in range(50):
        await asyncio.sleep(0.02)
        if app.lane.sale is not None and app.lane.sale.tenders:
            break
    await frames()
    assert app.pay_screen.balance.text == "Still to pay: €15.00"
    assert [(t.kind.value, t.amount) for t in app.lane.sale.tenders] == [("loyalty_points", Money(2500, "EUR"))]
    press(app, "cash-1500")
    for _ in range(50):
        await asyncio.sleep(0.02)
        if app.sm.current == "thanks":
            break
    assert app.sm.current == "thanks" and app.thanks.change.text == ""


async def test_ui_keeps_ticking_while_the_lane_waits_on_a_device(kiosk) -> None:  # type: ignore[no-untyped-def]
    """A slow device (here: a scale that never settles) must not freeze the screen."""
    from kivy.clock import Clock

    app = kiosk

    class SlowScale:
        async def stable_kg(self, timeout: float):  # type: ignore[no-untyped-def]
            await asyncio.sleep(1.5)
            from decimal import Decimal

            return Decimal("0.5")

    app.lane._scale = SlowScale()
    ticks = 0
    shown: set[str] = set()

    def tick(dt: float) -> None:
        nonlocal ticks
        ticks += 1
        shown.add(app.scan_screen.message.text)

    ev = Clock.schedule_interval(tick, 0)
    t0 = time.monotonic()
    line = await app.lane.scan("4011")
    elapsed = time.monotonic() - t0
    ev.cancel()
    assert line == 1 and elapsed >= 1.5
    assert ticks >= 10, f"the Kivy clock ticked only {ticks} times in {elapsed:.1f} s"
    # while the scale settled, the screen showed the weighing prompt with the unit price
    assert "Legen Sie den Artikel auf die Waage: Bananen · Grundpreis 1,99\xa0€/kg" in shown
