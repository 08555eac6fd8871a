"""The impact report's own counts: members active per day, joins, room messages, duty seconds.

Daily aggregates only. The aggregate table holds numbers per guild, local day and audience, no
personal data, so it is not in the privacy registry. Who was active is known for the current
day only, as a keyed tag of (guild, day, member) that differs every day; the daily job
``impact_rollup`` (once a day just after midnight) turns the finished days' tags into
counts and deletes them (a guild in a zone east of the bot's default waits for the next run).
An open duty is held by the volunteers row id until it ends.

A message costs no database write: members seen and messages are counted in memory and
written every ``FLUSH_EVERY`` (and when the bot stops, and before a report). A crash loses at
most that interval's counts; a member seen again after one is written again, never twice
(the tag is the key). A guild's settings and a channel's room audience are looked up again
after ``RECENT``, so a /setup change reaches the counts within a minute."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.db.impact import ImpactRepo
from bot.scheduling import DueJob, Scheduler
from bot.services.recent import Recent
from bot.services.room import RoomService, Status
from bot.services.setup import BotRole, GuildConfig, SetupService


class Band(StrEnum):
    """A member's audience by their mapped roles; a minor's role wins (as for company requests)."""

    CAREGIVER = "caregiver"
    YOUTH_MINOR = "youth_minor"
    YOUTH_ADULT = "youth_adult"
    OTHER = "other"


_BAND_ROLES = ((BotRole.YOUTH_MINOR, Band.YOUTH_MINOR), (BotRole.YOUTH_ADULT, Band.YOUTH_ADULT),
               (BotRole.CAREGIVER, Band.CAREGIVER))


def band_of(config: GuildConfig, role_ids: set[int] | frozenset[int]) -> Band:
    for role, band in _BAND_ROLES:
        if config.roles.get(role) in role_ids:
            return band
    return Band.OTHER


def local_day(at: datetime, zone: str) -> str:
    """``2026-12-01``: the day of ``at`` in ``zone``, as the aggregates are keyed."""
    return at.astimezone(ZoneInfo(zone)).date().isoformat()


FLUSH_EVERY = timedelta(seconds=60)
RECENT = timedelta(seconds=60)  # how long a message trusts a setting or a room it looked up
ROLLUP_AT = time(0, 5)  # local time, just after the day is over
ROLLUP_GRACE = timedelta(days=3660)  # never too late: a rollup only ever catches up, and arms the next


def day_spans(start: datetime, end: datetime, zone: str) -> list[tuple[str, int]]:
    """[start, end) cut at local midnights: (day, whole seconds in it), in order."""
    tz = ZoneInfo(zone)
    spans: list[tuple[str, int]] = []
    at = start
    while at < end:
        local = at.astimezone(tz)
        midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz)
        cut = min(end, midnight.astimezone(start.tzinfo))
        seconds = int((cut - at).total_seconds())
        if seconds:
            spans.append((local.date().isoformat(), seconds))
        at = cut
    return spans


def next_rollup(now: datetime, zone: str) -> datetime:
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    due = datetime.combine(local.date(), ROLLUP_AT, tzinfo=tz)
    if due <= local:
        due = datetime.combine(local.date() + timedelta(days=1), ROLLUP_AT, tzinfo=tz)
    return due.astimezone(now.tzinfo)


class ImpactCounts:
    KIND_ROLLUP = "impact_rollup"

    def __init__(self, repo: ImpactRepo, setup: SetupService, rooms: RoomService, scheduler: Scheduler,
                 clock: Clock, monotonic: Callable[[], float]) -> None:
        """``monotonic``: seconds for the room look-ups' age (time.monotonic; tests pass their own)."""
        self.repo = repo
        self.setup = setup
        self.rooms = rooms
        self.scheduler = scheduler
        self.clock = clock
        self.monotonic = monotonic
        self._seen: set[tuple[int, str, int]] = set()  # (guild, day, member) counted this process
        self._new: dict[tuple[int, str, int], Band] = {}  # of those, not written yet
        self._messages: Counter[tuple[int, str, str]] = Counter()  # (guild, day, room audience)
        # A message reads no setting and no room from the database: both are asked again after a minute.
        self._configs: Recent[int, GuildConfig] = Recent(setup.get, RECENT, monotonic)
        self._rooms: Recent[int, str | None] = Recent(self._room_audience, RECENT, monotonic)

    # ----- counting ---------------------------------------------------------------------------

    async def message(self, guild_id: int, user_id: int, role_ids: set[int], channel_id: int | None) -> None:
        """A member wrote on the server; ``channel_id`` is the channel (a thread's parent)."""
        config = await self._configs.get(guild_id)
        day = local_day(self.clock.now(), config.timezone)
        key = (guild_id, day, user_id)
        if key not in self._seen:
            if len(self._seen) > 100_000:  # a new day: yesterday's keys are no use any more
                self._seen = {k for k in self._seen if k[1] == day}
            self._seen.add(key)
            self._new[key] = band_of(config, role_ids)
        audience = None if channel_id is None else await self._rooms.get(channel_id)
        if audience is not None:
            self._messages[(guild_id, day, audience)] += 1

    async def joined(self, guild_id: int) -> None:
        config = await self.setup.get(guild_id)
        await self.repo.add([(guild_id, local_day(self.clock.now(), config.timezone), "joins", "", 1)])

    async def duty_changed(self, guild_id: int, volunteer_id: int, on_duty: bool, at: datetime) -> None:
        """For ``VolunteerService.duty_watchers``: a duty starts, or ends and its seconds are counted."""
        if on_duty:
            await self.repo.open_duty(volunteer_id, guild_id, at)
            return
        since = await self.repo.close_duty(volunteer_id)
        if since is None or at <= since:
            return
        zone = (await self.setup.get(guild_id)).timezone
        await self.repo.add([(guild_id, day, "duty_seconds", "", s) for day, s in day_spans(since, at, zone)])

    async def _room_audience(self, channel_id: int) -> str | None:
        room = await self.rooms.by_channel(channel_id)
        return room.audience.value if room is not None and room.status is Status.LIVE else None

    # ----- the member's own data: that they were active today ----------------------------------

    async def export_member(self, user_id: int, guild_id: int) -> list[dict[str, object]]:
        days = set(await self.repo.days_seen(guild_id, user_id))
        days |= {day for (g, day, user) in self._new if (g, user) == (guild_id, user_id)}
        return [{"active_on": day} for day in sorted(days)]

    async def erase_member(self, user_id: int, guild_id: int) -> int:
        """The day tags that say the member was active on days not counted yet go (those days count
        one member fewer); counts already made link to nobody and stay."""
        mine = {k for k in self._seen if (k[0], k[2]) == (guild_id, user_id)}
        self._seen -= mine
        unwritten = sum(self._new.pop(k, None) is not None for k in mine)
        return unwritten + await self.repo.unsee(guild_id, user_id)

    # ----- writing --------------------------------------------------------------------------

    async def flush(self) -> None:
        """Write what was counted in memory since the last flush."""
        new, self._new = self._new, {}
        messages, self._messages = self._messages, Counter()
        try:
            if new:
                await self.repo.see([(g, day, self.repo.tag(g, day, user), band.value)
                                     for (g, day, user), band in new.items()])
            if messages:
                await self.repo.add([(g, day, "messages", audience, n) for (g, day, audience), n in messages.items()])
        except Exception:
            for key, band in new.items():  # try again at the next flush
                self._new.setdefault(key, band)
            self._messages.update(messages)
            raise

    # ----- the daily rollup -------------------------------------------------------------------

    async def resume(self) -> None:
        """At start: roll up the days that ended while the bot was down, count duties that began
        before duty hours were counted from now, and arm the next rollup."""
        await self.roll_up()
        await self.repo.open_untracked_duties(self.clock.now())
        await self._arm_after(self.clock.now())

    async def on_rollup(self, job: DueJob) -> None:
        """Job handler for ``KIND_ROLLUP`` (ref = the local day's ordinal): roll up, arm the next."""
        await self.roll_up()
        await self._arm_after(job.due_at)

    async def roll_up(self) -> int:
        """Every guild's finished days (by its own zone) into counts; return how many tags went."""
        gone = 0
        for guild_id in await self.repo.guilds_seen():
            config = await self.setup.get(guild_id)
            gone += await self.repo.roll_up(guild_id, local_day(self.clock.now(), config.timezone))
        return gone

    async def _arm_after(self, after: datetime) -> None:
        """One job a day at ROLLUP_AT in the bot's default zone; each day's is its own row."""
        zone = self.setup.default_timezone
        due = next_rollup(after, zone)
        ordinal = due.astimezone(ZoneInfo(zone)).date().toordinal()
        await self.scheduler.schedule(self.KIND_ROLLUP, ordinal, due, grace=ROLLUP_GRACE)
