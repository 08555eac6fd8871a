from __future__ import annotations

from datetime import timedelta

import pytest

from bot.errors import KohtaamoError
from bot.services.duration import (
    NOT_A_DURATION,
    TIMEOUT_MAX,
    TIMEOUT_TOO_LONG,
    parse_duration,
    require_duration,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("30m", timedelta(minutes=30)), ("2h", timedelta(hours=2)), ("1d", timedelta(days=1)), ("45s", timedelta(seconds=45)),
    ("10 min", timedelta(minutes=10)), ("2 t", timedelta(hours=2)), ("1 vrk", timedelta(days=1)),
    ("3 pv", timedelta(days=3)), ("2 tuntia", timedelta(hours=2)), ("2 tim", timedelta(hours=2)),
    ("1 dygn", timedelta(days=1)), ("3 dagar", timedelta(days=3)), ("1 timme", timedelta(hours=1)),
    ("1,5 h", timedelta(minutes=90)), ("1 h 30 min", timedelta(minutes=90)), ("1 h ja 15 min", timedelta(minutes=75)),
    ("1 d och 2 h", timedelta(hours=26)), ("2 weeks", timedelta(days=14)), ("1 vk", timedelta(days=7)),
    ("  2H  ", timedelta(hours=2)), ("90 minutes", timedelta(minutes=90)), ("1 päivä", timedelta(days=1)),
])
def test_durations_people_type(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "30", "huomenna", "2 x", "to 18.30", "20.00", "0 h", "h", "2h hello", "-1h"])
def test_what_is_not_a_duration(text):
    assert parse_duration(text) is None


def test_a_timeout_over_28_days_or_not_a_duration_is_a_clear_error():
    assert require_duration("28 vrk", TIMEOUT_MAX, TIMEOUT_TOO_LONG) == timedelta(days=28)
    with pytest.raises(KohtaamoError) as caught:
        require_duration("29d", TIMEOUT_MAX, TIMEOUT_TOO_LONG)
    assert caught.value.msgid == TIMEOUT_TOO_LONG
    with pytest.raises(KohtaamoError) as caught:
        require_duration("kauan", TIMEOUT_MAX, TIMEOUT_TOO_LONG)
    assert caught.value.msgid == NOT_A_DURATION and caught.value.params["text"] == "kauan"
