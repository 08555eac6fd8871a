"""Every sealed column and every keyed tag in the database, in one list: key rotation re-seals
and re-derives exactly these, and tests/unit/test_rotation.py fails when a migration adds an
``*_enc`` or ``*tag`` column that is not listed here.

Kept in clear on purpose (decided with issue 10): report reasons and outcomes (a fixed choice of
a radio group, counted by the impact report), room check-in votes' moods (anonymous: no member id,
counted in SQL), the onboarding age band and caregiver choice (the member's Discord role shows
them to the server anyway; roles and counts are computed from them), staff-written text (safety
terms, rules, room topics, prompts, events, announcements: nothing about a member), and ids
(moderators look cases up by member). Safety alerts keep no text and no matched term."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from bot.db.connection import Database
from bot.db.crypto import Sealer, key_file
from bot.errors import ConfigError


@dataclass(frozen=True)
class Sealed:
    table: str
    key: str  # the column naming one row ("rowid" where the table has no single id)
    columns: tuple[str, ...]


SEALED: tuple[Sealed, ...] = (
    Sealed("company_requests", "id", ("requester_enc", "topic_enc")),
    Sealed("company_feedback", "request_id", ("text_enc",)),
    Sealed("company_reveals", "id", ("reason_enc",)),
    Sealed("company_pending_messages", "id", ("text_enc",)),
    Sealed("company_blocks", "rowid", ("member_enc",)),
    Sealed("cases", "id", ("reason_enc",)),
    Sealed("case_reason_edits", "id", ("old_reason_enc",)),
    Sealed("reports", "id", ("text_enc",)),
    Sealed("report_reporters", "rowid", ("note_enc",)),
    Sealed("checkin_moods", "id", ("mood_enc",)),
    Sealed("checkin_loneliness", "id", ("answer_enc",)),
)


class How(StrEnum):
    """How a tag is derived again under a new key."""

    MEMBER = "member"  # tag(member id): recomputed from the member's id, found in MEMBER_IDS
    OPAQUE = "opaque"  # its inputs are not kept: new.tag("rotated", old tag), unique as before
    PSEUDONYM = "pseudonym"  # an erased member's negative stand-in (bot.db.cases.pseudonym)


@dataclass(frozen=True)
class Tagged:
    table: str
    key: str
    column: str
    how: How


TAGS: tuple[Tagged, ...] = (
    Tagged("company_requests", "id", "requester_tag", How.MEMBER),  # 'forgotten:…' ones are not keyed
    Tagged("company_blocks", "rowid", "member_tag", How.MEMBER),
    Tagged("checkin_votes", "rowid", "voter_tag", How.OPAQUE),  # tag("checkin-vote", prompt, member)
    Tagged("impact_seen", "rowid", "tag", How.OPAQUE),  # tag("impact", guild, day, member), gone next day
    Tagged("cases", "id", "target_user_id", How.PSEUDONYM),  # negative values only
    Tagged("reports", "id", "author_id", How.PSEUDONYM),
)

# Where member ids are held, so a MEMBER tag can be recomputed: the sealed requester of a request,
# the sealed member of a block, and every column of ids kept in clear. A block made before the
# block kept its member (migration 0013) follows its member as long as the member's id is still
# held somewhere (a request not yet forgotten, their onboarding, …).
SEALED_MEMBER_IDS: tuple[tuple[str, str], ...] = (("company_requests", "requester_enc"), ("company_blocks", "member_enc"))
MEMBER_IDS: tuple[tuple[str, str], ...] = (
    ("cases", "target_user_id"), ("member_onboarding", "user_id"), ("member_prefs", "user_id"),
    ("checkin_personal", "user_id"), ("checkin_moods", "user_id"), ("member_departures", "user_id"),
    ("event_rsvps", "user_id"), ("reports", "author_id"), ("report_reporters", "reporter_id"),
    ("safety_alerts", "user_id"), ("volunteers", "user_id"),
)


async def sample(db: Database) -> tuple[str, bytes] | None:
    """One stored sealed value ("table.column", token), to tell whether a key opens the data."""
    tables = {str(r[0]) for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for entry in SEALED:
        if entry.table not in tables:
            continue
        for column in entry.columns:
            row = await db.fetchone(f"SELECT {column} FROM {entry.table} WHERE {column} IS NOT NULL LIMIT 1")
            if row is not None:
                return f"{entry.table}.{column}", bytes(row[0])
    return None


def opens(sealer: Sealer, token: bytes) -> bool:
    try:
        sealer.open(token)
    except ConfigError:
        return False
    return True


def pending_key_file(database_path: Path) -> Path:
    """The new key of a rotation until the database is re-sealed (bot/db/rotation.py)."""
    return database_path.with_suffix(".key.new")


@dataclass(frozen=True)
class KeyStatus:
    line: str
    problem: bool


async def key_status(db: Database, data_key: str | None, database_path: Path) -> KeyStatus:
    """What ``kohtaamo check`` says about the key: where it is, and whether it opens the data."""
    found = await sample(db)
    path = key_file(database_path)
    if data_key:
        source = "DATA_KEY"
        try:
            sealer = Sealer(data_key)
        except ConfigError as exc:
            return KeyStatus(str(exc), True)
    elif path.exists():
        source = str(path)
        try:
            sealer = Sealer(path.read_bytes().strip())
        except ConfigError:
            return KeyStatus(f"{path} does not hold a valid key; restore it from your backup", True)
        if pending_key_file(database_path).exists():
            return KeyStatus(f"a key rotation did not finish ({pending_key_file(database_path)} is there): run "
                             "`kohtaamo rotate-key` again, which finishes or undoes it", True)
    elif found is None:
        return KeyStatus(f"key: none yet: DATA_KEY is not set and {path} does not exist; the bot makes that file "
                         "at first start: back it up with the database", False)
    else:
        return KeyStatus(f"the key is missing: DATA_KEY is not set and {path} does not exist, so the values "
                         "sealed so far (topics, moods, reasons…) cannot be read; restore the key from your backup", True)
    if found is not None and not opens(sealer, found[1]):
        return KeyStatus(f"{source} is the wrong key: it does not open the stored values ({found[0]}); "
                         "restore the key they were sealed with from your backup", True)
    return KeyStatus(f"key: {source}" + (" opens the stored values" if found else " (nothing sealed yet)"), False)


async def sealer_for(db: Database, data_key: str | None, database_path: Path) -> Sealer:
    """The bot's sealer, refusing to start with a key that does not open what is stored (a new
    key file would otherwise be made beside data sealed under a lost one)."""
    status = await key_status(db, data_key, database_path)
    if status.problem:
        raise ConfigError(status.line)
    return Sealer.for_database(data_key, database_path)
