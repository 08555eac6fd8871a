"""Reported messages: one row per message however many report it, and who reported it (only
moderators see that). The reported text and the reporters' own words are sealed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.db.cases import pseudonym
from bot.db.codec import from_db, to_db
from bot.db.connection import Database
from bot.db.crypto import Sealer

_COLUMNS = ("id, guild_id, channel_id, message_id, author_id, text_enc, status, claimed_by, outcome, resolved_by, "
            "card_channel_id, card_message_id, created_at")


@dataclass(frozen=True)
class StoredReporter:
    reporter_id: int
    reason: str
    note: str | None
    created_at: datetime


@dataclass(frozen=True)
class StoredReport:
    id: int
    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    text: str
    status: str
    claimed_by: int | None
    outcome: str | None
    resolved_by: int | None
    card_channel_id: int | None
    card_message_id: int | None
    created_at: datetime
    reporters: tuple[StoredReporter, ...]


class ReportRepo:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self.db = db
        self.sealer = sealer

    async def _decode(self, row: aiosqlite.Row) -> StoredReport:
        rows = await self.db.fetchall(
            "SELECT reporter_id, reason, note_enc, created_at FROM report_reporters WHERE report_id = ? "
            "ORDER BY created_at, reporter_id", (row["id"],),
        )
        reporters = tuple(StoredReporter(int(r["reporter_id"]), str(r["reason"]), self.sealer.open(r["note_enc"]),
                                         from_db(r["created_at"])) for r in rows)
        return StoredReport(
            int(row["id"]), int(row["guild_id"]), int(row["channel_id"]), int(row["message_id"]), int(row["author_id"]),
            self.sealer.open(row["text_enc"]) or "", str(row["status"]), row["claimed_by"], row["outcome"],
            row["resolved_by"], row["card_channel_id"], row["card_message_id"], from_db(row["created_at"]), reporters,
        )

    async def get(self, report_id: int) -> StoredReport | None:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM reports WHERE id = ?", (report_id,))
        return None if row is None else await self._decode(row)

    async def open_for_message(self, guild_id: int, message_id: int) -> StoredReport | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM reports WHERE guild_id = ? AND message_id = ? AND status != 'resolved'",
            (guild_id, message_id),
        )
        return None if row is None else await self._decode(row)

    async def open_by(self, guild_id: int, reporter_id: int) -> int:
        """How many of the member's reports on the server are not resolved yet."""
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM report_reporters p JOIN reports r ON r.id = p.report_id "
            "WHERE r.guild_id = ? AND p.reporter_id = ? AND r.status != 'resolved'", (guild_id, reporter_id),
        )
        return int(row[0]) if row else 0

    async def add(self, guild_id: int, channel_id: int, message_id: int, author_id: int, text: str,
                  now: datetime) -> int:
        return await self.db.insert(
            "INSERT INTO reports (guild_id, channel_id, message_id, author_id, text_enc, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, channel_id, message_id, author_id, self.sealer.seal(text), to_db(now)),
        )

    async def add_reporter(self, report_id: int, reporter_id: int, reason: str, note: str | None,
                           now: datetime) -> bool:
        return await self.db.execute(
            "INSERT INTO report_reporters (report_id, reporter_id, reason, note_enc, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (report_id, reporter_id) DO NOTHING",
            (report_id, reporter_id, reason, self.sealer.seal(note), to_db(now)),
        ) > 0

    async def set_card(self, report_id: int, channel_id: int, message_id: int) -> None:
        await self.db.execute("UPDATE reports SET card_channel_id = ?, card_message_id = ? WHERE id = ?",
                              (channel_id, message_id, report_id))

    async def claim(self, report_id: int, moderator_id: int) -> bool:
        return await self.db.execute(
            "UPDATE reports SET status = 'claimed', claimed_by = ? WHERE id = ? AND status = 'open'",
            (moderator_id, report_id),
        ) > 0

    async def resolve(self, report_id: int, moderator_id: int, outcome: str, now: datetime) -> bool:
        return await self.db.execute(
            "UPDATE reports SET status = 'resolved', outcome = ?, resolved_by = ?, resolved_at = ? "
            "WHERE id = ? AND status != 'resolved'", (outcome, moderator_id, to_db(now), report_id),
        ) > 0

    async def made_by(self, user_id: int, guild_id: int) -> list[tuple[StoredReporter, str]]:
        """The member's own reports in the guild: what they said, and the report's status."""
        rows = await self.db.fetchall(
            "SELECT p.reporter_id, p.reason, p.note_enc, p.created_at, r.status FROM report_reporters p "
            "JOIN reports r ON r.id = p.report_id WHERE p.reporter_id = ? AND r.guild_id = ? ORDER BY p.created_at",
            (user_id, guild_id),
        )
        return [(StoredReporter(int(r["reporter_id"]), str(r["reason"]), self.sealer.open(r["note_enc"]),
                                from_db(r["created_at"])), str(r["status"])) for r in rows]

    async def about(self, user_id: int, guild_id: int) -> list[StoredReport]:
        """Reports about the member's messages in the guild, also those kept under their pseudonym."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM reports WHERE guild_id = ? AND author_id IN (?, ?) ORDER BY id",
            (guild_id, user_id, pseudonym(self.sealer, guild_id, user_id)),
        )
        return [await self._decode(r) for r in rows]

    async def erase_member(self, user_id: int, guild_id: int) -> int:
        """The member's own reports in the guild are withdrawn (reports nobody else made go too);
        reports about their messages keep only that they were made: not the text, and the author
        under their pseudonym (``bot.db.cases.pseudonym``)."""
        async with self.db.transaction():
            mine = await self.db.execute(
                "DELETE FROM report_reporters WHERE reporter_id = ? AND report_id IN "
                "(SELECT id FROM reports WHERE guild_id = ?)", (user_id, guild_id),
            )
            await self.db.execute(
                "DELETE FROM reports WHERE guild_id = ? AND NOT EXISTS "
                "(SELECT 1 FROM report_reporters p WHERE p.report_id = reports.id)", (guild_id,),
            )
            about = await self.db.execute(
                "UPDATE reports SET text_enc = NULL, author_id = ? WHERE guild_id = ? AND author_id = ?",
                (pseudonym(self.sealer, guild_id, user_id), guild_id, user_id),
            )
        return mine + about
