"""The store profile: what the catalog files do not carry — currency, tax, cash rounding, scan rules,
and store-only items (PLU produce, weighed goods, age-restricted items).

A small TOML file beside the imported catalog (see appliance/demo/store.toml).
"""

from __future__ import annotations

import pathlib
import tomllib
import zoneinfo
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

import msgspec

from appliance.config import ConfigError
from appliance.domain.errors import DomainError
from appliance.domain.items import Item, Unit
from appliance.domain.money import Money, Rounding
from appliance.domain.promotions import PromotionRules, RuleError, decode_rules
from appliance.domain.tax import TaxComponent, TaxPolicy, TaxRegime, TaxRoundingLevel
from appliance.domain.tenders import CashRounding


class _Component(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    code: str
    label: str
    rate: str  # "0.19"


class _Tax(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    regime: Literal["inclusive", "exclusive"]
    classes: dict[str, list[_Component]]
    level: Literal["line", "receipt"] = "line"
    rounding: Literal["half_up", "half_even", "down", "up"] = "half_up"
    default_class: str = "standard"


class _Item(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    sku: str
    name: str
    price: str
    unit: Literal["each", "kg", "lb"] = "each"
    tax_class: str = ""
    gtins: list[str] = []
    plu: str = ""
    category: str = ""
    age_restriction: int | None = None
    nominal_weight_g: int | None = None
    weight_tolerance_g: int | None = None


class _Override(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    sku: str
    gtins: list[str] = []  # store-assigned shelf barcodes for catalog items that have none
    tax_class: str = ""
    age_restriction: int | None = None
    category: str = ""


class _Member(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    card: str  # the loyalty card's barcode
    member_id: str
    tier: str = ""
    points: int = 0
    phone: str = ""


class _Associate(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: str
    name: str
    role: Literal["cashier", "supervisor", "technician"]
    pin_hash: Annotated[str, msgspec.Meta(pattern=r"^scrypt\$")]  # never a PIN: `lanekit associates hash-pin`


class _Profile(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: str
    number: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4}$")]  # printed in receipt references
    name: str
    currency: str
    tax: _Tax
    address: list[str] = []
    locale: str = "en_US"
    timezone: str = "UTC"  # IANA name; receipts show local time
    vat_id: str = ""
    scan_region: str = ""
    cash_rounding_increment: int = 1
    return_days: int = 30  # a receipt's items may come back this many days after the sale
    line_rounding: Literal["half_up", "half_even", "down", "up"] = "half_up"
    footer: list[str] = []
    loyalty_prefixes: list[str] = []  # scans starting with these are loyalty cards
    coupon_prefixes: list[str] = []  # scans starting with these are the store's coupon codes
    promotions: str = ""  # HQ's rule set (wire schema JSON), relative to this file; HQ's feed replaces it
    members: list[_Member] = []  # demo/offline member directory; HQ's feed replaces it
    associates: list[_Associate] = []  # demo/offline; HQ's associates feed replaces it (PIN hashes only)
    items: list[_Item] = []
    overrides: list[_Override] = []


class StoreProfile(msgspec.Struct, frozen=True):
    id: str
    number: str
    name: str
    currency: str
    locale: str
    timezone: str
    address: tuple[str, ...]
    vat_id: str
    scan_region: str
    footer: tuple[str, ...]
    tax: TaxPolicy
    default_tax_class: str
    cash_rounding: CashRounding
    line_rounding: Rounding
    items: tuple[Item, ...]
    overrides: dict[str, _Override]
    return_days: int = 30
    loyalty_prefixes: tuple[str, ...] = ()
    coupon_prefixes: tuple[str, ...] = ()
    promotions_file: str = ""
    members: tuple[_Member, ...] = ()
    associates: tuple[_Associate, ...] = ()

    def adapt(self, item: Item) -> Item:
        """An imported item with the store's tax class and restrictions applied."""
        o = self.overrides.get(item.sku)
        tax_class = item.tax_class if item.tax_class in self.tax.classes else self.default_tax_class
        if o is None:
            return item if tax_class == item.tax_class else replace(item, tax_class=tax_class)
        return replace(
            item,
            tax_class=o.tax_class or tax_class,
            age_restriction=o.age_restriction if o.age_restriction is not None else item.age_restriction,
            category=o.category or item.category,
            gtins=tuple(dict.fromkeys(item.gtins + tuple(o.gtins))),
        )


def parse_profile(text: str, source: str) -> StoreProfile:
    try:
        raw = msgspec.convert(tomllib.loads(text), type=_Profile)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{source}: not valid TOML: {err}") from err
    except msgspec.ValidationError as err:
        raise ConfigError(f"{source}: {err}") from err
    try:
        classes = {
            name: tuple(TaxComponent(c.code, c.label, Decimal(c.rate)) for c in comps)
            for name, comps in raw.tax.classes.items()
        }
        if raw.tax.default_class not in classes:
            raise ConfigError(f"{source}: tax.default_class {raw.tax.default_class!r} is not among tax.classes.")
        policy = TaxPolicy(TaxRegime(raw.tax.regime), classes, TaxRoundingLevel(raw.tax.level), Rounding(raw.tax.rounding))
        items = []
        for n, it in enumerate(raw.items):
            tc = it.tax_class or raw.tax.default_class
            if tc not in classes:
                raise ConfigError(f"{source}: items[{n}] ({it.sku}) has unknown tax class {tc!r}.")
            items.append(
                Item(
                    sku=it.sku, name=it.name, unit_price=Money.parse(it.price, raw.currency), tax_class=tc,
                    unit=Unit(it.unit), gtins=tuple(_gtin14(g, f'{source}: items[{n}]') for g in it.gtins), plu=it.plu or None, category=it.category,
                    age_restriction=it.age_restriction, nominal_weight_g=it.nominal_weight_g,
                    weight_tolerance_g=it.weight_tolerance_g,
                )
            )
    except (DomainError, InvalidOperation) as err:
        if isinstance(err, ConfigError):
            raise
        raise ConfigError(f"{source}: {err}") from err
    try:
        zoneinfo.ZoneInfo(raw.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigError(f"{source}: timezone {raw.timezone!r} is not an IANA time zone.") from err
    if raw.cash_rounding_increment < 1:
        raise ConfigError(f"{source}: cash_rounding_increment must be at least 1 (minor units).")
    overrides = {o.sku: msgspec.structs.replace(o, gtins=[_gtin14(g, f"{source}: overrides {o.sku}") for g in o.gtins])
                 for o in raw.overrides}
    return StoreProfile(
        id=raw.id, number=raw.number, name=raw.name, currency=raw.currency, locale=raw.locale, timezone=raw.timezone, address=tuple(raw.address),
        vat_id=raw.vat_id, scan_region=raw.scan_region, footer=tuple(raw.footer), tax=policy,
        default_tax_class=raw.tax.default_class, cash_rounding=CashRounding(raw.cash_rounding_increment),
        line_rounding=Rounding(raw.line_rounding), items=tuple(items), overrides=overrides,
        return_days=raw.return_days, loyalty_prefixes=tuple(raw.loyalty_prefixes), coupon_prefixes=tuple(raw.coupon_prefixes),
        promotions_file=raw.promotions, members=tuple(raw.members), associates=tuple(raw.associates),
    )


def _gtin14(code: str, where: str) -> str:
    """A shelf barcode from the profile, as the 14-digit key the replica indexes."""
    if not (code.isascii() and code.isdigit() and len(code) in (8, 12, 13, 14)):
        raise ConfigError(f"{where}: {code!r} is not a GTIN-8/12/13/14.")
    body, check = code[:-1], int(code[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    if (10 - total % 10) % 10 != check:
        raise ConfigError(f"{where}: GTIN {code} has a wrong check digit.")
    return code.zfill(14)


def load_profile(path: str | pathlib.Path) -> StoreProfile:
    p = pathlib.Path(path)
    try:
        profile = parse_profile(p.read_text(encoding="utf-8"), str(p))
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{p}: cannot read the store profile: {err}") from err
    if profile.promotions_file:
        profile = msgspec.structs.replace(profile, promotions_file=str((p.parent / profile.promotions_file).resolve()))
    return profile


def load_promotions(profile: StoreProfile) -> PromotionRules | None:
    """The profile's promotion rule set, decoded and validated (RuleError names the rule and field)."""
    if not profile.promotions_file:
        return None
    path = pathlib.Path(profile.promotions_file)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the promotions: {err}") from err
    try:
        return decode_rules(data)
    except RuleError as err:
        raise ConfigError(f"{path}: {err}") from err
