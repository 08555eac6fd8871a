"""Durations as people type them, the one parser of the bot: ``45s``, ``30m``, ``2h``, ``1d``,
``1,5 h``, ``1 h 30 min``, and the Finnish ``10 min``, ``2 t``, ``2 tuntia``, ``1 vrk``, ``3 pv``
and Swedish ``2 tim``, ``1 dygn``, ``3 dagar``. Events' ends, timeouts and slowmode read them here."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.errors import KohtaamoError
from bot.i18n import N_

EXAMPLES = "30m, 2h, 1d, 10 min, 2 t, 1 vrk"
NOT_A_DURATION = N_("“{text}” is not a duration. Write it like: {examples}.")
TIMEOUT_MAX = timedelta(days=28)  # Discord's limits
SLOWMODE_MAX = timedelta(hours=6)
TIMEOUT_TOO_LONG = N_("A timeout can last at most 28 days.")
SLOWMODE_TOO_LONG = N_("Slowmode can be at most 6 hours.")

_UNITS = {
    "seconds": r"s|sek|sekunti[a]?|sekuntia|sekunder|sekund|secs?|seconds?",
    "minutes": r"m|min|mins|minuutti[a]?|minuuttia|minuter|minut|minutes?",
    "hours": r"h|t|tunti[a]?|tuntia|tim|timme|timmar|hrs?|hours?",
    "days": r"d|pv|päivä[ä]?|paiva[a]?|vrk|dygn|dag|dagar|days?",
    "weeks": r"w|vk|viikko[a]?|viikkoa|vecka|veckor|weeks?",
}
_PART = re.compile(
    r"(?P<n>\d+(?:[.,]\d+)?)\s*(?P<unit>" + "|".join(f"(?P<{k}>{v})" for k, v in _UNITS.items()) + r")(?![a-zäöå])"
)
_JOINER = re.compile(r"\s*(?:,|ja|och|and)?\s*")


def parse_duration(text: str) -> timedelta | None:
    """The duration in ``text``, or None when it is not one (or is zero)."""
    raw = text.strip().lower()
    total = timedelta()
    position = 0
    for match in _PART.finditer(raw):
        if not _JOINER.fullmatch(raw[position:match.start()]):
            return None
        amount = float(match["n"].replace(",", "."))
        unit = next(k for k in _UNITS if match[k])
        total += timedelta(**{unit: amount})
        position = match.end()
    if position == 0 or raw[position:].strip():
        return None
    return total if total > timedelta() else None


def require_duration(text: str, limit: timedelta, too_long: str) -> timedelta:
    """A duration of at most ``limit``, else a clear error (``too_long``: the message id)."""
    duration = parse_duration(text)
    if duration is None:
        raise KohtaamoError(NOT_A_DURATION, text=" ".join(text.split())[:40], examples=EXAMPLES)
    if duration > limit:
        raise KohtaamoError(too_long)
    return duration
