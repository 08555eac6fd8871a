"""Moderated peer rooms: who a room is for, its opening hours, and the state it should be in.

A room is a text channel bound to an audience. Which Discord roles that means comes from
/setup; the channel itself is the cogs' business. Opening hours are kept in their canonical
text (bot/services/hours.py) and evaluated in the server's time zone, so a room that closes at
21:00 closes at 21:00 local time on both sides of a daylight-saving change. One scheduled job per
room marks its next change; the job's handler (and the reconcile at start) compares the state
the hours ask for *now* with the state stored here, so a late or repeated job does no harm."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.clock import Clock
from bot.db.room import NameTaken, RoomRepo
from bot.errors import KohtaamoError
from bot.i18n import LOCALES, N_
from bot.scheduling import DueJob, Scheduler
from bot.services.hours import OpeningHours, parse_hours
from bot.services.setup import BotRole, GuildConfig, SetupService

NAME_TAKEN = N_("There is already a room called “{name}”. Choose another name.")
NO_NAME = N_("A room needs a name.")
TOPIC_MAX = 1024  # Discord's limit for a channel topic
# Typed in the hours option to take the hours away ("always open").
NO_HOURS = frozenset({"", "-", "none", "no", "ei", "ei aukioloaikoja", "inga", "ingen", "aina auki", "always"})
# A late change still runs (its handler looks at the clock, not at the job); a week covers
# any downtime worth speaking of, and the reconcile at start covers the rest.
JOB_GRACE = timedelta(days=7)
RETRY_AFTER = timedelta(minutes=1)


class Audience(StrEnum):
    CAREGIVERS = "caregivers"
    YOUTH_MINOR = "youth_13_17"
    YOUTH_ADULT = "youth_18_29"
    ADULTS = "adults"  # caregivers and 18–29-year-olds together; never 13–17


AUDIENCE_ROLES: dict[Audience, tuple[BotRole, ...]] = {
    Audience.CAREGIVERS: (BotRole.CAREGIVER,),
    Audience.YOUTH_MINOR: (BotRole.YOUTH_MINOR,),
    Audience.YOUTH_ADULT: (BotRole.YOUTH_ADULT,),
    Audience.ADULTS: (BotRole.CAREGIVER, BotRole.YOUTH_ADULT),
}
# Moderators see and moderate every room. The minors' AutoMod rules let them and staff post
# contact details (a helpline, an event's organiser).
TEAM_ROLES = (BotRole.MODERATOR,)
AUTOMOD_EXEMPT_ROLES = (BotRole.MODERATOR, BotRole.STAFF)


class Status(StrEnum):
    LIVE = "live"
    ARCHIVED = "archived"
    GONE = "gone"  # its channel was deleted in Discord


class CategoryKind(StrEnum):
    ROOMS = "rooms"
    ARCHIVE = "archive"


@dataclass(frozen=True)
class Room:
    id: int
    guild_id: int
    channel_id: int
    name: str
    audience: Audience
    topic: str | None
    hours: OpeningHours | None
    language: str
    status: Status
    closed: bool  # the state the bot last put the channel in
    notice_message_id: int | None

    @property
    def for_minors(self) -> bool:
        return self.audience is Audience.YOUTH_MINOR

    def should_be_closed(self, now: datetime, zone: str) -> bool:
        return self.hours is not None and not self.hours.is_open(now, zone)

    def next_change(self, now: datetime, zone: str) -> datetime | None:
        return None if self.hours is None else self.hours.next_change(now, zone)


@dataclass(frozen=True)
class RoomChange:
    """What /room edit asked to change; ``None`` keeps a value. ``hours`` is the typed text
    (``"none"`` takes the hours away)."""

    name: str | None = None
    topic: str | None = None
    hours: str | None = None
    audience: Audience | None = None


def read_hours(text: str | None) -> OpeningHours | None:
    """Opening hours as typed, or None for "always open"; a wrong form raises the parser's
    localized error with examples."""
    if text is None or text.strip().lower() in NO_HOURS:
        return None
    return parse_hours(text)


def clean_name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise KohtaamoError(NO_NAME)
    return name


def name_key(name: str) -> str:
    """Names as Discord compares text channels: case and spaces do not make two names differ."""
    return re.sub(r"[\s-]+", "-", name.casefold()).strip("-")


def missing_roles(config: GuildConfig, audience: Audience) -> list[BotRole]:
    """The audience's bot roles (and the moderators') that /setup has not mapped yet."""
    return [r for r in (*AUDIENCE_ROLES[audience], *TEAM_ROLES) if r not in config.roles]


def _room(row: dict[str, Any]) -> Room:
    return Room(
        id=row["id"], guild_id=row["guild_id"], channel_id=row["channel_id"], name=row["name"],
        audience=Audience(row["audience"]), topic=row["topic"],
        hours=None if row["hours"] is None else parse_hours(row["hours"]), language=row["language"],
        status=Status(row["status"]), closed=row["closed"], notice_message_id=row["notice_message_id"],
    )


def _values(room: Room) -> dict[str, Any]:
    return {
        "guild_id": room.guild_id, "channel_id": room.channel_id, "name": room.name, "audience": room.audience.value,
        "topic": room.topic, "hours": None if room.hours is None else room.hours.canonical(),
        "language": room.language, "closed": room.closed, "notice_message_id": room.notice_message_id,
    }


class RoomService:
    KIND_HOURS = "room_hours"

    def __init__(self, repo: RoomRepo, scheduler: Scheduler, setup: SetupService, clock: Clock) -> None:
        self.repo = repo
        self.scheduler = scheduler
        self.setup = setup
        self.clock = clock
        self._locks: dict[int, asyncio.Lock] = {}

    def lock(self, guild_id: int) -> asyncio.Lock:
        """One change at a time per server: two moderators creating "kahvila" at once get one
        room and one answer that the name is taken, never two channels."""
        return self._locks.setdefault(guild_id, asyncio.Lock())

    def now(self) -> datetime:
        return self.clock.now()

    # ----- reading ------------------------------------------------------------------------

    async def get(self, room_id: int) -> Room | None:
        row = await self.repo.get(room_id)
        return None if row is None else _room(row)

    async def by_channel(self, channel_id: int) -> Room | None:
        row = await self.repo.by_channel(channel_id)
        return None if row is None else _room(row)

    async def in_guild(self, guild_id: int) -> list[Room]:
        return [_room(r) for r in await self.repo.in_guild(guild_id)]

    async def live(self) -> list[Room]:
        return [_room(r) for r in await self.repo.live()]

    async def minor_channel_ids(self, guild_id: int) -> list[int]:
        """The channels of the server's live 13–17 rooms (the AutoMod rules' scope)."""
        return [r.channel_id for r in await self.in_guild(guild_id) if r.status is Status.LIVE and r.for_minors]

    async def zone(self, guild_id: int) -> str:
        return (await self.setup.get(guild_id)).timezone

    async def category(self, guild_id: int, kind: CategoryKind) -> int | None:
        return await self.repo.category(guild_id, kind.value)

    # ----- checks before anything is made -------------------------------------------------

    async def ensure_name_free(self, guild_id: int, name: str, *, room_id: int | None = None) -> None:
        found = await self.repo.live_named(guild_id, name_key(name))
        if found is not None and found["id"] != room_id:
            raise KohtaamoError(NAME_TAKEN, name=name)

    @staticmethod
    def check_topic(topic: str | None) -> str | None:
        topic = (topic or "").strip()
        if len(topic) > TOPIC_MAX:
            raise KohtaamoError("A topic can be at most {max} characters.", max=TOPIC_MAX)
        return topic or None

    @staticmethod
    def check_language(language: str) -> str:
        if language not in LOCALES:
            raise KohtaamoError("Unknown language {value}: choose fi, sv or en.", value=language)
        return language

    # ----- writing ------------------------------------------------------------------------

    async def add(self, draft: Room, *, categories: dict[CategoryKind, int]) -> Room:
        """Record a room whose channel is ready, with the categories made for it and its next
        change, in one transaction: on any error nothing is kept (the caller removes the channel)."""
        try:
            async with self.repo.transaction():
                room = replace(draft, id=await self.repo.insert(_values(draft), name_key(draft.name), self.now()))
                for kind, category_id in categories.items():
                    await self.repo.set_category(room.guild_id, kind.value, category_id)
                await self.schedule_next(room)
        except NameTaken:
            raise KohtaamoError(NAME_TAKEN, name=draft.name) from None
        return room

    def changed(self, room: Room, change: RoomChange) -> Room:
        """The room as ``change`` would make it (validated; nothing saved)."""
        return replace(
            room,
            name=room.name if change.name is None else clean_name(change.name),
            topic=room.topic if change.topic is None else self.check_topic(change.topic),
            hours=room.hours if change.hours is None else read_hours(change.hours),
            audience=change.audience or room.audience,
        )

    async def save(self, room: Room) -> Room:
        """Store an edited room (its channel already changed) and move its next change."""
        try:
            async with self.repo.transaction():
                await self.repo.update(room.id, _values(room), name_key(room.name), self.now())
                await self.schedule_next(room)
        except NameTaken:
            raise KohtaamoError(NAME_TAKEN, name=room.name) from None
        return room

    async def set_state(self, room: Room, closed: bool, notice_message_id: int | None) -> Room:
        await self.repo.set_state(room.id, closed, notice_message_id, self.now())
        return replace(room, closed=closed, notice_message_id=notice_message_id)

    async def archive(self, room: Room, *, category_id: int | None) -> bool:
        """Read-only from now on, in the archive category (``category_id`` when just made for it)."""
        async with self.repo.transaction():
            if category_id is not None:
                await self.repo.set_category(room.guild_id, CategoryKind.ARCHIVE.value, category_id)
            return await self._end(room, Status.ARCHIVED)

    async def gone(self, room: Room) -> bool:
        """Its channel was deleted in Discord: shown as gone, nothing more scheduled."""
        async with self.repo.transaction():
            return await self._end(room, Status.GONE)

    async def _end(self, room: Room, status: Status) -> bool:
        ended = await self.repo.set_status(room.id, status.value, self.now())
        await self.schedule_next(replace(room, status=status))  # no more changes
        return ended

    # ----- opening hours ------------------------------------------------------------------

    async def schedule_next(self, room: Room) -> datetime | None:
        """Arm the room's one job at its next opening or closing (none: always open)."""
        when = room.next_change(self.now(), await self.zone(room.guild_id)) if room.status is Status.LIVE else None
        await self._arm(room, when)
        return when

    async def retry_soon(self, room: Room) -> None:
        """Look at the room again in a minute (Discord refused a change just now); the job puts it
        in the state it should be in then and arms the next change."""
        await self._arm(room, self.now() + RETRY_AFTER)

    async def _arm(self, room: Room, when: datetime | None) -> None:
        """The job before is cancelled (if it is the one running now, it simply finishes)."""
        async with self.repo.transaction():
            before = await self.repo.next_change(room.id)
            if before is not None:
                await self.scheduler.cancel(self.KIND_HOURS, before)
            change_id = await self.repo.set_next_change(room.id, when)
            if change_id is not None and when is not None:
                await self.scheduler.schedule(self.KIND_HOURS, change_id, when, guild_id=room.guild_id,
                                              grace=JOB_GRACE)

    async def due(self, job: DueJob) -> Room | None:
        """The room a transition job is for, if it is still live."""
        row = await self.repo.of_change(job.ref_id)
        room = None if row is None else _room(row)
        return room if room is not None and room.status is Status.LIVE else None
