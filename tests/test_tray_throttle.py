"""At most one notification per site every few minutes (a plain unit, no Qt)."""

from __future__ import annotations

import pytest

from gui.tray.throttle import NotificationThrottle


def test_one_notification_per_site_per_interval() -> None:
    throttle = NotificationThrottle(interval_seconds=300)
    assert throttle.should_notify("casino.example", 1000.0)
    assert not throttle.should_notify("casino.example", 1001.0)
    assert not throttle.should_notify("CASINO.example.", 1299.9)  # same site, other spelling
    assert throttle.should_notify("other.example", 1001.0)  # sites are counted apart
    assert throttle.should_notify("casino.example", 1300.0)
    assert not throttle.should_notify("casino.example", 1400.0)  # the window restarted


def test_a_clock_that_goes_back_does_not_silence_a_site() -> None:
    throttle = NotificationThrottle(interval_seconds=300)
    assert throttle.should_notify("a.example", 5000.0)
    assert throttle.should_notify("a.example", 10.0)


def test_memory_is_bounded_oldest_forgotten_first() -> None:
    throttle = NotificationThrottle(interval_seconds=300, max_sites=3)
    for index, site in enumerate(["a.example", "b.example", "c.example", "d.example"]):
        assert throttle.should_notify(site, float(index))
    assert len(throttle) == 3
    assert throttle.should_notify("a.example", 10.0)  # forgotten, so shown again
    assert not throttle.should_notify("d.example", 10.0)


def test_forget_and_bad_input() -> None:
    throttle = NotificationThrottle(interval_seconds=60)
    assert throttle.should_notify("a.example", 0.0)
    throttle.forget("A.example")
    assert throttle.should_notify("a.example", 1.0)
    assert not throttle.should_notify("  ", 1.0)
    with pytest.raises(ValueError):
        NotificationThrottle(interval_seconds=-1)
