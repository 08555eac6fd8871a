from __future__ import annotations

import pytest

SQL = "SELECT locale FROM guilds WHERE guild_id = ?"


async def add(db, guild_id: int, locale: str = "fi") -> None:
    await db.execute(
        "INSERT INTO guilds (guild_id, locale, created_at, updated_at) VALUES (?, ?, 'x', 'x')", (guild_id, locale)
    )


async def test_a_cached_read_is_never_stale(db):
    await add(db, 1)
    assert (await db.fetchone(SQL, (1,), cached=True))["locale"] == "fi"
    await db.execute("UPDATE guilds SET locale = 'sv' WHERE guild_id = 1")
    assert (await db.fetchone(SQL, (1,), cached=True))["locale"] == "sv"
    async with db.transaction():
        await db.execute("UPDATE guilds SET locale = 'en' WHERE guild_id = 1")
    assert (await db.fetchone(SQL, (1,), cached=True))["locale"] == "en"


async def test_nothing_read_inside_a_rolled_back_transaction_is_remembered(db):
    await add(db, 2)
    assert (await db.fetchone(SQL, (2,), cached=True))["locale"] == "fi"
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute("UPDATE guilds SET locale = 'sv' WHERE guild_id = 2")
            assert (await db.fetchone(SQL, (2,), cached=True))["locale"] == "sv"
            raise RuntimeError
    assert (await db.fetchone(SQL, (2,), cached=True))["locale"] == "fi"


async def test_cached_rows_cannot_be_changed_by_a_caller(db):
    await add(db, 3)
    rows = await db.fetchall(SQL, (3,), cached=True)
    rows.clear()
    assert len(await db.fetchall(SQL, (3,), cached=True)) == 1
