"""Channels ``/mod lock`` closed, with what their overwrites allowed before (not personal data)."""

from __future__ import annotations

import json
from datetime import datetime

from bot.db.codec import to_db
from bot.db.connection import Database

# {overwrite target id: {permission name: True | False | None}}
Previous = dict[int, dict[str, bool | None]]


class LockRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, guild_id: int, channel_id: int, previous: Previous, now: datetime) -> bool:
        """Remember a lock; False when the channel is locked already."""
        changed = await self.db.execute(
            "INSERT INTO channel_locks (channel_id, guild_id, previous, locked_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (channel_id) DO NOTHING",
            (channel_id, guild_id, json.dumps({str(k): v for k, v in previous.items()}), to_db(now)),
        )
        return changed > 0

    async def get(self, channel_id: int) -> Previous | None:
        row = await self.db.fetchone("SELECT previous FROM channel_locks WHERE channel_id = ?", (channel_id,))
        if row is None:
            return None
        return {int(k): v for k, v in json.loads(str(row["previous"])).items()}

    async def remove(self, channel_id: int) -> None:
        await self.db.execute("DELETE FROM channel_locks WHERE channel_id = ?", (channel_id,))
