"""Per-server setup: which Discord roles and channels play which part, language and time zone."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum

from bot.clock import Clock, known_timezone
from bot.db.setup import RETENTION_FIELDS, SetupRepo, StoredSetup
from bot.errors import KohtaamoError
from bot.i18n import LOCALES


class BotRole(StrEnum):
    CAREGIVER = "caregiver"
    YOUTH_MINOR = "youth_minor"  # 13–17
    YOUTH_ADULT = "youth_adult"  # 18–29
    VOLUNTEER = "volunteer"
    MODERATOR = "moderator"
    STAFF = "staff"


class BotChannel(StrEnum):
    MODLOG = "modlog"
    VOLUNTEER_QUEUE = "volunteer_queue"
    ANNOUNCEMENTS = "announcements"
    WELCOME = "welcome"


# What a member with a mapped role may do beyond it: moderators may do what staff and
# volunteers may, so one person need not hold three roles.
_IMPLIED: dict[BotRole, frozenset[BotRole]] = {
    BotRole.MODERATOR: frozenset({BotRole.STAFF, BotRole.VOLUNTEER}),
}


@dataclass(frozen=True)
class Retention:
    """How many days each kind of data is kept on a server; the daily purge and /privacy read these."""

    company_days: int = 30  # a company request's topic, messages and relay state, after it ends
    mood_days: int = 365  # check-in moods and loneliness answers
    case_days: int = 730  # closed reports, safety alerts and moderation cases
    job_days: int = 30  # finished scheduled jobs
    leaver_grace_days: int = 30  # a member who left is erased after this, unless they come back


# The days each retention setting may take.
RETENTION_BOUNDS: dict[str, tuple[int, int]] = {
    "company_days": (1, 365), "mood_days": (30, 1095), "case_days": (90, 1825), "job_days": (1, 365),
    "leaver_grace_days": (1, 365),
}
assert tuple(f.name for f in fields(Retention)) == RETENTION_FIELDS == tuple(RETENTION_BOUNDS)


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    locale: str = "fi"
    timezone: str = "Europe/Helsinki"
    roles: dict[BotRole, int] = field(default_factory=dict)
    channels: dict[BotChannel, int] = field(default_factory=dict)
    configured: bool = False
    company_nudge_minutes: int = 10  # an unclaimed company request pings moderators again after this
    company_daily_cap: int = 3  # company requests one member may make in 24 hours
    company_honest_minutes: int = 60  # after this, a member nobody has taken is told so honestly
    warning_expiry_days: int = 90  # a moderator's warning counts as active this long
    privacy_contact: str | None = None  # who runs the service here: /privacy names them
    retention: Retention = field(default_factory=Retention)

    def has_role(self, member_role_ids: set[int] | frozenset[int], needed: BotRole) -> bool:
        """True when the member holds the Discord role mapped to ``needed`` (or one implying it)."""
        for role, role_id in self.roles.items():
            if role_id in member_role_ids and (role == needed or needed in _IMPLIED.get(role, ())):
                return True
        return False


@dataclass(frozen=True)
class SetupChange:
    """What an admin asked /setup to change; ``None`` leaves a value as it is."""

    roles: dict[BotRole, int]
    channels: dict[BotChannel, int]
    locale: str | None = None
    timezone: str | None = None
    company_nudge_minutes: int | None = None
    company_daily_cap: int | None = None
    company_honest_minutes: int | None = None
    warning_expiry_days: int | None = None
    privacy_contact: str | None = None
    retention: dict[str, int] = field(default_factory=dict)  # Retention's field → days


class SetupService:
    def __init__(self, repo: SetupRepo, clock: Clock, default_locale: str, default_timezone: str) -> None:
        self.repo = repo
        self.clock = clock
        self.default_locale = default_locale
        self.default_timezone = default_timezone

    async def get(self, guild_id: int) -> GuildConfig:
        """Read on every interaction; the repository's reads are cached until the next write."""
        stored = await self.repo.load(guild_id)
        if stored is None:
            config = GuildConfig(guild_id, self.default_locale, self.default_timezone)
        else:
            config = GuildConfig(
                guild_id,
                stored.locale,
                stored.timezone,
                {BotRole(k): v for k, v in stored.roles.items() if k in BotRole.__members__.values()},
                {BotChannel(k): v for k, v in stored.channels.items() if k in BotChannel.__members__.values()},
                configured=True,
                company_nudge_minutes=stored.company_nudge_minutes,
                company_daily_cap=stored.company_daily_cap,
                company_honest_minutes=stored.company_honest_minutes,
                warning_expiry_days=stored.warning_expiry_days,
                privacy_contact=stored.privacy_contact,
                retention=Retention(**stored.retention),
            )
        return config

    def preview(self, current: GuildConfig, change: SetupChange) -> GuildConfig:
        """The configuration ``change`` would give, validated; nothing is saved."""
        locale = change.locale or current.locale
        if locale not in LOCALES:
            raise KohtaamoError("Unknown language {value}: choose fi, sv or en.", value=locale)
        timezone = change.timezone or current.timezone
        if not known_timezone(timezone):
            raise KohtaamoError("Unknown time zone {value}. Use a name like Europe/Helsinki.", value=timezone)
        roles = {**current.roles, **change.roles}
        if current.guild_id in roles.values():  # a guild's @everyone role has the guild's id
            raise KohtaamoError("@everyone cannot be one of Kohtaamo's roles.")
        audience = [roles.get(r) for r in (BotRole.CAREGIVER, BotRole.YOUTH_MINOR, BotRole.YOUTH_ADULT)]
        mapped = [r for r in audience if r is not None]
        if len(mapped) != len(set(mapped)):
            raise KohtaamoError("Caregivers and each youth age band need different Discord roles.")
        nudge = change.company_nudge_minutes or current.company_nudge_minutes
        cap = change.company_daily_cap or current.company_daily_cap
        honest = change.company_honest_minutes or current.company_honest_minutes
        if not 1 <= nudge <= 120 or not 1 <= cap <= 20:
            raise KohtaamoError("Company requests: the nudge is 1–120 minutes and the daily limit 1–20.")
        if not 5 <= honest <= 240 or honest <= nudge:
            raise KohtaamoError(
                "Company requests: the member is told honestly after 5–240 minutes, and later than the nudge "
                "({nudge} min).", nudge=nudge,
            )
        expiry = change.warning_expiry_days or current.warning_expiry_days
        if not 1 <= expiry <= 730:
            raise KohtaamoError("Warnings expire after 1–730 days.")
        for name, days in change.retention.items():
            low, high = RETENTION_BOUNDS[name]
            if not low <= days <= high:
                raise KohtaamoError(
                    "Keeping times: company requests 1–365 days, moods 30–1095, reports and cases 90–1825, "
                    "finished jobs 1–365, and a member who left 1–365."
                )
        contact = current.privacy_contact if change.privacy_contact is None else change.privacy_contact.strip()
        return GuildConfig(
            current.guild_id, locale, timezone, roles, {**current.channels, **change.channels}, configured=True,
            company_nudge_minutes=nudge, company_daily_cap=cap, company_honest_minutes=honest,
            warning_expiry_days=expiry, privacy_contact=contact or None,
            retention=replace(current.retention, **change.retention),
        )

    async def save(self, config: GuildConfig) -> GuildConfig:
        stored = StoredSetup(
            locale=config.locale,
            timezone=config.timezone,
            roles={k.value: v for k, v in config.roles.items()},
            channels={k.value: v for k, v in config.channels.items()},
            company_nudge_minutes=config.company_nudge_minutes,
            company_daily_cap=config.company_daily_cap,
            company_honest_minutes=config.company_honest_minutes,
            warning_expiry_days=config.warning_expiry_days,
            privacy_contact=config.privacy_contact,
            retention=asdict(config.retention),
        )
        await self.repo.save(config.guild_id, stored, self.clock.now())
        return config

    async def member_locale(self, guild_id: int, user_id: int) -> str | None:
        return await self.repo.member_locale(guild_id, user_id)

    async def set_member_locale(self, guild_id: int, user_id: int, locale: str) -> None:
        if locale not in LOCALES:
            raise KohtaamoError("Unknown language {value}: choose fi, sv or en.", value=locale)
        await self.repo.set_member_locale(guild_id, user_id, locale, self.clock.now())

    # --- the member's own data: their saved language ------------------------------------------

    async def export_member(self, user_id: int, guild_id: int) -> list[dict[str, object]]:
        return [{"language": locale} for locale in await self.repo.member_prefs(user_id, guild_id)]

    async def erase_member(self, user_id: int, guild_id: int) -> int:
        return await self.repo.erase_member_prefs(user_id, guild_id)
