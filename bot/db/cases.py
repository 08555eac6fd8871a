"""Numbered moderation cases, per guild: company blocks, age-band changes, and the moderation
feature's warnings and timeouts. Reasons are sealed here."""

from __future__ import annotations

from datetime import datetime

from bot.db.codec import to_db
from bot.db.connection import Database
from bot.db.crypto import Sealer


class CaseRepo:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self.db = db
        self.sealer = sealer

    async def add(
        self, guild_id: int, kind: str, moderator_id: int, reason: str, now: datetime, *,
        target_user_id: int | None = None, request_id: int | None = None,
    ) -> tuple[int, int]:
        """A new case numbered next in the guild; returns (row id, case number). A case about an
        anonymous company requester has ``request_id`` and no ``target_user_id``."""
        async with self.db.transaction():
            case_id = await self.db.insert(
                "INSERT INTO cases (guild_id, number, kind, target_user_id, request_id, moderator_id, reason_enc, "
                "created_at) SELECT ?, COALESCE(MAX(number), 0) + 1, ?, ?, ?, ?, ?, ? FROM cases WHERE guild_id = ?",
                (guild_id, kind, target_user_id, request_id, moderator_id, self.sealer.seal(reason), to_db(now),
                 guild_id),
            )
            row = await self.db.fetchone("SELECT number FROM cases WHERE id = ?", (case_id,))
        assert row is not None
        return case_id, int(row[0])
