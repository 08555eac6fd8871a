"""Events, their RSVPs, the reminders sent for them, and weekly series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db.codec import to_db
from bot.db.connection import Database

EVENT_FIELDS = (
    "guild_id", "series_id", "occurrence", "channel_id", "organiser_id", "title", "description", "place",
    "voice_channel_id", "starts_at", "ends_at", "timezone", "capacity", "audience", "locale", "uid",
)
EDITABLE = ("title", "description", "place", "voice_channel_id", "starts_at", "ends_at", "capacity")


@dataclass(frozen=True)
class Answer:
    """What one RSVP did: the member's status before and after, their place on the waiting
    list (0 when not waiting) and whoever was promoted from the list by it."""

    previous: str | None
    status: str
    place: int
    promoted: list[tuple[int, str]]


def _values(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: to_db(v) if isinstance(v, datetime) else v for k, v in fields.items()}


class EventRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- events ----------------------------------------------------------------------------

    async def create(self, fields: dict[str, Any], now: datetime) -> int:
        values = _values(fields)
        columns = ", ".join(EVENT_FIELDS)
        marks = ", ".join(f":{k}" for k in EVENT_FIELDS)
        return await self.db.insert(
            f"INSERT INTO events ({columns}, created_at, updated_at) VALUES ({marks}, :now, :now)",
            {**{k: values.get(k) for k in EVENT_FIELDS}, "now": to_db(now)},
        )

    async def get(self, event_id: int) -> dict[str, Any] | None:
        row = await self.db.fetchone("SELECT * FROM events WHERE id = ?", (event_id,))
        return None if row is None else dict(row)

    async def by_discord_event(self, discord_event_id: int) -> dict[str, Any] | None:
        row = await self.db.fetchone("SELECT * FROM events WHERE discord_event_id = ?", (discord_event_id,))
        return None if row is None else dict(row)

    async def upcoming(self, guild_id: int, now: datetime, limit: int) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT * FROM events WHERE guild_id = ? AND status = 'scheduled' AND ends_at > ? "
            "ORDER BY starts_at, id LIMIT ?", (guild_id, to_db(now), limit),
        )
        return [dict(r) for r in rows]

    async def update(self, event_id: int, sequence: int, changes: dict[str, Any], now: datetime) -> bool:
        """Change an event only if nobody else has since it was read (``sequence``); the
        sequence rises. False when the event changed meanwhile or is cancelled."""
        values = _values({k: v for k, v in changes.items() if k in EDITABLE})
        sets = "".join(f"{k} = :{k}, " for k in values)
        return bool(await self.db.execute(
            f"UPDATE events SET {sets}sequence = sequence + 1, updated_at = :now "
            "WHERE id = :id AND sequence = :sequence AND status = 'scheduled'",
            {**values, "now": to_db(now), "id": event_id, "sequence": sequence},
        ))

    async def cancel(self, event_id: int, now: datetime) -> bool:
        return bool(await self.db.execute(
            "UPDATE events SET status = 'cancelled', sequence = sequence + 1, updated_at = ? "
            "WHERE id = ? AND status = 'scheduled'", (to_db(now), event_id),
        ))

    async def set_links(self, event_id: int, **links: int | None) -> None:
        """Where the event lives on Discord: message_id, thread_id, discord_event_id."""
        allowed = {k: v for k, v in links.items() if k in ("message_id", "thread_id", "discord_event_id", "channel_id")}
        sets = ", ".join(f"{k} = :{k}" for k in allowed)
        await self.db.execute(f"UPDATE events SET {sets} WHERE id = :id", {**allowed, "id": event_id})

    # --- answers ---------------------------------------------------------------------------

    async def answer(
        self, event_id: int, user_id: int, choice: str, locale: str, now: datetime, *, source: str = "card"
    ) -> Answer:
        """Record a member's answer in one statement (atomic, and one trip to the database even
        when hundreds answer at once). Going becomes waiting past capacity, or while anyone is
        already waiting; a place this answer frees goes to the first on the waiting list. No more
        than ``capacity`` members are ever Going. (A write read back with RETURNING: it leaves the
        database's cached reads alone, which is right as none of them reads event tables.)"""
        row = await self.db.fetchone(
            "INSERT INTO event_rsvps (event_id, user_id, status, previous, position, source, locale, updated_at) "
            "SELECT e.id, :u, CASE "
            "  WHEN :choice != 'going' THEN :choice "
            "  WHEN (SELECT status FROM event_rsvps WHERE event_id = e.id AND user_id = :u) IN ('going', 'waiting') "
            "    THEN (SELECT status FROM event_rsvps WHERE event_id = e.id AND user_id = :u) "
            "  WHEN (e.capacity IS NULL OR (SELECT COUNT(*) FROM event_rsvps WHERE event_id = e.id "
            "    AND status = 'going') < e.capacity) AND NOT EXISTS (SELECT 1 FROM event_rsvps WHERE event_id = e.id "
            "    AND status = 'waiting') THEN 'going' "
            "  ELSE 'waiting' END, "
            "NULL, (SELECT COALESCE(MAX(position), 0) + 1 FROM event_rsvps WHERE event_id = e.id), :source, :locale, :now "
            "FROM events e WHERE e.id = :e "
            "ON CONFLICT (event_id, user_id) DO UPDATE SET previous = event_rsvps.status, status = excluded.status, "
            "position = CASE WHEN event_rsvps.status = excluded.status THEN event_rsvps.position "
            "ELSE excluded.position END, source = excluded.source, locale = excluded.locale, "
            "updated_at = excluded.updated_at "
            "RETURNING previous, status, (SELECT COUNT(*) FROM event_rsvps w WHERE w.event_id = event_rsvps.event_id "
            "AND w.status = 'waiting' AND w.position <= event_rsvps.position) AS place",
            {"e": event_id, "u": user_id, "choice": choice, "source": source, "locale": locale, "now": to_db(now)},
        )
        assert row is not None, f"event {event_id} is gone"
        previous, status = row["previous"], str(row["status"])
        promoted = await self.promote(event_id, now) if previous == "going" and status != "going" else []
        return Answer(previous, status, int(row["place"]) if status == "waiting" else 0, promoted)

    async def interested(self, event_id: int, user_id: int, locale: str, now: datetime) -> bool:
        """Discord's Interested counts as Maybe for a member who has not answered on the card."""
        return bool(await self.db.execute(
            "INSERT INTO event_rsvps (event_id, user_id, status, position, source, locale, updated_at) "
            "VALUES (?, ?, 'maybe', 0, 'interested', ?, ?) ON CONFLICT (event_id, user_id) DO NOTHING",
            (event_id, user_id, locale, to_db(now)),
        ))

    async def not_interested(self, event_id: int, user_id: int) -> bool:
        return bool(await self.db.execute(
            "DELETE FROM event_rsvps WHERE event_id = ? AND user_id = ? AND source = 'interested' AND status = 'maybe'",
            (event_id, user_id),
        ))

    async def promote(self, event_id: int, now: datetime) -> list[tuple[int, str]]:
        """Move the first waiting members to Going while there is room (one transaction)."""
        promoted: list[tuple[int, str]] = []
        async with self.db.transaction():
            while await self._has_room(event_id):
                row = await self.db.fetchone(
                    "SELECT user_id, locale FROM event_rsvps WHERE event_id = ? AND status = 'waiting' "
                    "ORDER BY position LIMIT 1", (event_id,),
                )
                if row is None:
                    break
                await self.db.execute(
                    "UPDATE event_rsvps SET status = 'going', updated_at = ? WHERE event_id = ? AND user_id = ?",
                    (to_db(now), event_id, row["user_id"]),
                )
                promoted.append((int(row["user_id"]), str(row["locale"])))
        return promoted

    async def _has_room(self, event_id: int) -> bool:
        row = await self.db.fetchone(
            "SELECT capacity IS NULL OR (SELECT COUNT(*) FROM event_rsvps WHERE event_id = events.id "
            "AND status = 'going') < capacity AS room FROM events WHERE id = ?", (event_id,),
        )
        return bool(row and row["room"])

    async def _place(self, event_id: int, user_id: int) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) AS n FROM event_rsvps WHERE event_id = ? AND status = 'waiting' AND position <= "
            "(SELECT position FROM event_rsvps WHERE event_id = ? AND user_id = ?)", (event_id, event_id, user_id),
        )
        return int(row["n"]) if row else 0

    async def status_of(self, event_id: int, user_id: int) -> tuple[str, int] | None:
        row = await self.db.fetchone(
            "SELECT status FROM event_rsvps WHERE event_id = ? AND user_id = ?", (event_id, user_id)
        )
        if row is None:
            return None
        status = str(row["status"])
        return status, await self._place(event_id, user_id) if status == "waiting" else 0

    async def counts(self, event_id: int) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT status, COUNT(*) AS n FROM event_rsvps WHERE event_id = ? GROUP BY status", (event_id,)
        )
        return {str(r["status"]): int(r["n"]) for r in rows}

    async def members(self, event_id: int, status: str) -> list[tuple[int, str]]:
        rows = await self.db.fetchall(
            "SELECT user_id, locale FROM event_rsvps WHERE event_id = ? AND status = ? ORDER BY position",
            (event_id, status),
        )
        return [(int(r["user_id"]), str(r["locale"])) for r in rows]

    # --- reminders -------------------------------------------------------------------------

    async def claim_reminder(self, event_id: int, kind: str, user_id: int, now: datetime) -> bool:
        """True when this member's reminder is still to send (never claimed, or claimed by a
        run that stopped before it knew the outcome: the send's nonce drops a repeat)."""
        async with self.db.transaction():
            await self.db.execute(
                "INSERT INTO event_reminders (event_id, kind, user_id, outcome, updated_at) VALUES (?, ?, ?, 'sending', ?) "
                "ON CONFLICT DO NOTHING", (event_id, kind, user_id, to_db(now)),
            )
            row = await self.db.fetchone(
                "SELECT outcome FROM event_reminders WHERE event_id = ? AND kind = ? AND user_id = ?",
                (event_id, kind, user_id),
            )
        return row is not None and row["outcome"] == "sending"

    async def finish_reminder(self, event_id: int, kind: str, user_id: int, outcome: str, now: datetime) -> None:
        await self.db.execute(
            "UPDATE event_reminders SET outcome = ?, updated_at = ? WHERE event_id = ? AND kind = ? AND user_id = ?",
            (outcome, to_db(now), event_id, kind, user_id),
        )

    async def reminder_outcomes(self, event_id: int, kind: str) -> dict[int, str]:
        rows = await self.db.fetchall(
            "SELECT user_id, outcome FROM event_reminders WHERE event_id = ? AND kind = ?", (event_id, kind)
        )
        return {int(r["user_id"]): str(r["outcome"]) for r in rows}

    async def forget_reminders(self, event_id: int) -> None:
        """A new time: the reminders are sent again for it."""
        await self.db.execute("DELETE FROM event_reminders WHERE event_id = ?", (event_id,))

    # --- series ----------------------------------------------------------------------------

    async def create_series(self, guild_id: int, occurrences: int, now: datetime) -> int:
        return await self.db.insert(
            "INSERT INTO event_series (guild_id, occurrences, created_at) VALUES (?, ?, ?)",
            (guild_id, occurrences, to_db(now)),
        )

    async def next_of_series(self, series_id: int) -> tuple[int, dict[str, Any]] | None:
        """Claim the series' next occurrence number and return it with the latest occurrence,
        or None when the series is complete or ended."""
        async with self.db.transaction():
            claimed = await self.db.execute(
                "UPDATE event_series SET made = made + 1 WHERE id = ? AND status = 'active' AND made < occurrences",
                (series_id,),
            )
            if not claimed:
                return None
            series = await self.db.fetchone("SELECT made FROM event_series WHERE id = ?", (series_id,))
            latest = await self.db.fetchone(
                "SELECT * FROM events WHERE series_id = ? ORDER BY occurrence DESC LIMIT 1", (series_id,)
            )
        if series is None or latest is None:
            return None
        return int(series["made"]), dict(latest)

    async def series_left(self, series_id: int) -> int:
        row = await self.db.fetchone(
            "SELECT occurrences - made AS n FROM event_series WHERE id = ? AND status = 'active'", (series_id,)
        )
        return int(row["n"]) if row else 0

    async def end_series(self, series_id: int) -> None:
        await self.db.execute("UPDATE event_series SET status = 'ended' WHERE id = ?", (series_id,))

    # --- the member's own data -------------------------------------------------------------

    async def for_member(self, user_id: int, guild_id: int) -> list[dict[str, Any]]:
        """The member's answers and reminders in the guild, and the events they organised there."""
        rows = await self.db.fetchall(
            "SELECT e.title, e.starts_at, r.status, r.source, r.updated_at FROM event_rsvps r "
            "JOIN events e ON e.id = r.event_id WHERE r.user_id = ? AND e.guild_id = ? ORDER BY e.starts_at",
            (user_id, guild_id),
        )
        reminders = await self.db.fetchall(
            "SELECT e.title, m.kind, m.outcome, m.updated_at FROM event_reminders m JOIN events e ON e.id = m.event_id "
            "WHERE m.user_id = ? AND e.guild_id = ? ORDER BY m.updated_at", (user_id, guild_id),
        )
        organised = await self.db.fetchall(
            "SELECT title, starts_at, status FROM events WHERE organiser_id = ? AND guild_id = ? ORDER BY starts_at",
            (user_id, guild_id),
        )
        return ([dict(r) for r in rows] + [{"reminder": dict(r)} for r in reminders]
                + [{"organised": dict(r)} for r in organised])

    async def erase_member(self, user_id: int, guild_id: int) -> tuple[int, list[int]]:
        """Remove the member's answers and reminders in the guild; also the events where they
        were Going, whose freed places the caller fills."""
        events = "SELECT id FROM events WHERE guild_id = ?"
        async with self.db.transaction():
            going = await self.db.fetchall(
                f"SELECT event_id FROM event_rsvps WHERE user_id = ? AND status = 'going' AND event_id IN ({events})",
                (user_id, guild_id),
            )
            removed = await self.db.execute(
                f"DELETE FROM event_rsvps WHERE user_id = ? AND event_id IN ({events})", (user_id, guild_id)
            )
            removed += await self.db.execute(
                f"DELETE FROM event_reminders WHERE user_id = ? AND event_id IN ({events})", (user_id, guild_id)
            )
        return removed, [int(r["event_id"]) for r in going]
