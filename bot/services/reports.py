"""Members report a message to the moderators: one report per message however many report it,
at most ``OPEN_MAX`` open reports per member, claim and resolve with an outcome. The reported
member never learns who reported; the reporter learns only that the report was handled.

Privacy: a report keeps the reported text (sealed, cut at ``TEXT_MAX``), its author, and each
reporter with their reason and optional words (sealed). A reporter's export lists their own
reports; an author's export lists reports about their messages without who made them. Erasure
withdraws the member's own reports and removes the text of reports about their messages; that a
report was made and how it was resolved stays as the server's moderation record."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.clock import Clock
from bot.db.reports import ReportRepo, StoredReport
from bot.errors import KohtaamoError
from bot.i18n import N_

Report = StoredReport
OPEN_MAX = 3
TEXT_MAX = 1000
NOTE_MAX = 500
NO_SUCH_REPORT = N_("This report no longer exists.")


class Reason(StrEnum):
    HARASSMENT = "harassment"
    UNSAFE = "unsafe"
    SPAM = "spam"
    OTHER = "other"


class Outcome(StrEnum):
    ACTED = "acted"
    NO_ACTION = "no_action"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Filed:
    report: Report
    fresh: bool  # a new report (post a card); else a card to update


class ReportService:
    def __init__(self, repo: ReportRepo, clock: Clock) -> None:
        self.repo = repo
        self.clock = clock

    async def file(self, guild_id: int, channel_id: int, message_id: int, author_id: int, text: str,
                   reporter_id: int, reason: Reason, note: str | None) -> Filed:
        if author_id == reporter_id:
            raise KohtaamoError("You cannot report your own message.")
        note = " ".join((note or "").split())[:NOTE_MAX] or None
        now = self.clock.now()
        async with self.repo.db.transaction():
            existing = await self.repo.open_for_message(guild_id, message_id)
            if existing is not None and any(r.reporter_id == reporter_id for r in existing.reporters):
                raise KohtaamoError("You have reported this message already; the moderators have it.")
            if await self.repo.open_by(guild_id, reporter_id) >= OPEN_MAX:
                raise KohtaamoError(
                    "You have {max} reports waiting for the moderators already. You can report more once they "
                    "have handled those.", max=OPEN_MAX,
                )
            report_id = existing.id if existing else await self.repo.add(
                guild_id, channel_id, message_id, author_id, text[:TEXT_MAX], now)
            await self.repo.add_reporter(report_id, reporter_id, reason.value, note, now)
        return Filed(await self.report(report_id), existing is None)

    async def report(self, report_id: int) -> Report:
        report = await self.repo.get(report_id)
        if report is None:
            raise KohtaamoError(NO_SUCH_REPORT)
        return report

    async def card_posted(self, report: Report, channel_id: int, message_id: int) -> None:
        await self.repo.set_card(report.id, channel_id, message_id)

    async def claim(self, report_id: int, moderator_id: int) -> Report:
        await self.report(report_id)
        if not await self.repo.claim(report_id, moderator_id):
            raise KohtaamoError("This report is taken or resolved already.")
        return await self.report(report_id)

    async def resolve(self, report_id: int, moderator_id: int, outcome: Outcome) -> Report:
        await self.report(report_id)
        if not await self.repo.resolve(report_id, moderator_id, outcome.value, self.clock.now()):
            raise KohtaamoError("This report is resolved already.")
        return await self.report(report_id)

    async def export_member(self, user_id: int, guild_id: int) -> list[dict[str, object]]:
        made: list[dict[str, object]] = [{"made_by_you": True, "reason": r.reason, "your_words": r.note, "status": status,
                 "created_at": r.created_at.isoformat()} for r, status in await self.repo.made_by(user_id, guild_id)]
        about: list[dict[str, object]] = [{"about_your_message": True, "channel_id": r.channel_id, "message_id": r.message_id,
                  "text": r.text or None, "under_pseudonym": r.author_id != user_id, "status": r.status,
                  "created_at": r.created_at.isoformat()}
                 for r in await self.repo.about(user_id, guild_id)]
        return made + about

    async def erase_member(self, user_id: int, guild_id: int) -> int:
        return await self.repo.erase_member(user_id, guild_id)
