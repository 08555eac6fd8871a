"""Numbered moderation cases, per guild: company blocks, age-band changes, and the moderation
feature's warnings, timeouts, notes and channel actions. Reasons are sealed here, and so is each
earlier reason a correction replaced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.db.codec import from_db, from_db_opt, to_db
from bot.db.connection import Database
from bot.db.crypto import Sealer

_COLUMNS = ("id, guild_id, number, kind, target_user_id, request_id, channel_id, moderator_id, reason_enc, "
            "created_at, duration_seconds, expires_at, member_told")


def pseudonym(sealer: Sealer, guild_id: int, user_id: int) -> int:
    """An erased member's stand-in in the guild's moderation record (cases, reports about their
    messages): keyed, the same for all their cases, and negative, which no Discord id is."""
    return -1 - int(sealer.tag("erased-member", guild_id, user_id)[:12], 16)


@dataclass(frozen=True)
class StoredCase:
    id: int
    guild_id: int
    number: int
    kind: str
    target_user_id: int | None
    request_id: int | None
    channel_id: int | None
    moderator_id: int
    reason: str
    created_at: datetime
    duration: timedelta | None
    expires_at: datetime | None
    member_told: bool | None  # None: the member was not meant to be told


@dataclass(frozen=True)
class ReasonEdit:
    moderator_id: int
    old_reason: str
    edited_at: datetime


class CaseRepo:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self.db = db
        self.sealer = sealer

    async def add(
        self, guild_id: int, kind: str, moderator_id: int, reason: str, now: datetime, *,
        target_user_id: int | None = None, request_id: int | None = None, channel_id: int | None = None,
        duration: timedelta | None = None, expires_at: datetime | None = None,
    ) -> tuple[int, int]:
        """A new case numbered next in the guild; returns (row id, case number). A case about an
        anonymous company requester has ``request_id`` and no ``target_user_id``."""
        seconds = None if duration is None else int(duration.total_seconds())
        async with self.db.transaction():
            case_id = await self.db.insert(
                "INSERT INTO cases (guild_id, number, kind, target_user_id, request_id, moderator_id, reason_enc, "
                "created_at, channel_id, duration_seconds, expires_at) "
                "SELECT ?, COALESCE(MAX(number), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM cases WHERE guild_id = ?",
                (guild_id, kind, target_user_id, request_id, moderator_id, self.sealer.seal(reason), to_db(now),
                 channel_id, seconds, None if expires_at is None else to_db(expires_at), guild_id),
            )
            row = await self.db.fetchone("SELECT number FROM cases WHERE id = ?", (case_id,))
        assert row is not None
        return case_id, int(row[0])

    def _decode(self, row: aiosqlite.Row) -> StoredCase:
        seconds = row["duration_seconds"]
        told = row["member_told"]
        return StoredCase(
            int(row["id"]), int(row["guild_id"]), int(row["number"]), str(row["kind"]), row["target_user_id"],
            row["request_id"], row["channel_id"], int(row["moderator_id"]), self.sealer.open(row["reason_enc"]) or "",
            from_db(row["created_at"]), None if seconds is None else timedelta(seconds=int(seconds)),
            from_db_opt(row["expires_at"]), None if told is None else bool(told),
        )

    async def get(self, case_id: int) -> StoredCase | None:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM cases WHERE id = ?", (case_id,))
        return None if row is None else self._decode(row)

    async def by_number(self, guild_id: int, number: int) -> StoredCase | None:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM cases WHERE guild_id = ? AND number = ?",
                                     (guild_id, number))
        return None if row is None else self._decode(row)

    async def of_member(self, guild_id: int, user_id: int, *, offset: int, limit: int) -> list[StoredCase]:
        """A member's cases, newest first."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM cases WHERE guild_id = ? AND target_user_id = ? ORDER BY number DESC "
            "LIMIT ? OFFSET ?", (guild_id, user_id, limit, offset),
        )
        return [self._decode(r) for r in rows]

    async def count_of_member(self, guild_id: int, user_id: int) -> int:
        row = await self.db.fetchone("SELECT COUNT(*) FROM cases WHERE guild_id = ? AND target_user_id = ?",
                                     (guild_id, user_id))
        return int(row[0]) if row else 0

    async def active(self, guild_id: int, user_id: int, kind: str, now: datetime) -> int:
        """How many of the member's cases of ``kind`` have not expired."""
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM cases WHERE guild_id = ? AND target_user_id = ? AND kind = ? "
            "AND (expires_at IS NULL OR expires_at > ?)", (guild_id, user_id, kind, to_db(now)),
        )
        return int(row[0]) if row else 0

    async def set_told(self, case_id: int, told: bool) -> None:
        await self.db.execute("UPDATE cases SET member_told = ? WHERE id = ?", (int(told), case_id))

    async def correct_reason(self, case_id: int, moderator_id: int, reason: str, now: datetime) -> None:
        """The new reason in place, the old one kept in the case's history."""
        async with self.db.transaction():
            await self.db.execute(
                "INSERT INTO case_reason_edits (case_id, moderator_id, old_reason_enc, edited_at) "
                "SELECT id, ?, reason_enc, ? FROM cases WHERE id = ?", (moderator_id, to_db(now), case_id),
            )
            await self.db.execute("UPDATE cases SET reason_enc = ? WHERE id = ?", (self.sealer.seal(reason), case_id))

    async def edits(self, case_id: int) -> list[ReasonEdit]:
        rows = await self.db.fetchall(
            "SELECT moderator_id, old_reason_enc, edited_at FROM case_reason_edits WHERE case_id = ? ORDER BY id",
            (case_id,),
        )
        return [ReasonEdit(int(r["moderator_id"]), self.sealer.open(r["old_reason_enc"]) or "",
                           from_db(r["edited_at"])) for r in rows]

    async def about(self, user_id: int, guild_id: int) -> list[StoredCase]:
        """Every case about the member in the guild, also those kept under their pseudonym (their
        privacy export)."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM cases WHERE guild_id = ? AND target_user_id IN (?, ?) ORDER BY id",
            (guild_id, user_id, pseudonym(self.sealer, guild_id, user_id)),
        )
        return [self._decode(r) for r in rows]

    async def pseudonymise(self, user_id: int, guild_id: int) -> int:
        """The member's cases in the guild stay, under their pseudonym instead of their id."""
        return await self.db.execute(
            "UPDATE cases SET target_user_id = ? WHERE guild_id = ? AND target_user_id = ?",
            (pseudonym(self.sealer, guild_id, user_id), guild_id, user_id),
        )
