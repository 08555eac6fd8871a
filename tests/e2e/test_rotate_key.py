"""`kohtaamo rotate-key` and what `kohtaamo check` says about the key, as an operator runs them:
a real subprocess on a database holding sealed values."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime

from cryptography.fernet import Fernet

from bot.db.company import CompanyRepo
from bot.db.connection import Database
from bot.db.crypto import Sealer
from bot.db.migrate import migrate
from tests.e2e.conftest import DATA_KEY
from tests.e2e.test_cli import assert_one_error_line, double_env, kohtaamo
from tests.unit.sealed_env import MARKS, MEMBER, fill

TOPIC = MARKS["topic"]


async def seeded(tmp_path, key: str | bytes) -> None:
    """A migrated database with one sealed value (a request's topic) of member 42."""
    db = await Database.open(tmp_path / "k.db")
    try:
        await migrate(db)
        repo = CompanyRepo(db, Sealer(key))
        now = datetime(2026, 12, 1, tzinfo=UTC)
        await repo.create(1, 42, audience="caregiver", language="fi", kind="listen", topic=TOPIC, locale="fi",
                          now=now, give_up_at=now)
    finally:
        await db.close()


async def topic_and_tag(tmp_path, key: str | bytes) -> tuple[str | None, bool]:
    db = await Database.open(tmp_path / "k.db")
    try:
        row = await db.fetchone("SELECT topic_enc, requester_tag FROM company_requests")
        sealer = Sealer(key)
        return sealer.open(row["topic_enc"]), row["requester_tag"] == sealer.tag(42)
    finally:
        await db.close()


async def test_with_data_key_the_new_key_is_printed_and_the_old_stops_working(tmp_path):
    await seeded(tmp_path, DATA_KEY)
    env = {"DATABASE_PATH": str(tmp_path / "k.db"), "DISCORD_TOKEN": "x"}
    code, out, err = await kohtaamo("check", env=env, cwd=tmp_path)
    assert code == 0 and "key: DATA_KEY opens the stored values" in out, out + err
    code, out, err = await kohtaamo("rotate-key", env=env, cwd=tmp_path)
    assert code == 0, err
    [line] = [x for x in out.splitlines() if x.startswith("DATA_KEY=")]
    new_key = line.removeprefix("DATA_KEY=")
    assert "put the new DATA_KEY in .env" in out and "the old key no longer opens anything" in out
    assert await topic_and_tag(tmp_path, new_key) == (TOPIC, True)
    code, out, _ = await kohtaamo("check", env=env, cwd=tmp_path)
    assert code == 1 and "problem: DATA_KEY is the wrong key" in out
    code, out, _ = await kohtaamo("check", env={**env, "DATA_KEY": new_key}, cwd=tmp_path)
    assert code == 0 and "everything looks right" in out


async def test_with_the_key_file_it_is_replaced_and_leaves_no_other_file(tmp_path):
    await seeded(tmp_path, Fernet.generate_key())  # a key nobody has
    env = {"DATABASE_PATH": str(tmp_path / "k.db"), "DATA_KEY": "", "DISCORD_TOKEN": "x"}
    code, out, _ = await kohtaamo("check", env=env, cwd=tmp_path)
    assert code == 1 and "problem: the key is missing" in out and "cannot be read" in out
    code, _, err = await kohtaamo("rotate-key", env=env, cwd=tmp_path)
    assert code == 2
    assert_one_error_line(err, "there is no key to rotate")
    (tmp_path / "k.db").unlink()
    old = Fernet.generate_key()
    (tmp_path / "k.key").write_bytes(old)
    await seeded(tmp_path, old)
    code, out, err = await kohtaamo("rotate-key", env=env, cwd=tmp_path)
    assert code == 0 and "DATA_KEY=" not in out and f"done: {tmp_path / 'k.key'} holds the new key" in out, err
    assert sorted(p.name for p in tmp_path.iterdir() if ".key" in p.name) == ["k.key"]
    new = (tmp_path / "k.key").read_bytes()
    assert new != old and await topic_and_tag(tmp_path, new) == (TOPIC, True)
    code, out, _ = await kohtaamo("check", env=env, cwd=tmp_path)
    assert code == 0 and f"key: {tmp_path / 'k.key'} opens the stored values" in out


async def test_a_fresh_install_is_told_a_key_will_be_made(tmp_path):
    env = {"DATABASE_PATH": str(tmp_path / "k.db"), "DATA_KEY": "", "DISCORD_TOKEN": "x"}
    assert (await kohtaamo("migrate", env=env, cwd=tmp_path))[0] == 0
    code, out, _ = await kohtaamo("check", env=env, cwd=tmp_path)
    assert code == 0 and "key: none yet" in out and "back it up with the database" in out
    assert not (tmp_path / "k.key").exists()  # check makes nothing


async def test_bad_input_is_one_line_and_changes_nothing(tmp_path):
    env = {"DATABASE_PATH": str(tmp_path / "k.db")}
    code, _, err = await kohtaamo("rotate-key", env=env, cwd=tmp_path)
    assert code == 2
    assert_one_error_line(err, "there is no database at")
    await seeded(tmp_path, DATA_KEY)
    code, _, err = await kohtaamo("rotate-key", "--new-key", "short", env=env, cwd=tmp_path)
    assert code == 2
    assert_one_error_line(err, "--new-key is not a valid key")
    code, _, err = await kohtaamo("rotate-key", env={**env, "DATA_KEY": Fernet.generate_key().decode()}, cwd=tmp_path)
    assert code == 2
    assert_one_error_line(err, "DATA_KEY does not open the stored values")
    assert await topic_and_tag(tmp_path, DATA_KEY) == (TOPIC, True)


async def test_refused_while_the_bot_runs(double, world, tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "DEV_GUILD"))}
    env = double_env(double, tmp_path)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env={**clean, "DATA_KEY": DATA_KEY, **env}, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await double.wait_ready(timeout=30)
        code, _, err = await kohtaamo("rotate-key", env=env, cwd=tmp_path)
        assert code == 2
        assert_one_error_line(err, "is the bot running?")
    finally:
        process.terminate()
        await asyncio.wait_for(process.communicate(), 30)


async def test_every_feature_s_data_survives_a_rotation_through_the_command(tmp_path, clock):
    world = await fill(tmp_path / "k.db", Sealer(DATA_KEY), clock)
    await world.db.close()
    code, out, err = await kohtaamo("rotate-key", env={"DATABASE_PATH": str(tmp_path / "k.db")}, cwd=tmp_path)
    assert code == 0 and "recomputed 3 member tags" in out, err
    new_key = next(x for x in out.splitlines() if x.startswith("DATA_KEY=")).removeprefix("DATA_KEY=")
    db = await Database.open(tmp_path / "k.db")
    try:
        request = await CompanyRepo(db, Sealer(new_key)).live_for_member(MEMBER)
        assert request is not None and request["topic"] == MARKS["topic"]
    finally:
        await db.close()
