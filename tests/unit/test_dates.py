"""The one date-time parser: Finnish, Swedish, English and ISO forms, the server's zone, DST,
and clear errors for past and impossible dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import KohtaamoError
from bot.services.dates import (
    BAD_END,
    BAD_WHEN,
    END_BEFORE_START,
    EXAMPLES,
    IN_THE_PAST,
    NO_SUCH_DATE,
    SKIPPED_HOUR,
    TOO_LONG,
    next_weekly,
    parse_duration,
    parse_end,
    parse_when,
)

HKI = "Europe/Helsinki"
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # Tuesday 1.12.2026 12.00 in Helsinki


def hki(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(HKI)).astimezone(UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("12.12.2026 18:00", hki(2026, 12, 12, 18)),
    ("12.12.2026 klo 18", hki(2026, 12, 12, 18)),
    ("12.12.2026 kl. 18.30", hki(2026, 12, 12, 18, 30)),
    ("12.12.26 18", hki(2026, 12, 12, 18)),
    ("12.12. klo 18", hki(2026, 12, 12, 18)),
    ("12.12 klo 18", hki(2026, 12, 12, 18)),
    ("  12.12.   klo   18.15 ", hki(2026, 12, 12, 18, 15)),
    ("1.1. 12", hki(2027, 1, 1, 12)),  # day and month only: the next such date
    ("1.12. klo 11", hki(2027, 12, 1, 11)),  # earlier today → next year
    ("1.12. klo 13", hki(2026, 12, 1, 13)),  # later today → today
    ("to 18.30", hki(2026, 12, 3, 18, 30)),  # the coming Thursday
    ("torstaina klo 18.30", hki(2026, 12, 3, 18, 30)),
    ("tors 18:30", hki(2026, 12, 3, 18, 30)),
    ("Thu 6.30pm", hki(2026, 12, 3, 18, 30)),
    ("ti 13", hki(2026, 12, 1, 13)),  # today, still to come
    ("ti 11", hki(2026, 12, 8, 11)),  # today, gone: next week
    ("huomenna klo 9", hki(2026, 12, 2, 9)),
    ("imorgon kl. 9", hki(2026, 12, 2, 9)),
    ("tomorrow 9am", hki(2026, 12, 2, 9)),
    ("2026-12-12 18:00", hki(2026, 12, 12, 18)),
    ("2026-12-12T18:00", hki(2026, 12, 12, 18)),
    ("2026-12-12T18:00+00:00", datetime(2026, 12, 12, 18, tzinfo=UTC)),
    ("2026-12-12 klo 18", hki(2026, 12, 12, 18)),
])
def test_forms_people_type(text, expected):
    assert parse_when(text, NOW, HKI) == expected


def test_the_servers_zone_decides():
    assert parse_when("12.12.2026 18:00", NOW, "Europe/Stockholm") == datetime(2026, 12, 12, 17, tzinfo=UTC)


def test_summer_and_winter_time():
    summer = parse_when("1.7.2027 18:00", NOW, HKI)
    winter = parse_when("1.1.2027 18:00", NOW, HKI)
    assert summer.hour == 15 and winter.hour == 16


def test_a_time_skipped_by_the_spring_change_is_an_error():
    with pytest.raises(KohtaamoError) as caught:
        parse_when("28.3.2027 03:30", NOW, HKI)
    assert caught.value.msgid == SKIPPED_HOUR


def test_a_time_that_happens_twice_in_autumn_is_the_first():
    assert parse_when("31.10.2027 03:30", NOW, HKI) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(("text", "msgid"), [
    ("31.2.2027 18:00", NO_SUCH_DATE),
    ("31.4. klo 18", NO_SUCH_DATE),
    ("2027-02-30 18:00", NO_SUCH_DATE),
    ("1.11.2026 18:00", IN_THE_PAST),
    ("2026-01-01 10:00", IN_THE_PAST),
    ("12.12.2026", BAD_WHEN),
    ("12.12.2026 25:00", BAD_WHEN),
    ("joskus ensi viikolla", BAD_WHEN),
    ("xx 18", BAD_WHEN),
    ("", BAD_WHEN),
    ("2026-12-12", BAD_WHEN),
])
def test_bad_dates_are_clear_errors_with_examples(text, msgid):
    with pytest.raises(KohtaamoError) as caught:
        parse_when(text, NOW, HKI)
    assert caught.value.msgid == msgid
    if msgid != SKIPPED_HOUR:
        assert caught.value.params["examples"] == EXAMPLES


def test_29_february_waits_for_a_leap_year():
    assert parse_when("29.2. klo 12", NOW, HKI) == hki(2028, 2, 29, 12)


@pytest.mark.parametrize(("text", "expected"), [
    ("2 h", timedelta(hours=2)), ("2h", timedelta(hours=2)), ("1,5 h", timedelta(minutes=90)),
    ("90 min", timedelta(minutes=90)), ("1 h 30 min", timedelta(minutes=90)), ("2 tuntia", timedelta(hours=2)),
    ("1 timme", timedelta(hours=1)), ("45 minutes", timedelta(minutes=45)), ("1 h ja 15 min", timedelta(minutes=75)),
    ("20.00", None), ("hello 2h", None), ("0 h", None),
])
def test_durations(text, expected):
    assert parse_duration(text) == expected


def test_ends_as_time_date_or_duration():
    start = hki(2026, 12, 12, 18)
    assert parse_end("20.00", start, HKI) == hki(2026, 12, 12, 20)
    assert parse_end("klo 20", start, HKI) == hki(2026, 12, 12, 20)
    assert parse_end("01.30", start, HKI) == hki(2026, 12, 13, 1, 30)  # past midnight
    assert parse_end("2 h", start, HKI) == hki(2026, 12, 12, 20)
    assert parse_end("13.12.2026 10:00", start, HKI) == hki(2026, 12, 13, 10)


@pytest.mark.parametrize(("text", "msgid"), [
    ("12.12.2026 17:00", END_BEFORE_START), ("ei tiedä", BAD_END), ("", BAD_END), ("vähän aikaa", BAD_END),
    ("200 h", TOO_LONG),
])
def test_bad_ends(text, msgid):
    with pytest.raises(KohtaamoError) as caught:
        parse_end(text, hki(2026, 12, 12, 18), HKI)
    assert caught.value.msgid == msgid


def test_weekly_keeps_the_wall_clock_across_dst():
    start = hki(2027, 3, 25, 18)  # Thursday before the spring change
    assert next_weekly(start, 1, HKI) == hki(2027, 4, 1, 18)
    assert next_weekly(start, 1, HKI) - start == timedelta(days=7, hours=-1)
