"""Check-ins: personal schedules, room schedules, their occurrences, moods, votes, loneliness.

Moods and loneliness answers are sealed here and nowhere else. Room votes hold a keyed tag of
(prompt, member) instead of a member id, so a second click changes the vote and nobody can list
who voted."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import aiosqlite

from bot.db.codec import from_db, from_db_opt, to_db
from bot.db.connection import Database
from bot.db.crypto import Sealer

Decoded = dict[str, Any]

_PERSONAL = (
    "id, user_id, guild_id, dm_channel_id, weekdays, minute, zone, locale, paused_until, dms_closed_at, "
    "loneliness, created_at"
)
_ROOM = "id, guild_id, channel_id, weekdays, minute, zone, locale, prompt, created_at"
_OCCURRENCE = "id, guild_id, personal_id, room_id, due_at, sequence, channel_id, message_id"


def _personal(row: aiosqlite.Row) -> Decoded:
    return {
        "id": int(row["id"]), "user_id": int(row["user_id"]), "guild_id": int(row["guild_id"]),
        "dm_channel_id": int(row["dm_channel_id"]), "weekdays": int(row["weekdays"]), "minute": int(row["minute"]),
        "zone": str(row["zone"]), "locale": str(row["locale"]), "paused_until": from_db_opt(row["paused_until"]),
        "dms_closed_at": from_db_opt(row["dms_closed_at"]), "loneliness": bool(row["loneliness"]),
        "created_at": from_db(row["created_at"]),
    }


def _room(row: aiosqlite.Row) -> Decoded:
    return {
        "id": int(row["id"]), "guild_id": int(row["guild_id"]), "channel_id": int(row["channel_id"]),
        "weekdays": int(row["weekdays"]), "minute": int(row["minute"]), "zone": str(row["zone"]),
        "locale": str(row["locale"]), "prompt": row["prompt"], "created_at": from_db(row["created_at"]),
    }


def _occurrence(row: aiosqlite.Row) -> Decoded:
    return {
        "id": int(row["id"]), "guild_id": int(row["guild_id"]), "personal_id": row["personal_id"],
        "room_id": row["room_id"], "due_at": from_db(row["due_at"]), "sequence": int(row["sequence"]),
        "channel_id": row["channel_id"], "message_id": row["message_id"],
    }


class CheckinRepo:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self.db = db
        self.sealer = sealer

    # ----- personal schedules -------------------------------------------------------------

    async def save_personal(
        self, user_id: int, guild_id: int, dm_channel_id: int, weekdays: int, minute: int, zone: str, locale: str,
        loneliness: bool, now: datetime,
    ) -> Decoded:
        """Opt in, or change the schedule: a fresh start (no pause, DMs taken as open again)."""
        await self.db.execute(
            "INSERT INTO checkin_personal (user_id, guild_id, dm_channel_id, weekdays, minute, zone, locale, "
            "loneliness, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET guild_id = excluded.guild_id, dm_channel_id = excluded.dm_channel_id, "
            "weekdays = excluded.weekdays, minute = excluded.minute, zone = excluded.zone, locale = excluded.locale, "
            "loneliness = excluded.loneliness, paused_until = NULL, dms_closed_at = NULL, dms_notice_due = 0, "
            "updated_at = excluded.updated_at",
            (user_id, guild_id, dm_channel_id, weekdays, minute, zone, locale, int(loneliness), to_db(now), to_db(now)),
        )
        found = await self.personal(user_id)
        assert found is not None
        return found

    async def personal(self, user_id: int) -> Decoded | None:
        row = await self.db.fetchone(f"SELECT {_PERSONAL} FROM checkin_personal WHERE user_id = ?", (user_id,))
        return None if row is None else _personal(row)

    async def personal_by_id(self, personal_id: int) -> Decoded | None:
        row = await self.db.fetchone(f"SELECT {_PERSONAL} FROM checkin_personal WHERE id = ?", (personal_id,))
        return None if row is None else _personal(row)

    async def all_personal(self) -> list[Decoded]:
        rows = await self.db.fetchall(f"SELECT {_PERSONAL} FROM checkin_personal ORDER BY id")
        return [_personal(r) for r in rows]

    async def delete_personal(self, user_id: int) -> int:
        return await self.db.execute("DELETE FROM checkin_personal WHERE user_id = ?", (user_id,))

    async def set_paused(self, personal_id: int, until: datetime | None, now: datetime) -> None:
        await self.db.execute(
            "UPDATE checkin_personal SET paused_until = ?, updated_at = ? WHERE id = ?",
            (None if until is None else to_db(until), to_db(now), personal_id),
        )

    async def mark_dms_closed(self, personal_id: int, now: datetime) -> bool:
        return bool(await self.db.execute(
            "UPDATE checkin_personal SET dms_closed_at = ?, dms_notice_due = 1, updated_at = ? "
            "WHERE id = ? AND dms_closed_at IS NULL",
            (to_db(now), to_db(now), personal_id),
        ))

    async def notices_due(self) -> list[int]:
        rows = await self.db.fetchall("SELECT user_id FROM checkin_personal WHERE dms_notice_due = 1")
        return [int(r["user_id"]) for r in rows]

    async def take_notice(self, user_id: int) -> bool:
        """True once: the member is about to be told that their DMs are closed."""
        return bool(await self.db.execute(
            "UPDATE checkin_personal SET dms_notice_due = 0 WHERE user_id = ? AND dms_notice_due = 1", (user_id,)
        ))

    # ----- rooms --------------------------------------------------------------------------

    async def add_room(
        self, guild_id: int, channel_id: int, weekdays: int, minute: int, zone: str, locale: str,
        prompt: str | None, now: datetime,
    ) -> Decoded:
        room_id = await self.db.insert(
            "INSERT INTO checkin_rooms (guild_id, channel_id, weekdays, minute, zone, locale, prompt, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, channel_id, weekdays, minute, zone, locale, prompt, to_db(now)),
        )
        found = await self.room(room_id)
        assert found is not None
        return found

    async def room(self, room_id: int) -> Decoded | None:
        row = await self.db.fetchone(f"SELECT {_ROOM} FROM checkin_rooms WHERE id = ?", (room_id,))
        return None if row is None else _room(row)

    async def rooms(self, guild_id: int | None = None) -> list[Decoded]:
        if guild_id is None:
            rows = await self.db.fetchall(f"SELECT {_ROOM} FROM checkin_rooms ORDER BY id")
        else:
            rows = await self.db.fetchall(f"SELECT {_ROOM} FROM checkin_rooms WHERE guild_id = ? ORDER BY id",
                                          (guild_id,))
        return [_room(r) for r in rows]

    async def delete_room(self, guild_id: int, room_id: int) -> int:
        return await self.db.execute("DELETE FROM checkin_rooms WHERE guild_id = ? AND id = ?", (guild_id, room_id))

    # ----- occurrences --------------------------------------------------------------------

    async def add_occurrence(
        self, guild_id: int, due_at: datetime, *, personal_id: int | None = None, room_id: int | None = None,
        sequence: int = 0,
    ) -> Decoded:
        """The schedule's occurrence at ``due_at``, made once (the same one again when it exists)."""
        owner = "personal_id" if personal_id is not None else "room_id"
        owner_id = personal_id if personal_id is not None else room_id
        await self.db.execute(
            "INSERT INTO checkin_occurrences (guild_id, personal_id, room_id, due_at, sequence) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (guild_id, personal_id, room_id, to_db(due_at), sequence),
        )
        row = await self.db.fetchone(
            f"SELECT {_OCCURRENCE} FROM checkin_occurrences WHERE {owner} = ? AND due_at = ?", (owner_id, to_db(due_at))
        )
        assert row is not None
        return _occurrence(row)

    async def occurrence(self, occurrence_id: int) -> Decoded | None:
        row = await self.db.fetchone(f"SELECT {_OCCURRENCE} FROM checkin_occurrences WHERE id = ?", (occurrence_id,))
        return None if row is None else _occurrence(row)

    async def latest_occurrence(self, *, personal_id: int | None = None, room_id: int | None = None) -> Decoded | None:
        owner = "personal_id" if personal_id is not None else "room_id"
        row = await self.db.fetchone(
            f"SELECT {_OCCURRENCE} FROM checkin_occurrences WHERE {owner} = ? ORDER BY due_at DESC LIMIT 1",
            (personal_id if personal_id is not None else room_id,),
        )
        return None if row is None else _occurrence(row)

    async def latest_before(self, personal_id: int, before: datetime) -> datetime | None:
        row = await self.db.fetchone(
            "SELECT MAX(due_at) AS due_at FROM checkin_occurrences WHERE personal_id = ? AND due_at < ?",
            (personal_id, to_db(before)),
        )
        return None if row is None or row["due_at"] is None else from_db(row["due_at"])

    async def occurrences_after(
        self, after: datetime, *, personal_id: int | None = None, room_id: int | None = None
    ) -> list[Decoded]:
        owner = "personal_id" if personal_id is not None else "room_id"
        rows = await self.db.fetchall(
            f"SELECT {_OCCURRENCE} FROM checkin_occurrences WHERE {owner} = ? AND due_at > ? ORDER BY due_at",
            (personal_id if personal_id is not None else room_id, to_db(after)),
        )
        return [_occurrence(r) for r in rows]

    async def delete_occurrence(self, occurrence_id: int) -> None:
        await self.db.execute("DELETE FROM checkin_occurrences WHERE id = ?", (occurrence_id,))

    async def count_room_occurrences(self, room_id: int, before: datetime) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) AS n FROM checkin_occurrences WHERE room_id = ? AND due_at < ?", (room_id, to_db(before))
        )
        return 0 if row is None else int(row["n"])

    async def set_posted(self, occurrence_id: int, channel_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE checkin_occurrences SET channel_id = ?, message_id = ? WHERE id = ?",
            (channel_id, message_id, occurrence_id),
        )

    async def newest_posted(self, room_id: int) -> int | None:
        row = await self.db.fetchone(
            "SELECT id FROM checkin_occurrences WHERE room_id = ? AND message_id IS NOT NULL "
            "ORDER BY due_at DESC LIMIT 1",
            (room_id,),
        )
        return None if row is None else int(row["id"])

    # ----- personal moods -----------------------------------------------------------------

    async def save_mood(self, user_id: int, occurrence_id: int, mood: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO checkin_moods (user_id, occurrence_id, guild_id, mood_enc, answered_at) "
            "VALUES (?, ?, (SELECT guild_id FROM checkin_occurrences WHERE id = ?), ?, ?) "
            "ON CONFLICT(user_id, occurrence_id) DO UPDATE SET mood_enc = excluded.mood_enc, "
            "answered_at = excluded.answered_at",
            (user_id, occurrence_id, occurrence_id, self.sealer.seal(str(mood)), to_db(now)),
        )

    async def moods(self, user_id: int, since: datetime | None = None, limit: int | None = None) -> list[
        tuple[datetime, int]
    ]:
        """(answered at, mood), newest first."""
        sql = "SELECT mood_enc, answered_at FROM checkin_moods WHERE user_id = ? AND answered_at >= ? " \
              "ORDER BY answered_at DESC, id DESC"
        params: tuple[Any, ...] = (user_id, to_db(since) if since else "")
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        rows = await self.db.fetchall(sql, params)
        return [(from_db(r["answered_at"]), int(self.sealer.open(r["mood_enc"]) or 0)) for r in rows]

    async def delete_moods(self, user_id: int) -> int:
        return await self.db.execute("DELETE FROM checkin_moods WHERE user_id = ?", (user_id,))

    # ----- loneliness ---------------------------------------------------------------------

    async def save_loneliness(self, user_id: int, guild_id: int, month: str, answer: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO checkin_loneliness (user_id, guild_id, month, answer_enc, answered_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(user_id, month) DO UPDATE SET answer_enc = excluded.answer_enc, "
            "answered_at = excluded.answered_at",
            (user_id, guild_id, month, self.sealer.seal(str(answer)), to_db(now)),
        )

    async def loneliness_of(self, user_id: int) -> list[tuple[str, int]]:
        rows = await self.db.fetchall(
            "SELECT month, answer_enc FROM checkin_loneliness WHERE user_id = ? ORDER BY month", (user_id,)
        )
        return [(str(r["month"]), int(self.sealer.open(r["answer_enc"]) or 0)) for r in rows]

    async def loneliness_answers(self, guild_id: int, month: str) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT answer_enc FROM checkin_loneliness WHERE guild_id = ? AND month = ?", (guild_id, month)
        )
        return [int(self.sealer.open(r["answer_enc"]) or 0) for r in rows]

    async def delete_loneliness(self, user_id: int) -> int:
        return await self.db.execute("DELETE FROM checkin_loneliness WHERE user_id = ?", (user_id,))

    # ----- anonymous room votes -----------------------------------------------------------

    async def vote(self, occurrence_id: int, voter: str, mood: int) -> None:
        await self.db.execute(
            "INSERT INTO checkin_votes (occurrence_id, voter_tag, mood) VALUES (?, ?, ?) "
            "ON CONFLICT(occurrence_id, voter_tag) DO UPDATE SET mood = excluded.mood",
            (occurrence_id, voter, mood),
        )

    async def vote_counts(self, occurrence_id: int) -> dict[int, int]:
        rows = await self.db.fetchall(
            "SELECT mood, COUNT(*) AS n FROM checkin_votes WHERE occurrence_id = ? GROUP BY mood", (occurrence_id,)
        )
        return {int(r["mood"]): int(r["n"]) for r in rows}

    def voter_tag(self, occurrence_id: int, user_id: int) -> str:
        return self.sealer.tag("checkin-vote", occurrence_id, user_id)

    # ----- the member's own data in one guild (privacy export and erasure) ---------------

    async def history_in(self, user_id: int, guild_id: int) -> tuple[list[tuple[datetime, int]], list[tuple[str, int]]]:
        """The member's moods (oldest first) and loneliness answers in the guild. A mood kept from
        before moods knew their guild, whose schedule was stopped, counts as the member's everywhere."""
        moods = await self.db.fetchall(
            f"SELECT mood_enc, answered_at FROM checkin_moods m WHERE user_id = ? AND {_MOOD_GUILD} "
            "ORDER BY answered_at, id", (user_id, guild_id, guild_id),
        )
        lonely = await self.db.fetchall(
            "SELECT month, answer_enc FROM checkin_loneliness WHERE user_id = ? AND guild_id = ? ORDER BY month",
            (user_id, guild_id),
        )
        return ([(from_db(r["answered_at"]), int(self.sealer.open(r["mood_enc"]) or 0)) for r in moods],
                [(str(r["month"]), int(self.sealer.open(r["answer_enc"]) or 0)) for r in lonely])

    async def votes_in(self, user_id: int, guild_id: int) -> list[tuple[int, str, datetime, int]]:
        """The member's room votes in the guild as (prompt, its tag, when, mood), found by the tag
        each prompt's vote would carry."""
        prompts = await self.db.fetchall(
            "SELECT DISTINCT o.id, o.due_at FROM checkin_occurrences o JOIN checkin_votes v ON v.occurrence_id = o.id "
            "WHERE o.guild_id = ?", (guild_id,),
        )
        tags = {self.voter_tag(int(p["id"]), user_id): (int(p["id"]), from_db(p["due_at"])) for p in prompts}
        found: list[tuple[int, str, datetime, int]] = []
        names = list(tags)
        for start in range(0, len(names), 500):
            chunk = names[start:start + 500]
            rows = await self.db.fetchall(
                f"SELECT voter_tag, mood FROM checkin_votes WHERE voter_tag IN ({', '.join('?' * len(chunk))})", chunk
            )
            for r in rows:
                occurrence_id, due_at = tags[str(r["voter_tag"])]
                found.append((occurrence_id, str(r["voter_tag"]), due_at, int(r["mood"])))
        return sorted(found, key=lambda v: v[2])

    async def erase_member(self, user_id: int, guild_id: int) -> int:
        """Delete the member's moods and loneliness answers in the guild; their room votes stay
        in the counts under a tag that matches nobody."""
        votes = await self.votes_in(user_id, guild_id)
        async with self.db.transaction():
            erased = await self.db.execute(
                f"DELETE FROM checkin_moods AS m WHERE user_id = ? AND {_MOOD_GUILD}", (user_id, guild_id, guild_id)
            )
            erased += await self.db.execute(
                "DELETE FROM checkin_loneliness WHERE user_id = ? AND guild_id = ?", (user_id, guild_id)
            )
            for occurrence_id, tag, _, _ in votes:
                erased += await self.db.execute(
                    "UPDATE checkin_votes SET voter_tag = ? WHERE occurrence_id = ? AND voter_tag = ?",
                    (f"forgotten:{secrets.token_hex(16)}", occurrence_id, tag),
                )
        return erased


# A mood (alias m) of the guild: the one it was answered for; a mood kept from before moods
# knew their guild (migration 0014) and no longer traceable matches every guild. Parameters: the
# guild twice.
_MOOD_GUILD = "COALESCE(m.guild_id, ?) = ?"
