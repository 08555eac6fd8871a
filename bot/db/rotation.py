"""``kohtaamo rotate-key``: every sealed value re-sealed and every keyed tag derived again under
a new key, in one transaction (what: bot/db/sealed.py), then the new key put where the bot
reads it.

Order, so that a crash never leaves data sealed under a key nobody has:
- with ``DATA_KEY``: the new key is printed first, then the data is re-sealed; the operator puts
  the key in ``.env``. Should the command stop before it says "done", nothing changed.
- with the key file: the old key is copied to ``.key.old`` and the new one written to ``.key.new``
  (both synced) before re-sealing; after the commit ``.key.new`` replaces ``.key`` (an atomic
  rename) and ``.key.old`` goes. A run that finds ``.key.new`` finishes the swap when the data
  opens with it, and otherwise throws it away (the re-sealing never committed); the bot refuses to
  start until then (``sealed.key_status``).

Tags whose inputs are not kept (room check-in votes, today's activity tags) cannot be recomputed:
they become ``new.tag("rotated", old)``, unique as before but matched by nobody. So a member can
answer a room check-in that is open during the rotation once more, and counts as active twice on
the day of the rotation; their earlier votes are no longer found for their export (they were
anonymous counts already). An erased member's pseudonym is derived again from the old one, so
their kept cases still go together."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

from bot.db.connection import Database
from bot.db.crypto import Sealer, key_file
from bot.db.migrate import available, current_version
from bot.db.sealed import (
    MEMBER_IDS,
    SEALED,
    SEALED_MEMBER_IDS,
    TAGS,
    How,
    opens,
    pending_key_file,
    sample,
)
from bot.errors import ConfigError

IN_USE = "the database is in use (is the bot running?): stop the bot, then run `kohtaamo rotate-key` again"


@dataclass
class Resealed:
    values: int = 0  # sealed values re-sealed
    tags: int = 0  # tags recomputed from their member's id
    unlinked: dict[str, int] = field(default_factory=dict)  # "table.column": member tags whose member is unknown


def rotated_pseudonym(new: Sealer, old: int) -> int:
    """The same stand-in for the same erased member, under the new key (cf. bot.db.cases.pseudonym)."""
    return -1 - int(new.tag("rotated-pseudonym", old)[:12], 16)


def _open(old: Sealer, token: bytes, where: str) -> str | None:
    try:
        return old.open(token)
    except ConfigError:
        raise ConfigError(f"{where} does not open with the current key; nothing was changed") from None


def _reseal_one(old: Sealer, new: Sealer, token: bytes | None, where: str) -> bytes | None:
    return None if token is None else new.seal(_open(old, token, where))


async def _member_tags(db: Database, old: Sealer, new: Sealer) -> dict[str, str]:
    """Old tag -> new tag of every member whose id the database still holds."""
    ids: set[int] = set()
    for table, column in SEALED_MEMBER_IDS:
        for row in await db.fetchall(f"SELECT {column} FROM {table}"):
            opened = None if row[0] is None else _open(old, row[0], f"{table}.{column}")
            if opened:  # "": a link the retention purge forgot
                ids.add(int(opened))
    for table, column in MEMBER_IDS:
        ids.update(int(r[0]) for r in await db.fetchall(f"SELECT DISTINCT {column} FROM {table} WHERE {column} > 0"))
    return {old.tag(i): new.tag(i) for i in ids}


async def reseal(db: Database, old: Sealer, new: Sealer) -> Resealed:
    """All or nothing: any value that does not open with ``old`` rolls everything back."""
    done = Resealed()
    async with db.transaction():
        members = await _member_tags(db, old, new)
        for entry in SEALED:
            sets = ", ".join(f"{c} = ?" for c in entry.columns)
            for row in await db.fetchall(f"SELECT {entry.key} AS k, {', '.join(entry.columns)} FROM {entry.table}"):
                sealed = [_reseal_one(old, new, row[c], f"{entry.table}.{c}") for c in entry.columns]
                await db.execute(f"UPDATE {entry.table} SET {sets} WHERE {entry.key} = ?", (*sealed, row["k"]))
                done.values += sum(v is not None for v in sealed)
        for tagged in TAGS:
            name = f"{tagged.table}.{tagged.column}"
            for row in await db.fetchall(f"SELECT {tagged.key} AS k, {tagged.column} AS v FROM {tagged.table}"):
                value = row["v"]
                if tagged.how is How.PSEUDONYM:
                    if value is None or int(value) >= 0:
                        continue  # a member's own id, not a pseudonym
                    fresh: str | int = rotated_pseudonym(new, int(value))
                elif str(value).startswith("forgotten:"):
                    continue  # matches nobody under any key
                elif tagged.how is How.MEMBER and value in members:
                    fresh = members[value]
                    done.tags += 1
                else:
                    fresh = new.tag("rotated", value)
                    if tagged.how is How.MEMBER:
                        done.unlinked[name] = done.unlinked.get(name, 0) + 1
                await db.execute(f"UPDATE {tagged.table} SET {tagged.column} = ? WHERE {tagged.key} = ?",
                                 (fresh, row["k"]))
    return done


def new_sealer(new_key: str | None) -> tuple[str, Sealer]:
    key = new_key or Fernet.generate_key().decode()
    try:
        return key, Sealer(key)
    except ConfigError:
        raise ConfigError("--new-key is not a valid key (44 characters of url-safe base64; see .env.example)") from None


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fp:
        fp.write(data)
        fp.flush()
        os.fsync(fp.fileno())


def _key_in(path: Path) -> Sealer | None:
    """The key the file holds; None when it holds no whole key (its write was cut short)."""
    try:
        return Sealer(path.read_bytes().strip())
    except ConfigError:
        return None


def _install(pending: Path, current: Path) -> None:
    os.replace(pending, current)
    folder = os.open(current.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


async def _exclusive(db: Database) -> None:
    """Hold the database alone until the end: any other open connection (a running bot) makes
    this fail at once instead of writing rows under the old key after the rotation."""
    await db.execute("PRAGMA busy_timeout = 1000")
    await db.execute("PRAGMA locking_mode = EXCLUSIVE")
    await db.execute("PRAGMA synchronous = FULL")  # the re-sealing is on disk when COMMIT returns
    try:
        async with db.transaction():
            await db.fetchone("SELECT COUNT(*) FROM sqlite_master")
    except sqlite3.OperationalError:
        raise ConfigError(IN_USE) from None


async def _resealed(db: Database, old: Sealer, new: Sealer, say: Callable[[str], None]) -> None:
    """Committed and synced when it returns; nothing changed when it raises."""
    try:
        done = await reseal(db, old, new)
    except sqlite3.Error as exc:
        raise ConfigError(f"the database could not be re-sealed ({exc}); nothing was changed, keep the old key") from None
    say(f"re-sealed {done.values} values and recomputed {done.tags} member tags in one transaction")
    for name, count in done.unlinked.items():
        say(f"note: {count} in {name} belonged to members whose id is no longer kept: re-keyed, they match nobody now")


async def _empty_wal(db: Database) -> None:
    """Copy the log into the file and empty it: no page under the old key stays in the WAL."""
    try:
        await db.empty_wal()
    except sqlite3.Error as exc:
        raise ConfigError(f"re-sealed, but the write-ahead log could not be emptied ({exc}); it is, at the next start") from None


def _require(database_path: Path) -> None:
    if not database_path.exists():
        raise ConfigError(f"there is no database at {database_path}")


async def rotate_key(data_key: str | None, database_path: Path, new_key: str | None, say: Callable[[str], None]) -> None:
    _require(database_path)
    db = await Database.open(database_path)
    try:
        await _exclusive(db)
        version, latest = await current_version(db), len(available())
        if version != latest:
            raise ConfigError(f"the database is at version {version} and this code at {latest}: "
                              + ("run `kohtaamo migrate` first" if version < latest else "update the code first"))
        if data_key:
            await _rotate_env(db, Sealer(data_key), new_key, say)
        else:
            await _rotate_file(db, database_path, new_key, say)
    finally:
        await db.close()


async def _check_old(db: Database, old: Sealer, source: str) -> None:
    found = await sample(db)
    if found is not None and not opens(old, found[1]):
        raise ConfigError(f"{source} does not open the stored values ({found[0]}): it is not the key they were "
                          "sealed with; nothing was changed")


async def _rotate_env(db: Database, old: Sealer, new_key: str | None, say: Callable[[str], None]) -> None:
    await _check_old(db, old, "DATA_KEY")
    key, new = new_sealer(new_key)
    if new_key is None:
        say(f"DATA_KEY={key}")
        say("(the new key, shown only this once: it takes effect when the re-sealing below says it is done)")
    await _resealed(db, old, new, say)
    await _empty_wal(db)
    say("done: put the new DATA_KEY in .env (or the environment) in place of the old one before starting the bot; "
        "the old key no longer opens anything")


async def _rotate_file(db: Database, database_path: Path, new_key: str | None, say: Callable[[str], None]) -> None:
    current, pending = key_file(database_path), pending_key_file(database_path)
    previous = database_path.with_suffix(".key.old")
    if not current.exists():
        raise ConfigError(f"there is no key to rotate: DATA_KEY is not set and {current} does not exist")
    if pending.exists():
        found, pending_key = await sample(db), _key_in(pending)
        if pending_key is not None and (found is None or opens(pending_key, found[1])):
            _install(pending, current)
            previous.unlink(missing_ok=True)
            say(f"done: finished the rotation that was interrupted; {current} holds the new key")
            return
        pending.unlink()  # that rotation never committed: the data is still under the current key
        say(f"an interrupted rotation had not re-sealed anything: {pending} removed")
    old = _key_in(current)
    if old is None:
        raise ConfigError(f"{current} does not hold a valid key; restore it from your backup")
    await _check_old(db, old, str(current))
    key, new = new_sealer(new_key)
    _write(previous, current.read_bytes())
    _write(pending, key.encode())
    try:
        await _resealed(db, old, new, say)
    except ConfigError:
        pending.unlink()
        previous.unlink()
        raise
    _install(pending, current)
    previous.unlink()
    await _empty_wal(db)
    say(f"done: {current} holds the new key; back it up with the database (older backups need the old key)")
