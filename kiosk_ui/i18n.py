"""The shopper's language: gettext catalogs (kiosk_ui/locale/*.po), compiled in memory with babel.

Money and numbers are formatted for the chosen language's locale by babel.
"""

from __future__ import annotations

import functools
import gettext
import io
import pathlib

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from appliance.domain.money import Money

LOCALE_DIR = pathlib.Path(__file__).resolve().parent / "locale"
LANGUAGES = {"de": ("Deutsch", "de_DE"), "en": ("English", "en_GB")}


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / f"{lang}.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


class Language:
    def __init__(self, lang: str = "de") -> None:
        self.set(lang)

    def set(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}")
        self.code = lang
        self.locale = LANGUAGES[lang][1]
        self._t = translations(lang)

    def __call__(self, message: str) -> str:
        return self._t.gettext(message)

    def money(self, m: Money) -> str:
        return format_currency(m.amount, m.currency, locale=self.locale)

    def number(self, value: object, pattern: str = "#,##0.###") -> str:
        return format_decimal(value, format=pattern, locale=self.locale)  # type: ignore[arg-type]
