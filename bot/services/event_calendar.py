"""An event as an ``.ics`` file for the member's own calendar: a stable UID (the same event
updates, not doubles), the server's time zone (VTIMEZONE), and a SEQUENCE that rises with every
change, so calendars take an edit or a cancellation as such."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.event import Event

PRODID = "-//Kohtaamo//Events//FI"


def ics(event: Event, now: datetime, *, place: str | None = None, url: str | None = None) -> bytes:
    """``place`` overrides the event's (a voice channel's name); ``url`` links the card."""
    import icalendar  # only when a member asks for the file: it costs ~4 MiB kept for the process's life

    zone = ZoneInfo(event.timezone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if event.cancelled else "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", event.uid)
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", now)
    entry.add("dtstart", event.starts_at.astimezone(zone))
    entry.add("dtend", event.ends_at.astimezone(zone))
    entry.add("summary", event.title)
    if event.description:
        entry.add("description", event.description)
    location = place or event.place
    if location:
        entry.add("location", location)
    if url:
        entry.add("url", url)
    entry.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
