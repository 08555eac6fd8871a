"""Onboarding's storage: community rules per language, members' choices, the welcome panel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.db.codec import from_db, to_db
from bot.db.connection import Database


@dataclass(frozen=True)
class StoredRules:
    texts: dict[str, str]  # locale -> staff-edited text
    version: int  # 0 while nobody has edited the rules


@dataclass(frozen=True)
class StoredChoice:
    guild_id: int
    user_id: int
    caregiver: bool
    age_band: str | None
    rules_version: int
    accepted_at: datetime
    updated_at: datetime


_CHOICE = "SELECT guild_id, user_id, caregiver, age_band, rules_version, accepted_at, updated_at FROM member_onboarding"


def _choice(r: aiosqlite.Row) -> StoredChoice:
    return StoredChoice(
        int(r["guild_id"]), int(r["user_id"]), bool(r["caregiver"]),
        None if r["age_band"] is None else str(r["age_band"]),
        int(r["rules_version"]), from_db(r["accepted_at"]), from_db(r["updated_at"]),
    )


class OnboardingRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ----------------------------------------------------------------- rules
    async def rules(self, guild_id: int) -> StoredRules:
        rows = await self.db.fetchall(
            "SELECT locale, text, version FROM community_rules WHERE guild_id = ?", (guild_id,), cached=True
        )
        return StoredRules({str(r["locale"]): str(r["text"]) for r in rows},
                           max((int(r["version"]) for r in rows), default=0))

    async def save_rules(self, guild_id: int, locale: str, text: str, now: datetime) -> int:
        """Store the text for ``locale`` under the guild's next version; return that version."""
        async with self.db.transaction():
            row = await self.db.fetchone(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM community_rules WHERE guild_id = ?", (guild_id,)
            )
            assert row is not None
            version = int(row[0])
            await self.db.execute(
                "INSERT INTO community_rules (guild_id, locale, text, version, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (guild_id, locale) DO UPDATE SET text = excluded.text, version = excluded.version, "
                "updated_at = excluded.updated_at",
                (guild_id, locale, text, version, to_db(now)),
            )
        return version

    # --------------------------------------------------------------- choices
    async def choice(self, guild_id: int, user_id: int) -> StoredChoice | None:
        row = await self.db.fetchone(f"{_CHOICE} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
        return None if row is None else _choice(row)

    async def accept(
        self, guild_id: int, user_id: int, caregiver: bool, age_band: str | None, rules_version: int, now: datetime
    ) -> bool:
        """Record a first acceptance; False when the member has one already (a second Accept)."""
        stamp = to_db(now)
        return bool(await self.db.execute(
            "INSERT INTO member_onboarding (guild_id, user_id, caregiver, age_band, rules_version, accepted_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO NOTHING",
            (guild_id, user_id, int(caregiver), age_band, rules_version, stamp, stamp),
        ))

    async def set_caregiver(self, guild_id: int, user_id: int, caregiver: bool, now: datetime) -> None:
        await self.db.execute(
            "UPDATE member_onboarding SET caregiver = ?, updated_at = ? WHERE guild_id = ? AND user_id = ?",
            (int(caregiver), to_db(now), guild_id, user_id),
        )

    async def set_age_band(self, guild_id: int, user_id: int, age_band: str, now: datetime) -> None:
        await self.db.execute(
            "UPDATE member_onboarding SET age_band = ?, updated_at = ? WHERE guild_id = ? AND user_id = ?",
            (age_band, to_db(now), guild_id, user_id),
        )

    async def forget(self, guild_id: int, user_id: int) -> None:
        """Undo an acceptance whose roles could not be given."""
        await self.db.execute(
            "DELETE FROM member_onboarding WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )

    async def choices_of(self, user_id: int, guild_id: int) -> list[StoredChoice]:
        rows = await self.db.fetchall(f"{_CHOICE} WHERE user_id = ? AND guild_id = ?", (user_id, guild_id))
        return [_choice(r) for r in rows]

    async def erase_member(self, user_id: int, guild_id: int) -> int:
        return await self.db.execute(
            "DELETE FROM member_onboarding WHERE user_id = ? AND guild_id = ?", (user_id, guild_id)
        )

    # ----------------------------------------------------------------- panel
    async def panel(self, guild_id: int) -> tuple[int, int] | None:
        row = await self.db.fetchone(
            "SELECT channel_id, message_id FROM onboarding_panels WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None else (int(row["channel_id"]), int(row["message_id"]))

    async def save_panel(self, guild_id: int, channel_id: int, message_id: int) -> None:
        await self.db.execute(
            "INSERT INTO onboarding_panels (guild_id, channel_id, message_id) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, message_id = excluded.message_id",
            (guild_id, channel_id, message_id),
        )
