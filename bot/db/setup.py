"""Per-server settings made with /setup."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.db.codec import to_db
from bot.db.connection import Database


@dataclass(frozen=True)
class StoredSetup:
    locale: str
    timezone: str
    roles: Mapping[str, int]
    channels: Mapping[str, int]
    company_nudge_minutes: int
    company_daily_cap: int
    company_honest_minutes: int
    warning_expiry_days: int = 90
    privacy_contact: str | None = None
    retention: Mapping[str, int] = field(default_factory=dict)  # bot.services.setup.Retention's fields


# Retention's fields (bot.services.setup.Retention), in the order of their columns in guilds.
RETENTION_FIELDS = ("company_days", "mood_days", "case_days", "job_days", "leaver_grace_days")


class SetupRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def load(self, guild_id: int) -> StoredSetup | None:
        row = await self.db.fetchone(
            "SELECT locale, timezone, company_nudge_minutes, company_daily_cap, company_honest_minutes, "
            "warning_expiry_days, privacy_contact, retention_company_days AS company_days, "
            "retention_mood_days AS mood_days, retention_case_days AS case_days, retention_job_days AS job_days, "
            "leaver_grace_days FROM guilds WHERE guild_id = ?",
            (guild_id,),
            cached=True,
        )
        if row is None:
            return None
        roles = await self.db.fetchall(
            "SELECT role_key, role_id FROM guild_roles WHERE guild_id = ?", (guild_id,), cached=True
        )
        channels = await self.db.fetchall(
            "SELECT channel_key, channel_id FROM guild_channels WHERE guild_id = ?", (guild_id,), cached=True
        )
        return StoredSetup(
            locale=str(row["locale"]),
            timezone=str(row["timezone"]),
            roles={str(r["role_key"]): int(r["role_id"]) for r in roles},
            channels={str(r["channel_key"]): int(r["channel_id"]) for r in channels},
            company_nudge_minutes=int(row["company_nudge_minutes"]),
            company_daily_cap=int(row["company_daily_cap"]),
            company_honest_minutes=int(row["company_honest_minutes"]),
            warning_expiry_days=int(row["warning_expiry_days"]),
            privacy_contact=row["privacy_contact"],
            retention={name: int(row[name]) for name in RETENTION_FIELDS},
        )

    async def save(self, guild_id: int, stored: StoredSetup, now: datetime) -> None:
        """Write the whole configuration at once: all of it or nothing."""
        stamp = to_db(now)
        roles, channels = stored.roles, stored.channels
        async with self.db.transaction():
            await self.db.execute(
                "INSERT INTO guilds (guild_id, locale, timezone, company_nudge_minutes, company_daily_cap, "
                "company_honest_minutes, warning_expiry_days, privacy_contact, retention_company_days, "
                "retention_mood_days, retention_case_days, retention_job_days, leaver_grace_days, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (guild_id) DO UPDATE SET locale = excluded.locale, timezone = excluded.timezone, "
                "company_nudge_minutes = excluded.company_nudge_minutes, "
                "company_daily_cap = excluded.company_daily_cap, "
                "company_honest_minutes = excluded.company_honest_minutes, "
                "warning_expiry_days = excluded.warning_expiry_days, privacy_contact = excluded.privacy_contact, "
                "retention_company_days = excluded.retention_company_days, "
                "retention_mood_days = excluded.retention_mood_days, "
                "retention_case_days = excluded.retention_case_days, "
                "retention_job_days = excluded.retention_job_days, leaver_grace_days = excluded.leaver_grace_days, "
                "updated_at = excluded.updated_at",
                (guild_id, stored.locale, stored.timezone, stored.company_nudge_minutes, stored.company_daily_cap,
                 stored.company_honest_minutes, stored.warning_expiry_days, stored.privacy_contact,
                 *(stored.retention[name] for name in RETENTION_FIELDS), stamp, stamp),
            )
            await self.db.execute("DELETE FROM guild_roles WHERE guild_id = ?", (guild_id,))
            for key, role_id in roles.items():
                await self.db.execute(
                    "INSERT INTO guild_roles (guild_id, role_key, role_id) VALUES (?, ?, ?)", (guild_id, key, role_id)
                )
            await self.db.execute("DELETE FROM guild_channels WHERE guild_id = ?", (guild_id,))
            for key, channel_id in channels.items():
                await self.db.execute(
                    "INSERT INTO guild_channels (guild_id, channel_key, channel_id) VALUES (?, ?, ?)",
                    (guild_id, key, channel_id),
                )

    async def member_locale(self, guild_id: int, user_id: int) -> str | None:
        row = await self.db.fetchone(
            "SELECT locale FROM member_prefs WHERE guild_id = ? AND user_id = ?", (guild_id, user_id), cached=True
        )
        return None if row is None or row["locale"] is None else str(row["locale"])

    async def set_member_locale(self, guild_id: int, user_id: int, locale: str | None, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO member_prefs (guild_id, user_id, locale, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (guild_id, user_id) DO UPDATE SET locale = excluded.locale, updated_at = excluded.updated_at",
            (guild_id, user_id, locale, to_db(now)),
        )

    async def member_prefs(self, user_id: int, guild_id: int) -> list[str | None]:
        """The member's saved language in the guild (a list: empty when none is saved)."""
        rows = await self.db.fetchall(
            "SELECT locale FROM member_prefs WHERE user_id = ? AND guild_id = ?", (user_id, guild_id)
        )
        return [None if r["locale"] is None else str(r["locale"]) for r in rows]

    async def erase_member_prefs(self, user_id: int, guild_id: int) -> int:
        return await self.db.execute("DELETE FROM member_prefs WHERE user_id = ? AND guild_id = ?", (user_id, guild_id))
