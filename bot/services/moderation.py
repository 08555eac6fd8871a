"""Moderators' actions as numbered cases: warnings that expire, timeouts, private notes, channel
slowmode and locks, removed messages; the history of a member, one case by number, and a
corrected reason (the earlier one is kept). Who may act on whom is decided here too.

Privacy: cases are the server's moderation record. A member's export lists the cases about them
(with the reason, never the moderator); erasure keeps them for their set time under the member's
pseudonym (``bot.db.cases.pseudonym``), since they are what keeps the rooms safe (a deleted
account cannot wipe its warnings). Reasons are sealed at rest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.db.cases import CaseRepo, ReasonEdit, StoredCase
from bot.db.moderation import LockRepo, Previous
from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.services.setup import SetupService

Case = StoredCase
PAGE = 5
REASON_MAX = 500
NO_SUCH_CASE = N_("There is no case {number} on this server.")


class Action(StrEnum):
    WARN = "warn"
    TIMEOUT = "timeout"
    UNTIMEOUT = "untimeout"
    NOTE = "note"
    SLOWMODE = "slowmode"
    LOCK = "lock"
    UNLOCK = "unlock"
    REMOVE = "remove"


@dataclass(frozen=True)
class Standing:
    """Where a member stands on the server, as Discord and the mapped roles see it."""

    user_id: int
    top_role: int  # the position of their highest role
    team: bool = False  # holds the moderator or staff role
    admin: bool = False  # has Manage Server
    owner: bool = False


def check_reach(actor: Standing, target: Standing, bot: Standing) -> None:
    """Refuse, saying why, when ``actor`` may not act on ``target`` (or the bot cannot)."""
    if target.user_id == actor.user_id:
        raise KohtaamoError("You cannot do this to yourself: ask another moderator.")
    if target.user_id == bot.user_id or target.owner:
        raise KohtaamoError("The bot cannot do this to the server owner or to itself.")
    if (target.team or target.admin) and not actor.admin:
        raise KohtaamoError("This member is a moderator or staff member: only a server admin (Manage Server) can "
                            "do this to them.")
    if not actor.owner and target.top_role >= actor.top_role:
        raise KohtaamoError("This member's highest role is at or above yours, so you cannot do this to them.")
    if target.top_role >= bot.top_role:
        raise KohtaamoError("This member's highest role is at or above the bot's, so the bot cannot do this. Move "
                            "the bot's role higher in the server settings.")


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    page: int  # from 0
    pages: int
    total: int


class ModerationService:
    def __init__(self, cases: CaseRepo, locks: LockRepo, setup: SetupService, clock: Clock) -> None:
        self.cases = cases
        self.locks = locks
        self.setup = setup
        self.clock = clock

    async def record(
        self, guild_id: int, action: Action, moderator_id: int, reason: str, *, target_user_id: int | None = None,
        channel_id: int | None = None, duration: timedelta | None = None,
    ) -> Case:
        """A new case; a warning gets the server's expiry (/setup, default 90 days)."""
        now = self.clock.now()
        expires = None
        if action is Action.WARN:
            config = await self.setup.get(guild_id)
            expires = now + timedelta(days=config.warning_expiry_days)
        case_id, _ = await self.cases.add(
            guild_id, action.value, moderator_id, reason[:REASON_MAX], now, target_user_id=target_user_id,
            channel_id=channel_id, duration=duration, expires_at=expires,
        )
        return await self._get(case_id)

    async def told(self, case: Case, told: bool) -> Case:
        """Record whether the member could be told (by DM) about the case."""
        await self.cases.set_told(case.id, told)
        return await self._get(case.id)

    async def active_warnings(self, guild_id: int, user_id: int) -> int:
        return await self.cases.active(guild_id, user_id, Action.WARN.value, self.clock.now())

    def expired(self, case: Case) -> bool:
        return case.expires_at is not None and case.expires_at <= self.clock.now()

    async def history(self, guild_id: int, user_id: int, page: int) -> CasePage:
        """The member's cases, newest first, ``PAGE`` at a time (a page past the end shows the last)."""
        total = await self.cases.count_of_member(guild_id, user_id)
        pages = max(1, -(-total // PAGE))
        page = min(max(page, 0), pages - 1)
        cases = await self.cases.of_member(guild_id, user_id, offset=page * PAGE, limit=PAGE)
        return CasePage(cases, page, pages, total)

    async def case(self, guild_id: int, number: int) -> Case:
        found = await self.cases.by_number(guild_id, number)
        if found is None:
            raise KohtaamoError(NO_SUCH_CASE, number=number)
        return found

    async def edits(self, case: Case) -> list[ReasonEdit]:
        return await self.cases.edits(case.id)

    async def correct(self, guild_id: int, number: int, moderator_id: int, reason: str) -> tuple[Case, Case]:
        """Give case ``number`` a new reason; returns (before, after). The old reason is kept."""
        reason = " ".join(reason.split())
        if not reason:
            raise KohtaamoError("Write the corrected reason.")
        before = await self.case(guild_id, number)
        if before.reason == reason:
            raise KohtaamoError("The case already has that reason. Nothing was changed.")
        await self.cases.correct_reason(before.id, moderator_id, reason[:REASON_MAX], self.clock.now())
        return before, await self._get(before.id)

    async def lock(self, guild_id: int, channel_id: int, previous: Previous) -> None:
        """Remember what a channel's overwrites allowed before ``/mod lock``."""
        if not await self.locks.add(guild_id, channel_id, previous, self.clock.now()):
            raise KohtaamoError("This channel is locked already.")

    async def locked(self, channel_id: int) -> Previous | None:
        return await self.locks.get(channel_id)

    async def unlocked(self, channel_id: int) -> None:
        await self.locks.remove(channel_id)

    async def _get(self, case_id: int) -> Case:
        case = await self.cases.get(case_id)
        assert case is not None
        return case

    async def export_member(self, user_id: int, guild_id: int) -> list[dict[str, object]]:
        """The cases about the member; not who made them (the moderators' names stay with the server)."""
        return [
            {"case": c.number, "kind": c.kind, "reason": c.reason, "under_pseudonym": c.target_user_id != user_id,
             "created_at": c.created_at.isoformat(), "duration_seconds": c.duration and c.duration.total_seconds(),
             "expires_at": c.expires_at and c.expires_at.isoformat(), "member_told": c.member_told}
            for c in await self.cases.about(user_id, guild_id)
        ]

    async def erase_member(self, user_id: int, guild_id: int) -> int:
        """The cases stay, pseudonymised (see the module text); how many."""
        return await self.cases.pseudonymise(user_id, guild_id)
