"""The shopper's screens. They only show what the lane says and send the lane's commands."""

from __future__ import annotations

from collections.abc import Callable

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView

from appliance.lane_events import SaleView
from kiosk_ui.i18n import LANGUAGES, Language
from kiosk_ui.widgets import ACCENT, ALERT, BG, MUTED, PANEL, button, fill, label


class AttractScreen(Screen):
    def __init__(self, tr: Language, store_name: str, on_start: Callable[[], None],
                 on_language: Callable[[str], None]) -> None:
        super().__init__(name="attract")
        self.tr = tr
        box = BoxLayout(orientation="vertical", padding=dp(40), spacing=dp(24))
        fill(box, BG)
        self.title = label(store_name, 44, bold=True, halign="center")
        self.welcome = label("", 34, halign="center")
        self.hint = label("", 26, MUTED, halign="center")
        start = button("", on_start, color=ACCENT, size=32, name="start", height=110)
        self.start = start
        langs = BoxLayout(size_hint_y=None, height=dp(90), spacing=dp(16))
        self.lang_buttons = {}
        for code, (name, _) in LANGUAGES.items():
            b = button(name, lambda c=code: on_language(c), name=f"lang-{code}")
            self.lang_buttons[code] = b
            langs.add_widget(b)
        for w in (self.title, self.welcome, self.hint, start, langs):
            box.add_widget(w)
        self.add_widget(box)
        self.refresh()

    def refresh(self) -> None:
        self.welcome.text = self.tr("Welcome")
        self.hint.text = self.tr("Touch to start")
        self.start.text = self.tr("Scan your items")


class ScanScreen(Screen):
    def __init__(self, tr: Language, on_pay: Callable[[], None], on_help: Callable[[], None],
                 on_accessible: Callable[[], None], portrait: bool = False) -> None:
        super().__init__(name="scan")
        self.tr = tr
        root = BoxLayout(orientation="vertical", padding=dp(16), spacing=dp(12))
        fill(root, BG)
        self.header = label("", 30, bold=True, size_hint_y=None, height=dp(56))
        self.loyalty = label("", 20, MUTED, size_hint_y=None, height=dp(36))
        self.message = label("", 24, (1, 0.85, 0.4, 1), size_hint_y=None, height=dp(64))
        self.lines = GridLayout(cols=1, spacing=dp(4), size_hint_y=None)
        self.lines.bind(minimum_height=self.lines.setter("height"))
        scroll = ScrollView()
        scroll.add_widget(self.lines)
        totals = BoxLayout(size_hint_y=None, height=dp(64), spacing=dp(12))
        fill(totals, PANEL)
        self.count = label("", 22)
        self.saved = label("", 22, (0.6, 1, 0.6, 1))
        self.total = label("", 34, bold=True, halign="right")
        for w in (self.count, self.saved, self.total):
            totals.add_widget(w)
        actions = BoxLayout(orientation="vertical" if portrait else "horizontal", spacing=dp(12),
                            size_hint_y=None, height=dp(250 if portrait else 90))
        self.help = button("", on_help, color=ALERT, name="help")
        self.access = button("A+", on_accessible, name="accessible")
        self.pay = button("", on_pay, color=ACCENT, size=32, name="pay")
        for w in (self.help, self.access, self.pay):
            actions.add_widget(w)
        for w in (self.header, self.loyalty, scroll, self.message, totals, actions):
            root.add_widget(w)
        self.add_widget(root)
        self.show(None)

    def show(self, view: SaleView | None) -> None:
        tr = self.tr
        self.header.text = tr("Scan your items")
        self.help.text = tr("Help")
        self.pay.text = tr("Pay")
        self.lines.clear_widgets()
        self.rows: list[str] = []
        if view is None:
            self.count.text, self.saved.text, self.total.text = "", "", ""
            self.loyalty.text = tr("Scan your loyalty card to collect points")
            self.pay.disabled = True
            return
        for ln in view.lines:
            qty = (f"{tr.number(ln.quantity)} {ln.unit} × " if ln.unit != "each"
                   else (f"{tr.number(ln.quantity)} × " if ln.quantity != 1 else ""))
            text = f"{qty}{ln.name}"
            row = BoxLayout(size_hint_y=None, height=dp(52))
            fill(row, PANEL)
            row.add_widget(label(text, 24))
            row.add_widget(label(tr.money(ln.list_amount), 24, halign="right", size_hint_x=0.35))
            self.lines.add_widget(row)
            self.rows.append(f"{text} {tr.money(ln.list_amount)}")
        for name, amount in view.promotions:
            row = BoxLayout(size_hint_y=None, height=dp(44))
            row.add_widget(label(name, 20, (0.6, 1, 0.6, 1)))
            row.add_widget(label(f"-{tr.money(amount)}", 20, (0.6, 1, 0.6, 1), halign="right", size_hint_x=0.35))
            self.lines.add_widget(row)
            self.rows.append(f"{name} -{tr.money(amount)}")
        items = sum(1 if ln.unit != "each" else int(ln.quantity) for ln in view.lines)
        self.count.text = f"{tr('Items')}: {items}"
        self.saved.text = f"{tr('You save')} {tr.money(view.saved)}" if view.saved.minor else ""
        self.total.text = f"{tr('Total')} {tr.money(view.total)}"
        self.loyalty.text = (f"★ {view.member_id} · +{view.points_earned}" if view.member_id
                             else tr("Scan your loyalty card to collect points"))
        self.pay.disabled = not view.lines


class PayScreen(Screen):
    def __init__(self, tr: Language, on_cash: Callable[[int], None], on_points: Callable[[], None],
                 on_card: Callable[[], None], on_back: Callable[[], None]) -> None:
        super().__init__(name="pay")
        self.tr = tr
        self._on_cash = on_cash
        root = BoxLayout(orientation="vertical", padding=dp(24), spacing=dp(16))
        fill(root, BG)
        self.title = label("", 32, bold=True, size_hint_y=None, height=dp(60))
        self.balance = label("", 40, bold=True, halign="center", size_hint_y=None, height=dp(80))
        self.prompt = label("", 24, MUTED, halign="center", size_hint_y=None, height=dp(60))
        self.cash = GridLayout(cols=3, spacing=dp(12), size_hint_y=None, height=dp(180))
        others = BoxLayout(spacing=dp(12), size_hint_y=None, height=dp(90))
        self.card = button("", on_card, name="card")
        self.points = button("", on_points, name="points")
        self.back = button("", on_back, name="back")
        for w in (self.card, self.points, self.back):
            others.add_widget(w)
        for w in (self.title, self.balance, self.prompt, self.cash, others):
            root.add_widget(w)
        self.add_widget(root)

    def show(self, view: SaleView, amounts: list[int]) -> None:
        tr = self.tr
        self.title.text = tr("How would you like to pay?")
        self.balance.text = f"{tr('Still to pay')}: {tr.money(view.balance)}"
        self.card.text = tr("Card")
        self.points.text = tr("Pay with points")
        self.points.disabled = view.member_id is None
        self.back.text = tr("Back")
        self.back.disabled = bool(view.tenders)
        self.cash.clear_widgets()
        from appliance.domain.money import Money

        for minor in amounts:
            self.cash.add_widget(button(f"{tr('Cash')} {tr.money(Money(minor, view.currency))}",
                                        lambda m=minor: self._on_cash(m), color=ACCENT, name=f"cash-{minor}"))


class ThanksScreen(Screen):
    def __init__(self, tr: Language, on_done: Callable[[], None]) -> None:
        super().__init__(name="thanks")
        self.tr = tr
        root = BoxLayout(orientation="vertical", padding=dp(40), spacing=dp(24))
        fill(root, BG)
        self.thanks = label("", 36, bold=True, halign="center")
        self.change = label("", 32, halign="center")
        self.again = button("", on_done, color=ACCENT, name="again")
        for w in (self.thanks, self.change, self.again):
            root.add_widget(w)
        self.add_widget(root)

    def show(self, view: SaleView) -> None:
        tr = self.tr
        self.thanks.text = tr("Thank you! Please take your receipt.")
        self.change.text = f"{tr('Change')}: {tr.money(view.change)}" if view.change.minor else ""
        self.again.text = tr("Start again")


class AttendantScreen(Screen):
    """An associate logs in with a PIN and clears what the lane asks (age checks and the like)."""

    def __init__(self, tr: Language, on_login: Callable[[str], None], on_clear: Callable[[str, str], None],
                 on_done: Callable[[], None]) -> None:
        super().__init__(name="attendant")
        self.tr = tr
        self._on_login, self._on_clear = on_login, on_clear
        self.pin = ""
        root = BoxLayout(orientation="vertical", padding=dp(24), spacing=dp(12))
        fill(root, BG)
        self.title = label("", 30, bold=True, size_hint_y=None, height=dp(56))
        self.status = label("", 24, MUTED, size_hint_y=None, height=dp(48))
        self.keypad = GridLayout(cols=3, spacing=dp(8))
        for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "C", "0", "OK"):
            self.keypad.add_widget(button(key, lambda k=key: self._key(k), name=f"key-{key}",
                                          color=ACCENT if key == "OK" else PANEL))
        self.items = GridLayout(cols=1, spacing=dp(8), size_hint_y=None)
        self.items.bind(minimum_height=self.items.setter("height"))
        self.done = button("", on_done, name="attendant-done")
        for w in (self.title, self.status, self.keypad, self.items, self.done):
            root.add_widget(w)
        self.add_widget(root)

    def _key(self, key: str) -> None:
        if key == "C":
            self.pin = ""
        elif key == "OK":
            pin, self.pin = self.pin, ""
            self._on_login(pin)
        elif len(self.pin) < 12:
            self.pin += key
        self.status.text = "•" * len(self.pin)

    def show(self, who: str | None, view: SaleView | None, message: str = "") -> None:
        tr = self.tr
        self.title.text = tr("Attendant") + (f": {who}" if who else "")
        self.done.text = tr("Back")
        self.keypad.opacity = 0 if who else 1
        self.keypad.disabled = bool(who)
        if message:
            self.status.text = message
        elif not who:
            self.status.text = tr("Enter your PIN")
        self.items.clear_widgets()
        if not who or view is None:
            return
        for iv_id, _kind, reason in view.interventions:
            row = BoxLayout(size_hint_y=None, height=dp(80), spacing=dp(8))
            row.add_widget(label(reason, 22))
            row.add_widget(button(tr("Approve"), lambda i=iv_id: self._on_clear(i, "approved"), color=ACCENT,
                                  name=f"approve-{iv_id}"))
            row.add_widget(button(tr("Refuse"), lambda i=iv_id: self._on_clear(i, "refused"), color=ALERT,
                                  name=f"refuse-{iv_id}"))
            self.items.add_widget(row)
        if not view.interventions:
            self.status.text = tr("Nothing to check.")
