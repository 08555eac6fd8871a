"""Events: making one (or a weekly series), answers with a waiting list, reminders, changes.

The rules live here; Discord does not. Answers go through one transaction in the repository,
so exactly ``capacity`` members are ever Going however many press at once. Reminders are jobs
(24 h and 1 h before); each member's reminder is claimed once, so a retried job never repeats
one. The next occurrence of a weekly series is made by a job when the previous one starts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.clock import Clock
from bot.db.codec import from_db
from bot.db.event import Answer, EventRepo
from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.scheduling import DueJob, Scheduler
from bot.services.dates import next_weekly, parse_end, parse_when
from bot.services.room import AUDIENCE_ROLES, Audience
from bot.services.setup import BotRole, GuildConfig
from bot.services.volunteer import Audience as Band

TITLE_MAX, DESCRIPTION_MAX, PLACE_MAX = 100, 1000, 100
CAPACITY_MAX, WEEKS_MAX = 1000, 52
REMINDERS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}
# A reminder late after downtime still goes out until the next one is due (or the start).
REMINDER_GRACE = {"24h": timedelta(hours=23), "1h": timedelta(minutes=55)}
# The rooms' audiences a company requester's band may join (the honest notice's events).
BAND_AUDIENCES = {
    Band.CAREGIVER: frozenset({Audience.CAREGIVERS, Audience.ADULTS}),
    Band.YOUTH_ADULT: frozenset({Audience.YOUTH_ADULT, Audience.ADULTS}),
    Band.YOUTH_MINOR: frozenset({Audience.YOUTH_MINOR}),
    Band.UNKNOWN: frozenset({Audience.YOUTH_MINOR}),  # possibly a minor
}

NO_SUCH_EVENT = N_("There is no such event.")
CANCELLED = N_("This event has been cancelled.")
NOT_FOR_YOU = N_("This event is for another group, so you cannot sign up for it.")
CHANGED_MEANWHILE = N_("Someone else changed this event while you were editing it. Open /event edit again.")


class Choice(StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    NO = "no"


@dataclass(frozen=True)
class Event:
    id: int
    guild_id: int
    series_id: int | None
    occurrence: int
    channel_id: int
    message_id: int | None
    thread_id: int | None
    discord_event_id: int | None
    organiser_id: int
    title: str
    description: str
    place: str | None
    voice_channel_id: int | None
    starts_at: datetime
    ends_at: datetime
    timezone: str
    capacity: int | None
    audience: Audience | None
    locale: str
    status: str
    sequence: int
    uid: str

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    def open_to(self, audiences: frozenset[Audience] | None) -> bool:
        """``audiences`` None: anyone (staff and moderators may join every event)."""
        return self.audience is None or audiences is None or self.audience in audiences


def member_audiences(config: GuildConfig, role_ids: set[int]) -> frozenset[Audience] | None:
    """The audiences a member belongs to by their mapped roles; None for staff and moderators,
    who may join every event."""
    if config.has_role(role_ids, BotRole.STAFF):
        return None
    return frozenset(a for a, roles in AUDIENCE_ROLES.items() if any(config.roles.get(r) in role_ids for r in roles))


@dataclass(frozen=True)
class Details:
    """What the form gives, as typed."""

    title: str
    description: str
    start: str
    end: str
    place: str | None


@dataclass(frozen=True)
class Options:
    channel_id: int
    capacity: int | None = None
    audience: Audience | None = None
    voice_channel_id: int | None = None
    weeks: int = 1


@dataclass(frozen=True)
class Rsvp:
    event: Event
    previous: str | None
    status: str
    place: int  # on the waiting list; 0 when not waiting
    promoted: list[tuple[int, str]]  # (member, locale) moved from the waiting list to Going


@dataclass(frozen=True)
class Edit:
    event: Event
    moved: bool  # a new time
    relocated: bool  # a new place or voice channel
    promoted: list[tuple[int, str]]


@dataclass(frozen=True)
class Reminder:
    event: Event
    kind: str
    members: list[tuple[int, str]]


def _event(row: dict[str, Any]) -> Event:
    return Event(
        id=int(row["id"]), guild_id=int(row["guild_id"]), series_id=row["series_id"], occurrence=int(row["occurrence"]),
        channel_id=int(row["channel_id"]), message_id=row["message_id"], thread_id=row["thread_id"],
        discord_event_id=row["discord_event_id"], organiser_id=int(row["organiser_id"]), title=str(row["title"]),
        description=str(row["description"]), place=row["place"], voice_channel_id=row["voice_channel_id"],
        starts_at=from_db(row["starts_at"]), ends_at=from_db(row["ends_at"]), timezone=str(row["timezone"]),
        capacity=row["capacity"], audience=Audience(row["audience"]) if row["audience"] else None,
        locale=str(row["locale"]), status=str(row["status"]), sequence=int(row["sequence"]), uid=str(row["uid"]),
    )


class EventService:
    KIND_REMIND_24H = "event_remind_24h"
    KIND_REMIND_1H = "event_remind_1h"
    KIND_NEXT = "event_next"
    REMINDER_KINDS = {"24h": KIND_REMIND_24H, "1h": KIND_REMIND_1H}

    def __init__(self, repo: EventRepo, scheduler: Scheduler, clock: Clock) -> None:
        """The bot registers the handlers of ``KIND_REMIND_*`` and ``KIND_NEXT``."""
        self.repo = repo
        self.scheduler = scheduler
        self.clock = clock
        self._known: dict[int, Event] = {}

    # --- making ----------------------------------------------------------------------------

    def validate(self, details: Details, options: Options, timezone: str) -> tuple[datetime, datetime]:
        """Check what was typed; the start and end as UTC instants."""
        title = details.title.strip()
        if not 1 <= len(title) <= TITLE_MAX:
            raise KohtaamoError("A title is 1–{max} characters.", max=TITLE_MAX)
        if len(details.description) > DESCRIPTION_MAX:
            raise KohtaamoError("A description can be at most {max} characters.", max=DESCRIPTION_MAX)
        if details.place and len(details.place.strip()) > PLACE_MAX:
            raise KohtaamoError("A place can be at most {max} characters.", max=PLACE_MAX)
        if not (details.place or "").strip() and options.voice_channel_id is None:
            raise KohtaamoError("Give a place, or choose a voice channel for the event.")
        if options.capacity is not None and not 1 <= options.capacity <= CAPACITY_MAX:
            raise KohtaamoError("Capacity is 1–{max} people.", max=CAPACITY_MAX)
        if not 1 <= options.weeks <= WEEKS_MAX:
            raise KohtaamoError("A weekly event can repeat 1–{max} times.", max=WEEKS_MAX)
        start = parse_when(details.start, self.clock.now(), timezone)
        return start, parse_end(details.end, start, timezone)

    async def create(
        self, guild_id: int, organiser_id: int, details: Details, options: Options, *, timezone: str, locale: str
    ) -> Event:
        start, end = self.validate(details, options, timezone)
        now = self.clock.now()
        series_id = await self.repo.create_series(guild_id, options.weeks, now) if options.weeks > 1 else None
        fields = {
            "guild_id": guild_id, "series_id": series_id, "occurrence": 1, "channel_id": options.channel_id,
            "organiser_id": organiser_id, "title": details.title.strip(), "description": details.description.strip(),
            "place": (details.place or "").strip() or None, "voice_channel_id": options.voice_channel_id,
            "starts_at": start, "ends_at": end, "timezone": timezone, "capacity": options.capacity,
            "audience": options.audience.value if options.audience else None, "locale": locale,
            "uid": f"{secrets.token_hex(8)}@kohtaamo",
        }
        event = await self._get(await self.repo.create(fields, now))
        await self._arm(event)
        if series_id is not None:
            await self._next_after(event)
        return event

    async def _next_after(self, event: Event) -> None:
        """The job that makes the occurrence after ``event``, when ``event`` starts."""
        await self.scheduler.schedule(self.KIND_NEXT, event.id, event.starts_at, guild_id=event.guild_id,
                                      grace=timedelta(days=6))

    async def next_occurrence(self, job: DueJob) -> Event | None:
        """For the ``KIND_NEXT`` handler (``ref_id``: the occurrence that starts now): the series'
        next occurrence, a week after the latest, at the same wall-clock time; the one after it
        is made when this one starts."""
        starting = await self.get(job.ref_id)
        claimed = None if starting is None or starting.series_id is None else (
            await self.repo.next_of_series(starting.series_id)
        )
        if claimed is None:
            return None
        number, latest = claimed
        previous = _event(latest)
        start = next_weekly(previous.starts_at, 1, previous.timezone)
        fields = {k: latest[k] for k in latest if k not in ("id", "created_at", "updated_at")}
        fields.update(occurrence=number, starts_at=start, ends_at=start + (previous.ends_at - previous.starts_at),
                      uid=f"{secrets.token_hex(8)}@kohtaamo", status="scheduled")
        event = await self._get(await self.repo.create(fields, self.clock.now()))
        await self._arm(event)
        if event.series_id is not None and await self.repo.series_left(event.series_id) > 0:
            await self._next_after(event)
        return event

    async def attach(self, event_id: int, **links: int | None) -> Event:
        await self.repo.set_links(event_id, **links)
        self._forget(event_id)
        return await self._get(event_id)

    # --- reading ---------------------------------------------------------------------------

    async def get(self, event_id: int) -> Event | None:
        """Events are read on every answer; every change goes through this service, which
        forgets its copy, so the copy kept here is never stale."""
        if event_id in self._known:
            return self._known[event_id]
        row = await self.repo.get(event_id)
        event = None if row is None else _event(row)
        if event is not None:
            if len(self._known) >= 1000:
                self._known.clear()
            self._known[event_id] = event
        return event

    def _forget(self, event_id: int) -> None:
        self._known.pop(event_id, None)

    async def _get(self, event_id: int) -> Event:
        event = await self.get(event_id)
        if event is None:
            raise KohtaamoError(NO_SUCH_EVENT)
        return event

    async def live(self, event_id: int, guild_id: int | None = None) -> Event:
        """An event that can still be answered or changed, or a clear refusal."""
        event = await self.get(event_id)
        if event is None or (guild_id is not None and event.guild_id != guild_id):
            raise KohtaamoError(NO_SUCH_EVENT)
        if event.cancelled:
            raise KohtaamoError(CANCELLED)
        if event.ends_at <= self.clock.now():
            raise KohtaamoError("This event is over.")
        return event

    async def upcoming(self, guild_id: int, audiences: frozenset[Audience] | None, limit: int = 25) -> list[Event]:
        """Events still to come that a member of ``audiences`` may join (None: all of them)."""
        events = [_event(r) for r in await self.repo.upcoming(guild_id, self.clock.now(), 100)]
        return [e for e in events if e.open_to(audiences)][:limit]

    async def counts(self, event_id: int) -> dict[str, int]:
        return await self.repo.counts(event_id)

    async def status_of(self, event_id: int, user_id: int) -> tuple[str, int] | None:
        return await self.repo.status_of(event_id, user_id)

    async def attendees(self, event_id: int, *statuses: str) -> list[tuple[int, str]]:
        return [m for status in statuses for m in await self.repo.members(event_id, status)]

    # --- answers ---------------------------------------------------------------------------

    async def answer(
        self, event_id: int, user_id: int, choice: Choice, locale: str, audiences: frozenset[Audience] | None
    ) -> Rsvp:
        event = await self.live(event_id)
        if not event.open_to(audiences):
            raise KohtaamoError(NOT_FOR_YOU)
        done: Answer = await self.repo.answer(event_id, user_id, choice.value, locale, self.clock.now())
        return Rsvp(event, done.previous, done.status, done.place, done.promoted)

    async def interested(
        self, discord_event_id: int, user_id: int, locale: str, audiences: frozenset[Audience] | None
    ) -> Event | None:
        """Discord's Interested: a Maybe, if the member may join and has not answered yet."""
        row = await self.repo.by_discord_event(discord_event_id)
        if row is None:
            return None
        event = _event(row)
        if event.cancelled or not event.open_to(audiences):
            return None
        return event if await self.repo.interested(event.id, user_id, locale, self.clock.now()) else None

    async def not_interested(self, discord_event_id: int, user_id: int) -> Event | None:
        row = await self.repo.by_discord_event(discord_event_id)
        if row is None:
            return None
        return _event(row) if await self.repo.not_interested(int(row["id"]), user_id) else None

    # --- changing --------------------------------------------------------------------------

    async def edit(self, event_id: int, sequence: int, details: Details, capacity: int | None) -> Edit:
        """Apply the edit form, unless someone changed the event since the form was opened."""
        event = await self.live(event_id)
        options = Options(event.channel_id, capacity, event.audience, event.voice_channel_id)
        start, end = self.validate(details, options, event.timezone)
        changes = {
            "title": details.title.strip(), "description": details.description.strip(),
            "place": (details.place or "").strip() or None, "starts_at": start, "ends_at": end, "capacity": capacity,
        }
        updated_row = await self.repo.update(event_id, sequence, changes, self.clock.now())
        self._forget(event_id)
        if not updated_row:
            raise KohtaamoError(CHANGED_MEANWHILE)
        updated = await self._get(event_id)
        moved = updated.starts_at != event.starts_at or updated.ends_at != event.ends_at
        if moved:
            await self.repo.forget_reminders(event_id)
            await self._arm(updated)
            # A weekly series makes its next occurrence when this one starts: at the new time.
            await self.scheduler.move(self.KIND_NEXT, event_id, updated.starts_at)
        promoted = await self.repo.promote(event_id, self.clock.now())
        return Edit(updated, moved, updated.place != event.place, promoted)

    async def cancel(self, event_id: int, guild_id: int) -> tuple[Event, list[tuple[int, str]]]:
        """Cancel; the members to tell (Going, waiting, Maybe)."""
        event = await self.live(event_id, guild_id)
        cancelled = await self.repo.cancel(event_id, self.clock.now())
        self._forget(event_id)
        if not cancelled:
            raise KohtaamoError(CANCELLED)
        for kind in self.REMINDER_KINDS.values():
            await self.scheduler.cancel(kind, event_id)
        if event.series_id is not None:  # the series ends with it; cards already made stay
            await self.scheduler.cancel(self.KIND_NEXT, event.id)
            await self.repo.end_series(event.series_id)
        return replace(event, status="cancelled", sequence=event.sequence + 1), await self.attendees(
            event_id, "going", "waiting", "maybe"
        )

    # --- reminders -------------------------------------------------------------------------

    async def _arm(self, event: Event) -> None:
        now = self.clock.now()
        for key, before in REMINDERS.items():
            kind = self.REMINDER_KINDS[key]
            due = event.starts_at - before
            if due > now:
                await self.scheduler.schedule(kind, event.id, due, guild_id=event.guild_id, grace=REMINDER_GRACE[key])
            else:
                await self.scheduler.cancel(kind, event.id)

    async def due_reminder(self, job: DueJob) -> Reminder | None:
        """For the reminder handlers: the event and the Going members not yet reminded."""
        event = await self.get(job.ref_id)
        if event is None or event.cancelled or event.starts_at <= self.clock.now():
            return None
        kind = next(k for k, v in self.REMINDER_KINDS.items() if v == job.kind)
        if kind == "24h" and self.clock.now() >= event.starts_at - REMINDERS["1h"]:
            return None  # late after downtime: the 1-hour reminder says it all
        done = await self.repo.reminder_outcomes(event.id, kind)
        members = [m for m in await self.repo.members(event.id, "going") if done.get(m[0], "sending") == "sending"]
        return Reminder(event, kind, members)

    async def claim_reminder(self, reminder: Reminder, user_id: int) -> bool:
        return await self.repo.claim_reminder(reminder.event.id, reminder.kind, user_id, self.clock.now())

    async def reminded(self, reminder: Reminder, user_id: int, outcome: str) -> None:
        """``outcome``: dm | thread | left | failed."""
        await self.repo.finish_reminder(reminder.event.id, reminder.kind, user_id, outcome, self.clock.now())

    # --- the member's own data -------------------------------------------------------------

    async def export_member(self, user_id: int, guild_id: int) -> list[dict[str, object]]:
        return [dict(r) for r in await self.repo.for_member(user_id, guild_id)]

    async def erase_member(self, user_id: int, guild_id: int) -> int:
        """The member's answers and reminders go; events they organised stay (the server's record)."""
        removed, freed = await self.repo.erase_member(user_id, guild_id)
        for event_id in freed:  # a place they held goes to the next on the waiting list
            await self.repo.promote(event_id, self.clock.now())
        return removed
