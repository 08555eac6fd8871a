"""A member with data in every feature, and a scan of the whole database for them.

``populate`` gives one member (the caregiver, who also volunteers and writes announcements)
something in every table a feature keeps about members: through real commands where that is
practical (the company request, the volunteer's duty), through the services where a command
would need a long dance (check-in DMs, reports, cases). It also gives them data on a second
server, which erasing them on the first must leave alone.

``scan`` reads every column of every table, opening sealed values too, for the member's id
(as an integer and as text), their keyed tags and their moderation pseudonym."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.app import Kohtaamo
from bot.db.cases import pseudonym
from bot.db.crypto import Sealer
from bot.services.checkin import Recurrence
from bot.services.company import Kind
from bot.services.event import Choice, Details, Options
from bot.services.moderation import Action
from bot.services.onboarding import Who
from bot.services.reports import Reason
from bot.services.volunteer import Audience
from tests.double import DiscordDouble
from tests.e2e.company_helpers import add_volunteer, ask, on_duty
from tests.e2e.conftest import DATA_KEY, World

OTHER_GUILD = 999_000_111  # a second server the member is on (no Discord guild needed: services only)


@dataclass
class Populated:
    member: int
    waiting_request: int  # the member's open request, with messages kept for the thread
    notes: dict[str, Any] = field(default_factory=dict)


async def populate(double: DiscordDouble, world: World, bot: Kohtaamo, clock: Any) -> Populated:
    assert bot.services is not None
    s = bot.services
    g, member, other = world.guild, world.people["caregiver"], world.people["adult"]
    staff, moderator = world.people["staff"], world.people["moderator"]
    now = clock.now()

    await s.setup.set_member_locale(g, member, "fi")
    await s.onboarding.accept(g, member, "fi", Who.CAREGIVER, None, 1)

    # An ended conversation with feedback, taken by a volunteer.
    await add_volunteer(double, world, "volunteer2")
    ended = await s.company.open(g, member, audience=Audience.CAREGIVER, language="fi", kind=Kind.LISTEN,
                                 topic="Ilta on pitkä", locale="fi")
    await s.company.claim(ended.id, world.people["volunteer2"])
    await s.company.end(ended.id, "member", member)
    await s.company.feedback(ended.id, member, 4, "Kiitos kuuntelusta")

    # The member volunteers too (and is staff), and took someone else's request.
    double.update_member(g, member, roles=[world.roles[r] for r in ("caregiver", "volunteer", "staff")])
    await add_volunteer(double, world, "caregiver", name="Aino")
    await on_duty(double, world, "caregiver", hours=2)
    theirs = await s.company.open(g, other, audience=Audience.CAREGIVER, language="fi", kind=Kind.CHAT_NOW,
                                  topic="Toisen aihe", locale="fi")
    await s.company.claim(theirs.id, member)
    await s.company.end(theirs.id, "volunteer", member)

    # A waiting request through /company request, with what they wrote while waiting.
    await ask(double, world, "caregiver", topic="Haluaisin jutella")
    waiting = await s.company.active_for_member(member)
    assert waiting is not None
    await s.company.hold(waiting.id, "Olen vielä täällä")

    # Personal check-ins with a mood and a loneliness answer; a room check-in vote.
    personal, _ = await s.checkins.opt_in(member, g, 4242, Recurrence.parse("9", "daily", "Europe/Helsinki"), "fi",
                                          loneliness=True)
    repo = s.checkins.repo
    occurrence = await repo.latest_occurrence(personal_id=personal.id)
    assert occurrence is not None
    await repo.save_mood(member, occurrence["id"], 2, now)
    await repo.save_loneliness(member, g, "2026-12", 3, now)
    room, _ = await s.room_checkins.schedule(g, world.channels["lounge"], Recurrence.parse("18", "daily", "Europe/Helsinki"),
                                            "fi", None)
    prompt = await repo.add_occurrence(g, now - timedelta(hours=1), room_id=room.id)
    await repo.vote(prompt["id"], repo.voter_tag(prompt["id"], member), 4)
    await repo.vote(prompt["id"], repo.voter_tag(prompt["id"], other), 5)

    # An event they are going to, with a reminder sent; an announcement they wrote.
    event = await s.events.create(g, staff, Details("Kahvit", "", "12.12.2026 18:00", "2 h", "Kahvila"),
                                  Options(world.channels["lounge"]), timezone="Europe/Helsinki", locale="fi")
    await s.events.answer(event.id, member, Choice.GOING, "fi", None)
    await s.events.repo.claim_reminder(event.id, "24h", member, now)
    await s.events.repo.finish_reminder(event.id, "24h", member, "dm", now)
    await s.announcements.draft(g, world.channels["announcements"], member, "Tiedote", "Tervetuloa kahville",
                                role_id=None, send_at=None, locale="fi")

    # Moderation: a case about them, a report they made, a report about their message, an alert.
    await s.moderation.record(g, Action.WARN, moderator, "Kiroilua", target_user_id=member)
    await s.reports.file(g, world.channels["lounge"], 111, other, "ilkeä viesti", member, Reason.HARASSMENT,
                         "Minun huomioni")
    await s.reports.file(g, world.channels["lounge"], 222, member, "minun viestini", other, Reason.SPAM, None)
    await s.safety.read(g, member, world.channels["lounge"], 333, "haluan kuolla")

    # They (and another member) wrote on the server today: the impact report's day tags.
    await s.impact_counts.message(g, member, set(), world.channels["lounge"])
    await s.impact_counts.message(g, other, set(), world.channels["lounge"])
    await s.impact_counts.flush()

    # On another server: a language, a case, and a departure (they left it).
    await s.setup.set_member_locale(OTHER_GUILD, member, "sv")
    await s.moderation.record(OTHER_GUILD, Action.NOTE, moderator, "Muualla", target_user_id=member)
    await s.privacy.member_left(OTHER_GUILD, member)
    return Populated(member, waiting.id, {"event": event.id, "prompt": prompt["id"], "occurrence": occurrence["id"]})


@dataclass(frozen=True)
class Hit:
    table: str
    column: str
    rowid: int
    guild_id: int | None  # the row's guild_id column, when it has one
    what: str  # "id", "tag" or "pseudonym"


def needles(db_path: Path, guild_id: int, member: int) -> dict[str, str]:
    """Every text that points at the member: id, tags (company's, each room vote's, each day's
    activity) -> kind."""
    sealer = Sealer(DATA_KEY)
    found = {str(member): "id", sealer.tag(member): "tag",
             str(pseudonym(sealer, guild_id, member)): "pseudonym"}
    with sqlite3.connect(db_path) as conn:
        for (occurrence_id,) in conn.execute("SELECT id FROM checkin_occurrences"):
            found[sealer.tag("checkin-vote", occurrence_id, member)] = "tag"
        for (day,) in conn.execute("SELECT DISTINCT day FROM impact_seen WHERE guild_id = ?", (guild_id,)):
            found[sealer.tag("impact", guild_id, day, member)] = "tag"
    return found


def scan(db_path: Path, guild_id: int, member: int) -> list[Hit]:
    """Every cell of every table that holds the member's id, a tag or their pseudonym (sealed
    values opened first)."""
    sealer = Sealer(DATA_KEY)
    wanted = needles(db_path, guild_id, member)
    hits = []
    with sqlite3.connect(db_path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            for row in conn.execute(f"SELECT rowid, * FROM {table}"):
                values = dict(zip(["rowid", *columns], row, strict=True))
                for column in columns:
                    value = values[column]
                    if isinstance(value, bytes):
                        value = sealer.open(value)
                    text = str(value)
                    numeric = text.lstrip("-").isdigit()  # a number holds a needle only when it is one
                    for needle, what in wanted.items():
                        if (text == needle) if numeric else (needle in text):
                            hits.append(Hit(table, column, values["rowid"], values.get("guild_id"), what))
    return hits


def raw_bytes(db_path: Path) -> bytes:
    """The database file and its write-ahead log, as they are on disk."""
    wal = db_path.with_name(db_path.name + "-wal")
    return db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
