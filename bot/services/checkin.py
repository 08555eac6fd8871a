"""Check-ins: when they fire, and the words every check-in shares (moods, pauses).

The recurrence is a wall-clock time on some weekdays in an IANA zone (``Mon, Wed 09:00
Europe/Helsinki``). Every next instant is computed with ``zoneinfo`` from the local date, so
09:00 stays 09:00 on both sides of a daylight-saving change. On a change day:

* a time that does not exist (spring: Helsinki's clocks jump from 03:00 to 04:00, so 03:30 never
  happens) fires at the first minute that does exist after it: the moment the clocks jump (04:00);
* a time that exists twice (autumn: 03:00–04:00 is lived twice) fires once, at its first
  occurrence (summer time, ``fold=0``); the second pass of the same wall time is not a new due time.

Personal and room check-ins both use this; they live in ``checkin_personal`` and ``checkin_rooms``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.db.checkin import CheckinRepo
from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.scheduling import Scheduler
from bot.services.duration import parse_duration
from bot.services.hours import _SHORT, _clock, _days_text, parse_time, parse_weekdays

MOODS = (1, 2, 3, 4, 5)
LOWEST = 1  # two of these in a row: the member is offered company and the crisis contacts
MOOD_NAMES = {
    1: N_("Very heavy"),
    2: N_("Heavy"),
    3: N_("So-so"),
    4: N_("Quite good"),
    5: N_("Good"),
}
BAD_MOOD = N_("Choose a mood from 1 to 5.")
NO_DAYS = N_("Choose at least one weekday, e.g. ma,ke,pe or mån–fre or Mon-Fri or daily.")
BAD_PAUSE = N_(
    "I could not read “{text}”. Write a date like 12.12. or 12.12.2026, or a number of days like 7."
)
PAST_PAUSE = N_("That date has already passed. Write a date after today, like 12.12., or a number of days like 7.")
LONG_PAUSE = N_("A pause can be at most a year. Use /checkin stop to stop the check-ins altogether.")
MAX_PAUSE = timedelta(days=366)


@dataclass(frozen=True)
class Recurrence:
    """``days``: Monday = 0 … Sunday = 6; ``minute``: local minutes after midnight."""

    days: frozenset[int]
    minute: int
    zone: str

    @classmethod
    def parse(cls, time_text: str, days_text: str, zone: str) -> Recurrence:
        """``18.00`` / ``6pm`` and ``ma,ke,pe`` / ``mån–fre`` / ``Mon-Fri`` / ``daily``, as typed
        everywhere in the bot (``bot.services.hours``); an empty day list is refused."""
        minute = parse_time(time_text)
        if not days_text.strip():
            raise KohtaamoError(NO_DAYS)
        days = parse_weekdays(days_text)
        if not days:
            raise KohtaamoError(NO_DAYS)
        return cls(days, minute, zone)

    @property
    def mask(self) -> int:
        return sum(1 << d for d in self.days)

    @classmethod
    def from_mask(cls, mask: int, minute: int, zone: str) -> Recurrence:
        return cls(frozenset(d for d in range(7) if mask >> d & 1), minute, zone)

    def next_after(self, after: datetime) -> datetime:
        """The first due instant strictly after ``after`` (aware UTC in and out)."""
        tz = ZoneInfo(self.zone)
        day = after.astimezone(tz).date() - timedelta(days=1)  # a day early: a time moved past a gap at midnight
        for offset in range(9):
            candidate = day + timedelta(days=offset)
            if candidate.weekday() in self.days:
                due = local_instant(candidate, self.minute, tz)
                if due > after:
                    return due
        raise ValueError("a recurrence without days has no next time")

    def describe(self, locale: str) -> str:
        """``ma, ke, pe 9.00`` / ``mån–fre 09.00`` / ``Mon-Fri 09:00``."""
        dash = "–" if locale != "en" else "-"
        names = _SHORT.get(locale, _SHORT["en"])
        return f"{_days_text(self.days, names, dash)} {_clock(self.minute, locale)}"


class Occurrences:
    """The due times of one kind of schedule (``owner``: ``personal_id`` or ``room_id``): each is
    an occurrence row, made once per due time, and a job ``kind`` whose ref is the row."""

    def __init__(
        self, repo: CheckinRepo, scheduler: Scheduler, clock: Clock, kind: str, grace: timedelta, owner: str
    ) -> None:
        self.repo = repo
        self.scheduler = scheduler
        self.clock = clock
        self.kind = kind
        self.grace = grace
        self.owner = owner

    async def plan(self, guild_id: int, owner_id: int, recurrence: Recurrence, after: datetime) -> datetime:
        """The first due time after ``after``, stored and armed (idempotent); room prompts count
        their predecessors, so the default prompts rotate."""
        due = recurrence.next_after(after)
        sequence = await self.repo.count_room_occurrences(owner_id, due) if self.owner == "room_id" else 0
        occurrence = await self.repo.add_occurrence(guild_id, due, sequence=sequence, **{self.owner: owner_id})
        await self.scheduler.schedule(self.kind, occurrence["id"], due, guild_id=guild_id, grace=self.grace)
        return due

    async def cancel_unsent(self, owner_id: int) -> None:
        """Drop the occurrences not sent yet (one already sent keeps its buttons working)."""
        after = self.clock.now() - self.grace
        for occurrence in await self.repo.occurrences_after(after, **{self.owner: owner_id}):
            if await self.scheduler.cancel(self.kind, occurrence["id"]):
                await self.repo.delete_occurrence(occurrence["id"])

    async def overdue(self, owner_id: int) -> bool:
        """At start: True when nothing is planned that can still run (the last was missed or none)."""
        latest = await self.repo.latest_occurrence(**{self.owner: owner_id})
        return latest is None or latest["due_at"] + self.grace < self.clock.now()


def local_instant(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``minute`` on ``day`` in ``tz``: a skipped time moves forward
    to the first minute that exists (the jump), a doubled time is its first occurrence."""
    for shift in range(0, 24 * 60 - minute):
        m = minute + shift
        local = datetime.combine(day, time(m // 60, m % 60), tzinfo=tz)  # fold=0: the first of a doubled time
        utc = local.astimezone(UTC)
        if utc.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None):
            return utc
    raise ValueError(f"no valid local time on {day} from minute {minute}")  # no zone skips a whole evening


_DATE = re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})?")
_DAYS = re.compile(r"\d{1,3}")


def pause_until(text: str, now: datetime, zone: str) -> datetime:
    """Until when a pause lasts, typed as a date (``12.12.``, ``12.12.2026``: no check-in before
    that day's local midnight), a number of days (``7``: seven days from now) or a duration as
    typed everywhere (``2 vk``, ``10 pv``, ``3 dagar``; ``bot.services.duration``). A date without a
    year is the next such date; a date in the past, or more than a year ahead, is refused."""
    value = text.strip().lower()
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    if match := _DATE.fullmatch(value):
        try:
            year = int(match["y"]) if match["y"] else today.year
            day = date(year, int(match["m"]), int(match["d"]))
            if not match["y"] and day <= today:
                day = date(year + 1, day.month, day.day)
        except ValueError:
            raise KohtaamoError(BAD_PAUSE, text=text.strip()) from None
        if day <= today:
            raise KohtaamoError(PAST_PAUSE)
        until = local_instant(day, 0, tz)
    elif _DAYS.fullmatch(value) and int(value) >= 1:
        until = now + timedelta(days=int(value))
    elif (duration := parse_duration(value)) is not None:
        until = now + duration
    else:
        raise KohtaamoError(BAD_PAUSE, text=text.strip()[:50])
    if until - now > MAX_PAUSE:
        raise KohtaamoError(LONG_PAUSE)
    return until
