"""Moderators and company requests: a logged look-up of who asked, and blocks that need not
reveal who is blocked. A block by request number works on the keyed tag behind the request,
so neither the case nor anything shown to the moderator holds the member's id."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.services.company import NO_SUCH, CompanyService, Request

REASON_MIN = 10
REASON_MAX = 500

_NUMBER = re.compile(r"#?\s*(\d{1,9})")
_PSEUDONYM = re.compile(r"[^\W\d_]+\s*(\d{4})")  # "Vieras 4821", "Gäst 4821", "Guest 4821"

ALREADY_BLOCKED = N_("This member is already blocked from asking for company.")
NOT_BLOCKED = N_("This member is not blocked from asking for company.")


@dataclass(frozen=True)
class Block:
    """A block or unblock made: its case number, the request it was made by (if it was), and the
    waiting requests it cancelled (their cards need updating, their members telling)."""

    case: int
    request: Request | None
    cancelled: list[Request]


def _reason(value: str) -> str:
    value = value.strip()
    if len(value) < REASON_MIN:
        raise KohtaamoError("Write a reason of at least {min} characters.", min=REASON_MIN)
    if len(value) > REASON_MAX:
        raise KohtaamoError("A reason can be at most {max} characters.", max=REASON_MAX)
    return value


class CompanyModeration:
    def __init__(self, company: CompanyService) -> None:
        self.company = company
        self.repo = company.repo
        self.clock = company.clock

    async def find(self, guild_id: int, text: str) -> Request:
        """A request of this guild by its number ("12", "#12") or the pseudonym on its card
        ("Vieras 4821"; a live request first, else the newest under that name)."""
        text = text.strip()
        number, pseudonym = _NUMBER.fullmatch(text), _PSEUDONYM.fullmatch(text)
        request = None
        if number is not None:
            request = await self.company.get(int(number[1]))
        elif pseudonym is not None:
            row = await self.repo.by_pseudonym(guild_id, int(pseudonym[1]))
            request = None if row is None else await self.company.get(row["id"])
        if request is None or request.guild_id != guild_id:
            raise KohtaamoError(
                "There is no request “{text}” on this server. Write its number (like 12) or the guest's name "
                "from the card (like Vieras 4821).", text=text[:50],
            )
        return request

    async def reveal(self, request_id: int, moderator_id: int, reason: str, *, guild_id: int | None = None) -> int:
        """Who asked: recorded (moderator, reason, time) before it is returned. With ``guild_id``,
        a request of another guild is treated as unknown."""
        reason = _reason(reason)
        request = await self.company.get(request_id)
        if request is None or (guild_id is not None and request.guild_id != guild_id):
            raise KohtaamoError(NO_SUCH)
        async with self.repo.transaction():
            await self.repo.record_reveal(request.guild_id, request_id, moderator_id, reason, self.clock.now())
            return await self.company.requester_of(request_id)

    async def block(
        self, guild_id: int, moderator_id: int, reason: str, *, member_id: int | None = None,
        request: Request | None = None,
    ) -> Block:
        """Stop a member asking in this guild, named either as a member or by one of their
        requests; their waiting request is cancelled. A live conversation is left to the people in it."""
        reason = _reason(reason)
        tag = await self._tag(member_id, request)
        member = member_id if request is None else await self.company.requester_of(request.id)
        now = self.clock.now()
        async with self.repo.transaction():
            if await self.repo.is_blocked(guild_id, tag):
                raise KohtaamoError(ALREADY_BLOCKED)
            case_id, number = await self.repo.cases.add(
                guild_id, "company_block", moderator_id, reason, now, target_user_id=member_id,
                request_id=request.id if request else None,
            )
            assert member is not None
            await self.repo.add_block(guild_id, member, case_id, now)
            cancelled = await self.company.cancel_waiting_of(guild_id, tag, now)
        return Block(number, request, cancelled)

    async def unblock(
        self, guild_id: int, moderator_id: int, reason: str, *, member_id: int | None = None,
        request: Request | None = None,
    ) -> Block:
        reason = _reason(reason)
        tag = await self._tag(member_id, request)
        async with self.repo.transaction():
            if not await self.repo.remove_block(guild_id, tag):
                raise KohtaamoError(NOT_BLOCKED)
            _, number = await self.repo.cases.add(
                guild_id, "company_unblock", moderator_id, reason, self.clock.now(), target_user_id=member_id,
                request_id=request.id if request else None,
            )
        return Block(number, request, [])

    async def _tag(self, member_id: int | None, request: Request | None) -> str:
        if (member_id is None) == (request is None):
            raise KohtaamoError("Name either the member or the request, not both.")
        if member_id is not None:
            return self.repo.member_tag(member_id)
        assert request is not None
        tag = await self.repo.requester_tag(request.id)
        if tag is None:
            raise KohtaamoError(NO_SUCH)
        return tag
