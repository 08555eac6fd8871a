from __future__ import annotations

import sqlite3

import pytest

from bot.db.connection import Database
from bot.db.migrate import available, current_version, migrate
from bot.errors import ConfigError


async def test_fresh_database_gets_every_migration(tmp_path):
    db = await Database.open(tmp_path / "a.db")
    applied = await migrate(db)
    assert applied == [m.version for m in available()]
    assert await current_version(db) == len(available())
    assert await migrate(db) == []  # a second run changes nothing
    await db.close()


async def test_populated_database_keeps_its_rows_and_gains_new_migrations(tmp_path):
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_first.sql").write_text("CREATE TABLE t (x INTEGER);")
    db = await Database.open(tmp_path / "a.db")
    assert await migrate(db, folder) == [1]
    await db.execute("INSERT INTO t (x) VALUES (41), (42)")
    (folder / "0002_second.sql").write_text("ALTER TABLE t ADD COLUMN y TEXT DEFAULT 'ok';")
    assert await migrate(db, folder) == [2]
    rows = await db.fetchall("SELECT x, y FROM t ORDER BY x")
    assert [tuple(r) for r in rows] == [(41, "ok"), (42, "ok")]
    await db.close()


async def test_a_failing_migration_leaves_nothing_half_done(tmp_path):
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_first.sql").write_text("CREATE TABLE t (x INTEGER);")
    (folder / "0002_broken.sql").write_text("CREATE TABLE u (x INTEGER);\nTHIS IS NOT SQL;")
    db = await Database.open(tmp_path / "a.db")
    with pytest.raises(sqlite3.Error):
        await migrate(db, folder)
    assert await current_version(db) == 1
    assert await db.fetchone("SELECT name FROM sqlite_master WHERE name = 'u'") is None
    await db.close()


async def test_database_newer_than_the_code_is_refused(tmp_path):
    db = await Database.open(tmp_path / "a.db")
    await migrate(db)
    await db.execute(f"PRAGMA user_version = {len(available()) + 1}")
    with pytest.raises(ConfigError, match="newer than this code"):
        await migrate(db)
    await db.close()


async def test_badly_named_or_gapped_migrations_are_refused(tmp_path):
    (tmp_path / "0001_ok.sql").write_text("")
    (tmp_path / "0003_gap.sql").write_text("")
    with pytest.raises(ConfigError, match="without gaps"):
        available(tmp_path)
    (tmp_path / "oops.sql").write_text("")
    with pytest.raises(ConfigError, match="NNNN_name.sql"):
        available(tmp_path)


async def test_unwritable_database_path_is_a_config_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="DATABASE_PATH"):
        await Database.open(blocker / "sub" / "k.db")


async def test_transaction_rolls_back_on_error(db):
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute("INSERT INTO guilds (guild_id, created_at, updated_at) VALUES (1, 'x', 'x')")
            raise RuntimeError("boom")
    assert await db.fetchone("SELECT * FROM guilds") is None


async def test_pragmas_are_set(db):
    assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
    assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1
    assert (await db.fetchone("PRAGMA busy_timeout"))[0] == 5000


async def test_backup_copies_a_live_database(db, tmp_path):
    await db.execute("INSERT INTO guilds (guild_id, created_at, updated_at) VALUES (7, 'x', 'x')")
    await db.backup(tmp_path / "copy.db")
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("SELECT guild_id FROM guilds").fetchall() == [(7,)]
    copy.close()
