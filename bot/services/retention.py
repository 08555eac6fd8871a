"""Data is kept only as long as it serves: a purge runs every night at 04:00 (the bot's time zone)
and removes what is past each server's keeping times (/setup privacy; bot/db/retention.py says
what goes). Each night's job has its own id, the date's ordinal, so the job that has just run can
schedule the next one. A night missed while the bot was down (or asleep) runs when it comes back,
however late, and the next one is scheduled from then."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.db.retention import Defaults, RetentionRepo
from bot.scheduling import DueJob, Scheduler
from bot.services.setup import Retention

log = logging.getLogger(__name__)

PURGE_AT = time(4, 0)
MISSED_NIGHT_GRACE = timedelta(days=3660)  # never too late: a purge only ever catches up


class RetentionService:
    KIND = "retention:purge"

    def __init__(self, repo: RetentionRepo, scheduler: Scheduler, clock: Clock, zone: str) -> None:
        self.repo = repo
        self.scheduler = scheduler
        self.clock = clock
        self.zone = ZoneInfo(zone)
        kept = Retention()
        self.defaults = Defaults(kept.company_days, kept.mood_days, kept.case_days, kept.job_days)

    async def start(self) -> None:
        """Make sure the next night's purge is scheduled (after ``Scheduler.register``)."""
        await self._schedule_after(self.clock.now())

    async def purge(self) -> dict[str, int]:
        done = await self.repo.purge(self.clock.now(), self.defaults)
        log.info("retention purge: %s", ", ".join(f"{name} {n}" for name, n in done.items() if n) or "nothing due")
        return done

    async def on_due(self, job: DueJob) -> None:
        await self.purge()
        await self._schedule_after(max(job.due_at, self.clock.now()))

    async def _schedule_after(self, after: datetime) -> None:
        local = after.astimezone(self.zone)
        day = local.date() if local.time() < PURGE_AT else local.date() + timedelta(days=1)
        due = datetime.combine(day, PURGE_AT, self.zone).astimezone(UTC)
        await self.scheduler.schedule(self.KIND, day.toordinal(), due, grace=MISSED_NIGHT_GRACE)
