"""Rows that fire later: pending → claimed → done | missed | cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.db.codec import from_db, to_db
from bot.db.connection import Database


@dataclass(frozen=True)
class Job:
    id: int
    guild_id: int | None
    kind: str
    ref_id: int
    due_at: datetime
    grace: timedelta
    status: str
    attempts: int


def _job(row: aiosqlite.Row) -> Job:
    return Job(
        id=int(row["id"]),
        guild_id=row["guild_id"],
        kind=str(row["kind"]),
        ref_id=int(row["ref_id"]),
        due_at=from_db(row["due_at"]),
        grace=timedelta(seconds=int(row["grace_s"])),
        status=str(row["status"]),
        attempts=int(row["attempts"]),
    )


_COLUMNS = "id, guild_id, kind, ref_id, due_at, grace_s, status, attempts"


class JobRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def upsert(
        self, guild_id: int | None, kind: str, ref_id: int, due_at: datetime, grace: timedelta, now: datetime
    ) -> Job:
        """Schedule (kind, ref_id) at ``due_at``; a pending one is moved instead of doubled."""
        async with self.db.transaction():
            moved = await self.db.execute(
                "UPDATE jobs SET due_at = ?, grace_s = ?, updated_at = ? "
                "WHERE kind = ? AND ref_id = ? AND status = 'pending'",
                (to_db(due_at), int(grace.total_seconds()), to_db(now), kind, ref_id),
            )
            if not moved:
                await self.db.insert(
                    "INSERT INTO jobs (guild_id, kind, ref_id, due_at, grace_s, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (guild_id, kind, ref_id, to_db(due_at), int(grace.total_seconds()), to_db(now), to_db(now)),
                )
            job = await self.get_live(kind, ref_id)
        assert job is not None
        return job

    async def move(self, kind: str, ref_id: int, due_at: datetime, now: datetime) -> Job | None:
        """Move (kind, ref_id) to ``due_at`` if it is pending; None when there is no such job."""
        moved = await self.db.execute(
            "UPDATE jobs SET due_at = ?, updated_at = ? WHERE kind = ? AND ref_id = ? AND status = 'pending'",
            (to_db(due_at), to_db(now), kind, ref_id),
        )
        return await self.get_live(kind, ref_id) if moved else None

    async def get_live(self, kind: str, ref_id: int) -> Job | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM jobs WHERE kind = ? AND ref_id = ? AND status IN ('pending', 'claimed')",
            (kind, ref_id),
        )
        return None if row is None else _job(row)

    async def pending(self) -> list[Job]:
        rows = await self.db.fetchall(f"SELECT {_COLUMNS} FROM jobs WHERE status = 'pending' ORDER BY due_at")
        return [_job(r) for r in rows]

    async def due(self, now: datetime) -> list[Job]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM jobs WHERE status = 'pending' AND due_at <= ? ORDER BY due_at", (to_db(now),)
        )
        return [_job(r) for r in rows]

    async def claim(self, job_id: int, now: datetime) -> bool:
        """Atomically take a pending job; False when someone else already has."""
        return bool(
            await self.db.execute(
                "UPDATE jobs SET status = 'claimed', attempts = attempts + 1, updated_at = ? "
                "WHERE id = ? AND status = 'pending'",
                (to_db(now), job_id),
            )
        )

    async def finish(self, job_id: int, status: str, now: datetime) -> None:
        await self.db.execute(
            "UPDATE jobs SET status = ?, updated_at = ? WHERE id = ?", (status, to_db(now), job_id)
        )

    async def retry(self, job_id: int, due_at: datetime, now: datetime) -> None:
        await self.db.execute(
            "UPDATE jobs SET status = 'pending', due_at = ?, updated_at = ? WHERE id = ? AND status = 'claimed'",
            (to_db(due_at), to_db(now), job_id),
        )

    async def cancel(self, kind: str, ref_id: int, now: datetime) -> bool:
        return bool(
            await self.db.execute(
                "UPDATE jobs SET status = 'cancelled', updated_at = ? "
                "WHERE kind = ? AND ref_id = ? AND status = 'pending'",
                (to_db(now), kind, ref_id),
            )
        )

    async def release_claimed(self, now: datetime) -> int:
        """At start: a job claimed by a process that died mid-send goes back to pending.
        A send that carries a nonce is then dropped by Discord if it had gone out."""
        return await self.db.execute(
            "UPDATE jobs SET status = 'pending', updated_at = ? WHERE status = 'claimed'", (to_db(now),)
        )
