"""Room check-ins: staff schedule a prompt for a channel; at its time the bot posts it with mood
buttons. Votes are anonymous (a keyed tag per prompt and member, never the member's id), one per
member per prompt (a second click changes it), and the counts per mood are shown only once at
least ``SHOW_AT`` have answered, so nobody's mood can be read off a small count.

A prompt takes votes until the next prompt of its schedule is posted (and at most ``OPEN_FOR``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.db.checkin import CheckinRepo, Decoded
from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.scheduling import DueJob, Scheduler
from bot.services.checkin import BAD_MOOD, MOODS, Occurrences, Recurrence

KIND_ROOM = "checkin_room"
GRACE_ROOM = timedelta(hours=1)
SHOW_AT = 5
OPEN_FOR = timedelta(days=7)
PROMPT_MAX = 500

CLOSED = N_("This check-in has closed. Answer the newest one in the channel.")
NO_SUCH_ROOM = N_("There is no room check-in with number {number} on this server. /checkin list shows them.")
LONG_PROMPT = N_("A prompt can be at most {max} characters.")


@dataclass(frozen=True)
class RoomCheckin:
    id: int
    guild_id: int
    channel_id: int
    recurrence: Recurrence
    locale: str
    prompt: str | None  # None: the default prompts in turn


@dataclass(frozen=True)
class DuePrompt:
    occurrence_id: int
    room: RoomCheckin
    sequence: int  # which default prompt (they rotate)
    channel_id: int | None = None  # where it was posted (None until then)
    message_id: int | None = None


@dataclass(frozen=True)
class Tally:
    answered: int
    counts: dict[int, int] | None  # per mood, only from SHOW_AT answers on


def _room(row: Decoded) -> RoomCheckin:
    return RoomCheckin(row["id"], row["guild_id"], row["channel_id"],
                       Recurrence.from_mask(row["weekdays"], row["minute"], row["zone"]), row["locale"], row["prompt"])


class RoomCheckins:
    KIND = KIND_ROOM

    def __init__(self, repo: CheckinRepo, scheduler: Scheduler, clock: Clock) -> None:
        self.repo = repo
        self.scheduler = scheduler
        self.clock = clock
        self.occurrences = Occurrences(repo, scheduler, clock, KIND_ROOM, GRACE_ROOM, "room_id")

    async def schedule(
        self, guild_id: int, channel_id: int, recurrence: Recurrence, locale: str, prompt: str | None
    ) -> tuple[RoomCheckin, datetime]:
        prompt = (prompt or "").strip() or None
        if prompt is not None and len(prompt) > PROMPT_MAX:
            raise KohtaamoError(LONG_PROMPT, max=PROMPT_MAX)
        row = await self.repo.add_room(guild_id, channel_id, recurrence.mask, recurrence.minute, recurrence.zone,
                                       locale, prompt, self.clock.now())
        room = _room(row)
        return room, await self._plan(room, self.clock.now())

    async def scheduled(self, guild_id: int) -> list[tuple[RoomCheckin, datetime]]:
        now = self.clock.now()
        return [(room, room.recurrence.next_after(now)) for room in map(_room, await self.repo.rooms(guild_id))]

    async def remove(self, guild_id: int, room_id: int) -> RoomCheckin:
        row = await self.repo.room(room_id)
        if row is None or row["guild_id"] != guild_id:
            raise KohtaamoError(NO_SUCH_ROOM, number=room_id)
        await self.occurrences.cancel_unsent(room_id)
        await self.repo.delete_room(guild_id, room_id)
        return _room(row)

    async def due(self, job: DueJob) -> DuePrompt | None:
        """The prompt to post now (the next one is planned first), or None when removed."""
        occurrence = await self.repo.occurrence(job.ref_id)
        if occurrence is None or occurrence["room_id"] is None:
            return None
        row = await self.repo.room(occurrence["room_id"])
        if row is None:
            return None
        room = _room(row)
        await self._plan(room, occurrence["due_at"])
        return DuePrompt(occurrence["id"], room, occurrence["sequence"])

    async def posted(self, occurrence_id: int, channel_id: int, message_id: int) -> None:
        await self.repo.set_posted(occurrence_id, channel_id, message_id)

    async def channel_gone(self, room: RoomCheckin) -> None:
        """The room's channel was deleted: the schedule goes (its past counts stay)."""
        await self.remove(room.guild_id, room.id)

    async def vote(self, occurrence_id: int, user_id: int, mood: int) -> Tally:
        if mood not in MOODS:
            raise KohtaamoError(BAD_MOOD)
        occurrence = await self.repo.occurrence(occurrence_id)
        if occurrence is None or occurrence["room_id"] is None or occurrence["message_id"] is None:
            raise KohtaamoError(CLOSED)
        if occurrence["due_at"] + OPEN_FOR < self.clock.now() or (
            await self.repo.newest_posted(occurrence["room_id"]) != occurrence_id
        ):
            raise KohtaamoError(CLOSED)
        await self.repo.vote(occurrence_id, self.repo.voter_tag(occurrence_id, user_id), mood)
        return await self.tally(occurrence_id)

    async def tally(self, occurrence_id: int) -> Tally:
        counts = await self.repo.vote_counts(occurrence_id)
        answered = sum(counts.values())
        return Tally(answered, {m: counts.get(m, 0) for m in MOODS} if answered >= SHOW_AT else None)

    async def prompt_of(self, occurrence_id: int) -> DuePrompt | None:
        occurrence = await self.repo.occurrence(occurrence_id)
        row = None if occurrence is None or occurrence["room_id"] is None else await self.repo.room(occurrence["room_id"])
        if occurrence is None or row is None:
            return None
        return DuePrompt(occurrence["id"], _room(row), occurrence["sequence"], occurrence["channel_id"],
                         occurrence["message_id"])

    async def resume(self) -> int:
        """At start: a schedule whose last prompt is past its grace gets its next one."""
        now = self.clock.now()
        planned = 0
        for room in map(_room, await self.repo.rooms()):
            if await self.occurrences.overdue(room.id):
                await self._plan(room, now)
                planned += 1
        return planned

    async def _plan(self, room: RoomCheckin, after: datetime) -> datetime:
        return await self.occurrences.plan(room.guild_id, room.id, room.recurrence, after)
