import pathlib
from decimal import Decimal

import pytest

from appliance.config import ConfigError, load_settings, parse_settings
from appliance.demo.basket import BasketFileError, Directive, ScanStep, parse_basket
from appliance.domain.items import Unit
from appliance.domain.money import Money
from appliance.store_profile import load_profile, parse_profile

DEMO_STORE = pathlib.Path(__file__).resolve().parents[2] / "appliance" / "demo" / "store.toml"


def test_defaults_without_a_config_file(tmp_path: pathlib.Path) -> None:
    s = load_settings(None)
    assert s.lane.id == "lane-01" and s.devices.printer is None and s.link.broker_url == ""


def test_config_overrides_defaults_key_by_key() -> None:
    s = parse_settings('[lane]\nid = "lane-07"\n[devices.scanner]\nbackend = "evdev_wedge"\nname = "Honeywell"\n')
    assert s.lane.id == "lane-07" and s.lane.kind == "kiosk"
    assert s.devices.scanner == {"backend": "evdev_wedge", "name": "Honeywell"}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[lane]\nidd = "x"\n', "idd"),
        ('[lane]\nkind = "toaster"\n', "lane.kind"),
        ('[lane]\nweight_timeout_s = "soon"\n', "lane.weight_timeout_s"),
        ("[lane\n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_key_at_fault(text: str, where: str) -> None:
    with pytest.raises(ConfigError, match=where.replace(".", r"\.")) as exc:
        parse_settings(text, "/etc/lanekit/lanekit.toml")
    assert "/etc/lanekit/lanekit.toml" in str(exc.value)


def test_unreadable_config_file(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "missing.toml")


def test_demo_store_profile() -> None:
    p = load_profile(DEMO_STORE)
    assert (p.currency, p.locale, p.scan_region) == ("EUR", "de_DE", "DE")
    bananas = next(i for i in p.items if i.plu == "4011")
    assert bananas.unit is Unit.KG and bananas.unit_price == Money(199, "EUR") and bananas.tax_class == "reduced"
    wine = next(i for i in p.items if i.sku == "wine-riesling")
    assert wine.age_restriction == 16 and wine.gtins == ("04260000000011",)
    assert p.tax.classes["reduced"][0].rate == Decimal("0.07")


@pytest.mark.parametrize(
    ("patch", "msg"),
    [
        ('currency = "EURO"', "Unknown ISO 4217"),
        ('default_class = "luxury"', "default_class"),
        ('price = "1.999"', "more decimals"),
        ('tax_class = "nope"', "unknown tax class"),
        ('gtins = ["4260000000012"]', "check digit"),
    ],
)
def test_bad_store_profiles_are_refused(patch: str, msg: str) -> None:
    text = DEMO_STORE.read_text(encoding="utf-8")
    key = patch.split(" = ")[0]
    if key == "currency":
        text = text.replace('currency = "EUR"', patch, 1)
    elif key == "default_class":
        text = text.replace('default_class = "standard"', patch, 1)
    elif key == "price":
        text = text.replace('price = "1.99"', patch, 1)
    elif key == "tax_class":
        text = text.replace('tax_class = "reduced"', patch, 1)
    else:
        text = text.replace('gtins = ["4260000000011"]', patch, 1)
    with pytest.raises(ConfigError, match=msg):
        parse_profile(text, "store.toml")


def test_basket_file_format() -> None:
    steps = parse_basket("# c\n\n4260000000011\n4260000000035 *2\n4011 @0.755\n]C101<GS>10AB\\x1d21X\n!qty 1 3\n!cash 50.00\n")
    assert steps == [
        ScanStep("4260000000011", lineno=3),
        ScanStep("4260000000035", Decimal(2), lineno=4),
        ScanStep("4011", None, Decimal("0.755"), lineno=5),
        ScanStep("]C101\x1d10AB\x1d21X", lineno=6),
        Directive("qty", ("1", "3"), 7),
        Directive("cash", ("50.00",), 8),
    ]


def test_basket_keeps_raw_gs_inside_a_scan_and_accepts_a_bom() -> None:
    steps = parse_basket("\ufeff]d20104260000000035\x1d17270101 *2\r\n")
    assert steps == [ScanStep("]d20104260000000035\x1d17270101", Decimal(2), lineno=1)]


@pytest.mark.parametrize(
    ("line", "msg"),
    [("!pay 5", "unknown directive"), ("!cash", "takes 1"), ("123 *two", "quantity 'two'"), ("123 @-1", "positive"),
     ("123 456", "expected 'SCAN"), ("!qty abc 2", "positive whole number"), ("!points abc", "positive whole number"),
     ("!cash 2,49", "amount like 20.00"), ("!cash -5", "amount like 20.00"), ("!void 0", "positive whole number"),
     ("1 *1e9", "at most 10000")],
)
def test_bad_basket_lines_name_file_and_line(line: str, msg: str) -> None:
    with pytest.raises(BasketFileError, match=msg) as exc:
        parse_basket(f"# header\n{line}\n", "basket.txt")
    assert "basket.txt:2" in str(exc.value)
