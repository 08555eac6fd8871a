"""Opening hours as people type them: ``ma–pe 16–21``, ``ma-to 16.30-21, la 12-16``,
``mån–fre 16–21``, ``Mon-Fri 4pm-9pm``, ``daily 18:00-22:00``, ``joka päivä 18-22``.

One parser for the whole bot. Its parts — a weekday name (``parse_weekday``), a set of days
(``parse_weekdays``), a time of day (``parse_time``) — are for every feature that asks for days
and times (check-ins type them the same way). Times are wall-clock times in a zone: 16:00 stays
16:00 local across daylight-saving changes, because every instant is computed with ``zoneinfo``.
A span may run past midnight (``pe 20-02`` is Friday 20:00 to Saturday 02:00)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import KohtaamoError
from bot.i18n import N_

DAY = 24 * 60
WEEK = 7 * DAY

BAD_HOURS = N_(
    "I could not read the opening hours “{text}”. Write days and times like: ma–pe 16–21, "
    "or ma-to 16.30-21, la 12-16, or daily 18:00-22:00."
)
BAD_DAY = N_("“{word}” is not a weekday. Write days like ma, ti, ke or mån, tis, ons or Mon, Tue, Wed; e.g. ma–pe 16–21.")
BAD_TIME = N_("“{value}” is not a time of day. Write times like 16, 16.30, 16:30 or 4pm; e.g. ma–pe 16–21.")
EMPTY_SPAN = N_("Opening and closing time cannot be the same ({value}). E.g. ma–pe 16–21.")

# Weekday names and abbreviations, Monday = 0, in Finnish, Swedish and English.
_NAMES: dict[str, int] = {}
for _day, _words in enumerate((
    "maanantai ma måndag mån må monday mon mo",
    "tiistai ti tisdag tis tuesday tue tues tu",
    "keskiviikko ke onsdag ons on wednesday wed we",
    "torstai to torsdag tors thursday thu thur thurs th",
    "perjantai pe fredag fre fr friday fri",
    "lauantai la lördag lör lö saturday sat sa",
    "sunnuntai su söndag sön sö sunday sun",
)):
    for _word in _words.split():
        _NAMES[_word] = _day
_FULL = {w for w in _NAMES if len(w) > 5}
# Plural and adverbial forms: maanantaisin, maanantaina, måndagar, mondays.
_SUFFIXES = ("isin", "sin", "na", "ar", "en", "s")
_GROUPS: dict[str, frozenset[int]] = {
    "daily": frozenset(range(7)),
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
}
_PHRASES = (  # longest first; each becomes one of the _GROUPS words
    ("joka päivä", "daily"), ("joka päivänä", "daily"), ("päivittäin", "daily"), ("varje dag", "daily"),
    ("alla dagar", "daily"), ("dagligen", "daily"), ("every day", "daily"), ("all days", "daily"),
    ("arkisin", "weekdays"), ("arkipäivisin", "weekdays"), ("vardagar", "weekdays"), ("weekdays", "weekdays"),
    ("viikonloppuisin", "weekends"), ("viikonloppuna", "weekends"), ("helger", "weekends"),
    ("weekends", "weekends"), ("weekend", "weekends"),
)
_FILLERS = {"ja", "och", "and", "sekä", "klo", "kl", "kello", "at", "from", "&"}
_DASH = re.compile(r"\s*[-–—‒]\s*")
_TIME = r"\d{1,2}(?:[.:]\d{2})?\s*(?:[ap]\.?m\.?)?"
_RANGE = re.compile(rf"(?<![\w.:])(?P<start>{_TIME})-(?P<end>{_TIME})(?![\w.:])")
_ONE_TIME = re.compile(r"(?P<h>\d{1,2})(?:[.:](?P<m>\d{2}))?(?:\s*(?P<ampm>[ap])\.?m\.?)?")


def _normalise(text: str) -> str:
    return _DASH.sub("-", " ".join(text.lower().split()))


def parse_weekday(word: str) -> int:
    """``ma``, ``mån``, ``Mon``, ``maanantaisin``, ``måndagar`` … → 0 (Monday) … 6 (Sunday)."""
    key = word.strip().lower().rstrip(".:")
    if key in _NAMES:
        return _NAMES[key]
    for suffix in _SUFFIXES:
        stem = key.removesuffix(suffix)
        if stem != key and stem in _FULL:
            return _NAMES[stem]
    raise KohtaamoError(BAD_DAY, word=word.strip())


def parse_weekdays(text: str) -> frozenset[int]:
    """``ma–pe``, ``ma, ke, pe``, ``la-su``, ``pe-ma`` (wraps), ``daily``, ``joka päivä``, ``arkisin``."""
    words = _normalise(text).replace(",", " ").replace(";", " ").replace("/", " ")
    for phrase, group in _PHRASES:
        words = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", group, words)
    tokens = [t for t in (w.strip(".:") for w in re.findall(r"[^\s-]+|-", words)) if t and t not in _FILLERS]
    days: set[int] = set()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in _GROUPS:
            days |= _GROUPS[token]
            i += 1
            continue
        if token == "-":
            raise KohtaamoError(BAD_HOURS, text=text.strip())
        first = parse_weekday(token)
        if i + 1 < len(tokens) and tokens[i + 1] == "-":
            if i + 2 >= len(tokens):
                raise KohtaamoError(BAD_HOURS, text=text.strip())
            last = parse_weekday(tokens[i + 2])
            day = first
            days.add(day)
            while day != last:
                day = (day + 1) % 7
                days.add(day)
            i += 3
        else:
            days.add(first)
            i += 1
    return frozenset(days)


def parse_time(text: str, *, end: bool = False) -> int:
    """``16``, ``16.30``, ``16:30``, ``4pm``, ``4.30 pm`` → minutes after midnight. ``24`` (as
    ``24:00``) is allowed only as an end time (``end=True``)."""
    value = text.strip().lower()
    match = _ONE_TIME.fullmatch(value)
    if match is None:
        raise KohtaamoError(BAD_TIME, value=text.strip())
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise KohtaamoError(BAD_TIME, value=text.strip())
        hour = hour % 12 + (12 if match["ampm"] == "p" else 0)
    if minute > 59 or hour > 24 or (hour == 24 and (minute or not end)):
        raise KohtaamoError(BAD_TIME, value=text.strip())
    return hour * 60 + minute


def parse_time_range(start: str, finish: str) -> tuple[int, int]:
    """Two times; ``4-9pm`` gives the start the end's am/pm (unless that puts it after the end)."""
    start, finish = start.strip().lower(), finish.strip().lower()
    suffix = re.search(r"[ap]\.?m\.?$", finish)
    if suffix and not re.search(r"[ap]\.?m\.?$", start):
        guess = parse_time(start + suffix.group(0))
        begins = guess if guess <= parse_time(finish, end=True) else parse_time(start)
    else:
        begins = parse_time(start)
    ends = parse_time(finish, end=True)
    if begins == ends:
        raise KohtaamoError(EMPTY_SPAN, value=_clock(begins))
    return begins, ends


@dataclass(frozen=True, order=True)
class Span:
    """Open on ``days`` from ``start`` to ``end`` (minutes after midnight). ``end <= start``
    means the span ends the next day; ``end == 1440`` is midnight."""

    days: frozenset[int]
    start: int
    end: int

    def windows(self) -> list[tuple[int, int]]:
        """Minutes of the week [from, to), Monday 00:00 = 0; a window may run past the week."""
        length = self.end - self.start if self.end > self.start else self.end + DAY - self.start
        return [(d * DAY + self.start, d * DAY + self.start + length) for d in sorted(self.days)]


@dataclass(frozen=True)
class OpeningHours:
    spans: tuple[Span, ...]

    def windows(self) -> list[tuple[int, int]]:
        return sorted(w for span in self.spans for w in span.windows())

    def is_open(self, at: datetime, zone: str | ZoneInfo) -> bool:
        local = at.astimezone(_zone(zone))
        minute = local.weekday() * DAY + local.hour * 60 + local.minute
        return any(lo <= m < hi for lo, hi in self.windows() for m in (minute, minute + WEEK))

    def next_change(self, after: datetime, zone: str | ZoneInfo) -> datetime | None:
        """The first instant after ``after`` at which the room opens or closes (UTC), or None
        when it never changes (always open)."""
        tz = _zone(zone)
        now_open = self.is_open(after, tz)
        local_day = after.astimezone(tz).date()
        monday = local_day - timedelta(days=local_day.weekday())
        candidates = set()
        for week in (-1, 0, 1, 2):
            for lo, hi in self.windows():
                for minute in (lo, hi):
                    candidates.add(_instant(monday + timedelta(weeks=week), minute, tz))
        for candidate in sorted(c for c in candidates if c > after):
            if self.is_open(candidate, tz) != now_open:
                return candidate
        return None

    def canonical(self) -> str:
        """A stable, re-parseable text form (stored in the database): ``mon-fri 16:00-21:00``."""
        return self.describe("en").lower()

    def describe(self, locale: str) -> str:
        """For display: ``ma–pe 16.00–21.00, la 12.00–16.00`` in Finnish, ``Mon–Fri 16:00–21:00``."""
        dash = "–" if locale != "en" else "-"
        names = _SHORT.get(locale, _SHORT["en"])
        parts = []
        for span in sorted(self.spans, key=lambda s: (min(s.days), s.start)):
            clock = f"{_clock(span.start, locale)}{dash}{_clock(span.end, locale)}"
            parts.append(f"{_days_text(span.days, names, dash)} {clock}")
        return ", ".join(parts)


_SHORT = {
    "fi": ("ma", "ti", "ke", "to", "pe", "la", "su", "joka päivä"),
    "sv": ("mån", "tis", "ons", "tors", "fre", "lör", "sön", "dagligen"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "daily"),
}


def _days_text(days: frozenset[int], names: tuple[str, ...], dash: str) -> str:
    if len(days) == 7:
        return names[7]
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    text = []
    for run in runs:
        if len(run) >= 3:
            text.append(f"{names[run[0]]}{dash}{names[run[-1]]}")
        else:
            text.extend(names[d] for d in run)
    return ",".join(text) if dash == "-" else ", ".join(text)


def _clock(minutes: int, locale: str = "en") -> str:
    separator = "." if locale in ("fi", "sv") else ":"
    return f"{minutes // 60:02d}{separator}{minutes % 60:02d}" if locale != "fi" else (
        f"{minutes // 60}{separator}{minutes % 60:02d}"
    )


def _zone(zone: str | ZoneInfo) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def _instant(monday: date, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``minute`` (minutes after that Monday's local midnight) in ``tz``:
    local wall-clock time, so a 16:00 stays 16:00 whatever the UTC offset that day."""
    day = monday + timedelta(days=minute // DAY)
    local = datetime.combine(day, time(hour=(minute % DAY) // 60, minute=minute % 60), tzinfo=tz)
    # A time skipped in spring (03:30 on the night clocks go 03:00 → 04:00) comes an hour
    # later (04:30), as zoneinfo reads it; a time that occurs twice in autumn is its first.
    return local.astimezone(UTC)


def parse_hours(text: str) -> OpeningHours:
    """Parse opening hours; a wrong form raises ``KohtaamoError`` with examples."""
    normal = _normalise(text)
    ranges = list(_RANGE.finditer(normal))
    if not normal or not ranges or len(text) > 200:
        raise KohtaamoError(BAD_HOURS, text=text.strip()[:200])
    spans: list[Span] = []
    cursor = 0
    days: frozenset[int] = frozenset(range(7))
    for match in ranges:
        words = normal[cursor:match.start()].strip(" ,;")
        if words:
            days = parse_weekdays(words)
        if not days:
            raise KohtaamoError(BAD_HOURS, text=text.strip())
        start, end = parse_time_range(match["start"], match["end"])
        spans.append(Span(days, start, end))
        cursor = match.end()
    if normal[cursor:].strip(" ,;."):
        raise KohtaamoError(BAD_HOURS, text=text.strip())
    return OpeningHours(tuple(spans))
