"""Staff announcements: drafts with a preview, then sent now or at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db.codec import to_db
from bot.db.connection import Database


class AnnounceRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, fields: dict[str, Any], now: datetime) -> int:
        send_at = fields.get("send_at")
        return await self.db.insert(
            "INSERT INTO announcements (guild_id, channel_id, author_id, title, text, role_id, send_at, locale, "
            "created_at, updated_at) VALUES (:guild_id, :channel_id, :author_id, :title, :text, :role_id, :send_at, "
            ":locale, :now, :now)",
            {**fields, "send_at": None if send_at is None else to_db(send_at), "now": to_db(now)},
        )

    async def get(self, announcement_id: int) -> dict[str, Any] | None:
        row = await self.db.fetchone("SELECT * FROM announcements WHERE id = ?", (announcement_id,))
        return None if row is None else dict(row)

    async def move(self, announcement_id: int, before: tuple[str, ...], after: str, now: datetime) -> bool:
        """Change the status only from one of ``before``: one press wins, a second finds it moved."""
        marks = ", ".join("?" for _ in before)
        return bool(await self.db.execute(
            f"UPDATE announcements SET status = ?, updated_at = ? WHERE id = ? AND status IN ({marks})",
            (after, to_db(now), announcement_id, *before),
        ))

    async def sent(self, announcement_id: int, message_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE announcements SET status = 'sent', message_id = ?, updated_at = ? WHERE id = ?",
            (message_id, to_db(now), announcement_id),
        )

    async def scheduled(self, guild_id: int) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT * FROM announcements WHERE guild_id = ? AND status = 'scheduled' ORDER BY send_at, id", (guild_id,)
        )
        return [dict(r) for r in rows]

    async def by_author(self, user_id: int, guild_id: int) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT title, status, send_at, created_at FROM announcements WHERE author_id = ? AND guild_id = ? "
            "ORDER BY id", (user_id, guild_id),
        )
        return [dict(r) for r in rows]

    async def forget_author(self, user_id: int, guild_id: int) -> int:
        """The announcements stay (they were published for everyone); who wrote them does not."""
        return await self.db.execute(
            "UPDATE announcements SET author_id = NULL WHERE author_id = ? AND guild_id = ?", (user_id, guild_id)
        )
