"""Volunteers who take company requests: languages, audiences served, clearance, duty."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import aiosqlite

from bot.db.codec import from_db_opt, to_db
from bot.db.connection import Database

# A decoded row: plain Python values, keys as in the service's Volunteer (plus the row ``id``).
Decoded = dict[str, Any]

_SELECT = (
    "SELECT v.id, v.guild_id, v.user_id, v.display_name, v.languages, v.audiences, v.minors_cleared, "
    "v.on_duty, v.on_duty_until, "
    "(SELECT COUNT(*) FROM company_requests r "
    " WHERE r.guild_id = v.guild_id AND r.claimed_by = v.user_id AND r.status = 'claimed') AS active "
    "FROM volunteers v"
)


def _decode(row: aiosqlite.Row) -> Decoded:
    return {
        "id": int(row["id"]),
        "guild_id": int(row["guild_id"]),
        "user_id": int(row["user_id"]),
        "display_name": str(row["display_name"]),
        "languages": frozenset(str(row["languages"]).split(",")),
        "audiences": frozenset(str(row["audiences"]).split(",")),
        "minors_cleared": bool(row["minors_cleared"]),
        "on_duty": bool(row["on_duty"]),
        "on_duty_until": from_db_opt(row["on_duty_until"]),
        "active_conversations": int(row["active"]),
    }


def _joined(values: Iterable[str]) -> str:
    return ",".join(sorted(values))


class VolunteerRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, guild_id: int, user_id: int) -> Decoded | None:
        row = await self.db.fetchone(
            f"{_SELECT} WHERE v.guild_id = ? AND v.user_id = ?", (guild_id, user_id), cached=True
        )
        return None if row is None else _decode(row)

    async def in_guild(self, guild_id: int) -> list[Decoded]:
        rows = await self.db.fetchall(
            f"{_SELECT} WHERE v.guild_id = ? ORDER BY v.display_name COLLATE NOCASE, v.user_id", (guild_id,)
        )
        return [_decode(r) for r in rows]

    async def upsert(
        self,
        guild_id: int,
        user_id: int,
        *,
        display_name: str,
        languages: Iterable[str],
        audiences: Iterable[str],
        minors_cleared: bool,
        now: datetime,
    ) -> Decoded:
        """Add a volunteer, or update one already listed (their duty stays as it is)."""
        stamp = to_db(now)
        async with self.db.transaction():
            await self.db.execute(
                "INSERT INTO volunteers (guild_id, user_id, display_name, languages, audiences, minors_cleared, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name, "
                "languages = excluded.languages, audiences = excluded.audiences, "
                "minors_cleared = excluded.minors_cleared, updated_at = excluded.updated_at",
                (guild_id, user_id, display_name, _joined(languages), _joined(audiences), int(minors_cleared),
                 stamp, stamp),
            )
            found = await self.get(guild_id, user_id)
        assert found is not None
        return found

    async def delete(self, guild_id: int, user_id: int) -> Decoded | None:
        """Remove a volunteer; return the row as it was, or None if there was none."""
        async with self.db.transaction():
            found = await self.get(guild_id, user_id)
            if found is not None:
                await self.db.execute("DELETE FROM volunteers WHERE id = ?", (found["id"],))
        return found

    async def set_duty(
        self,
        guild_id: int,
        user_id: int,
        *,
        on_duty: bool,
        until: datetime | None,
        display_name: str | None,
        now: datetime,
    ) -> Decoded | None:
        """Go on duty (until ``until``, or until turned off when None) or off; None if not a volunteer."""
        changed = await self.db.execute(
            "UPDATE volunteers SET on_duty = ?, on_duty_until = ?, "
            "display_name = COALESCE(?, display_name), updated_at = ? WHERE guild_id = ? AND user_id = ?",
            (int(on_duty), None if until is None else to_db(until), display_name, to_db(now), guild_id, user_id),
        )
        return await self.get(guild_id, user_id) if changed else None

    async def expire_duty(self, volunteer_id: int, due_at: datetime, now: datetime) -> bool:
        """Set off duty if the duty still ends by ``due_at`` (not extended, not turned off since)."""
        return bool(
            await self.db.execute(
                "UPDATE volunteers SET on_duty = 0, on_duty_until = NULL, updated_at = ? "
                "WHERE id = ? AND on_duty = 1 AND on_duty_until IS NOT NULL AND on_duty_until <= ?",
                (to_db(now), volunteer_id, to_db(due_at)),
            )
        )
