"""Key rotation on a database filled by every feature: every sealed value opens with the new key
and not the old, tags follow their member, it is all or nothing, and the key file is swapped
so that an interruption at any point leaves a key that opens the data."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet

from bot.db.cases import pseudonym
from bot.db.company import CompanyRepo
from bot.db.connection import Database
from bot.db.crypto import Sealer
from bot.db.jobs import JobRepo
from bot.db.rotation import IN_USE, reseal, rotate_key, rotated_pseudonym
from bot.db.sealed import SEALED, key_status, sealer_for
from bot.db.volunteer import VolunteerRepo
from bot.errors import ConfigError, KohtaamoError
from bot.scheduling import Scheduler
from bot.services.company import CompanyService, Kind
from bot.services.volunteer import Audience, VolunteerService
from tests.unit.sealed_env import ERASED, GUILD, MARKS, MEMBER, OTHER, STORED, fill


async def opened(db: Database, sealer: Sealer) -> dict[tuple[str, str, Any], str | None]:
    values = {}
    for entry in SEALED:
        for column in entry.columns:
            for row in await db.fetchall(f"SELECT {entry.key} AS k, {column} AS v FROM {entry.table} WHERE v IS NOT NULL"):
                values[(entry.table, column, row["k"])] = sealer.open(row["v"])
    return values


async def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    tables = [str(r[0]) for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: [tuple(r) for r in await db.fetchall(f"SELECT rowid, * FROM {t} ORDER BY rowid")] for t in tables}


@pytest.fixture
async def world(tmp_path, clock):
    world = await fill(tmp_path / "k.db", Sealer(Fernet.generate_key()), clock)
    yield world
    await world.db.close()


async def test_every_value_opens_with_the_new_key_only_and_tags_follow_their_member(world):
    db, old, new = world.db, world.sealer, Sealer(Fernet.generate_key())
    before = await opened(db, old)
    assert set(before.values()) >= STORED
    vote_tag = old.tag("checkin-vote", world.prompt, MEMBER)
    done = await reseal(db, old, new)
    assert done.values == len(before) and done.unlinked == {}
    assert await opened(db, new) == before
    for entry in SEALED:
        for column in entry.columns:
            for row in await db.fetchall(f"SELECT {column} FROM {entry.table} WHERE {column} IS NOT NULL"):
                with pytest.raises(ConfigError):
                    old.open(row[0])
    tags = await db.fetchall("SELECT id, requester_tag FROM company_requests ORDER BY id")
    assert [r["requester_tag"] for r in tags] == [new.tag(OTHER), new.tag(MEMBER)]
    assert (await db.fetchone("SELECT member_tag FROM company_blocks"))[0] == new.tag(OTHER)  # blocked by request
    assert (await db.fetchone("SELECT voter_tag FROM checkin_votes"))[0] == new.tag("rotated", vote_tag)
    seen = await db.fetchone("SELECT tag FROM impact_seen")
    assert seen[0] == new.tag("rotated", old.tag("impact", GUILD, "2026-12-02", MEMBER))
    erased = await db.fetchall("SELECT target_user_id FROM cases WHERE target_user_id < 0")
    assert [r[0] for r in erased] == [rotated_pseudonym(new, pseudonym(old, GUILD, ERASED))]


async def test_after_rotation_a_member_still_finds_their_request_and_a_block_still_holds(world):
    db, new = world.db, Sealer(Fernet.generate_key())
    await reseal(db, world.sealer, new)
    scheduler = Scheduler(JobRepo(db), world.clock, timers=False)
    company = CompanyService(CompanyRepo(db, new), VolunteerService(VolunteerRepo(db), scheduler, world.clock),
                             scheduler, world.clock)
    mine = await company.active_for_member(MEMBER)
    assert mine is not None and mine.id == world.live.id and mine.topic == MARKS["topic"]
    assert [text for _, text in await company.held(world.live.id)] == [MARKS["held"]]
    assert await company.requester_of(world.ended.id) == OTHER
    with pytest.raises(KohtaamoError, match="can't ask for company on this server"):
        await company.open(GUILD, OTHER, audience=Audience.CAREGIVER, language="fi", kind=Kind.CHAT_NOW,
                           topic=None, locale="fi")


async def test_one_value_that_does_not_open_leaves_everything_as_it_was(world):
    db, old = world.db, world.sealer
    stranger = Sealer(Fernet.generate_key()).seal("9")
    await db.execute("UPDATE checkin_loneliness SET answer_enc = ?", (stranger,))  # the last table re-sealed
    before = await dump(db)
    with pytest.raises(ConfigError, match="checkin_loneliness.answer_enc does not open"):
        await reseal(db, old, Sealer(Fernet.generate_key()))
    assert await dump(db) == before


async def test_the_key_file_is_swapped_and_no_leftover_stays(world, tmp_path):
    path = tmp_path / "k.db"
    (tmp_path / "k.key").write_bytes(Fernet.generate_key())
    await world.db.close()
    with pytest.raises(ConfigError, match="k.key does not open the stored values"):
        await rotate_key(None, path, None, print)
    (tmp_path / "k.key").write_bytes(b"not a key")
    with pytest.raises(ConfigError, match="k.key does not hold a valid key"):
        await rotate_key(None, path, None, print)
    key = tmp_path / "k.key"
    old_key = Fernet.generate_key()
    said: list[str] = []
    world.db = await Database.open(path)
    await reseal(world.db, world.sealer, Sealer(old_key))  # the data under the key file's key
    key.write_bytes(old_key)
    await world.db.close()
    await rotate_key(None, path, None, said.append)
    assert sorted(p.name for p in tmp_path.iterdir() if ".key" in p.name) == ["k.key"]
    assert said[-1].startswith("done: ") and key.read_bytes() != old_key
    world.db = await Database.open(path)
    assert set((await opened(world.db, Sealer(key.read_bytes()))).values()) >= STORED
    assert not (await key_status(world.db, None, path)).problem


async def test_an_interrupted_rotation_is_finished_or_undone(world, tmp_path):
    path, key, pending = tmp_path / "k.db", tmp_path / "k.key", tmp_path / "k.key.new"
    old_key, new_key = Fernet.generate_key(), Fernet.generate_key()
    await reseal(world.db, world.sealer, Sealer(old_key))
    key.write_bytes(old_key)
    # stopped before the commit: .key.new holds a key nothing is sealed with
    pending.write_bytes(new_key)
    assert "did not finish" in (await key_status(world.db, None, path)).line
    with pytest.raises(ConfigError, match="rotate-key"):
        await sealer_for(world.db, None, path)  # the bot does not start meanwhile
    await world.db.close()
    said: list[str] = []
    await rotate_key(None, path, None, said.append)
    assert "had not re-sealed anything" in said[0] and said[-1].startswith("done: ")
    # stopped after the commit, before the swap: the data opens with .key.new only
    current = key.read_bytes()
    world.db = await Database.open(path)
    await reseal(world.db, Sealer(current), Sealer(new_key))
    pending.write_bytes(new_key)
    await world.db.close()
    said.clear()
    await rotate_key(None, path, None, said.append)
    assert said == [f"done: finished the rotation that was interrupted; {key} holds the new key"]
    assert key.read_bytes() == new_key and not pending.exists()
    world.db = await Database.open(path)
    assert MARKS["topic"] in (await opened(world.db, Sealer(new_key))).values()
    # stopped while writing .key.new: a torn key is thrown away like one nothing is sealed with
    pending.write_bytes(Fernet.generate_key()[:20])
    await world.db.close()
    said.clear()
    await rotate_key(None, path, None, said.append)
    assert "had not re-sealed anything" in said[0] and said[-1].startswith("done: ") and not pending.exists()
    world.db = await Database.open(path)
    assert MARKS["topic"] in (await opened(world.db, Sealer(key.read_bytes()))).values()


async def test_with_data_key_the_new_key_is_shown_before_anything_changes(world, tmp_path):
    path, old_key = tmp_path / "k.db", Fernet.generate_key().decode()
    await reseal(world.db, world.sealer, Sealer(old_key))
    await world.db.close()
    said: list[str] = []
    await rotate_key(old_key, path, None, said.append)
    assert said[0].startswith("DATA_KEY=") and said[2].startswith("re-sealed ")
    new_key = said[0].removeprefix("DATA_KEY=")
    world.db = await Database.open(path)
    assert MARKS["reason"] in (await opened(world.db, Sealer(new_key))).values()
    assert "wrong key" in (await key_status(world.db, old_key, path)).line
    await world.db.close()
    said.clear()
    supplied = Fernet.generate_key().decode()
    await rotate_key(new_key, path, supplied, said.append)
    assert not any(supplied in line for line in said)  # the operator has it already
    with pytest.raises(ConfigError, match="--new-key is not a valid key"):
        await rotate_key(supplied, path, "short", said.append)
    world.db = await Database.open(path)


async def test_refused_while_another_connection_has_the_database_open(world, tmp_path):
    before = await dump(world.db)
    with pytest.raises(ConfigError) as raised:
        await rotate_key(Fernet.generate_key().decode(), tmp_path / "k.db", None, print)
    assert str(raised.value) == IN_USE
    assert await dump(world.db) == before


async def test_a_block_keeps_its_member_even_when_nothing_else_about_them_is_kept(world):
    await world.db.execute("DELETE FROM company_requests WHERE id = ?", (world.ended.id,))
    await world.db.execute("UPDATE reports SET author_id = 5")  # no other id of the blocked member is kept
    new = Sealer(Fernet.generate_key())
    done = await reseal(world.db, world.sealer, new)
    assert done.unlinked == {}
    assert (await world.db.fetchone("SELECT member_tag FROM company_blocks"))[0] == new.tag(OTHER)


async def test_a_block_made_before_blocks_kept_their_member_and_no_longer_known_is_counted_as_unlinked(world):
    await world.db.execute("DELETE FROM company_requests WHERE id = ?", (world.ended.id,))
    await world.db.execute("UPDATE reports SET author_id = 5")  # no id of the blocked member is kept now
    await world.db.execute("UPDATE company_blocks SET member_enc = NULL")  # as blocks made before migration 0013
    new = Sealer(Fernet.generate_key())
    done = await reseal(world.db, world.sealer, new)
    assert done.unlinked == {"company_blocks.member_tag": 1}
    assert (await world.db.fetchone("SELECT member_tag FROM company_blocks"))[0] == new.tag("rotated", world.sealer.tag(OTHER))
