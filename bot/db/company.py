"""Company requests, their feedback, reveals, blocks, and what the member writes while waiting.

Sensitive values are sealed here and nowhere else: the topic, kept messages, feedback text,
reasons, and the link from a request to its member. The member's user id is stored only
encrypted (``requester_enc``) plus a keyed tag (``requester_tag``) that lookups compare against."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import aiosqlite

from bot.db.cases import CaseRepo
from bot.db.codec import from_db, from_db_opt, to_db
from bot.db.connection import Database
from bot.db.crypto import Sealer

# A decoded row: plain Python values, keys as in the service's Request (plus ``give_up_at``).
Decoded = dict[str, Any]

PSEUDONYMS = range(1000, 10000)
_LIVE = "('open', 'claimed')"
_COLUMNS = (
    "id, guild_id, pseudonym, audience, language, kind, topic_enc, locale, status, created_at, give_up_at, "
    "escalated_at, claimed_by, claimed_at, ended_at, ended_by, card_channel_id, card_message_id, thread_id, "
    "concern_raised_at"
)


class CompanyRepo:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self.db = db
        self.sealer = sealer
        self.cases = CaseRepo(db, sealer)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Several calls that must hold together (the service's checks and its write)."""
        async with self.db.transaction():
            yield

    def _decode(self, row: aiosqlite.Row) -> Decoded:
        return {
            "id": int(row["id"]),
            "guild_id": int(row["guild_id"]),
            "pseudonym": int(row["pseudonym"]),
            "audience": str(row["audience"]),
            "language": str(row["language"]),
            "kind": str(row["kind"]),
            "topic": self.sealer.open(row["topic_enc"]),
            "locale": str(row["locale"]),
            "status": str(row["status"]),
            "created_at": from_db(row["created_at"]),
            "give_up_at": from_db(row["give_up_at"]),
            "escalated": row["escalated_at"] is not None,
            "claimed_by": row["claimed_by"],
            "claimed_at": from_db_opt(row["claimed_at"]),
            "ended_at": from_db_opt(row["ended_at"]),
            "ended_by": row["ended_by"],
            "card_channel_id": row["card_channel_id"],
            "card_message_id": row["card_message_id"],
            "thread_id": row["thread_id"],
            "concern_raised": row["concern_raised_at"] is not None,
        }

    async def _one(self, where: str, params: tuple[Any, ...]) -> Decoded | None:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM company_requests WHERE {where}", params, cached=True)
        return None if row is None else self._decode(row)

    # --- reading -------------------------------------------------------------------------

    async def get(self, request_id: int) -> Decoded | None:
        return await self._one("id = ?", (request_id,))

    async def by_thread(self, thread_id: int) -> Decoded | None:
        return await self._one("thread_id = ?", (thread_id,))

    async def live_for_member(self, user_id: int) -> Decoded | None:
        return await self._one(
            f"requester_tag = ? AND status IN {_LIVE} ORDER BY created_at DESC, id DESC LIMIT 1",
            (self.sealer.tag(user_id),),
        )

    async def owned_by(self, request_id: int, user_id: int) -> bool:
        row = await self.db.fetchone(
            "SELECT 1 FROM company_requests WHERE id = ? AND requester_tag = ?", (request_id, self.sealer.tag(user_id)),
            cached=True,
        )
        return row is not None

    async def requester_of(self, request_id: int) -> int | None:
        row = await self.db.fetchone(
            "SELECT requester_enc FROM company_requests WHERE id = ?", (request_id,), cached=True
        )
        if row is None:
            return None
        opened = self.sealer.open(row["requester_enc"])
        return int(opened) if opened else None  # "": forgotten by the retention purge

    async def count_since(self, guild_id: int, user_id: int, since: datetime) -> int:
        """Requests the member made in this guild since ``since``; withdrawn ones do not count."""
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM company_requests WHERE requester_tag = ? AND guild_id = ? "
            "AND created_at > ? AND status != 'withdrawn'",
            (self.sealer.tag(user_id), guild_id, to_db(since)),
        )
        assert row is not None
        return int(row[0])

    # --- writing -------------------------------------------------------------------------

    async def create(
        self,
        guild_id: int,
        user_id: int,
        *,
        audience: str,
        language: str,
        kind: str,
        topic: str | None,
        locale: str,
        now: datetime,
        give_up_at: datetime,
    ) -> Decoded:
        """Store a new open request under a pseudonym no live request of the guild uses."""
        async with self.db.transaction():
            rows = await self.db.fetchall(
                f"SELECT pseudonym FROM company_requests WHERE guild_id = ? AND status IN {_LIVE}", (guild_id,)
            )
            used = {int(r[0]) for r in rows}
            free = [n for n in PSEUDONYMS if n not in used]
            request_id = await self.db.insert(
                "INSERT INTO company_requests (guild_id, requester_tag, requester_enc, pseudonym, audience, "
                "language, kind, topic_enc, locale, created_at, give_up_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (guild_id, self.sealer.tag(user_id), self.sealer.seal(str(user_id)), secrets.choice(free),
                 audience, language, kind, self.sealer.seal(topic), locale, to_db(now), to_db(give_up_at)),
            )
            created = await self.get(request_id)
        assert created is not None
        return created

    async def withdraw(self, request_id: int, now: datetime) -> bool:
        return await self._ending(request_id, await self._change(
            "status = 'withdrawn', ended_at = ?, ended_by = 'system' WHERE id = ? AND status = 'open'",
            (to_db(now), request_id),
        ))

    async def attach_card(self, request_id: int, channel_id: int, message_id: int) -> bool:
        return await self._change(
            "card_channel_id = ?, card_message_id = ? WHERE id = ?", (channel_id, message_id, request_id)
        )

    async def set_thread(self, request_id: int, thread_id: int) -> bool:
        return await self._change("thread_id = ? WHERE id = ?", (thread_id, request_id))

    async def claim(self, request_id: int, volunteer_id: int, now: datetime) -> bool:
        """The one atomic step that decides who wins a request."""
        return await self._change(
            "status = 'claimed', claimed_by = ?, claimed_at = ? WHERE id = ? AND status = 'open'",
            (volunteer_id, to_db(now), request_id),
        )

    async def unclaim(self, request_id: int, volunteer_id: int) -> bool:
        return await self._change(
            "status = 'open', claimed_by = NULL, claimed_at = NULL "
            "WHERE id = ? AND status = 'claimed' AND claimed_by = ?",
            (request_id, volunteer_id),
        )

    async def close(self, request_id: int, by: str, now: datetime, *, claimed_by: int | None = None) -> bool:
        """An open request becomes cancelled, a claimed one ended — whichever it is at this instant.
        With ``claimed_by``, only when that volunteer holds it."""
        condition = "" if claimed_by is None else " AND claimed_by = ?"
        params: tuple[Any, ...] = (to_db(now), by, request_id) + (() if claimed_by is None else (claimed_by,))
        return await self._ending(request_id, await self._change(
            "status = CASE status WHEN 'open' THEN 'cancelled' ELSE 'ended' END, ended_at = ?, ended_by = ? "
            f"WHERE id = ? AND status IN {_LIVE}{condition}",
            params,
        ))

    async def end_claimed_by(self, guild_id: int, volunteer_id: int, now: datetime) -> list[int]:
        """End every conversation the volunteer holds in the guild (ended by the system)."""
        async with self.db.transaction():
            rows = await self.db.fetchall(
                "SELECT id FROM company_requests WHERE guild_id = ? AND claimed_by = ? AND status = 'claimed'",
                (guild_id, volunteer_id),
            )
            ids = [int(r[0]) for r in rows]
            for request_id in ids:
                await self.close(request_id, "system", now)
        return ids

    async def cancel_open_of(self, guild_id: int, tag: str, by: str, now: datetime) -> list[int]:
        """Cancel the open (not claimed) request in the guild of the member with ``tag``."""
        async with self.db.transaction():
            rows = await self.db.fetchall(
                "SELECT id FROM company_requests WHERE guild_id = ? AND requester_tag = ? AND status = 'open'",
                (guild_id, tag),
            )
            ids = [int(r[0]) for r in rows]
            for request_id in ids:
                await self.close(request_id, by, now)
        return ids

    async def mark_escalated(self, request_id: int, now: datetime) -> bool:
        return await self._change(
            "escalated_at = COALESCE(escalated_at, ?) WHERE id = ? AND status = 'open'", (to_db(now), request_id)
        )

    async def keep_waiting(self, request_id: int, give_up_at: datetime) -> bool:
        return await self._change(
            "give_up_at = ? WHERE id = ? AND status = 'open'", (to_db(give_up_at), request_id)
        )

    async def raise_concern(self, request_id: int, volunteer_id: int, now: datetime) -> bool:
        return await self._change(
            "concern_raised_at = ? WHERE id = ? AND claimed_by = ? AND status IN ('claimed', 'ended')",
            (to_db(now), request_id, volunteer_id),
        )

    async def _ending(self, request_id: int, ended: bool) -> bool:
        """A request that ended keeps no messages for a thread: they go with its relay state."""
        if ended:
            await self.db.execute("DELETE FROM company_pending_messages WHERE request_id = ?", (request_id,))
        return ended

    async def _change(self, assignment_and_where: str, params: tuple[Any, ...]) -> bool:
        return bool(await self.db.execute(f"UPDATE company_requests SET {assignment_and_where}", params))

    # --- feedback, reveals, blocks, cases --------------------------------------------------

    async def add_feedback(self, request_id: int, rating: int, text: str | None, now: datetime) -> bool:
        """False when the conversation already has feedback."""
        return bool(
            await self.db.execute(
                "INSERT INTO company_feedback (request_id, rating, text_enc, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (request_id) DO NOTHING",
                (request_id, rating, self.sealer.seal(text), to_db(now)),
            )
        )

    async def record_reveal(self, guild_id: int, request_id: int, moderator_id: int, reason: str, now: datetime) -> None:
        await self.db.insert(
            "INSERT INTO company_reveals (guild_id, request_id, moderator_id, reason_enc, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (guild_id, request_id, moderator_id, self.sealer.seal(reason), to_db(now)),
        )

    def member_tag(self, user_id: int) -> str:
        """The keyed tag blocks and look-ups compare against: never the id itself."""
        return self.sealer.tag(user_id)

    async def requester_tag(self, request_id: int) -> str | None:
        """The tag of the member behind a request: a block by request number needs no id."""
        row = await self.db.fetchone("SELECT requester_tag FROM company_requests WHERE id = ?", (request_id,))
        return None if row is None else str(row[0])

    async def is_blocked(self, guild_id: int, tag: str) -> bool:
        row = await self.db.fetchone(
            "SELECT 1 FROM company_blocks WHERE guild_id = ? AND member_tag = ?", (guild_id, tag)
        )
        return row is not None

    async def add_block(self, guild_id: int, member_id: int, case_id: int, now: datetime) -> None:
        await self.db.insert(
            "INSERT INTO company_blocks (guild_id, member_tag, member_enc, case_id, created_at) VALUES (?, ?, ?, ?, ?)",
            (guild_id, self.sealer.tag(member_id), self.sealer.seal(str(member_id)), case_id, to_db(now)),
        )

    async def blocked_since(self, guild_id: int, user_id: int) -> datetime | None:
        row = await self.db.fetchone(
            "SELECT created_at FROM company_blocks WHERE guild_id = ? AND member_tag = ?",
            (guild_id, self.sealer.tag(user_id)),
        )
        return None if row is None else from_db(row["created_at"])

    async def remove_block(self, guild_id: int, tag: str) -> bool:
        return bool(
            await self.db.execute("DELETE FROM company_blocks WHERE guild_id = ? AND member_tag = ?", (guild_id, tag))
        )

    # --- what the member writes before the conversation opens ------------------------------

    async def hold(self, request_id: int, text: str, now: datetime, cap: int) -> int:
        """Keep a message for the thread (sealed); returns how many are now kept, or 0 when the
        request already holds ``cap``."""
        async with self.db.transaction():
            row = await self.db.fetchone(
                "SELECT COUNT(*) FROM company_pending_messages WHERE request_id = ?", (request_id,)
            )
            assert row is not None
            if int(row[0]) >= cap:
                return 0
            await self.db.insert(
                "INSERT INTO company_pending_messages (request_id, text_enc, created_at) VALUES (?, ?, ?)",
                (request_id, self.sealer.seal(text), to_db(now)),
            )
        return int(row[0]) + 1

    async def held(self, request_id: int) -> list[tuple[int, str]]:
        """Kept messages, oldest first, as (id, text)."""
        rows = await self.db.fetchall(
            "SELECT id, text_enc FROM company_pending_messages WHERE request_id = ? ORDER BY id", (request_id,),
            cached=True,  # read before every relayed message: nearly always empty
        )
        return [(int(r["id"]), self.sealer.open(r["text_enc"]) or "") for r in rows]

    async def drop_held(self, message_id: int) -> None:
        await self.db.execute("DELETE FROM company_pending_messages WHERE id = ?", (message_id,))

    async def with_held(self) -> list[int]:
        """Claimed requests with a thread and messages still kept (a restart during delivery)."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT r.id FROM company_requests r JOIN company_pending_messages p ON p.request_id = r.id "
            "WHERE r.status = 'claimed' AND r.thread_id IS NOT NULL ORDER BY r.id"
        )
        return [int(r[0]) for r in rows]

    async def stalled_claims(self, before: datetime) -> list[tuple[int, int]]:
        """Requests taken before ``before`` whose thread never opened (the bot stopped in between),
        as (request id, volunteer id)."""
        rows = await self.db.fetchall(
            "SELECT id, claimed_by FROM company_requests WHERE status = 'claimed' AND thread_id IS NULL "
            "AND claimed_at < ? ORDER BY id", (to_db(before),),
        )
        return [(int(r["id"]), int(r["claimed_by"])) for r in rows]

    async def by_pseudonym(self, guild_id: int, pseudonym: int) -> Decoded | None:
        """The guild's request under that pseudonym: a live one first, else the newest."""
        return await self._one(
            f"guild_id = ? AND pseudonym = ? ORDER BY status IN {_LIVE} DESC, created_at DESC, id DESC LIMIT 1",
            (guild_id, pseudonym),
        )

    # --- the member's own data (privacy export and erasure) --------------------------------

    async def for_member(self, user_id: int, guild_id: int) -> list[tuple[Decoded, int | None, str | None]]:
        """Every request of the member in the guild, oldest first, with its feedback (rating, text) if any."""
        rows = await self.db.fetchall(
            f"SELECT {', '.join('r.' + c for c in _COLUMNS.split(', '))}, f.rating, f.text_enc "
            "FROM company_requests r LEFT JOIN company_feedback f ON f.request_id = r.id "
            "WHERE r.requester_tag = ? AND r.guild_id = ? ORDER BY r.created_at, r.id",
            (self.sealer.tag(user_id), guild_id),
        )
        return [(self._decode(r), r["rating"], self.sealer.open(r["text_enc"])) for r in rows]

    async def taken_by(self, volunteer_id: int, guild_id: int) -> list[dict[str, Any]]:
        """The conversations the volunteer took in the guild (nothing about who asked)."""
        rows = await self.db.fetchall(
            "SELECT id AS request, status, claimed_at, ended_at FROM company_requests WHERE guild_id = ? "
            "AND claimed_by = ? ORDER BY id", (guild_id, volunteer_id),
        )
        return [dict(r) for r in rows]

    async def erase_member(self, user_id: int, guild_id: int) -> tuple[list[int], int]:
        """Delete the member's requests in the guild (their feedback goes with them) and forget them
        as the volunteer of ended ones; return the deleted ids and how many were forgotten."""
        tag = self.sealer.tag(user_id)
        async with self.db.transaction():
            rows = await self.db.fetchall(
                "SELECT id FROM company_requests WHERE requester_tag = ? AND guild_id = ?", (tag, guild_id)
            )
            await self.db.execute("DELETE FROM company_requests WHERE requester_tag = ? AND guild_id = ?", (tag, guild_id))
            taken = await self.db.execute(
                f"UPDATE company_requests SET claimed_by = NULL WHERE guild_id = ? AND claimed_by = ? "
                f"AND status NOT IN {_LIVE}", (guild_id, user_id),
            )
        return [int(r[0]) for r in rows], taken
