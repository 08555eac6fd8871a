"""Volunteers: who may take which company requests, and who is on duty now."""

from __future__ import annotations

import builtins
from collections.abc import Awaitable, Callable, Set
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.clock import Clock
from bot.db.volunteer import VolunteerRepo
from bot.errors import KohtaamoError
from bot.i18n import LOCALES, N_
from bot.scheduling import DueJob, Scheduler

DISPLAY_NAME_MAX = 32
MAX_DUTY_HOURS = 24
DUTY_GRACE = timedelta(days=7)  # ending a duty late after downtime is harmless
NOT_A_VOLUNTEER = N_("You are not on this server's volunteer list.")
# Told (guild id, volunteer row id, on duty?, when) as a duty starts or ends: the impact report's hours.
DutyWatcher = Callable[[int, int, bool, datetime], Awaitable[None]]


class Audience(StrEnum):
    """Who asked. UNKNOWN (no audience role) is treated as possibly a minor."""

    CAREGIVER = "caregiver"
    YOUTH_MINOR = "youth_minor"  # 13–17
    YOUTH_ADULT = "youth_adult"  # 18–29
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Volunteer:
    guild_id: int
    user_id: int
    display_name: str
    languages: frozenset[str]
    audiences: frozenset[Audience]
    minors_cleared: bool
    on_duty_until: datetime | None  # with on_duty: None = until /volunteer off
    active_conversations: int = 0  # claimed, not yet ended
    on_duty: bool = False  # the switch; whether it still holds is on_duty_at(now)

    def on_duty_at(self, now: datetime) -> bool:
        return self.on_duty and (self.on_duty_until is None or now < self.on_duty_until)

    def can_take(self, audience: Audience, language: str) -> bool:
        return language in self.languages and self.serves(audience)

    def serves(self, audience: Audience) -> bool:
        if audience in (Audience.YOUTH_MINOR, Audience.UNKNOWN):
            return self.minors_cleared and Audience.YOUTH_MINOR in self.audiences
        return audience in self.audiences


def _volunteer(row: dict[str, Any]) -> Volunteer:
    return Volunteer(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        display_name=row["display_name"],
        languages=row["languages"],
        audiences=frozenset(Audience(a) for a in row["audiences"]),
        minors_cleared=row["minors_cleared"],
        on_duty_until=row["on_duty_until"],
        active_conversations=row["active_conversations"],
        on_duty=row["on_duty"],
    )


def _display_name(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= DISPLAY_NAME_MAX:
        raise KohtaamoError("A display name must be 1–{max} characters long.", max=DISPLAY_NAME_MAX)
    return name


class VolunteerService:
    KIND_OFF_DUTY = "volunteer_off"

    def __init__(self, repo: VolunteerRepo, scheduler: Scheduler, clock: Clock) -> None:
        """Registers no job handler itself: the bot registers ``expire_duty`` for ``KIND_OFF_DUTY``."""
        self.repo = repo
        self.scheduler = scheduler
        self.clock = clock
        self.duty_watchers: list[DutyWatcher] = []

    async def _duty_changed(self, guild_id: int, volunteer_id: int, on_duty: bool, at: datetime) -> None:
        for watcher in self.duty_watchers:
            await watcher(guild_id, volunteer_id, on_duty, at)

    async def add(
        self,
        guild_id: int,
        user_id: int,
        *,
        display_name: str,
        languages: Set[str],
        audiences: Set[Audience],
        minors_cleared: bool,
    ) -> Volunteer:
        """Put a member on the volunteer list, or update them if they are on it already."""
        if not languages or not set(languages) <= set(LOCALES):
            raise KohtaamoError("Choose at least one language: fi, sv or en.")
        if not audiences or Audience.UNKNOWN in audiences:
            raise KohtaamoError("Choose at least one group the volunteer serves.")
        if Audience.YOUTH_MINOR in audiences and not minors_cleared:
            raise KohtaamoError("Only volunteers cleared for minors can serve young people aged 13–17.")
        row = await self.repo.upsert(
            guild_id,
            user_id,
            display_name=_display_name(display_name),
            languages=languages,
            audiences=[a.value for a in audiences],
            minors_cleared=minors_cleared,
            now=self.clock.now(),
        )
        return _volunteer(row)

    async def remove(self, guild_id: int, user_id: int) -> Volunteer:
        """Take a member off the list (the row is deleted). Their conversations are ended by
        ``CompanyService.volunteer_removed``, which the caller runs next."""
        row = await self.repo.delete(guild_id, user_id)
        if row is None:
            raise KohtaamoError("That member is not on the volunteer list.")
        await self.scheduler.cancel(self.KIND_OFF_DUTY, row["id"])
        await self._duty_changed(guild_id, row["id"], False, self.clock.now())
        return _volunteer(row)

    async def export_member(self, user_id: int, guild_id: int) -> list[dict[str, object]]:
        """The member's volunteer record in the guild as plain JSON-able values."""
        v = await self.get(guild_id, user_id)
        return [] if v is None else [{
            "display_name": v.display_name, "languages": sorted(v.languages),
            "audiences": sorted(a.value for a in v.audiences), "minors_cleared": v.minors_cleared,
            "on_duty": v.on_duty, "on_duty_until": v.on_duty_until.isoformat() if v.on_duty_until else None,
        }]

    async def erase_member(self, user_id: int, guild_id: int) -> int:
        """Take the member off the guild's volunteer list (their conversations were ended first)."""
        if await self.get(guild_id, user_id) is None:
            return 0
        await self.remove(guild_id, user_id)
        return 1

    async def get(self, guild_id: int, user_id: int) -> Volunteer | None:
        row = await self.repo.get(guild_id, user_id)
        return None if row is None else _volunteer(row)

    async def on_duty(
        self, guild_id: int, user_id: int, hours: float | None = None, display_name: str | None = None
    ) -> Volunteer:
        """On duty for ``hours`` (then off by itself), or until ``off_duty`` when None."""
        if hours is not None and not 0 < hours <= MAX_DUTY_HOURS:
            raise KohtaamoError("Choose more than 0 and at most {max} hours.", max=MAX_DUTY_HOURS)
        now = self.clock.now()
        until = None if hours is None else now + timedelta(hours=hours)
        name = None if display_name is None else _display_name(display_name)
        row = await self.repo.set_duty(guild_id, user_id, on_duty=True, until=until, display_name=name, now=now)
        if row is None:
            raise KohtaamoError(NOT_A_VOLUNTEER)
        if until is None:
            await self.scheduler.cancel(self.KIND_OFF_DUTY, row["id"])
        else:
            await self.scheduler.schedule(self.KIND_OFF_DUTY, row["id"], until, guild_id=guild_id, grace=DUTY_GRACE)
        await self._duty_changed(guild_id, row["id"], True, now)
        return _volunteer(row)

    async def off_duty(self, guild_id: int, user_id: int) -> Volunteer:
        row = await self.repo.set_duty(
            guild_id, user_id, on_duty=False, until=None, display_name=None, now=self.clock.now()
        )
        if row is None:
            raise KohtaamoError(NOT_A_VOLUNTEER)
        await self.scheduler.cancel(self.KIND_OFF_DUTY, row["id"])
        await self._duty_changed(guild_id, row["id"], False, self.clock.now())
        return _volunteer(row)

    async def expire_duty(self, job: DueJob) -> None:
        """Job handler for ``KIND_OFF_DUTY``: the duty ends, unless it was extended or ended since."""
        if await self.repo.expire_duty(job.ref_id, job.due_at, self.clock.now()) and job.guild_id is not None:
            await self._duty_changed(job.guild_id, job.ref_id, False, job.due_at)

    async def list(self, guild_id: int) -> builtins.list[Volunteer]:
        """Everyone on the guild's list, with how many conversations each holds now."""
        return [_volunteer(r) for r in await self.repo.in_guild(guild_id)]

    async def on_duty_matching(self, guild_id: int, audience: Audience, language: str) -> builtins.list[Volunteer]:
        """Volunteers to ping for a new request: on duty now and able to take it."""
        now = self.clock.now()
        return [v for v in await self.list(guild_id) if v.on_duty_at(now) and v.can_take(audience, language)]
