"""Due jobs: the database holds what must happen and when; APScheduler only holds timers.

At start every pending row is re-armed. A timer carries only ``(kind, ref_id)``; when it
fires the row is re-read and claimed with one atomic UPDATE, so a job runs at most once even
if a timer and the sweep race. A job that came due while the bot was down runs late within
its grace period, otherwise it is marked missed."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock
from bot.db.jobs import Job, JobRepo

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class DueJob:
    """What a handler gets when its job fires: which row (``kind``, ``ref_id``) to re-read, and
    the job's own id, stable across retries, for a send's deterministic nonce."""

    id: int
    kind: str
    ref_id: int
    guild_id: int | None
    due_at: datetime
    attempt: int  # 1 on the first run


Handler = Callable[[DueJob], Awaitable[None]]
DEFAULT_GRACE = timedelta(minutes=15)
SWEEP_EVERY = timedelta(seconds=60)


class Scheduler:
    def __init__(
        self,
        repo: JobRepo,
        clock: Clock,
        *,
        timers: bool = True,
        retry_delay: timedelta = timedelta(minutes=1),
        max_attempts: int = 3,
    ) -> None:
        """``timers=False`` keeps APScheduler out (tests with a fake clock call ``run_due``)."""
        self.repo = repo
        self.clock = clock
        self.timers = timers
        self.retry_delay = retry_delay
        self.max_attempts = max_attempts
        self._handlers: dict[str, Handler] = {}
        self._aps = AsyncIOScheduler(timezone=UTC)

    def register(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    async def start(self) -> None:
        released = await self.repo.release_claimed(self.clock.now())
        if released:
            log.warning("%d job(s) were mid-run when the bot stopped; they run again", released)
        pending = await self.repo.pending()
        if self.timers:
            for job in pending:
                self._arm(job)
            self._aps.add_job(
                self.run_due, "interval", seconds=SWEEP_EVERY.total_seconds(), id="sweep", coalesce=True,
                max_instances=1, replace_existing=True,
            )
            self._aps.start()
        log.info("scheduler started with %d pending job(s)", len(pending))

    def shutdown(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)

    async def schedule(
        self,
        kind: str,
        ref_id: int,
        due_at: datetime,
        *,
        guild_id: int | None = None,
        grace: timedelta = DEFAULT_GRACE,
    ) -> None:
        """Store (or move) the job, then arm its timer."""
        if kind not in self._handlers:
            raise KeyError(f"no handler registered for job kind {kind!r}")
        job = await self.repo.upsert(guild_id, kind, ref_id, due_at, grace, self.clock.now())
        self._arm(job)

    async def move(self, kind: str, ref_id: int, due_at: datetime) -> bool:
        """Move a pending job to ``due_at``; False (and nothing made) when there is none."""
        job = await self.repo.move(kind, ref_id, due_at, self.clock.now())
        if job is not None:
            self._arm(job)
        return job is not None

    async def cancel(self, kind: str, ref_id: int) -> bool:
        cancelled = await self.repo.cancel(kind, ref_id, self.clock.now())
        if self.timers and self._aps.get_job(_timer_id(kind, ref_id)):
            self._aps.remove_job(_timer_id(kind, ref_id))
        return cancelled

    async def run_due(self) -> int:
        """Run every job that is due by the clock; return how many ran or were marked missed."""
        count = 0
        for job in await self.repo.due(self.clock.now()):
            count += await self.fire(job.kind, job.ref_id)
        return count

    async def fire(self, kind: str, ref_id: int) -> bool:
        job = await self.repo.get_live(kind, ref_id)
        now = self.clock.now()
        if job is None or job.status != "pending" or job.due_at > now + timedelta(seconds=1):
            return False
        if not await self.repo.claim(job.id, now):
            return False  # someone else took it
        if now > job.due_at + job.grace:
            log.warning("job %s:%s missed its time by %s; not run", kind, ref_id, now - job.due_at)
            await self.repo.finish(job.id, "missed", now)
            return True
        handler = self._handlers.get(kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for {kind!r}")
            await handler(DueJob(job.id, kind, ref_id, job.guild_id, job.due_at, job.attempts + 1))
        except Exception:
            log.exception("job %s:%s failed (attempt %d)", kind, ref_id, job.attempts + 1)
            if job.attempts + 1 >= self.max_attempts:
                await self.repo.finish(job.id, "missed", self.clock.now())
            else:
                retry_at = self.clock.now() + self.retry_delay
                await self.repo.retry(job.id, retry_at, self.clock.now())
                self._arm_at(kind, ref_id, retry_at, job.grace)
            return True
        await self.repo.finish(job.id, "done", self.clock.now())
        return True

    def _arm(self, job: Job) -> None:
        self._arm_at(job.kind, job.ref_id, job.due_at, job.grace)

    def _arm_at(self, kind: str, ref_id: int, due_at: datetime, grace: timedelta) -> None:
        if not self.timers:
            return
        self._aps.add_job(
            self.fire,
            DateTrigger(run_date=max(due_at, datetime.now(UTC))),
            args=(kind, ref_id),
            id=_timer_id(kind, ref_id),
            replace_existing=True,
            misfire_grace_time=int(grace.total_seconds()) or 1,
            coalesce=True,
        )


def _timer_id(kind: str, ref_id: int) -> str:
    return f"{kind}:{ref_id}"
