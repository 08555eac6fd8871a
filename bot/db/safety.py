"""Safety alerts (one per writer per few hours) and each server's own crisis terms.

An alert names the writer and the room, never the message text (moderators open the message)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.db.codec import from_db, from_db_opt, to_db
from bot.db.connection import Database

_COLUMNS = ("id, guild_id, user_id, channel_id, message_id, minor, reached, messages, status, claimed_by, "
            "writer_ok_at, card_channel_id, card_message_id, created_at, last_at")


@dataclass(frozen=True)
class StoredAlert:
    id: int
    guild_id: int
    user_id: int
    channel_id: int
    message_id: int
    minor: bool
    reached: bool
    messages: int
    status: str
    claimed_by: int | None
    writer_ok_at: datetime | None
    card_channel_id: int | None
    card_message_id: int | None
    created_at: datetime
    last_at: datetime


def _decode(row: aiosqlite.Row) -> StoredAlert:
    return StoredAlert(
        int(row["id"]), int(row["guild_id"]), int(row["user_id"]), int(row["channel_id"]), int(row["message_id"]),
        bool(row["minor"]), bool(row["reached"]), int(row["messages"]), str(row["status"]), row["claimed_by"],
        from_db_opt(row["writer_ok_at"]), row["card_channel_id"], row["card_message_id"], from_db(row["created_at"]),
        from_db(row["last_at"]),
    )


class SafetyRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def terms(self, guild_id: int) -> list[str]:
        rows = await self.db.fetchall("SELECT term FROM safety_terms WHERE guild_id = ? ORDER BY term", (guild_id,),
                                      cached=True)
        return [str(r["term"]) for r in rows]

    async def add_term(self, guild_id: int, term: str, moderator_id: int, now: datetime) -> bool:
        changed = await self.db.execute(
            "INSERT INTO safety_terms (guild_id, term, added_by, added_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (guild_id, term) DO NOTHING", (guild_id, term, moderator_id, to_db(now)),
        )
        return changed > 0

    async def remove_term(self, guild_id: int, term: str) -> bool:
        return await self.db.execute("DELETE FROM safety_terms WHERE guild_id = ? AND term = ?", (guild_id, term)) > 0

    async def recent(self, guild_id: int, user_id: int, since: datetime) -> StoredAlert | None:
        """The writer's alert opened since ``since``, if any."""
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM safety_alerts WHERE guild_id = ? AND user_id = ? AND created_at > ? "
            "ORDER BY id DESC LIMIT 1", (guild_id, user_id, to_db(since)),
        )
        return None if row is None else _decode(row)

    async def add(self, guild_id: int, user_id: int, channel_id: int, message_id: int, now: datetime) -> int:
        return await self.db.insert(
            "INSERT INTO safety_alerts (guild_id, user_id, channel_id, message_id, minor, reached, created_at, "
            "last_at) VALUES (?, ?, ?, ?, 0, 0, ?, ?)",
            (guild_id, user_id, channel_id, message_id, to_db(now), to_db(now)),
        )

    async def set_minor(self, alert_id: int) -> None:
        await self.db.execute("UPDATE safety_alerts SET minor = 1 WHERE id = ?", (alert_id,))

    async def get(self, alert_id: int) -> StoredAlert | None:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM safety_alerts WHERE id = ?", (alert_id,))
        return None if row is None else _decode(row)

    async def again(self, alert_id: int, more: int, channel_id: int, message_id: int, now: datetime) -> bool:
        """``more`` matching messages, the latest ``message_id``: counted, and the alert is open
        again if it was resolved. False when the alert is gone (erased)."""
        return await self.db.execute(
            "UPDATE safety_alerts SET messages = messages + ?, channel_id = ?, message_id = ?, last_at = ?, "
            "status = CASE status WHEN 'resolved' THEN 'open' ELSE status END WHERE id = ?",
            (more, channel_id, message_id, to_db(now), alert_id),
        ) > 0

    async def set_reached(self, alert_id: int, reached: bool) -> None:
        await self.db.execute("UPDATE safety_alerts SET reached = ? WHERE id = ?", (int(reached), alert_id))

    async def set_card(self, alert_id: int, channel_id: int, message_id: int) -> None:
        await self.db.execute("UPDATE safety_alerts SET card_channel_id = ?, card_message_id = ? WHERE id = ?",
                              (channel_id, message_id, alert_id))

    async def claim(self, alert_id: int, moderator_id: int) -> bool:
        return await self.db.execute(
            "UPDATE safety_alerts SET status = 'claimed', claimed_by = ? WHERE id = ? AND status = 'open'",
            (moderator_id, alert_id),
        ) > 0

    async def resolve(self, alert_id: int, moderator_id: int) -> bool:
        return await self.db.execute(
            "UPDATE safety_alerts SET status = 'resolved', claimed_by = COALESCE(claimed_by, ?) "
            "WHERE id = ? AND status != 'resolved'", (moderator_id, alert_id),
        ) > 0

    async def writer_ok(self, alert_id: int, now: datetime) -> None:
        await self.db.execute("UPDATE safety_alerts SET writer_ok_at = ? WHERE id = ?", (to_db(now), alert_id))

    async def about(self, user_id: int, guild_id: int) -> list[StoredAlert]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM safety_alerts WHERE user_id = ? AND guild_id = ? ORDER BY id", (user_id, guild_id)
        )
        return [_decode(r) for r in rows]

    async def erase_member(self, user_id: int, guild_id: int) -> int:
        return await self.db.execute("DELETE FROM safety_alerts WHERE user_id = ? AND guild_id = ?", (user_id, guild_id))
