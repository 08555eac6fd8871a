"""Anonymous "I need company" requests: asking, the queue, claiming, ending, and safety.

The member stays anonymous to volunteers: a ``Request`` carries no requester id. Only
``requester_of`` opens the link, for the relay's DMs and a moderator's logged reveal."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.clock import Clock
from bot.db.company import CompanyRepo
from bot.errors import KohtaamoError
from bot.i18n import LOCALES, N_
from bot.scheduling import DueJob, Scheduler
from bot.services.setup import SetupService
from bot.services.volunteer import NOT_A_VOLUNTEER, Audience, VolunteerService

TOPIC_MAX = 500
FEEDBACK_MAX = 1000
HELD_MAX = 50  # messages kept while the member waits
JOB_GRACE = timedelta(hours=6)  # after downtime a late ping or notice still helps a waiting member
STALLED_AFTER = timedelta(minutes=2)  # a take whose thread has not opened by then never will

NO_SUCH = N_("There is no such request.")
NOT_OPEN = N_("This request is no longer open.")
ALREADY_ENDED = N_("This conversation has already ended.")
NOT_YOURS = N_("This is not your request.")
NOT_THE_VOLUNTEER = N_("Only the volunteer who took this request can do that.")


class Kind(StrEnum):
    CHAT_NOW = "chat_now"
    LATER_TODAY = "later_today"
    LISTEN = "listen"


class Status(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    ENDED = "ended"
    CANCELLED = "cancelled"
    WITHDRAWN = "withdrawn"  # never reached the queue (DMs closed, posting failed)


class EndedBy(StrEnum):
    MEMBER = "member"
    VOLUNTEER = "volunteer"
    MODERATOR = "moderator"
    SYSTEM = "system"


@dataclass(frozen=True)
class CompanyLimits:
    daily_cap: int = 3
    escalate_after: timedelta = timedelta(minutes=10)
    give_up_after: timedelta = timedelta(minutes=60)


@dataclass(frozen=True)
class Request:
    """A request as volunteers and moderators may see it: no requester id, on purpose."""

    id: int
    guild_id: int
    pseudonym: int  # "Vieras 4821"; unique among the guild's open and claimed requests
    audience: Audience
    language: str
    kind: Kind
    topic: str | None
    locale: str  # the member's language for DMs
    status: Status
    created_at: datetime
    claimed_by: int | None
    claimed_at: datetime | None
    ended_at: datetime | None
    ended_by: EndedBy | None
    card_channel_id: int | None
    card_message_id: int | None
    thread_id: int | None
    escalated: bool
    concern_raised: bool

    def waiting(self, now: datetime) -> timedelta:
        """How long the member waited (or has waited so far) for a volunteer."""
        return (self.claimed_at or self.ended_at or now) - self.created_at


def _request(row: dict[str, Any]) -> Request:
    values = {f.name: row[f.name] for f in fields(Request)}
    values.update(
        audience=Audience(row["audience"]),
        kind=Kind(row["kind"]),
        status=Status(row["status"]),
        ended_by=None if row["ended_by"] is None else EndedBy(row["ended_by"]),
    )
    return Request(**values)


def _maybe(row: dict[str, Any] | None) -> Request | None:
    return None if row is None else _request(row)


def _text(value: str | None, limit: int, msgid: str) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise KohtaamoError(msgid, max=limit)
    return value or None


def _language(value: str) -> None:
    if value not in LOCALES:
        raise KohtaamoError("Unknown language {value}: choose fi, sv or en.", value=value)


def _refusal(row: dict[str, Any]) -> KohtaamoError:
    """Why a change to a request that is no longer as the caller saw it was refused."""
    if row["status"] == Status.ENDED:
        return KohtaamoError(ALREADY_ENDED)
    if row["status"] in (Status.CANCELLED, Status.WITHDRAWN):
        return KohtaamoError(NOT_OPEN)
    return KohtaamoError(NOT_THE_VOLUNTEER)


async def _default_limits(guild_id: int) -> CompanyLimits:
    return CompanyLimits()


def limits_from(setup: SetupService) -> Callable[[int], Awaitable[CompanyLimits]]:
    """Each server's own limits, as set with /setup."""

    async def limits(guild_id: int) -> CompanyLimits:
        config = await setup.get(guild_id)
        return CompanyLimits(
            daily_cap=config.company_daily_cap, escalate_after=timedelta(minutes=config.company_nudge_minutes),
            give_up_after=timedelta(minutes=config.company_honest_minutes),
        )

    return limits


class CompanyService:
    KIND_ESCALATE = "company_escalate"
    KIND_GIVE_UP = "company_give_up"

    def __init__(
        self, repo: CompanyRepo, volunteers: VolunteerService, scheduler: Scheduler, clock: Clock,
        limits: Callable[[int], Awaitable[CompanyLimits]] | None = None,
    ) -> None:
        """Registers no job handlers: the bot registers its own for ``KIND_ESCALATE`` and
        ``KIND_GIVE_UP``, which call ``due_escalation`` / ``due_give_up``."""
        self.repo = repo
        self.volunteers = volunteers
        self.scheduler = scheduler
        self.clock = clock
        self.limits = limits or _default_limits

    # --- asking ----------------------------------------------------------------------------

    async def open(
        self, guild_id: int, user_id: int, *, audience: Audience, language: str, kind: Kind, topic: str | None,
        locale: str,
    ) -> Request:
        """A new request, if the member may ask: not blocked, none open already, under the daily
        cap. Its timers start now: the escalation ping and the honest "nobody is free" notice."""
        topic = _text(topic, TOPIC_MAX, N_("A topic can be at most {max} characters."))
        _language(language)
        _language(locale)
        now = self.clock.now()
        limits = await self.limits(guild_id)
        async with self.repo.transaction():  # two clicks at once: the second sees the first's row
            if await self.repo.is_blocked(guild_id, self.repo.member_tag(user_id)):
                raise KohtaamoError(
                    "You can't ask for company on this server at the moment. "
                    "The moderators can tell you more if you contact them."
                )
            if await self.repo.live_for_member(user_id) is not None:
                raise KohtaamoError(
                    "You already have an open request. You can cancel it from the message I sent you."
                )
            if await self.repo.count_since(guild_id, user_id, now - timedelta(days=1)) >= limits.daily_cap:
                raise KohtaamoError(
                    "You have reached the limit for requests in 24 hours ({cap}). Please try again later.",
                    cap=limits.daily_cap,
                )
            row = await self.repo.create(
                guild_id, user_id, audience=Audience(audience).value, language=language, kind=Kind(kind).value,
                topic=topic, locale=locale, now=now, give_up_at=now + limits.give_up_after,
            )
            await self._arm(row)
        return _request(row)

    async def withdraw(self, request_id: int) -> None:
        """The request never reached the queue: it ends unseen and does not count toward the cap.
        Does nothing once the request is no longer open."""
        async with self.repo.transaction():
            if await self.repo.withdraw(request_id, self.clock.now()):
                await self._disarm(request_id)

    async def attach_card(self, request_id: int, channel_id: int, message_id: int) -> Request:
        if not await self.repo.attach_card(request_id, channel_id, message_id):
            raise KohtaamoError(NO_SUCH)
        return await self._get(request_id)

    async def keep_waiting(self, request_id: int, user_id: int) -> Request:
        """The member keeps waiting after the honest notice: it comes again after ``give_up_after``.
        A request a volunteer took meanwhile is returned as it is."""
        guild_id = (await self._owned(request_id, user_id))["guild_id"]
        give_up_at = self.clock.now() + (await self.limits(guild_id)).give_up_after
        async with self.repo.transaction():
            if await self.repo.keep_waiting(request_id, give_up_at):
                await self._schedule(self.KIND_GIVE_UP, guild_id, request_id, give_up_at)
        row = await self._row(request_id)
        if row["status"] not in (Status.OPEN, Status.CLAIMED):
            raise _refusal(row)
        return _request(row)

    # --- reading ---------------------------------------------------------------------------

    async def get(self, request_id: int) -> Request | None:
        return _maybe(await self.repo.get(request_id))

    async def by_thread(self, thread_id: int) -> Request | None:
        return _maybe(await self.repo.by_thread(thread_id))

    async def active_for_member(self, user_id: int) -> Request | None:
        """The member's open or claimed request, in any guild (DMs carry no guild)."""
        return _maybe(await self.repo.live_for_member(user_id))

    async def owned_by(self, request_id: int, user_id: int) -> bool:
        return await self.repo.owned_by(request_id, user_id)

    async def requester_of(self, request_id: int) -> int:
        """The member's user id: for sending them DMs, and for ``reveal``. Never show it to volunteers."""
        user_id = await self.repo.requester_of(request_id)
        if user_id is None:
            raise KohtaamoError(NO_SUCH)
        return user_id

    # --- volunteers ------------------------------------------------------------------------

    async def claim(self, request_id: int, volunteer_id: int) -> Request:
        """Exactly one volunteer wins, decided by one atomic UPDATE."""
        row = await self._row(request_id)
        volunteer = await self.volunteers.get(row["guild_id"], volunteer_id)
        if volunteer is None:
            raise KohtaamoError(NOT_A_VOLUNTEER)
        audience = Audience(row["audience"])
        if audience in (Audience.YOUTH_MINOR, Audience.UNKNOWN) and not volunteer.minors_cleared:
            raise KohtaamoError("Only volunteers cleared for minors can take this request.")
        if not volunteer.serves(audience):
            raise KohtaamoError("This request comes from a group you do not serve.")
        if row["language"] not in volunteer.languages:
            raise KohtaamoError("This request is in a language you have not listed.")
        if await self.repo.owned_by(request_id, volunteer_id):
            raise KohtaamoError("You cannot take your own request.")
        async with self.repo.transaction():
            won = await self.repo.claim(request_id, volunteer_id, self.clock.now())
            if won:
                await self._disarm(request_id)
        if not won:
            current = await self._row(request_id)
            if current["status"] != Status.CLAIMED:
                raise KohtaamoError(NOT_OPEN)
            if current["claimed_by"] == volunteer_id:
                raise KohtaamoError("You have already taken this request.")
            raise KohtaamoError("Another volunteer already took this request.")
        return await self._get(request_id)

    async def unclaim(self, request_id: int, volunteer_id: int) -> Request:
        """Undo a claim when Discord failed to open the thread: the request is open again and
        its timers run for the time left (or soon, if that has passed)."""
        async with self.repo.transaction():
            if await self.repo.unclaim(request_id, volunteer_id):
                await self._arm(await self._row(request_id))
                return await self._get(request_id)
        raise _refusal(await self._row(request_id))

    async def set_thread(self, request_id: int, thread_id: int) -> Request:
        if not await self.repo.set_thread(request_id, thread_id):
            raise KohtaamoError(NO_SUCH)
        return await self._get(request_id)

    async def raise_concern(self, request_id: int, volunteer_id: int) -> Request:
        """Only the volunteer who took the request, during or after the conversation."""
        await self._row(request_id)
        if not await self.repo.raise_concern(request_id, volunteer_id, self.clock.now()):
            raise KohtaamoError(NOT_THE_VOLUNTEER)
        return await self._get(request_id)

    async def volunteer_removed(self, guild_id: int, volunteer_id: int) -> list[Request]:
        """End the removed volunteer's conversations; returned so the members can be told."""
        ids = await self.repo.end_claimed_by(guild_id, volunteer_id, self.clock.now())
        return [await self._get(i) for i in ids]

    # --- ending ----------------------------------------------------------------------------

    async def cancel(self, request_id: int, user_id: int) -> Request:
        """The member cancels: an open request is cancelled, a claimed one ended by the member."""
        return await self.end(request_id, EndedBy.MEMBER, user_id)

    async def end(self, request_id: int, by: str, actor_id: int) -> Request:
        """End by "member" (the requester), "volunteer" (the one who took it) or "moderator".
        A claimed request becomes ended; one still open becomes cancelled."""
        who = EndedBy(by)
        if who is EndedBy.SYSTEM:
            raise ValueError("the system ends conversations through volunteer_removed")
        if who is EndedBy.MEMBER:
            await self._owned(request_id, actor_id)
        else:
            await self._row(request_id)
        holder = actor_id if who is EndedBy.VOLUNTEER else None
        async with self.repo.transaction():
            closed = await self.repo.close(request_id, who.value, self.clock.now(), claimed_by=holder)
            if closed:
                await self._disarm(request_id)
        if not closed:
            raise _refusal(await self._row(request_id))
        return await self._get(request_id)

    async def feedback(self, request_id: int, user_id: int, rating: int, text: str | None) -> None:
        """Anonymous feedback from the member, once, after the conversation ended."""
        row = await self._owned(request_id, user_id)
        if not 1 <= rating <= 5:
            raise KohtaamoError("Choose a rating from 1 to 5.")
        text = _text(text, FEEDBACK_MAX, N_("Feedback can be at most {max} characters."))
        if row["status"] != Status.ENDED:
            raise KohtaamoError("You can give feedback once the conversation has ended.")
        if not await self.repo.add_feedback(request_id, rating, text, self.clock.now()):
            raise KohtaamoError("You have already given feedback on this conversation. Thank you!")

    # --- what the member writes before the conversation opens ---------------------------

    async def hold(self, request_id: int, text: str) -> int:
        """Keep a message for the thread; how many are kept now (1 for the first), or 0 when
        ``HELD_MAX`` are kept already and this one was not."""
        return await self.repo.hold(request_id, text, self.clock.now(), HELD_MAX)

    async def held(self, request_id: int) -> list[tuple[int, str]]:
        """The kept messages, oldest first, as (id, text); ``delivered`` drops each once posted."""
        return await self.repo.held(request_id)

    async def delivered(self, held_id: int) -> None:
        await self.repo.drop_held(held_id)

    async def with_held(self) -> list[Request]:
        """Open conversations whose kept messages are not delivered yet (after a restart)."""
        return [await self._get(i) for i in await self.repo.with_held()]

    async def release_stalled(self) -> list[Request]:
        """At start: requests taken when the bot stopped before their thread opened go back to
        the queue (their timers run again); a claim younger than ``STALLED_AFTER`` may still be
        opening its thread and is left alone."""
        released = []
        for request_id, volunteer_id in await self.repo.stalled_claims(self.clock.now() - STALLED_AFTER):
            with contextlib.suppress(KohtaamoError):  # opened or ended meanwhile
                released.append(await self.unclaim(request_id, volunteer_id))
        return released

    async def cancel_waiting_of(self, guild_id: int, member_tag: str, now: datetime) -> list[Request]:
        """For a block: the member's open request in the guild is cancelled (by a moderator)."""
        ids = await self.repo.cancel_open_of(guild_id, member_tag, EndedBy.MODERATOR.value, now)
        for request_id in ids:
            await self._disarm(request_id)
        return [await self._get(i) for i in ids]

    # --- timers ----------------------------------------------------------------------------

    async def due_escalation(self, job: DueJob) -> Request | None:
        """For the ``KIND_ESCALATE`` handler: the request if still open (now marked escalated)."""
        if not await self.repo.mark_escalated(job.ref_id, self.clock.now()):
            return None
        return await self.get(job.ref_id)

    async def due_give_up(self, job: DueJob) -> Request | None:
        """For the ``KIND_GIVE_UP`` handler: the request if still open, so the member can be told."""
        request = await self.get(job.ref_id)
        return request if request is not None and request.status is Status.OPEN else None

    # --- the member's own data -------------------------------------------------------------

    async def export_member(self, user_id: int, guild_id: int) -> list[dict[str, object]]:
        """The member's requests in the guild, feedback and messages kept for a thread, as plain
        JSON-able values (no volunteer ids); then the conversations they took as a volunteer."""
        out: list[dict[str, object]] = []
        for row, rating, text in await self.repo.for_member(user_id, guild_id):
            r = _request(row)
            out.append({
                "request": r.id, "guild_id": r.guild_id, "pseudonym": r.pseudonym, "kind": r.kind.value,
                "audience": r.audience.value, "language": r.language, "topic": r.topic, "status": r.status.value,
                "created_at": r.created_at.isoformat(),
                "claimed_at": r.claimed_at.isoformat() if r.claimed_at else None,
                "ended_at": r.ended_at.isoformat() if r.ended_at else None,
                "ended_by": r.ended_by.value if r.ended_by else None,
                "feedback": None if rating is None else {"rating": rating, "text": text},
                "kept_messages": [kept for _, kept in await self.repo.held(r.id)],
            })
        out += [{"taken_as_volunteer": row} for row in await self.repo.taken_by(user_id, guild_id)]
        blocked = await self.repo.blocked_since(guild_id, user_id)
        return out + ([{"blocked_from_asking_since": blocked.isoformat()}] if blocked else [])

    async def erase_member(self, user_id: int, guild_id: int) -> int:
        """Delete the member's requests in the guild and feedback (and so their link to them), and
        forget them as the volunteer of ended conversations; return how many records."""
        async with self.repo.transaction():
            ids, taken = await self.repo.erase_member(user_id, guild_id)
            for request_id in ids:
                await self._disarm(request_id)
        return len(ids) + taken

    # --- helpers ---------------------------------------------------------------------------

    async def _row(self, request_id: int) -> dict[str, Any]:
        row = await self.repo.get(request_id)
        if row is None:
            raise KohtaamoError(NO_SUCH)
        return row

    async def _get(self, request_id: int) -> Request:
        return _request(await self._row(request_id))

    async def _owned(self, request_id: int, user_id: int) -> dict[str, Any]:
        row = await self._row(request_id)
        if not await self.repo.owned_by(request_id, user_id):
            raise KohtaamoError(NOT_YOURS)
        return row

    async def _arm(self, row: dict[str, Any]) -> None:
        """Schedule the open request's timers; one already past runs at the next sweep."""
        now, guild_id, request_id = self.clock.now(), row["guild_id"], row["id"]
        if not row["escalated"]:
            escalate_at = max(row["created_at"] + (await self.limits(guild_id)).escalate_after, now)
            await self._schedule(self.KIND_ESCALATE, guild_id, request_id, escalate_at)
        await self._schedule(self.KIND_GIVE_UP, guild_id, request_id, max(row["give_up_at"], now))

    async def _schedule(self, kind: str, guild_id: int, request_id: int, due_at: datetime) -> None:
        await self.scheduler.schedule(kind, request_id, due_at, guild_id=guild_id, grace=JOB_GRACE)

    async def _disarm(self, request_id: int) -> None:
        for kind in (self.KIND_ESCALATE, self.KIND_GIVE_UP):
            await self.scheduler.cancel(kind, request_id)
