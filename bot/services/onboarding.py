"""Onboarding's rules: who a member is (caregiver, young person, both), their age band, the
community rules they accepted, and changes later (/profile; the age band only by a moderator)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.clock import Clock
from bot.db.cases import CaseRepo
from bot.db.onboarding import OnboardingRepo, StoredChoice
from bot.errors import KohtaamoError
from bot.i18n import LOCALES, N_
from bot.services.setup import BotRole, SetupService

RULES_MAX = 4000  # a modal's paragraph field takes at most 4000 characters
DEFAULT_RULES = N_(
    "1. Be kind. Everyone here carries something; listen more than you advise.\n"
    "2. What is said here stays here. Do not share others' stories, names or screenshots.\n"
    "3. No contact outside the server with young people: no phone numbers, e-mail addresses or "
    "other apps.\n"
    "4. No hate, harassment, or sexual content. No selling or advertising.\n"
    "5. Peer support is not professional help. If you or someone else is in danger, call 112.\n"
    "6. Moderators may remove messages and members to keep this place safe. Ask them if in doubt."
)
NOT_ONBOARDED = N_("You have not finished the introduction on this server yet. Press “Start here” first.")


class Who(StrEnum):
    CAREGIVER = "c"
    YOUTH = "y"
    BOTH = "b"  # a young carer

    @property
    def caregiver(self) -> bool:
        return self is not Who.YOUTH

    @property
    def young(self) -> bool:
        return self is not Who.CAREGIVER


class AgeBand(StrEnum):
    MINOR = "13-17"
    ADULT = "18-29"
    UNDER_13 = "u13"  # refused kindly; never stored


BAND_ROLES = {AgeBand.MINOR: BotRole.YOUTH_MINOR, AgeBand.ADULT: BotRole.YOUTH_ADULT}


@dataclass(frozen=True)
class CommunityRules:
    text: str
    version: int  # grows with every edit in any language; 0 until staff edit the rules


@dataclass(frozen=True)
class Choices:
    caregiver: bool
    age_band: AgeBand | None  # None: not a young person
    rules_version: int
    accepted_at: datetime

    @property
    def roles(self) -> list[BotRole]:
        return roles_for(self.caregiver, self.age_band)


@dataclass(frozen=True)
class BandChange:
    before: AgeBand | None
    after: AgeBand
    case_number: int


def roles_for(caregiver: bool, band: AgeBand | None) -> list[BotRole]:
    """The bot's roles a member with these choices holds. A 13–17 young carer holds the 13–17 role
    only: on Discord one role's allow beats another's deny, so a caregiver role would open the
    caregivers' and adults' rooms to a minor. Their caregiver choice is still recorded."""
    roles = [BotRole.CAREGIVER] if caregiver and band is not AgeBand.MINOR else []
    if band is not None:
        roles.append(BAND_ROLES[band])
    return roles


class RulesService:
    def __init__(self, repo: OnboardingRepo, clock: Clock, default: Callable[[str], str]) -> None:
        """``default(locale)``: the catalog's default rules in that language."""
        self.repo = repo
        self.clock = clock
        self.default = default

    async def current(self, guild_id: int, locale: str) -> CommunityRules:
        """The staff-edited text for ``locale``, else the default text; the guild's rules version."""
        stored = await self.repo.rules(guild_id)
        text = stored.texts.get(locale) or self.default(locale)
        return CommunityRules(text, stored.version)

    async def edit(self, guild_id: int, locale: str, text: str) -> CommunityRules:
        text = text.strip()
        if locale not in LOCALES:
            raise KohtaamoError("Unknown language {value}: choose fi, sv or en.", value=locale)
        if not text:
            raise KohtaamoError("The rules cannot be empty. Nothing was saved.")
        if len(text) > RULES_MAX:
            raise KohtaamoError("The rules can be at most {limit} characters long. Nothing was saved.",
                                limit=RULES_MAX)
        version = await self.repo.save_rules(guild_id, locale, text, self.clock.now())
        return CommunityRules(text, version)


class OnboardingService:
    CASE_KIND = "ageband"

    def __init__(
        self, repo: OnboardingRepo, rules: RulesService, setup: SetupService, cases: CaseRepo, clock: Clock
    ) -> None:
        self.repo = repo
        self.rules = rules
        self.setup = setup
        self.cases = cases
        self.clock = clock

    async def choices(self, guild_id: int, user_id: int) -> Choices | None:
        stored = await self.repo.choice(guild_id, user_id)
        return None if stored is None else _choices(stored)

    async def accept(
        self, guild_id: int, user_id: int, locale: str, who: Who, band: AgeBand | None, rules_version: int
    ) -> bool:
        """Record what the member chose; False when they had accepted already (nothing changes).
        Someone under 13 is never recorded."""
        if band is AgeBand.UNDER_13:
            raise KohtaamoError("Kohtaamo is for people aged 13 and over.")
        if who.young and band is None:
            raise KohtaamoError("Choose your age group first.")
        if not await self.repo.accept(guild_id, user_id, who.caregiver, band if who.young else None,
                                      rules_version, self.clock.now()):
            return False
        await self.setup.set_member_locale(guild_id, user_id, locale)
        return True

    async def undo_accept(self, guild_id: int, user_id: int) -> None:
        """The roles could not be given: the acceptance is not kept (the language choice is)."""
        await self.repo.forget(guild_id, user_id)

    async def set_caregiver(self, guild_id: int, user_id: int, caregiver: bool) -> Choices:
        current = await self._onboarded(guild_id, user_id)
        if not caregiver and current.age_band is None:
            raise KohtaamoError(
                "You would then belong to no group here. If you are a young person, a moderator can set your "
                "age group: ask them."
            )
        await self.repo.set_caregiver(guild_id, user_id, caregiver, self.clock.now())
        return await self._onboarded(guild_id, user_id)

    async def change_band(
        self, guild_id: int, user_id: int, band: AgeBand, moderator_id: int, reason: str
    ) -> BandChange:
        """A moderator moves a member to another age band; a case records it (reason sealed)."""
        if band is AgeBand.UNDER_13:
            raise KohtaamoError("Kohtaamo is for people aged 13 and over.")
        current = await self.repo.choice(guild_id, user_id)
        if current is None:
            raise KohtaamoError("This member has not finished the introduction yet; they choose their age group there.")
        before = None if current.age_band is None else AgeBand(current.age_band)
        if before is band:
            raise KohtaamoError("The member is in that age group already. Nothing was changed.")
        now = self.clock.now()
        async with self.repo.db.transaction():
            await self.repo.set_age_band(guild_id, user_id, band.value, now)
            _, number = await self.cases.add(guild_id, self.CASE_KIND, moderator_id, reason, now,
                                             target_user_id=user_id)
        return BandChange(before, band, number)

    async def panel(self, guild_id: int) -> tuple[int, int] | None:
        """Where the guild's "Start here" panel is: (channel id, message id)."""
        return await self.repo.panel(guild_id)

    async def panel_posted(self, guild_id: int, channel_id: int, message_id: int) -> None:
        await self.repo.save_panel(guild_id, channel_id, message_id)

    async def _onboarded(self, guild_id: int, user_id: int) -> Choices:
        found = await self.choices(guild_id, user_id)
        if found is None:
            raise KohtaamoError(NOT_ONBOARDED)
        return found

    # --------------------------------------------------------------- privacy
    async def export_member(self, user_id: int, guild_id: int) -> list[dict[str, object]]:
        return [
            {"caregiver": c.caregiver, "age_band": c.age_band,
             "rules_version": c.rules_version, "accepted_at": c.accepted_at.isoformat(),
             "updated_at": c.updated_at.isoformat()}
            for c in await self.repo.choices_of(user_id, guild_id)
        ]

    async def erase_member(self, user_id: int, guild_id: int) -> int:
        return await self.repo.erase_member(user_id, guild_id)


def _choices(stored: StoredChoice) -> Choices:
    band = None if stored.age_band is None else AgeBand(stored.age_band)
    return Choices(stored.caregiver, band, stored.rules_version, stored.accepted_at)
