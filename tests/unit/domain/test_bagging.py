from appliance.domain.bagging import BaggingArea, BaggingRules, Verdict


def test_scanned_item_arriving_in_the_bag_is_ok() -> None:
    bag = BaggingArea()
    assert bag.scanned(1, 1250, 60)
    assert bag.weighed(1262) is Verdict.OK  # within 60 g + 5 g noise
    assert bag.unbagged() == [] and bag.expected_g == 1250


def test_unexpected_item_and_removed_item() -> None:
    bag = BaggingArea()
    bag.scanned(1, 760, 40)
    assert bag.weighed(760) is Verdict.OK
    assert bag.weighed(760 + 400) is Verdict.UNEXPECTED_ITEM  # something bagged without a scan
    assert bag.weighed(0) is Verdict.ITEM_REMOVED  # the bread left the bag
    bag.accept_current()
    assert bag.weighed(0) is Verdict.OK


def test_wrong_item_swapped_for_a_lighter_one_is_caught() -> None:
    bag = BaggingArea()
    bag.scanned(1, 1250, 60)  # scanned the wine, bagged a 200 g item
    assert bag.weighed(200) is Verdict.UNEXPECTED_ITEM  # 200 g is neither nothing nor the 1250 g wine
    assert bag.unbagged() == [1]


def test_skip_bagging_for_weightless_and_heavy_items() -> None:
    bag = BaggingArea(BaggingRules(skip_over_g=10_000))
    assert not bag.scanned(1, None, None)
    assert not bag.scanned(2, 12_000, 200)  # a crate of water stays in the trolley
    assert bag.weighed(3) is Verdict.OK and bag.unbagged() == []


def test_voided_line_leaves_the_expectation() -> None:
    bag = BaggingArea()
    bag.scanned(1, 500, 20)
    bag.weighed(500)
    bag.voided(1)
    assert bag.weighed(0) is Verdict.OK
