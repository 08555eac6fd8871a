"""The impact report for staff and funders (PRODUCT.md §8): the period, the figures, and the
small-cell rules, as pure functions over plain numbers.

Small cells. A count of 1–4 is shown as ``<5`` (``Hidden.SMALL``). Counts that add up to a
shown total (the audiences of the active members, the five moods, what became of the company
requests, a month's loneliness answers) are a ``Group``: when a hidden count could be worked out
from the total and the counts shown, the smallest count still shown (never a 0) is hidden too,
as ``*`` (``Hidden.COMPLEMENT``, so always 5 or more), and so on until no hidden count is
determined by the rest; the total itself goes last. The median and 90th percentile of the time
to a volunteer are shown only from 5 served requests. Hours on duty are not a count of people
and are shown as they are.

Where the numbers come from: ``bot.services.impact_counts`` (daily aggregates of activity, joins,
room messages and duty seconds) and the other features' own tables, read as counts only."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.db.impact import ImpactRepo
from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.services.checkin_personal import PersonalCheckins
from bot.services.dates import parse_day
from bot.services.impact_counts import Band, ImpactCounts
from bot.services.room import Audience as RoomAudience
from bot.services.setup import SetupService

SMALL_BELOW = 5
MAX_DAYS = 366
MONTHS_SHOWN = 12  # the loneliness trend: the period's months, at most the last 12

NOT_BOTH = N_("Give either a month or start and end dates, not both.")
NO_START = N_("Give a start date too (start), or a month.")
BAD_MONTH = N_("I could not read the month “{text}”. Write it like 12.2026 or 2026-12.")
FUTURE = N_("“{text}” is still to come. The report covers days up to today.")
END_FIRST = N_("The end date comes before the start date.")
TOO_LONG = N_("A report covers at most {days} days. Choose a shorter period.")
NO_DATA = N_("Nothing was recorded in this period ({period}), so there is nothing to report yet.")


class Hidden(StrEnum):
    SMALL = "<5"  # a count of 1–4
    COMPLEMENT = "*"  # hidden so that a small count cannot be worked out; 5 or more


Cell = int | Hidden


MOODS = (1, 2, 3, 4, 5)
ROOM_BANDS = tuple(RoomAudience)
# ----- the period -------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    def label(self) -> str:
        """``1.12.2026–31.12.2026``, as dates are written in Finland (and Sweden)."""
        return "–".join(f"{d.day}.{d.month}.{d.year}" for d in (self.first, self.last))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def months(self) -> list[str]:
        """``2026-11``, ``2026-12``, …: the months the period touches, at most the last 12."""
        found: list[str] = []
        year, month = self.first.year, self.first.month
        while (year, month) <= (self.last.year, self.last.month):
            found.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found[-MONTHS_SHOWN:]


_MONTH = re.compile(r"(?:(?P<m>\d{1,2})[./](?P<y>\d{4})\.?|(?P<y2>\d{4})-(?P<m2>\d{1,2}))")


def parse_month(text: str) -> date:
    """``12.2026``, ``12/2026`` or ``2026-12`` → the month's first day."""
    raw = " ".join(text.split())
    match = _MONTH.fullmatch(raw)
    if match is None:
        raise KohtaamoError(BAD_MONTH, text=raw[:60])
    year, month = int(match["y"] or match["y2"]), int(match["m"] or match["m2"])
    if not 1 <= month <= 12:
        raise KohtaamoError(BAD_MONTH, text=raw)
    return date(year, month, 1)


def month_end(first: date) -> date:
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def period_of(start: str | None, end: str | None, month: str | None, today: date) -> Period:
    """The period a staff member asked for. Nothing: this month so far; a month: that month (up
    to today); a start alone: up to today."""
    if month is not None and (start is not None or end is not None):
        raise KohtaamoError(NOT_BOTH)
    if month is not None:
        first = parse_month(month)
        if first > today:
            raise KohtaamoError(FUTURE, text=month.strip())
        return Period(first, min(month_end(first), today))
    if start is None:
        if end is not None:
            raise KohtaamoError(NO_START)
        return Period(today.replace(day=1), today)
    first = parse_day(start, today)
    if first > today:
        raise KohtaamoError(FUTURE, text=start.strip())
    last = today if end is None else parse_day(end, today)
    if end is not None and last > today:
        raise KohtaamoError(FUTURE, text=end.strip())
    if last < first:
        raise KohtaamoError(END_FIRST)
    period = Period(first, last)
    if period.days > MAX_DAYS:
        raise KohtaamoError(TOO_LONG, days=MAX_DAYS)
    return period


# ----- small cells ------------------------------------------------------------------------


def small(value: int) -> Cell:
    """One count on its own: 1–4 hidden."""
    return Hidden.SMALL if 0 < value < SMALL_BELOW else value


def suppress(total: int, parts: Sequence[int]) -> tuple[Cell, list[Cell]]:
    """The cells of a total and the counts that add up to it, with small counts hidden and no
    hidden count determined by the others. Assumes the reader knows the rules: ``<5`` is 1–4,
    ``*`` is 5 or more and no more than any count shown."""
    assert total == sum(parts) and all(p >= 0 for p in parts)
    marks: list[Hidden | None] = [Hidden.SMALL if 0 < p < SMALL_BELOW else None for p in parts]
    total_mark = Hidden.SMALL if 0 < total < SMALL_BELOW else None
    while any(marks) and _determined(total, total_mark, parts, marks):
        shown = [i for i, p in enumerate(parts) if marks[i] is None and p > 0]
        if shown:
            marks[min(shown, key=lambda i: (parts[i], i))] = Hidden.COMPLEMENT
        elif total_mark is None:
            total_mark = Hidden.COMPLEMENT
        else:
            break  # everything that could be hidden is; what is left follows from the rules alone
    return (total_mark or total), [mark or part for mark, part in zip(marks, parts, strict=True)]


_RANGE: dict[Hidden, tuple[float, float]] = {Hidden.SMALL: (1, SMALL_BELOW - 1), Hidden.COMPLEMENT: (SMALL_BELOW, math.inf)}


def _determined(total: int, total_mark: Hidden | None, parts: Sequence[int], marks: Sequence[Hidden | None]) -> bool:
    """Whether some hidden cell has only one possible value, given total = sum(parts), the cells
    shown and each hidden cell's range."""
    known = sum(p for p, m in zip(parts, marks, strict=True) if m is None)
    # A "*" was the smallest count shown when it was hidden: at most any count still shown.
    ceiling = min((p for p, m in zip(parts, marks, strict=True) if m is None and p > 0), default=math.inf)
    ranges: list[tuple[float, float]] = [
        (SMALL_BELOW, ceiling) if m is Hidden.COMPLEMENT else _RANGE[m] for m in marks if m is not None
    ]
    t_lo, t_hi = (float(total), float(total)) if total_mark is None else _RANGE[total_mark]
    if total_mark is not None:
        low, high = known + sum(r[0] for r in ranges), known + sum(r[1] for r in ranges)
        if max(t_lo, low) >= min(t_hi, high):
            return True
    for i, (lo, hi) in enumerate(ranges):
        others = ranges[:i] + ranges[i + 1:]
        low = t_lo - known - sum(r[1] for r in others)
        high = t_hi - known - sum(r[0] for r in others)
        if max(lo, low) >= min(hi, high):
            return True
    return False


@dataclass(frozen=True)
class Group:
    """A total and its parts, in a fixed order of keys, cells already safe to show."""

    total: Cell
    parts: tuple[tuple[str, Cell], ...]


def group(counts: dict[str, int], keys: Sequence[str]) -> Group:
    values = [counts.get(k, 0) for k in keys]
    total, cells = suppress(sum(values), values)
    return Group(total, tuple(zip(keys, cells, strict=True)))


def waits(served: Sequence[timedelta]) -> tuple[timedelta | None, timedelta | None]:
    """(median, 90th percentile) of the times to a volunteer; None from fewer than 5."""
    if len(served) < SMALL_BELOW:
        return None, None
    ordered = sorted(served)
    p90 = ordered[math.ceil(0.9 * len(ordered)) - 1]  # nearest rank: a time some request really waited
    return timedelta(seconds=statistics.median(w.total_seconds() for w in ordered)), p90


# ----- the report -------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The raw counts of a period, before anything is hidden."""

    period: Period
    active: dict[str, int]  # Band → member-days (members active each day, summed over the days)
    joins: int
    messages: dict[str, int]  # room Audience → messages
    moods: dict[int, int]  # 1–5 → answers
    loneliness: dict[str, tuple[int, int]]  # month → (all or most of the time, all answers)
    company: dict[str, int]  # served, cancelled, waiting (not taken, not cancelled)
    served_waits: tuple[timedelta, ...]
    duty_seconds: int
    events: int
    attendance: int
    reports: tuple[int, int]  # raised, resolved
    alerts: tuple[int, int]

    def empty(self) -> bool:
        counts = [*self.active.values(), self.joins, *self.messages.values(), *self.moods.values(),
                  *(n for _, n in self.loneliness.values()), *self.company.values(),
                  self.duty_seconds, self.events, *self.reports, *self.alerts]
        return not any(counts)


@dataclass(frozen=True)
class MonthShare:
    month: str  # 2026-12
    answers: Cell
    share: float | None  # "all or most of the time", 0–1; None when hidden or no answers


COMPANY_PARTS = ("served", "cancelled", "waiting")


@dataclass(frozen=True)
class Report:
    period: Period
    active: Group  # by Band
    joins: Cell
    messages: Group  # by room audience
    moods: Group  # "1" … "5"
    loneliness: tuple[MonthShare, ...]
    company: Group  # made = served + cancelled + waiting
    wait_median: timedelta | None
    wait_p90: timedelta | None
    conversations: Cell  # the conversations volunteers held: the served requests, the same cell
    duty_hours: float
    events: Cell
    attendance: Cell
    reports: tuple[Cell, Cell]
    alerts: tuple[Cell, Cell]


def summarize(figures: Figures) -> Report:
    """What may be shown of ``figures``: every count through the small-cell rules."""
    median, p90 = waits(figures.served_waits)
    company = group(figures.company, COMPANY_PARTS)
    return Report(
        period=figures.period,
        active=group(figures.active, tuple(Band)),
        joins=small(figures.joins),
        messages=group(figures.messages, ROOM_BANDS),
        moods=group({str(m): n for m, n in figures.moods.items()}, tuple(str(m) for m in MOODS)),
        loneliness=tuple(_share(month, *counts) for month, counts in sorted(figures.loneliness.items())),
        company=company,
        wait_median=median,
        wait_p90=p90,
        conversations=dict(company.parts)["served"],
        duty_hours=round(figures.duty_seconds / 3600, 1),
        events=small(figures.events),
        attendance=small(figures.attendance),
        reports=(small(figures.reports[0]), small(figures.reports[1])),
        alerts=(small(figures.alerts[0]), small(figures.alerts[1])),
    )


def _share(month: str, lonely: int, answers: int) -> MonthShare:
    total, (shown_lonely, shown_rest) = suppress(answers, [lonely, answers - lonely])
    visible = isinstance(shown_lonely, int) and isinstance(shown_rest, int) and answers > 0
    return MonthShare(month, total, lonely / answers if visible else None)


# ----- gathering --------------------------------------------------------------------------


class ImpactService:
    """Gathers a period's figures from the aggregates and the features' tables."""

    def __init__(self, repo: ImpactRepo, counts: ImpactCounts, checkins: PersonalCheckins, setup: SetupService,
                 clock: Clock) -> None:
        self.repo = repo
        self.counts = counts
        self.checkins = checkins
        self.setup = setup
        self.clock = clock

    async def period(self, guild_id: int, start: str | None, end: str | None, month: str | None) -> Period:
        zone = (await self.setup.get(guild_id)).timezone
        return period_of(start, end, month, self.clock.now().astimezone(ZoneInfo(zone)).date())

    async def report(self, guild_id: int, period: Period) -> Report:
        """The period's report, small cells hidden; ``NO_DATA`` when nothing was recorded."""
        figures = await self.figures(guild_id, period)
        if figures.empty():
            raise KohtaamoError(NO_DATA, period=period.label())
        return summarize(figures)

    async def figures(self, guild_id: int, period: Period) -> Figures:
        await self.counts.flush()
        zone = (await self.setup.get(guild_id)).timezone
        tz = ZoneInfo(zone)
        start = datetime.combine(period.first, time(0), tzinfo=tz).astimezone(UTC)
        end = datetime.combine(period.last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
        first, last = period.first.isoformat(), period.last.isoformat()
        active = Counter(await self.repo.daily(guild_id, "active", first, last))
        active.update(await self.repo.seen(guild_id, first, last))
        now = self.clock.now()
        open_seconds = sum(max(0.0, (min(end, now) - max(start, since)).total_seconds())
                           for since in await self.repo.open_duties(guild_id))
        requests = await self.repo.company(guild_id, start, end)
        served = [r.claimed_at - r.created_at for r in requests if r.claimed_at is not None]
        cancelled = sum(1 for r in requests if r.claimed_at is None and r.status == "cancelled")
        moods = Counter(await self.repo.moods(guild_id, start, end))
        events, attendance = await self.repo.events(guild_id, start, end)
        return Figures(
            period=period,
            active=dict(active),
            joins=sum((await self.repo.daily(guild_id, "joins", first, last)).values()),
            messages=await self.repo.daily(guild_id, "messages", first, last),
            moods={m: moods.get(m, 0) for m in MOODS},
            loneliness={m: await self.checkins.loneliness_share(guild_id, m) for m in period.months()},
            company={"served": len(served), "cancelled": cancelled, "waiting": len(requests) - len(served) - cancelled},
            served_waits=tuple(served),
            duty_seconds=sum((await self.repo.daily(guild_id, "duty_seconds", first, last)).values())
            + int(open_seconds),
            events=events,
            attendance=attendance,
            reports=await self.repo.reports(guild_id, start, end),
            alerts=await self.repo.alerts(guild_id, start, end),
        )
