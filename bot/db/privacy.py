"""Members who left a server, until they come back or their erase there has run."""

from __future__ import annotations

from datetime import datetime

from bot.db.codec import to_db
from bot.db.connection import Database


class DepartureRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, guild_id: int, user_id: int, now: datetime) -> int:
        """The departure's id (the ref_id of its erase job); leaving again starts the grace anew."""
        async with self.db.transaction():  # a write through fetchone: the transaction drops cached reads
            row = await self.db.fetchone(
                "INSERT INTO member_departures (guild_id, user_id, left_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, user_id) DO UPDATE SET left_at = excluded.left_at RETURNING id",
                (guild_id, user_id, to_db(now)),
            )
        assert row is not None
        return int(row["id"])

    async def get(self, departure_id: int) -> tuple[int, int] | None:
        """(guild id, user id) of the departure."""
        row = await self.db.fetchone("SELECT guild_id, user_id FROM member_departures WHERE id = ?", (departure_id,))
        return None if row is None else (int(row["guild_id"]), int(row["user_id"]))

    async def scrub(self) -> None:
        """After an erasure: the erased rows' old pages do not linger in the write-ahead log."""
        await self.db.empty_wal()

    async def forget(self, guild_id: int, user_id: int) -> int | None:
        """Delete the member's departure from the guild; its id, or None when there was none."""
        async with self.db.transaction():
            row = await self.db.fetchone(
                "DELETE FROM member_departures WHERE guild_id = ? AND user_id = ? RETURNING id", (guild_id, user_id)
            )
        return None if row is None else int(row["id"])
