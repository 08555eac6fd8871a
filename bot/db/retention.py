"""The daily purge: what each server keeps, and for how long, in one place to read and audit.

Each statement finds its server's keeping time in ``guilds`` and falls back to the default
for rows of a server that never ran /setup. What is purged:

- company requests that ended more than ``retention_company_days`` ago keep only what the impact
  report counts (when made, taken, ended; audience, kind, status): the topic, the feedback text,
  the volunteer, the thread and the sealed link to the member go, and the keyed tag is replaced
  by one that matches nobody;
- check-in moods, loneliness answers and room check-in votes older than ``retention_mood_days``;
- resolved reports and safety alerts, moderation cases (with their reason history) and company
  reveals older than ``retention_case_days``; a case that backs a company block still in force is
  kept while the block stands;
- finished scheduled jobs (done, missed, cancelled) older than ``retention_job_days``, and the
  per-member event reminder records of events that ended that long ago."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.codec import to_db
from bot.db.connection import Database
from bot.db.crypto import Sealer


@dataclass(frozen=True)
class Defaults:
    """Keeping times in days for a server with no row in ``guilds``."""

    company_days: int
    mood_days: int
    case_days: int
    job_days: int


def _older(column: str, days_column: str, default: str, guild: str) -> str:
    """``column`` lies more than the server's ``days_column`` days before ``:now``."""
    return (
        f"julianday({column}) < julianday(:now) - COALESCE((SELECT g.{days_column} FROM guilds g "
        f"WHERE g.guild_id = {guild}), :{default})"
    )


_COMPANY_DUE = (
    "status IN ('ended', 'cancelled', 'withdrawn') AND ended_at IS NOT NULL "
    "AND requester_tag NOT LIKE 'forgotten:%' AND " + _older("ended_at", "retention_company_days", "company_days", "company_requests.guild_id")
)
# Every statement of the purge, by what it purges: (name, SQL). Run in order, in one transaction.
_PURGE: tuple[tuple[str, str], ...] = (
    ("company_feedback_text", (
        "UPDATE company_feedback SET text_enc = NULL WHERE text_enc IS NOT NULL AND request_id IN "
        f"(SELECT id FROM company_requests WHERE {_COMPANY_DUE})"
    )),
    ("company_pending_messages", (
        f"DELETE FROM company_pending_messages WHERE request_id IN (SELECT id FROM company_requests WHERE {_COMPANY_DUE})"
    )),
    ("company_requests", (
        "UPDATE company_requests SET topic_enc = NULL, requester_enc = :forgotten, "
        "requester_tag = 'forgotten:' || id, claimed_by = NULL, thread_id = NULL, card_message_id = NULL, "
        f"card_channel_id = NULL WHERE {_COMPANY_DUE}"
    )),
    ("checkin_moods", (
        "DELETE FROM checkin_moods WHERE "
        + _older("answered_at", "retention_mood_days", "mood_days", "checkin_moods.guild_id")
    )),
    ("checkin_loneliness", (
        "DELETE FROM checkin_loneliness WHERE "
        + _older("answered_at", "retention_mood_days", "mood_days", "checkin_loneliness.guild_id")
    )),
    ("checkin_votes", (
        "DELETE FROM checkin_votes WHERE occurrence_id IN (SELECT o.id FROM checkin_occurrences o WHERE "
        + _older("o.due_at", "retention_mood_days", "mood_days", "o.guild_id") + ")"
    )),
    ("reports", (
        "DELETE FROM reports WHERE status = 'resolved' AND resolved_at IS NOT NULL AND "
        + _older("resolved_at", "retention_case_days", "case_days", "reports.guild_id")
    )),
    ("safety_alerts", (
        "DELETE FROM safety_alerts WHERE status = 'resolved' AND "
        + _older("last_at", "retention_case_days", "case_days", "safety_alerts.guild_id")
    )),
    ("company_reveals", (
        "DELETE FROM company_reveals WHERE "
        + _older("created_at", "retention_case_days", "case_days", "company_reveals.guild_id")
    )),
    ("cases", (
        "DELETE FROM cases WHERE id NOT IN (SELECT case_id FROM company_blocks) AND "
        + _older("created_at", "retention_case_days", "case_days", "cases.guild_id")
    )),
    ("event_reminders", (
        "DELETE FROM event_reminders WHERE event_id IN (SELECT e.id FROM events e WHERE "
        + _older("e.ends_at", "retention_job_days", "job_days", "e.guild_id") + ")"
    )),
    ("jobs", (
        "DELETE FROM jobs WHERE status IN ('done', 'missed', 'cancelled') AND "
        + _older("updated_at", "retention_job_days", "job_days", "jobs.guild_id")
    )),
)


class RetentionRepo:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self.db = db
        # One sealed empty value marks a forgotten link to a member (the column must hold a
        # sealed value, and key rotation re-seals it like any other).
        self._forgotten = sealer.seal("")

    async def purge(self, now: datetime, defaults: Defaults) -> dict[str, int]:
        """Remove or strip everything past its keeping time; how many rows each step touched."""
        params = {
            "now": to_db(now), "forgotten": self._forgotten, "company_days": defaults.company_days,
            "mood_days": defaults.mood_days, "case_days": defaults.case_days, "job_days": defaults.job_days,
        }
        done: dict[str, int] = {}
        async with self.db.transaction():
            for name, sql in _PURGE:
                done[name] = await self.db.execute(sql, params)
        return done
