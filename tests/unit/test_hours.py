"""The one opening-hours parser: the forms people type, the errors, and DST-correct changes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import KohtaamoError
from bot.services.hours import (
    BAD_DAY,
    BAD_HOURS,
    BAD_TIME,
    EMPTY_SPAN,
    parse_hours,
    parse_time,
    parse_weekday,
    parse_weekdays,
)

HKI = ZoneInfo("Europe/Helsinki")
WEEKDAYS = frozenset(range(5))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=HKI)


@pytest.mark.parametrize(("text", "canonical"), [
    ("ma–pe 16–21", "mon-fri 16:00-21:00"),
    ("ma-pe 16-21", "mon-fri 16:00-21:00"),
    ("ma-to 16.30-21, la 12-16", "mon-thu 16:30-21:00, sat 12:00-16:00"),
    ("mån–fre 16–21", "mon-fri 16:00-21:00"),
    ("Mon-Fri 4pm-9pm", "mon-fri 16:00-21:00"),
    ("Mon–Fri 4-9pm", "mon-fri 16:00-21:00"),
    ("Sat 11am-2pm", "sat 11:00-14:00"),
    ("daily 18:00-22:00", "daily 18:00-22:00"),
    ("joka päivä 18-22", "daily 18:00-22:00"),
    ("varje dag 18-22", "daily 18:00-22:00"),
    ("su 12:00–14:30", "sun 12:00-14:30"),
    ("SU 12.00 — 14.30", "sun 12:00-14:30"),
    ("arkisin klo 16-21", "mon-fri 16:00-21:00"),
    ("maanantaisin 10-12 ja keskiviikkoisin 10-12", "mon 10:00-12:00, wed 10:00-12:00"),
    ("ma, ke, pe 9.15-11.45", "mon,wed,fri 09:15-11:45"),
    ("lör-sön kl. 12-16", "sat,sun 12:00-16:00"),
    ("Monday–Thursday 17:00–20:00; Friday 17-23", "mon-thu 17:00-20:00, fri 17:00-23:00"),
    ("pe 20-02", "fri 20:00-02:00"),
    ("pe-ma 18-20", "mon,fri-sun 18:00-20:00"),
    ("la 0-24", "sat 00:00-24:00"),
])
def test_forms_people_type(text, canonical):
    hours = parse_hours(text)
    assert hours.canonical() == canonical
    assert parse_hours(hours.canonical()) == hours  # the stored form reads back the same


def test_display_in_each_language():
    hours = parse_hours("ma-to 16.30-21, la 12-16")
    assert hours.describe("fi") == "ma–to 16.30–21.00, la 12.00–16.00"
    assert hours.describe("sv") == "mån–tors 16.30–21.00, lör 12.00–16.00"
    assert hours.describe("en") == "Mon-Thu 16:30-21:00, Sat 12:00-16:00"
    assert parse_hours("daily 18-22").describe("fi") == "joka päivä 18.00–22.00"


@pytest.mark.parametrize(("text", "msgid"), [
    ("", BAD_HOURS), ("ma-pe", BAD_HOURS), ("16", BAD_HOURS), ("ma-pe 16-21 lisäksi", BAD_HOURS),
    ("ma - 16-18", BAD_HOURS), ("xx 16-21", BAD_DAY), ("funday 10-12", BAD_DAY),
    ("ma 25-26", BAD_TIME), ("ma 16.75-18", BAD_TIME), ("ma 13pm-14pm", BAD_TIME), ("ma 24-02", BAD_TIME),
    ("ma 16-16", EMPTY_SPAN),
])
def test_wrong_forms_are_refused_with_examples(text, msgid):
    with pytest.raises(KohtaamoError) as caught:
        parse_hours(text)
    assert caught.value.msgid == msgid
    assert "ma–pe 16–21" in caught.value.msgid


def test_reusable_parts():
    assert parse_weekday("ma") == parse_weekday("mån") == parse_weekday("Mon") == parse_weekday("maanantai") == 0
    assert parse_weekday("sunnuntaisin") == parse_weekday("söndagar") == parse_weekday("Sundays") == 6
    assert parse_weekday("to") == parse_weekday("tors") == parse_weekday("thu") == 3
    assert parse_weekdays("ma–pe") == parse_weekdays("arkisin") == parse_weekdays("weekdays") == WEEKDAYS
    assert parse_weekdays("la-ma") == frozenset({5, 6, 0})
    assert parse_weekdays("joka päivä") == frozenset(range(7))
    assert parse_time("9") == 540 and parse_time("16.30") == parse_time("16:30") == parse_time("4:30pm") == 990
    assert parse_time("12am") == 0 and parse_time("12pm") == 720
    assert parse_time("24", end=True) == 1440
    with pytest.raises(KohtaamoError):
        parse_time("24")


def test_open_and_closed_in_local_time():
    hours = parse_hours("ma-pe 16-21")
    assert hours.is_open(local(2026, 12, 7, 16, 0), HKI)  # a Monday
    assert hours.is_open(local(2026, 12, 7, 20, 59), HKI)
    assert not hours.is_open(local(2026, 12, 7, 21, 0), HKI)
    assert not hours.is_open(local(2026, 12, 7, 15, 59), HKI)
    assert not hours.is_open(local(2026, 12, 12, 17, 0), HKI)  # Saturday
    assert hours.is_open(datetime(2026, 12, 7, 14, 0, tzinfo=UTC), "Europe/Helsinki")  # 16:00 EET


def test_a_span_past_midnight_belongs_to_its_evening():
    hours = parse_hours("pe 20-02")
    assert hours.is_open(local(2026, 12, 11, 23, 0), HKI)
    assert hours.is_open(local(2026, 12, 12, 1, 59), HKI)  # Saturday night, still Friday's span
    assert not hours.is_open(local(2026, 12, 12, 2, 0), HKI)
    assert not hours.is_open(local(2026, 12, 10, 1, 0), HKI)  # no Wednesday span
    late = parse_hours("su 22-01")  # Sunday into Monday: wraps the week
    assert late.is_open(local(2026, 12, 14, 0, 30), HKI)
    assert late.next_change(local(2026, 12, 14, 0, 30), HKI) == local(2026, 12, 14, 1, 0)


def test_next_change_keeps_local_time_across_the_october_change():
    hours = parse_hours("daily 16-21")
    at = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)  # Saturday; clocks go back Sunday 25.10. 04:00
    seen = []
    for _ in range(6):
        at = hours.next_change(at, HKI)
        seen.append(at)
    assert [t.astimezone(HKI).strftime("%d %H:%M") for t in seen] == [
        "24 16:00", "24 21:00", "25 16:00", "25 21:00", "26 16:00", "26 21:00"]
    assert seen[0] == datetime(2026, 10, 24, 13, 0, tzinfo=UTC)  # EEST, UTC+3
    assert seen[2] == datetime(2026, 10, 25, 14, 0, tzinfo=UTC)  # EET, UTC+2


def test_next_change_keeps_local_time_across_the_march_change():
    hours = parse_hours("ma-su 16-21")
    at = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)  # Saturday; clocks go forward Sunday 28.3. 03:00
    closing = hours.next_change(hours.next_change(at, HKI), HKI)  # Saturday 16:00, then 21:00
    opening = hours.next_change(closing, HKI)
    assert opening == datetime(2027, 3, 28, 13, 0, tzinfo=UTC)  # 16:00 EEST
    assert opening.astimezone(HKI).hour == 16


def test_always_open_never_changes():
    hours = parse_hours("daily 0-24")
    assert hours.is_open(local(2026, 12, 1, 3, 0), HKI)
    assert hours.next_change(local(2026, 12, 1, 3, 0), HKI) is None
