import uuid

from appliance.store.uuid7 import Uuid7Generator


def test_layout_follows_rfc_9562() -> None:
    gen = Uuid7Generator(clock_ms=lambda: 0x0190_1234_5678)
    u = gen()
    assert u.version == 7
    assert u.variant == uuid.RFC_4122
    assert u.int >> 80 == 0x0190_1234_5678
    assert str(u).startswith("01901234-5678-7")


def test_ids_sort_in_creation_order_within_one_millisecond_and_when_the_clock_steps_back() -> None:
    now = [1_000]
    gen = Uuid7Generator(clock_ms=lambda: now[0])
    ids = [gen() for _ in range(5000)]  # more than the 12-bit counter holds: carries into the timestamp
    now[0] = 900  # clock stepped back
    ids += [gen() for _ in range(3)]
    assert ids == sorted(ids, key=lambda u: u.bytes)
    assert len(set(ids)) == len(ids)
    assert ids[-1].int >> 80 > 1_000  # carried forward, never back to 900
