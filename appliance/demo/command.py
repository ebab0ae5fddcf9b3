"""`lanekit demo`: a whole sale on simulated devices with the sample catalog — no broker, no hardware.

In a fresh data dir (printed) it imports the sample catalogs with the demo store profile and runs a
scripted basket through the lane with simulated devices that speak the real bytes: each scan is typed
by a keyboard-wedge scanner set to a German layout (an evdev input_event stream through the same
xkbcommon decoder as hardware), produce is weighed on a Mettler Toledo 8217 simulated on a pty, and
the receipt goes to a file as the ESC/POS bytes a printer would get. `--now` fixes the clock, making
the receipt byte-identical run to run.

`--card AMOUNT` pays that much by card before the cash: the shopper taps a test card on the PIN-pad
firmware simulator (a pty), and a `lanekit-payhost` subprocess authorizes it over mutual TLS; the
receipt shows the split tender with the card's last 4 digits only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import pathlib
import sys
import tempfile
from decimal import Decimal
from typing import TYPE_CHECKING

from appliance.config import ConfigError
from appliance.demo.basket import BasketFileError, Directive, ScanStep, Step, load_basket
from appliance.devices import ScaleWeights
from appliance.domain.money import Money
from appliance.domain.promotions import PromotionRules
from appliance.importers.errors import CatalogImportError
from appliance.lane import Lane, LaneConfig, LaneError
from appliance.lane_events import LaneNotice
from appliance.receipt import PrinterReceipts, amount_text
from appliance.store.audit import AuditLog
from appliance.store.errors import StoreError
from appliance.store_profile import StoreProfile, load_profile, load_promotions
from appliance.wiring import SAMPLE_CATALOGS, DataDirInUse, import_catalogs, open_stores
from drivers.printer import open_printer
from drivers.scale import Scale, ScaleConfig, open_scale
from drivers.scanner.sim import SimScanner
from drivers.scanner.wedge_encoder import UnencodableText, WedgeEncoder, to_bytes

SCANNER_LAYOUT = "de"

DEMO_DIR = pathlib.Path(__file__).resolve().parent

if TYPE_CHECKING:
    from appliance.demo.card_desk import CardDesk


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--basket", type=pathlib.Path, default=DEMO_DIR / "basket.txt",
                        help="basket file to run (format: docs/basket-format.md)")
    parser.add_argument("--store", type=pathlib.Path, default=DEMO_DIR / "store.toml", help="store profile (TOML)")
    parser.add_argument("--data-dir", type=pathlib.Path, default=None,
                        help="where the replica, journal and receipts go (default: a fresh temporary dir)")
    parser.add_argument("--ui", choices=("auto", "on", "off"), default="auto",
                        help="show the kiosk UI and pay by touch (auto: when a display is available)")
    parser.add_argument("--card", default=None, metavar="AMOUNT",
                        help="pay AMOUNT by card (PIN-pad simulator + lanekit-payhost over mTLS) before the cash")
    parser.add_argument("--now", type=_parse_now, default=None,
                        help="fixed clock, ISO 8601 (e.g. 2026-12-03T10:00:00+01:00; without an offset it is UTC): "
                             "identical receipts run to run")


def _parse_now(text: str) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 date and time") from None
    if not 2000 <= at.year <= 9000:
        raise argparse.ArgumentTypeError(f"{text!r}: the year must be between 2000 and 9000")
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


async def run(args: argparse.Namespace) -> int:
    try:
        steps = load_basket(args.basket)
        profile = load_profile(args.store)
        rules = load_promotions(profile)
    except (BasketFileError, ConfigError) as err:
        print(f"lanekit demo: {err}", file=sys.stderr)
        return 2
    if args.ui == "on" and getattr(args, "ui_runner", None) is not None and not _display():
        print("lanekit demo: --ui on needs a display (DISPLAY or WAYLAND_DISPLAY); use --ui off", file=sys.stderr)
        return 2
    try:
        data_dir = args.data_dir or pathlib.Path(tempfile.mkdtemp(prefix="lanekit-demo-"))
        data_dir.mkdir(parents=True, exist_ok=True)
        print(f"data dir: {data_dir}")
        return await _demo(args, steps, profile, rules, data_dir)
    except (OSError, StoreError, DataDirInUse, CatalogImportError) as err:
        print(f"lanekit demo: {err}", file=sys.stderr)
        return 2


def _display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


async def _demo(args: argparse.Namespace, steps: list[Step], profile: StoreProfile, rules: PromotionRules | None,
                data_dir: pathlib.Path) -> int:
    clock = (lambda: args.now) if args.now else None
    async with open_stores(data_dir) as (replica, journal):
        for report in await import_catalogs(replica, SAMPLE_CATALOGS, profile):
            print(f"catalog: {report.summary()}")
        receipt_path = data_dir / "receipts" / "receipt.escpos"
        receipt_path.parent.mkdir(exist_ok=True)
        printer_conf = {"backend": "file", "path": str(receipt_path), "profile": "TM-T20II", "name": "demo-printer"}
        scale = await open_scale(ScaleConfig(protocol="toledo8217", backend="sim", name="demo-scale"))
        async with open_printer(printer_conf, spool_dir=data_dir / "spool") as printer, scale, \
                contextlib.AsyncExitStack() as stack:
            print(f"scale: Toledo 8217 simulator on {scale.sim.port}; scanner: evdev stream, layout {SCANNER_LAYOUT}")
            audit = await stack.enter_async_context(AuditLog(data_dir / "audit.db"))
            card = None
            if getattr(args, "card", None):
                from appliance.demo.card_desk import CardDesk

                desk = await stack.enter_async_context(CardDesk(data_dir / "payments", "lane-01", profile.id))
                card = (desk, Money.parse(args.card, profile.currency))
            lane = Lane(LaneConfig("lane-01", number=1), profile, replica, journal,
                        PrinterReceipts(printer, lane_number=1), **({"clock": clock} if clock else {}),
                        rules=rules, scale=ScaleWeights(scale), weight_timeout_s=5.0,
                        audit=audit)
            lane_events = lane.subscribe()
            await lane.start()
            ui_runner = getattr(args, "ui_runner", None)
            if ui_runner is not None:
                # the scans run while the UI shows them; the shopper pays by touch
                basket = asyncio.ensure_future(_run_basket(lane, [s for s in steps if isinstance(s, ScanStep)], scale,
                                                           pay=False, pause=0.4))
                await ui_runner(lane, None)
                await basket
                paid = lane.last_sale is not None and lane.sale is None
            else:
                paid = await _run_basket(lane, steps, scale, card=card)
            while not lane_events.empty():
                e = lane_events.get_nowait()
                if isinstance(e, LaneNotice):
                    print(f"lane {e.level}: {e.message}")
            if not paid:
                print("lanekit demo: the basket ended without a completed sale "
                      + ("(nothing was sold)." if lane.sale is None or not lane.sale.lines else "(it was not paid)."),
                      file=sys.stderr)
                return 1
            print()
            print(lane.last_receipt)
            print(f"ESC/POS bytes: {receipt_path} ({receipt_path.stat().st_size} bytes)")
            print(f"check it: lanekit journal verify --data-dir {data_dir}")
    return 0


def _points_used(lane: Lane) -> int:
    sale = lane.sale or lane.last_sale
    tenders = [t for t in (sale.tenders if sale else []) if t.kind.value == "loyalty_points"]
    return int(tenders[-1].reference.split()[0]) if tenders else 0


async def _wedge_scan(text: str) -> tuple[bytes, str | None]:
    """Type `text` as a wedge scanner would and read it back through the real evdev decoder."""
    stream = to_bytes(WedgeEncoder(layout=SCANNER_LAYOUT, gs="alt").scan(text))
    async with SimScanner.from_bytes(stream, name="demo-scanner", layout=SCANNER_LAYOUT) as scanner:
        async for scan in scanner:
            return scan.data, scan.symbology
    raise RuntimeError(f"the simulated scanner produced no scan for {text!r}")


async def _pay_card(lane: Lane, card: tuple[CardDesk, Money]) -> None:
    desk, amount = card
    answer = await desk.pay(lane, amount)
    approved = Money(answer.approved, amount.currency)
    print(f"card {amount_text(amount, lane.profile.locale)} {amount.currency} tapped -> {answer.state} "
          f"{amount_text(approved, lane.profile.locale)} (**** {answer.last4}, auth {answer.auth_code or '-'})")


async def _run_basket(lane: Lane, steps: list[Step], scale: Scale, *, pay: bool = True, pause: float = 0.0,
                      card: tuple[CardDesk, Money] | None = None) -> bool:
    cur = lane.profile.currency
    for step in steps:
        if card is not None and isinstance(step, Directive) and step.verb == "cash":
            await _pay_card(lane, card)
            card = None
        if pause:
            await asyncio.sleep(pause)
        try:
            match step:
                case ScanStep():
                    shown = step.data.replace("\x1d", "<GS>")
                    try:
                        data, symbology = await _wedge_scan(step.data)
                    except UnencodableText as err:
                        print(f"scan {step.data!r} refused: a {SCANNER_LAYOUT} wedge scanner cannot type it ({err})")
                        continue
                    if step.weight_kg is not None:
                        scale.sim.set(step.weight_kg)  # the shopper puts the produce on the scale
                    try:
                        line = await lane.scan(data, symbology, quantity=step.quantity)
                    finally:
                        scale.sim.set(Decimal(0))
                    v = lane.view()
                    assert v is not None
                    if line == 0:  # a loyalty card or coupon, not an item
                        print(f"scan {shown:<44} -> member {v.member_id}" if v.member_id else f"scan {shown} -> coupon")
                    else:
                        ln = next(x for x in v.lines if x.line_id == line)
                        print(f"scan {shown:<44} -> line {line}: {ln.name} "
                              f"{amount_text(ln.list_amount, lane.profile.locale)}")
                case Directive(verb="void", args=(n,)):
                    await lane.void_line(int(n))
                    print(f"void line {n}")
                case Directive(verb="qty", args=(n, q)):
                    await lane.set_quantity(int(n), q)
                    print(f"line {n} quantity -> {q}")
                case Directive(verb="approve", args=(pin,)):
                    who = await lane.attendant_login(pin)
                    view = lane.view()
                    for iv_id, _kind, reason in view.interventions if view else ():
                        await lane.clear_intervention(iv_id, "approved")
                        print(f"attendant {who.name} approved: {reason}")
                    await lane.attendant_logout()
                case Directive(verb="points", args=(n,)):
                    paid = await lane.pay_points(int(n))
                    used = _points_used(lane)
                    print(f"{used} loyalty points -> {amount_text(paid, lane.profile.locale)} {cur} paid")
                case Directive(verb="cash", args=(amount,)):
                    total = lane.view()
                    change = await lane.pay_cash(amount)
                    if total is not None:
                        print(f"cash {amount} {cur} for {amount_text(total.balance, lane.profile.locale)}"
                              f" -> change {amount_text(change, lane.profile.locale)}")
        except LaneError as err:
            print(f"scan {getattr(step, 'data', '')!r} refused: {err}" if isinstance(step, ScanStep)
                  else f"{step.verb} refused: {err}")
    if card is not None and lane.sale is not None:
        await _pay_card(lane, card)
    if pay and lane.sale is not None and lane.sale.lines:
        view = lane.view()
        assert view is not None
        due = view.balance
        round_up = Money(((due.minor + 999) // 1000) * 1000, cur)
        try:
            change = await lane.pay_cash(round_up)
        except LaneError as err:
            print(f"payment refused: {err}")
            return False
        print(f"cash {amount_text(round_up, lane.profile.locale)} -> change {amount_text(change, lane.profile.locale)}")
    return lane.last_sale is not None and lane.sale is None


