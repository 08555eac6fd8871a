"""Forward-only migrations: numbered ``migrations/NNNN_name.sql`` files, each in its own
transaction, the version kept inside the database (``PRAGMA user_version``)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from bot.db.connection import Database
from bot.errors import ConfigError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    path: Path


def available(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise ConfigError(f"migration file {path.name!r} must be named NNNN_name.sql")
        found.append(Migration(int(match.group(1)), path))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise ConfigError(f"migrations in {directory} must be numbered 0001, 0002, … without gaps")
    return found


async def current_version(db: Database) -> int:
    row = await db.fetchone("PRAGMA user_version")
    assert row is not None
    return int(row[0])


async def migrate(db: Database, directory: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply every pending migration; return the versions applied. A database written by
    newer code is refused rather than guessed at."""
    migrations = available(directory)
    version = await current_version(db)
    latest = migrations[-1].version if migrations else 0
    if version > latest:
        raise ConfigError(
            f"the database {db.path} is at version {version}, newer than this code knows ({latest}): "
            "upgrade Kohtaamo or restore a backup"
        )
    applied = []
    for migration in migrations:
        if migration.version <= version:
            continue
        script = migration.path.read_text(encoding="utf-8")
        # executescript() commits first, so wrap the file in our own BEGIN … COMMIT.
        try:
            await db.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {migration.version};\nCOMMIT;"
            )
        except Exception:
            await db.rollback_if_open()
            raise
        log.info("applied migration %s", migration.path.name)
        applied.append(migration.version)
    return applied

