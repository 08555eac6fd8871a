"""When check-ins fire: 09:00 Helsinki stays 09:00 across both daylight-saving changes, and the
times that do not exist or exist twice on a change day are handled on purpose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import KohtaamoError
from bot.services.checkin import NO_DAYS, PAST_PAUSE, Recurrence, pause_until

HKI = "Europe/Helsinki"
TZ = ZoneInfo(HKI)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ).astimezone(UTC)


def series(rec: Recurrence, start: datetime, count: int) -> list[datetime]:
    out, at = [], start
    for _ in range(count):
        at = rec.next_after(at)
        out.append(at)
    return out


def test_nine_oclock_stays_nine_across_the_last_sunday_of_march():
    rec = Recurrence.parse("9.00", "daily", HKI)
    times = series(rec, local(2026, 3, 27, 12, 0), 4)  # Sat 28, Sun 29 (change), Mon 30, Tue 31
    assert [t.astimezone(TZ).strftime("%d %H:%M") for t in times] == ["28 09:00", "29 09:00", "30 09:00", "31 09:00"]
    assert [t.hour for t in times] == [7, 6, 6, 6]  # UTC: +2 before, +3 after


def test_nine_oclock_stays_nine_across_the_last_sunday_of_october():
    rec = Recurrence.parse("09:00", "daily", HKI)
    times = series(rec, local(2026, 10, 24, 12, 0), 3)  # Sun 25 is the change
    assert [t.astimezone(TZ).strftime("%d %H:%M") for t in times] == ["25 09:00", "26 09:00", "27 09:00"]
    assert [t.hour for t in times] == [7, 7, 7]  # the change is at 04:00, before 09:00: already +2 on the 25th
    assert rec.next_after(local(2026, 10, 23, 12, 0)).hour == 6  # Saturday the 24th still +3


def test_a_time_skipped_in_spring_fires_when_the_clocks_jump():
    rec = Recurrence.parse("3.30", "su", HKI)  # 29.3.2026: 03:00 → 04:00, 03:30 never happens
    due = rec.next_after(local(2026, 3, 28, 12, 0))
    assert due == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 04:00 summer time, the first minute that exists
    assert due.astimezone(TZ).strftime("%H:%M") == "04:00"
    assert rec.next_after(due).astimezone(TZ).strftime("%d.%m. %H:%M") == "05.04. 03:30"


def test_a_time_lived_twice_in_autumn_fires_once_at_its_first_occurrence():
    rec = Recurrence.parse("3.30", "su", HKI)  # 25.10.2026: 04:00 → 03:00, 03:30 happens twice
    due = rec.next_after(local(2026, 10, 24, 12, 0))
    assert due == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 03:30 summer time (+3)
    after = rec.next_after(due)  # the second 03:30 (01:30 UTC) is not a new due time
    assert after.astimezone(TZ).strftime("%d.%m. %H:%M") == "01.11. 03:30"


def test_weekdays_only_and_strictly_after():
    rec = Recurrence.parse("18.00", "ma,ke,pe", HKI)
    start = local(2026, 12, 2, 18, 0)  # Wednesday 18:00 exactly: the next one is Friday
    assert [t.astimezone(TZ).strftime("%a %d") for t in series(rec, start, 3)] == ["Fri 04", "Mon 07", "Wed 09"]


@pytest.mark.parametrize("days", ["mån–fre", "Mon-Fri", "ma-pe"])
def test_days_typed_in_every_language(days):
    assert Recurrence.parse("6pm", days, HKI) == Recurrence(frozenset(range(5)), 18 * 60, HKI)


def test_mask_round_trip_and_description():
    rec = Recurrence.parse("9", "ma,ke,pe", HKI)
    assert Recurrence.from_mask(rec.mask, rec.minute, HKI) == rec
    assert rec.describe("fi") == "ma, ke, pe 9.00"
    assert Recurrence.parse("9", "mån-fre", HKI).describe("sv") == "mån–fre 09.00"


@pytest.mark.parametrize(("time", "days"), [("25.00", "ma"), ("klo kuus", "ma"), ("18", ""), ("18", "  ")])
def test_bad_input_is_refused_with_a_message(time, days):
    with pytest.raises(KohtaamoError) as raised:
        Recurrence.parse(time, days, HKI)
    if not days.strip():
        assert raised.value.msgid == NO_DAYS


def test_pause_until_a_date_or_a_number_of_days():
    now = local(2026, 12, 2, 10, 0)
    assert pause_until("12.12.", now, HKI) == local(2026, 12, 12, 0, 0)
    assert pause_until("5.1.2027", now, HKI) == local(2027, 1, 5, 0, 0)
    assert pause_until("1.12.", now, HKI) == local(2027, 12, 1, 0, 0)  # no year: the next 1.12.
    assert pause_until("7", now, HKI) == now + timedelta(days=7)
    assert pause_until("10 pv", now, HKI) == now + timedelta(days=10)
    assert pause_until("2 vk", now, HKI) == now + timedelta(weeks=2)
    with pytest.raises(KohtaamoError) as raised:
        pause_until("1.12.2026", now, HKI)
    assert raised.value.msgid == PAST_PAUSE
    for bad in ("31.2.", "huomenna", "0", "400"):
        with pytest.raises(KohtaamoError):
            pause_until(bad, now, HKI)
