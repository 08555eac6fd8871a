"""Staff announcements: a draft the author previews, then sent now or scheduled. A scheduled
one is a job (it survives restarts); a failed post is retried by the scheduler, and after the
last try the author is told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.db.announce import AnnounceRepo
from bot.db.codec import from_db_opt
from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.scheduling import DueJob, Scheduler
from bot.services.dates import parse_when

TITLE_MAX, TEXT_MAX = 256, 4000
SEND_GRACE = timedelta(hours=12)  # after downtime a late announcement still goes out within this
NO_SUCH = N_("There is no such announcement.")
ALREADY = N_("This announcement has already been sent or cancelled.")


@dataclass(frozen=True)
class Announcement:
    id: int
    guild_id: int
    channel_id: int
    author_id: int | None
    title: str
    text: str
    role_id: int | None
    send_at: datetime | None
    status: str
    message_id: int | None
    locale: str


def _announcement(row: dict[str, Any]) -> Announcement:
    return Announcement(
        id=int(row["id"]), guild_id=int(row["guild_id"]), channel_id=int(row["channel_id"]), author_id=row["author_id"],
        title=str(row["title"]), text=str(row["text"]), role_id=row["role_id"], send_at=from_db_opt(row["send_at"]),
        status=str(row["status"]), message_id=row["message_id"], locale=str(row["locale"]),
    )


class AnnounceService:
    KIND_SEND = "announce_send"

    def __init__(self, repo: AnnounceRepo, scheduler: Scheduler, clock: Clock) -> None:
        """The bot registers the handler of ``KIND_SEND``."""
        self.repo = repo
        self.scheduler = scheduler
        self.clock = clock

    def when(self, text: str | None, timezone: str) -> datetime | None:
        """The optional send time, typed the Finnish way (bot/services/dates.py)."""
        return parse_when(text, self.clock.now(), timezone) if text and text.strip() else None

    async def draft(
        self, guild_id: int, channel_id: int, author_id: int, title: str, text: str, *, role_id: int | None,
        send_at: datetime | None, locale: str,
    ) -> Announcement:
        title, text = title.strip(), text.strip()
        if not 1 <= len(title) <= TITLE_MAX:
            raise KohtaamoError("A title is 1–{max} characters.", max=TITLE_MAX)
        if not 1 <= len(text) <= TEXT_MAX:
            raise KohtaamoError("An announcement is 1–{max} characters.", max=TEXT_MAX)
        if send_at is not None and send_at <= self.clock.now():
            raise KohtaamoError("The send time has passed while you wrote. Choose a new time, or send it now.")
        fields = {"guild_id": guild_id, "channel_id": channel_id, "author_id": author_id, "title": title,
                  "text": text, "role_id": role_id, "send_at": send_at, "locale": locale}
        return await self._get(await self.repo.create(fields, self.clock.now()))

    async def get(self, announcement_id: int) -> Announcement | None:
        row = await self.repo.get(announcement_id)
        return None if row is None else _announcement(row)

    async def _get(self, announcement_id: int) -> Announcement:
        found = await self.get(announcement_id)
        if found is None:
            raise KohtaamoError(NO_SUCH)
        return found

    async def claim_send(self, announcement_id: int) -> Announcement:
        """The author pressed Send: the draft is taken (a second press finds it taken)."""
        if not await self.repo.move(announcement_id, ("draft",), "sending", self.clock.now()):
            raise KohtaamoError(ALREADY)
        return await self._get(announcement_id)

    async def unsent(self, announcement_id: int) -> None:
        """Posting failed: back to a draft the author may send again."""
        await self.repo.move(announcement_id, ("sending",), "draft", self.clock.now())

    async def sent(self, announcement_id: int, message_id: int) -> None:
        await self.repo.sent(announcement_id, message_id, self.clock.now())

    async def schedule(self, announcement_id: int) -> Announcement:
        found = await self._get(announcement_id)
        if found.send_at is None:
            raise KohtaamoError("This announcement has no send time; send it now instead.")
        if found.send_at <= self.clock.now():
            raise KohtaamoError("The send time has passed while you wrote. Choose a new time, or send it now.")
        if not await self.repo.move(announcement_id, ("draft",), "scheduled", self.clock.now()):
            raise KohtaamoError(ALREADY)
        await self.scheduler.schedule(self.KIND_SEND, announcement_id, found.send_at, guild_id=found.guild_id,
                                      grace=SEND_GRACE)
        return await self._get(announcement_id)

    async def discard(self, announcement_id: int) -> None:
        """The preview's Cancel."""
        if not await self.repo.move(announcement_id, ("draft",), "cancelled", self.clock.now()):
            raise KohtaamoError(ALREADY)

    async def cancel(self, announcement_id: int, guild_id: int) -> Announcement:
        """/announce cancel: a scheduled announcement is not sent."""
        found = await self.get(announcement_id)
        if found is None or found.guild_id != guild_id:
            raise KohtaamoError(NO_SUCH)
        if not await self.repo.move(announcement_id, ("scheduled",), "cancelled", self.clock.now()):
            raise KohtaamoError(ALREADY)
        await self.scheduler.cancel(self.KIND_SEND, announcement_id)
        return found

    async def scheduled(self, guild_id: int) -> list[Announcement]:
        return [_announcement(r) for r in await self.repo.scheduled(guild_id)]

    async def due(self, job: DueJob) -> Announcement | None:
        """For the ``KIND_SEND`` handler: the announcement, if still scheduled."""
        found = await self.get(job.ref_id)
        return found if found is not None and found.status == "scheduled" else None

    async def failed(self, announcement_id: int) -> None:
        await self.repo.move(announcement_id, ("scheduled",), "failed", self.clock.now())

    async def export_member(self, user_id: int, guild_id: int) -> list[dict[str, object]]:
        return [dict(r) for r in await self.repo.by_author(user_id, guild_id)]

    async def erase_member(self, user_id: int, guild_id: int) -> int:
        return await self.repo.forget_author(user_id, guild_id)
