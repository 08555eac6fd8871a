"""Personal check-ins by DM: opt in, the DM at each due time (once, after restarts too), moods,
pauses, closed DMs, the monthly loneliness question, the member's own history.

Each due time is an occurrence row and a job (``checkin_me``, ref = occurrence). The job's handler
first plans the next occurrence (idempotent: one row per due time), then sends; so a crash between
the two leaves nothing unplanned, and a resend after a crash carries the same nonce. At start,
``resume`` plans the next time of any schedule whose last one was missed while the bot was down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.db.checkin import CheckinRepo, Decoded
from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.scheduling import DueJob, Scheduler
from bot.services.checkin import BAD_MOOD, LOWEST, MOODS, Occurrences, Recurrence

KIND_ME = "checkin_me"
GRACE_ME = timedelta(hours=1)  # a check-in more than an hour late is skipped: it would ask about another moment
WEEK = timedelta(days=7)
# Statistics Finland's / Eurostat's single item: 1 = all of the time … 5 = none of the time.
LONELINESS_ANSWERS = (1, 2, 3, 4, 5)
LONELY = frozenset({1, 2})  # "all or most of the time": the share the impact report shows

NOT_OPTED_IN = N_("You have no personal check-ins. Start them with /checkin me.")
STOPPED = N_("These check-ins have been stopped. You can start them again with /checkin me.")
NOT_YOURS = N_("This check-in is not yours.")


@dataclass(frozen=True)
class Personal:
    id: int
    user_id: int
    guild_id: int
    dm_channel_id: int
    recurrence: Recurrence
    locale: str
    paused_until: datetime | None
    dms_closed: bool
    loneliness: bool


@dataclass(frozen=True)
class DueDm:
    """What the handler sends: occurrence ``occurrence_id`` to ``personal``."""

    occurrence_id: int
    personal: Personal
    offer_support: bool  # the last two moods were the lowest: company and crisis contacts in this DM
    ask_loneliness: bool  # the first check-in of the month of a member who opted in


@dataclass(frozen=True)
class MoodSaved:
    mood: int
    offer_support: bool


def _personal(row: Decoded) -> Personal:
    return Personal(
        row["id"], row["user_id"], row["guild_id"], row["dm_channel_id"],
        Recurrence.from_mask(row["weekdays"], row["minute"], row["zone"]), row["locale"], row["paused_until"],
        row["dms_closed_at"] is not None, row["loneliness"],
    )


def month_of(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m")


class PersonalCheckins:
    KIND = KIND_ME

    def __init__(self, repo: CheckinRepo, scheduler: Scheduler, clock: Clock) -> None:
        self.repo = repo
        self.scheduler = scheduler
        self.clock = clock
        self.occurrences = Occurrences(repo, scheduler, clock, KIND_ME, GRACE_ME, "personal_id")
        self._notices: set[int] | None = None  # members to tell that their DMs are closed

    # ----- the member's choices -----------------------------------------------------------

    async def get(self, user_id: int) -> Personal | None:
        row = await self.repo.personal(user_id)
        return None if row is None else _personal(row)

    async def opt_in(
        self, user_id: int, guild_id: int, dm_channel_id: int, recurrence: Recurrence, locale: str, *,
        loneliness: bool = False,
    ) -> tuple[Personal, datetime]:
        """Start (or change) the member's check-ins; returns them and the first due time."""
        row = await self.repo.save_personal(
            user_id, guild_id, dm_channel_id, recurrence.mask, recurrence.minute, recurrence.zone, locale, loneliness,
            self.clock.now(),
        )
        self._forget_notice(user_id)
        personal = _personal(row)
        await self.occurrences.cancel_unsent(personal.id)
        return personal, await self._plan(personal, self.clock.now())

    async def pause(self, user_id: int, until: datetime) -> datetime:
        """No check-in before ``until``; returns the next due time after the pause."""
        personal = await self._mine(user_id)
        await self.repo.set_paused(personal.id, until, self.clock.now())
        await self.occurrences.cancel_unsent(personal.id)
        return await self._plan(personal, until)

    async def pause_week(self, user_id: int) -> datetime:
        return await self.pause(user_id, self.clock.now() + WEEK)

    async def stop(self, user_id: int) -> bool:
        """End the check-ins (the history stays until ``erase_history``); False when there were none."""
        personal = await self.get(user_id)
        if personal is None:
            return False
        await self.occurrences.cancel_unsent(personal.id)
        await self.repo.delete_personal(user_id)
        self._forget_notice(user_id)
        return True

    async def erase_history(self, user_id: int) -> int:
        return await self.repo.delete_moods(user_id) + await self.repo.delete_loneliness(user_id)

    # ----- the DM at its due time ---------------------------------------------------------

    async def due(self, job: DueJob) -> DueDm | None:
        """Called by the ``checkin_me`` handler: the next occurrence is planned first, then the
        DM to send now, or None when the schedule was stopped, changed, paused or DMs closed."""
        occurrence = await self.repo.occurrence(job.ref_id)
        if occurrence is None or occurrence["personal_id"] is None:
            return None
        row = await self.repo.personal_by_id(occurrence["personal_id"])
        if row is None:
            return None
        personal = _personal(row)
        if personal.dms_closed:
            return None
        due_at = occurrence["due_at"]
        paused = personal.paused_until is not None and due_at < personal.paused_until
        await self._plan(personal, max(due_at, personal.paused_until or due_at))
        if paused:
            return None
        previous = await self.repo.latest_before(personal.id, due_at)
        zone = personal.recurrence.zone
        first_of_month = previous is None or month_of(previous, zone) != month_of(due_at, zone)
        return DueDm(
            occurrence["id"], personal, await self._low_streak(personal.user_id),
            personal.loneliness and first_of_month and not await self._answered_loneliness(personal, due_at),
        )

    async def dms_closed(self, personal_id: int) -> None:
        """A DM answered 403 50007: no more check-ins until they opt in again; they are told
        privately the next time they use the bot."""
        row = await self.repo.personal_by_id(personal_id)
        if row is None or not await self.repo.mark_dms_closed(personal_id, self.clock.now()):
            return
        await self.occurrences.cancel_unsent(personal_id)
        if self._notices is not None:
            self._notices.add(int(row["user_id"]))

    async def resume(self) -> int:
        """At start: every schedule whose last occurrence is past its grace gets its next one."""
        now = self.clock.now()
        planned = 0
        for row in await self.repo.all_personal():
            personal = _personal(row)
            if personal.dms_closed:
                continue
            if await self.occurrences.overdue(personal.id):
                await self._plan(personal, max(now, personal.paused_until or now))
                planned += 1
        return planned

    # ----- answers ------------------------------------------------------------------------

    async def record_mood(self, user_id: int, occurrence_id: int, mood: int) -> MoodSaved:
        if mood not in MOODS:
            raise KohtaamoError(BAD_MOOD)
        await self._answerable(user_id, occurrence_id)
        await self.repo.save_mood(user_id, occurrence_id, mood, self.clock.now())
        return MoodSaved(mood, await self._low_streak(user_id))

    async def record_loneliness(self, user_id: int, occurrence_id: int, answer: int) -> None:
        if answer not in LONELINESS_ANSWERS:
            raise KohtaamoError(BAD_MOOD)
        personal, occurrence = await self._answerable(user_id, occurrence_id)
        month = month_of(occurrence["due_at"], personal.recurrence.zone)
        await self.repo.save_loneliness(user_id, personal.guild_id, month, answer, self.clock.now())

    async def history(self, user_id: int, days: int) -> list[tuple[datetime, int]]:
        """The member's own moods of the last ``days`` days, oldest first."""
        since = self.clock.now() - timedelta(days=days)
        return list(reversed(await self.repo.moods(user_id, since)))

    async def loneliness_share(self, guild_id: int, month: str) -> tuple[int, int]:
        """(answers "all or most of the time", all answers) in ``guild_id`` for ``month`` (``2026-12``):
        the monthly share for the impact report, which hides counts under 5."""
        answers = await self.repo.loneliness_answers(guild_id, month)
        return sum(1 for a in answers if a in LONELY), len(answers)

    # ----- closed-DM notices --------------------------------------------------------------

    async def notice_due(self, user_id: int) -> bool:
        """True once when the member should be told their DMs are closed (checked on every
        reply, so kept in memory and loaded once)."""
        if self._notices is None:
            self._notices = set(await self.repo.notices_due())
        if user_id not in self._notices:
            return False
        self._notices.discard(user_id)
        return await self.repo.take_notice(user_id)

    # ----- privacy ------------------------------------------------------------------------

    async def export_member(self, user_id: int, guild_id: int) -> list[dict[str, object]]:
        """The schedule (if made in this guild), moods, loneliness answers and room votes."""
        out: list[dict[str, object]] = []
        personal = await self.get(user_id)
        if personal is not None and personal.guild_id == guild_id:
            rec = personal.recurrence
            out.append({
                "type": "personal_checkins", "weekdays": sorted(rec.days), "time": f"{rec.minute // 60:02d}:{rec.minute % 60:02d}",
                "zone": rec.zone, "language": personal.locale, "monthly_loneliness_question": personal.loneliness,
                "paused_until": personal.paused_until.isoformat() if personal.paused_until else None,
                "direct_messages_closed": personal.dms_closed,
            })
        moods, lonely = await self.repo.history_in(user_id, guild_id)
        out += [{"type": "mood", "at": at.isoformat(), "mood": mood} for at, mood in moods]
        out += [{"type": "loneliness", "month": month, "answer": answer} for month, answer in lonely]
        out += [{"type": "room_checkin_answer", "at": at.isoformat(), "mood": mood}
                for _, _, at, mood in await self.repo.votes_in(user_id, guild_id)]
        return out

    async def erase_member(self, user_id: int, guild_id: int) -> int:
        """Stop the schedule made in this guild (its jobs go) and erase the history kept here."""
        personal = await self.get(user_id)
        stopped = personal is not None and personal.guild_id == guild_id and await self.stop(user_id)
        return int(stopped) + await self.repo.erase_member(user_id, guild_id)

    # ----- inside -------------------------------------------------------------------------

    async def _mine(self, user_id: int) -> Personal:
        personal = await self.get(user_id)
        if personal is None:
            raise KohtaamoError(NOT_OPTED_IN)
        return personal

    async def _answerable(self, user_id: int, occurrence_id: int) -> tuple[Personal, Decoded]:
        personal = await self.get(user_id)
        occurrence = await self.repo.occurrence(occurrence_id)
        if personal is None or occurrence is None:
            raise KohtaamoError(STOPPED)
        if occurrence["personal_id"] != personal.id:
            raise KohtaamoError(NOT_YOURS)
        return personal, occurrence

    async def _plan(self, personal: Personal, after: datetime) -> datetime:
        return await self.occurrences.plan(personal.guild_id, personal.id, personal.recurrence, after)

    async def _low_streak(self, user_id: int) -> bool:
        last = await self.repo.moods(user_id, limit=2)
        return len(last) == 2 and all(mood == LOWEST for _, mood in last)

    async def _answered_loneliness(self, personal: Personal, at: datetime) -> bool:
        month = month_of(at, personal.recurrence.zone)
        return any(m == month for m, _ in await self.repo.loneliness_of(personal.user_id))

    def _forget_notice(self, user_id: int) -> None:
        if self._notices is not None:
            self._notices.discard(user_id)
