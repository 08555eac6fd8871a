"""The impact report's storage: daily aggregates, today's keyed tags, open duty spans, and the
read-only counts the report takes from other features' tables.

``impact_daily`` holds counts per guild, day and band, and no personal data. ``impact_seen``
holds, for the current day only, a keyed tag of (guild, day, member) that changes every day:
the daily rollup turns it into counts and deletes it. ``impact_duty_open`` holds the start of a
duty that has not ended, keyed by the volunteers row, until it ends. Moods are opened here with
the sealer and leave as bare numbers, never with who gave them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.db.codec import from_db, to_db
from bot.db.connection import Database
from bot.db.crypto import Sealer


@dataclass(frozen=True)
class CompanyRow:
    status: str
    created_at: datetime
    claimed_at: datetime | None


class ImpactRepo:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self.db = db
        self.sealer = sealer

    def tag(self, guild_id: int, day: str, user_id: int) -> str:
        """Today's keyed tag of a member: the same all day, unlinkable to another day's."""
        return self.sealer.tag("impact", guild_id, day, user_id)

    # ----- writing ------------------------------------------------------------------------

    async def add(self, rows: Iterable[tuple[int, str, str, str, int]]) -> None:
        """Add (guild, day, metric, band, value) to the daily counts, in one transaction."""
        async with self.db.transaction():
            for row in rows:
                await self.db.execute(
                    "INSERT INTO impact_daily (guild_id, day, metric, band, value) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (guild_id, metric, day, band) DO UPDATE SET value = value + excluded.value",
                    row,
                )

    async def see(self, rows: Iterable[tuple[int, str, str, str]]) -> None:
        """Note (guild, day, tag, band) as active that day; a tag seen already stays as it is."""
        async with self.db.transaction():
            for row in rows:
                await self.db.execute(
                    "INSERT INTO impact_seen (guild_id, day, tag, band) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    row,
                )

    async def roll_up(self, guild_id: int, before_day: str) -> int:
        """Turn the tags of the guild's days before ``before_day`` into counts and delete them;
        return how many tags went."""
        async with self.db.transaction():
            await self.db.execute(
                "INSERT INTO impact_daily (guild_id, day, metric, band, value) "
                "SELECT guild_id, day, 'active', band, COUNT(*) FROM impact_seen WHERE guild_id = ? AND day < ? "
                "GROUP BY guild_id, day, band "
                "ON CONFLICT (guild_id, metric, day, band) DO UPDATE SET value = value + excluded.value",
                (guild_id, before_day),
            )
            return await self.db.execute(
                "DELETE FROM impact_seen WHERE guild_id = ? AND day < ?", (guild_id, before_day)
            )

    async def days_seen(self, guild_id: int, user_id: int) -> list[str]:
        """The days not rolled up yet on which the member was active (found by each day's tag)."""
        rows = await self.db.fetchall(
            "SELECT day, tag FROM impact_seen WHERE guild_id = ? ORDER BY day", (guild_id,)
        )
        return [str(r["day"]) for r in rows if r["tag"] == self.tag(guild_id, str(r["day"]), user_id)]

    async def unsee(self, guild_id: int, user_id: int) -> int:
        """Forget that the member was active on the days not rolled up yet."""
        removed = 0
        for day in await self.days_seen(guild_id, user_id):
            removed += await self.db.execute(
                "DELETE FROM impact_seen WHERE guild_id = ? AND day = ? AND tag = ?",
                (guild_id, day, self.tag(guild_id, day, user_id)),
            )
        return removed

    async def guilds_seen(self) -> list[int]:
        rows = await self.db.fetchall("SELECT DISTINCT guild_id FROM impact_seen ORDER BY guild_id")
        return [int(r["guild_id"]) for r in rows]

    async def open_duty(self, volunteer_id: int, guild_id: int, since: datetime) -> None:
        """A duty started (a duty extended while on keeps its start)."""
        await self.db.execute(
            "INSERT INTO impact_duty_open (volunteer_id, guild_id, since) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (volunteer_id, guild_id, to_db(since)),
        )

    async def open_untracked_duties(self, since: datetime) -> int:
        """Volunteers on duty whose duty is not tracked yet (it began before this was counted)
        are counted from ``since``; how many."""
        return await self.db.execute(
            "INSERT INTO impact_duty_open (volunteer_id, guild_id, since) "
            "SELECT id, guild_id, ? FROM volunteers WHERE on_duty = 1 ON CONFLICT DO NOTHING",
            (to_db(since),),
        )

    async def close_duty(self, volunteer_id: int) -> datetime | None:
        """The duty ended: its start, and the row is gone (None when none was open)."""
        rows = await self.db.fetchall(
            "DELETE FROM impact_duty_open WHERE volunteer_id = ? RETURNING since", (volunteer_id,)
        )
        return from_db(rows[0]["since"]) if rows else None

    # ----- reading the aggregates ---------------------------------------------------------

    async def daily(self, guild_id: int, metric: str, first_day: str, last_day: str) -> dict[str, int]:
        """band → the sum of a metric's daily counts over the days (inclusive)."""
        rows = await self.db.fetchall(
            "SELECT band, SUM(value) AS n FROM impact_daily WHERE guild_id = ? AND metric = ? AND day BETWEEN ? AND ? "
            "GROUP BY band",
            (guild_id, metric, first_day, last_day),
        )
        return {str(r["band"]): int(r["n"]) for r in rows}

    async def seen(self, guild_id: int, first_day: str, last_day: str) -> dict[str, int]:
        """band → active members on the days not rolled up yet (today), summed over the days."""
        rows = await self.db.fetchall(
            "SELECT band, COUNT(*) AS n FROM impact_seen WHERE guild_id = ? AND day BETWEEN ? AND ? GROUP BY band",
            (guild_id, first_day, last_day),
        )
        return {str(r["band"]): int(r["n"]) for r in rows}

    async def open_duties(self, guild_id: int) -> list[datetime]:
        rows = await self.db.fetchall("SELECT since FROM impact_duty_open WHERE guild_id = ?", (guild_id,))
        return [from_db(r["since"]) for r in rows]

    # ----- reading other features' tables (counts only) -----------------------------------

    async def moods(self, guild_id: int, start: datetime, end: datetime) -> list[int]:
        """Every mood answered in [start, end): personal check-ins (sealed) and room votes."""
        personal = await self.db.fetchall(
            "SELECT mood_enc FROM checkin_moods WHERE guild_id = ? AND answered_at >= ? AND answered_at < ?",
            (guild_id, to_db(start), to_db(end)),
        )
        votes = await self.db.fetchall(
            "SELECT v.mood, COUNT(*) AS n FROM checkin_votes v JOIN checkin_occurrences o ON o.id = v.occurrence_id "
            "WHERE o.guild_id = ? AND o.due_at >= ? AND o.due_at < ? GROUP BY v.mood",
            (guild_id, to_db(start), to_db(end)),
        )
        found = [int(self.sealer.open(r["mood_enc"]) or 0) for r in personal]
        for row in votes:
            found += [int(row["mood"])] * int(row["n"])
        return found

    async def company(self, guild_id: int, start: datetime, end: datetime) -> list[CompanyRow]:
        """Requests made in [start, end) that reached the queue."""
        rows = await self.db.fetchall(
            "SELECT status, created_at, claimed_at FROM company_requests "
            "WHERE guild_id = ? AND created_at >= ? AND created_at < ? AND status != 'withdrawn'",
            (guild_id, to_db(start), to_db(end)),
        )
        return [
            CompanyRow(str(r["status"]), from_db(r["created_at"]),
                       None if r["claimed_at"] is None else from_db(r["claimed_at"]))
            for r in rows
        ]

    async def events(self, guild_id: int, start: datetime, end: datetime) -> tuple[int, int]:
        """(events held, Going answers at them): not cancelled, started in [start, end)."""
        row = await self.db.fetchone(
            "SELECT COUNT(*) AS held, COALESCE(SUM((SELECT COUNT(*) FROM event_rsvps r "
            "WHERE r.event_id = e.id AND r.status = 'going')), 0) AS going "
            "FROM events e WHERE e.guild_id = ? AND e.status != 'cancelled' AND e.starts_at >= ? AND e.starts_at < ?",
            (guild_id, to_db(start), to_db(end)),
        )
        return (0, 0) if row is None else (int(row["held"]), int(row["going"]))

    async def reports(self, guild_id: int, start: datetime, end: datetime) -> tuple[int, int]:
        """(reported messages in [start, end), of them resolved)."""
        return await self._raised_and_resolved("reports", guild_id, start, end)

    async def alerts(self, guild_id: int, start: datetime, end: datetime) -> tuple[int, int]:
        """(safety alerts raised in [start, end), of them resolved)."""
        return await self._raised_and_resolved("safety_alerts", guild_id, start, end)

    async def _raised_and_resolved(self, table: str, guild_id: int, start: datetime, end: datetime) -> tuple[int, int]:
        assert table in ("reports", "safety_alerts")  # a name of ours, never input
        row = await self.db.fetchone(
            f"SELECT COUNT(*) AS raised, COALESCE(SUM(status = 'resolved'), 0) AS resolved FROM {table} "
            "WHERE guild_id = ? AND created_at >= ? AND created_at < ?",
            (guild_id, to_db(start), to_db(end)),
        )
        return (0, 0) if row is None else (int(row["raised"]), int(row["resolved"]))
