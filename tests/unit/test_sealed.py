"""Encryption at rest: the registry of sealed columns and tags is complete, and a database filled
by every feature holds none of its sensitive values in clear, in the file or in its WAL."""

from __future__ import annotations

import sqlite3

from cryptography.fernet import Fernet

from bot.db.crypto import Sealer
from bot.db.sealed import SEALED, TAGS
from tests.unit.sealed_env import CLEAR, LONELY, MARKS, MOOD, VOTE, fill


async def test_every_sealed_or_tag_column_of_the_schema_is_in_the_registry(db):
    sealed = {(e.table, c) for e in SEALED for c in e.columns}
    tags = {(t.table, t.column) for t in TAGS}
    found_sealed, found_tags = set(), set()
    for table in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for column in await db.fetchall(f"PRAGMA table_info({table['name']})"):
            where = (str(table["name"]), str(column["name"]))
            if where[1].endswith("_enc"):
                found_sealed.add(where)
            if "tag" in where[1]:
                found_tags.add(where)
    assert found_sealed == sealed
    assert found_tags == {t for t in tags if "tag" in t[1]}


def _raw(path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_no_sensitive_value_is_in_clear_in_the_file_or_its_wal(tmp_path, clock):
    path = tmp_path / "k.db"
    sealer = Sealer(Fernet.generate_key())
    world = await fill(path, sealer, clock)
    assert (path.with_name("k.db-wal")).stat().st_size > 0  # the WAL holds the writes now
    try:
        for stage in ("with its WAL", "checkpointed"):
            raw = _raw(path)
            assert CLEAR.encode() in raw, stage  # the scan does find text stored in clear
            found = [name for name, mark in MARKS.items() if mark.encode() in raw]
            assert found == [], stage
            await world.db.fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await world.db.close()
    plain = sqlite3.connect(path)
    try:
        for entry in SEALED:
            for column in entry.columns:
                for (value,) in plain.execute(f"SELECT {column} FROM {entry.table} WHERE {column} IS NOT NULL"):
                    assert isinstance(value, bytes) and value.startswith(b"gAAAAA"), (entry.table, column)
                    assert sealer.open(value) is not None
        # moods and loneliness answers have no column of their own: only the sealed value holds them
        assert {sealer.open(r[0]) for r in plain.execute("SELECT mood_enc FROM checkin_moods")} == {str(MOOD)}
        assert {sealer.open(r[0]) for r in plain.execute("SELECT answer_enc FROM checkin_loneliness")} == {str(LONELY)}
        # the room vote is anonymous: its mood is counted in clear, with no member id beside it
        assert plain.execute("SELECT mood, length(voter_tag) FROM checkin_votes").fetchall() == [(VOTE, 64)]
    finally:
        plain.close()
