"""Dates and times as people in Finland type them, in the server's time zone:
``12.12.2026 18:00``, ``12.12.2026 klo 18``, ``12.12. klo 18`` (the next 12 December),
``to 18.30`` / ``torstaina klo 18.30`` / ``Thu 6.30pm`` (the coming Thursday), ``huomenna 18``,
and ISO ``2026-12-12 18:00`` / ``2026-12-12T18:00+02:00``.

The one date-time parser of the bot. Its weekday and time-of-day parts are those of the opening
hours (``bot.services.hours``). A wall-clock time becomes an instant with ``zoneinfo``: a time
that does not exist on the night the clocks go forward is an error; one that happens twice in
autumn is the first. An end is a time, a date and time, or a duration (``2 h``, ``90 min``,
``1,5 h``, ``1 h 30 min``)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.services.duration import parse_duration
from bot.services.hours import parse_time, parse_weekday

EXAMPLES = "12.12.2026 18:00, 12.12. klo 18, to 18.30, 2026-12-12 18:00"
BAD_WHEN = N_("I could not read the time “{text}”. Write it like: {examples}.")
NO_SUCH_DATE = N_("There is no such date as “{text}”. Write it like: {examples}.")
IN_THE_PAST = N_("“{text}” is already in the past. Give a time still to come, like: {examples}.")
SKIPPED_HOUR = N_("“{text}” does not exist: the clocks go forward that night. Choose another time.")
BAD_END = N_(
    "I could not read the end “{text}”. Give an end time (20.00), a date and time, or a duration "
    "(2 h, 90 min, 1 h 30 min)."
)
END_BEFORE_START = N_("The end must come after the start.")
TOO_LONG = N_("An event can last at most {days} days.")
BAD_DAY = N_("I could not read the date “{text}”. Write it like 1.12.2026, 1.12. or 2026-12-01.")
NO_SUCH_DAY = N_("There is no such date as “{text}”. Write it like 1.12.2026, 1.12. or 2026-12-01.")

MAX_LENGTH = timedelta(days=7)
_WORDS = {"klo", "kl", "kello", "at", "om", "on", "@"}
_RELATIVE = {
    "tänään": 0, "idag": 0, "today": 0,
    "huomenna": 1, "imorgon": 1, "i morgon": 1, "tomorrow": 1,
    "ylihuomenna": 2, "i övermorgon": 2,
}
_DAY_MONTH = re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})(?:\.(?P<y>\d{4}|\d{2})?)?(?=\s|$)")
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ t](?P<rest>.+))?")


def parse_when(text: str, now: datetime, timezone: str) -> datetime:
    """A start typed by a person → an aware UTC instant, not in the past."""
    zone = ZoneInfo(timezone)
    raw = " ".join(text.split())
    if not raw or len(raw) > 60:
        raise KohtaamoError(BAD_WHEN, text=raw[:60], examples=EXAMPLES)
    iso = _iso(raw)
    if iso is not None:
        instant = iso if iso.tzinfo is not None else _instant(iso.date(), iso.time(), zone, raw)
    else:
        day, clock = _day_and_time(raw, now.astimezone(zone))
        instant = _instant(day, clock, zone, raw)
    instant = instant.astimezone(UTC)
    if instant <= now:
        raise KohtaamoError(IN_THE_PAST, text=raw, examples=EXAMPLES)
    return instant


def parse_end(text: str, start: datetime, timezone: str) -> datetime:
    """An end after ``start``: a duration, a time of day (the next one after the start), or a
    date and time."""
    zone = ZoneInfo(timezone)
    raw = " ".join(text.split()).lower()
    if not raw:
        raise KohtaamoError(BAD_END, text=text)
    duration = parse_duration(raw)
    if duration is not None:
        end = start + duration
    else:
        try:
            clock = _clock(raw)
        except KohtaamoError:
            clock = None
        if clock is not None:
            local_start = start.astimezone(zone)
            day = local_start.date()
            end = _instant(day, clock, zone, raw)
            if end <= start:
                end = _instant(day + timedelta(days=1), clock, zone, raw)
        else:
            try:
                end = parse_when(raw, start, timezone)
            except KohtaamoError as error:
                if error.msgid == IN_THE_PAST:
                    raise KohtaamoError(END_BEFORE_START) from None
                raise KohtaamoError(BAD_END, text=text.strip()) from None
    if end <= start:
        raise KohtaamoError(END_BEFORE_START)
    if end - start > MAX_LENGTH:
        raise KohtaamoError(TOO_LONG, days=MAX_LENGTH.days)
    return end


def parse_day(text: str, today: date) -> date:
    """A day typed by a person, for looking back (a report's period): ``1.12.2026``, ``1.12.26``,
    ``2026-12-01``, or ``1.12.`` without a year (this year's, or last year's while this year's is
    still to come)."""
    raw = " ".join(text.split()).lower()
    iso = _ISO.fullmatch(raw)
    match = iso if iso is not None and not iso["rest"] else _DAY_MONTH.fullmatch(raw)
    if match is None:
        raise KohtaamoError(BAD_DAY, text=raw[:60])
    day_n, month_n = int(match["d"]), int(match["m"])
    if match["y"]:
        found = _date_or_none(int(match["y"]) + (2000 if len(match["y"]) == 2 else 0), month_n, day_n)
    else:
        found = _date_or_none(today.year, month_n, day_n)
        if found is None or found > today:
            found = _date_or_none(today.year - 1, month_n, day_n)
    if found is None:
        raise KohtaamoError(NO_SUCH_DAY, text=raw[:60])
    return found


def next_weekly(start: datetime, weeks: int, timezone: str) -> datetime:
    """The same wall-clock time ``weeks`` weeks later in ``timezone`` (18:00 stays 18:00 across
    a daylight-saving change)."""
    zone = ZoneInfo(timezone)
    local = start.astimezone(zone)
    later = local.date() + timedelta(weeks=weeks)
    return datetime.combine(later, local.time().replace(tzinfo=None), tzinfo=zone).astimezone(UTC)


def _iso(raw: str) -> datetime | None:
    match = _ISO.fullmatch(raw.lower())
    if match is None:
        return None
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise KohtaamoError(NO_SUCH_DATE, text=raw, examples=EXAMPLES) from None
    rest = (match["rest"] or "").strip()
    if not rest:
        raise KohtaamoError(BAD_WHEN, text=raw, examples=EXAMPLES)
    try:
        parsed = datetime.fromisoformat(f"{day.isoformat()}T{rest.upper()}")
    except ValueError:
        return datetime.combine(day, _clock(rest))
    return parsed


def _day_and_time(raw: str, local_now: datetime) -> tuple[date, time]:
    lowered = raw.lower().replace(",", " ")
    for phrase, offset in sorted(_RELATIVE.items(), key=lambda p: -len(p[0])):
        if lowered.startswith(phrase + " ") or lowered == phrase:
            return local_now.date() + timedelta(days=offset), _clock(lowered[len(phrase):])
    match = _DAY_MONTH.match(lowered)
    if match is not None:
        clock = _clock(lowered[match.end():])
        day_n, month_n = int(match["d"]), int(match["m"])
        if match["y"]:
            year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
            return _date(year, month_n, day_n, raw), clock
        for year in range(local_now.year, local_now.year + 5):  # 29.2. waits for a leap year
            candidate = _date_or_none(year, month_n, day_n)
            if candidate is not None and datetime.combine(candidate, clock, tzinfo=local_now.tzinfo) > local_now:
                return candidate, clock
        raise KohtaamoError(NO_SUCH_DATE, text=raw, examples=EXAMPLES)
    first, _, rest = lowered.partition(" ")
    try:
        weekday = parse_weekday(first)
    except KohtaamoError:
        raise KohtaamoError(BAD_WHEN, text=raw, examples=EXAMPLES) from None
    clock = _clock(rest)
    ahead = (weekday - local_now.weekday()) % 7
    day = local_now.date() + timedelta(days=ahead)
    if ahead == 0 and datetime.combine(day, clock, tzinfo=local_now.tzinfo) <= local_now:
        day += timedelta(days=7)
    return day, clock


def _date(year: int, month: int, day: int, raw: str) -> date:
    found = _date_or_none(year, month, day)
    if found is None:
        raise KohtaamoError(NO_SUCH_DATE, text=raw, examples=EXAMPLES)
    return found


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _clock(text: str) -> time:
    """The time-of-day part: ``klo 18``, ``kl. 18.30``, ``18:00``, ``6pm``."""
    words = [w for w in text.replace(".", ". ").split() if w.strip(".") not in _WORDS]
    joined = "".join(words).strip(". ")
    value = re.sub(r"\.\s+", ".", joined)
    if not value:
        raise KohtaamoError(BAD_WHEN, text=text.strip(), examples=EXAMPLES)
    try:
        minutes = parse_time(value)
    except KohtaamoError:
        raise KohtaamoError(BAD_WHEN, text=text.strip(), examples=EXAMPLES) from None
    return time(minutes // 60, minutes % 60)


def _instant(day: date, clock: time, zone: ZoneInfo, raw: str) -> datetime:
    local = datetime.combine(day, clock, tzinfo=zone)
    round_trip = local.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise KohtaamoError(SKIPPED_HOUR, text=raw)
    return local.astimezone(UTC)
