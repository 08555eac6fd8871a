"""Rooms and the categories they live in. No personal data: channels, names and settings only."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import aiosqlite

from bot.db.codec import to_db
from bot.db.connection import Database

Decoded = dict[str, Any]

_COLUMNS = (
    "id, guild_id, channel_id, name, audience, topic, hours, language, status, closed, notice_message_id"
)


class NameTaken(Exception):
    """Another live room of the server already has this name."""


def _decode(row: aiosqlite.Row) -> Decoded:
    return {
        "id": int(row["id"]),
        "guild_id": int(row["guild_id"]),
        "channel_id": int(row["channel_id"]),
        "name": str(row["name"]),
        "audience": str(row["audience"]),
        "topic": row["topic"],
        "hours": row["hours"],
        "language": str(row["language"]),
        "status": str(row["status"]),
        "closed": bool(row["closed"]),
        "notice_message_id": row["notice_message_id"],
    }


class RoomRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Writes that must hold together (a room and its scheduled job)."""
        async with self.db.transaction():
            yield

    async def insert(self, values: Decoded, name_key: str, now: datetime) -> int:
        stamp = to_db(now)
        try:
            return await self.db.insert(
                "INSERT INTO rooms (guild_id, channel_id, name, name_key, audience, topic, hours, language, closed, "
                "notice_message_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (values["guild_id"], values["channel_id"], values["name"], name_key, values["audience"],
                 values["topic"], values["hours"], values["language"], int(values["closed"]),
                 values["notice_message_id"], stamp, stamp),
            )
        except sqlite3.IntegrityError:
            raise NameTaken(values["name"]) from None

    async def get(self, room_id: int) -> Decoded | None:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM rooms WHERE id = ?", (room_id,))
        return None if row is None else _decode(row)

    async def by_channel(self, channel_id: int) -> Decoded | None:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM rooms WHERE channel_id = ?", (channel_id,))
        return None if row is None else _decode(row)

    async def live_named(self, guild_id: int, name_key: str) -> Decoded | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM rooms WHERE guild_id = ? AND name_key = ? AND status = 'live'",
            (guild_id, name_key),
        )
        return None if row is None else _decode(row)

    async def in_guild(self, guild_id: int) -> list[Decoded]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM rooms WHERE guild_id = ? "
            "ORDER BY CASE status WHEN 'live' THEN 0 WHEN 'archived' THEN 1 ELSE 2 END, name_key, id",
            (guild_id,),
        )
        return [_decode(r) for r in rows]

    async def live(self) -> list[Decoded]:
        rows = await self.db.fetchall(f"SELECT {_COLUMNS} FROM rooms WHERE status = 'live' ORDER BY id")
        return [_decode(r) for r in rows]

    async def update(self, room_id: int, values: Decoded, name_key: str, now: datetime) -> None:
        try:
            await self.db.execute(
                "UPDATE rooms SET name = ?, name_key = ?, audience = ?, topic = ?, hours = ?, closed = ?, "
                "notice_message_id = ?, updated_at = ? WHERE id = ?",
                (values["name"], name_key, values["audience"], values["topic"], values["hours"],
                 int(values["closed"]), values["notice_message_id"], to_db(now), room_id),
            )
        except sqlite3.IntegrityError:
            raise NameTaken(values["name"]) from None

    async def set_state(self, room_id: int, closed: bool, notice_message_id: int | None, now: datetime) -> None:
        await self.db.execute(
            "UPDATE rooms SET closed = ?, notice_message_id = ?, updated_at = ? WHERE id = ?",
            (int(closed), notice_message_id, to_db(now), room_id),
        )

    async def set_status(self, room_id: int, status: str, now: datetime) -> bool:
        """Archive a live room, or mark a live or archived one gone; False when it already was."""
        return bool(await self.db.execute(
            "UPDATE rooms SET status = ?, closed = 0, notice_message_id = NULL, updated_at = ? "
            "WHERE id = ? AND status != ? AND status != 'gone'",
            (status, to_db(now), room_id, status),
        ))

    async def next_change(self, room_id: int) -> int | None:
        row = await self.db.fetchone("SELECT next_change_id FROM rooms WHERE id = ?", (room_id,))
        return None if row is None or row["next_change_id"] is None else int(row["next_change_id"])

    async def set_next_change(self, room_id: int, due_at: datetime | None) -> int | None:
        """Replace the room's next change with one at ``due_at`` (None: no change); its new id."""
        async with self.db.transaction():
            await self.db.execute("DELETE FROM room_changes WHERE room_id = ?", (room_id,))
            change_id = None
            if due_at is not None:
                change_id = await self.db.insert(
                    "INSERT INTO room_changes (room_id, due_at) VALUES (?, ?)", (room_id, to_db(due_at))
                )
            await self.db.execute("UPDATE rooms SET next_change_id = ? WHERE id = ?", (change_id, room_id))
        return change_id

    async def of_change(self, change_id: int) -> Decoded | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM rooms WHERE id = (SELECT room_id FROM room_changes WHERE id = ?)", (change_id,)
        )
        return None if row is None else _decode(row)

    async def category(self, guild_id: int, kind: str) -> int | None:
        row = await self.db.fetchone(
            "SELECT channel_id FROM room_categories WHERE guild_id = ? AND kind = ?", (guild_id, kind)
        )
        return None if row is None else int(row["channel_id"])

    async def set_category(self, guild_id: int, kind: str, channel_id: int) -> None:
        await self.db.execute(
            "INSERT INTO room_categories (guild_id, kind, channel_id) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id, kind) DO UPDATE SET channel_id = excluded.channel_id",
            (guild_id, kind, channel_id),
        )
