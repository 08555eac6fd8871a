"""/privacy, /mydata export and /mydata delete through the double, and the full scans: the
export holds everything the database holds about the member, and after deletion nothing is
left but the documented kept places (the moderation pseudonym, the member's other server)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import timedelta
from typing import Any

import pytest

from bot.services.onboarding import Who
from bot.services.setup import SetupChange
from tests.double import DiscordDouble, InteractionHandle
from tests.e2e.company_helpers import add_volunteer, answer, ask, on_duty, take, thread_of
from tests.e2e.conftest import World, configure, start_bot
from tests.e2e.privacy_helpers import OTHER_GUILD, Hit, needles, populate, raw_bytes, scan

# Where each table's rows about the member show in the export: (section, which records).
EXPORTED: dict[str, tuple[str, Any]] = {
    "member_prefs": ("language", lambda r: True),
    "member_onboarding": ("onboarding", lambda r: True),
    "company_requests": ("company_requests", lambda r: True),
    "volunteers": ("volunteer", lambda r: True),
    "checkin_personal": ("checkins", lambda r: r["type"] == "personal_checkins"),
    "checkin_moods": ("checkins", lambda r: r["type"] == "mood"),
    "checkin_loneliness": ("checkins", lambda r: r["type"] == "loneliness"),
    "checkin_votes": ("checkins", lambda r: r["type"] == "room_checkin_answer"),
    "event_rsvps": ("events", lambda r: "status" in r and "reminder" not in r),
    "event_reminders": ("events", lambda r: "reminder" in r),
    "events": ("events", lambda r: "organised" in r),
    "announcements": ("announcements", lambda r: True),
    "cases": ("cases", lambda r: True),
    "reports": ("reports", lambda r: r.get("about_your_message")),
    "report_reporters": ("reports", lambda r: r.get("made_by_you")),
    "safety_alerts": ("safety_alerts", lambda r: True),
    "impact_seen": ("activity", lambda r: "active_on" in r),
}
# What erasure keeps on purpose: moderation records under the pseudonym.
KEPT = {("cases", "target_user_id"), ("reports", "author_id")}


def here(hits: list[Hit], guild_id: int) -> list[Hit]:
    """Hits that belong to this server (rows of the member's other server are not ours to erase)."""
    return [h for h in hits if h.guild_id != OTHER_GUILD]


async def settle(predicate: Any, within: float = 5.0) -> None:
    for _ in range(int(within / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("never happened")


async def export(double: DiscordDouble, world: World, who: int, locale: str = "fi") -> tuple[str, dict[str, Any] | None]:
    h = await double.slash(world.guild, who, "mydata", sub="export", locale=locale)
    assert (await h.response())["type"] == 5 and h.ephemeral
    follow = await h.wait_followup()
    sent = [c for c in double.calls if h.token in c.path and c.files]
    document = json.loads(sent[-1].files[0][1]) if sent else None
    return str(follow.get("content")), document


async def ask_to_delete(double: DiscordDouble, world: World, who: int) -> InteractionHandle:
    h = await double.slash(world.guild, who, "mydata", sub="delete")
    await h.response()
    assert h.ephemeral
    return h


async def press(double: DiscordDouble, world: World, h: InteractionHandle, action: str, who: int) -> InteractionHandle:
    message = h.message
    assert message is not None
    custom_id = next(c["custom_id"] for row in message["components"] for c in row["components"]
                     if c["custom_id"].startswith(f"k:v1:privacy:{action}:"))
    return await double.click(int(message["channel_id"]), int(message["id"]), custom_id, who, guild_id=world.guild)


async def confirmed(double: DiscordDouble, world: World, h: InteractionHandle, who: int) -> str:
    """Press "Delete my data" and wait for the answer that says it is done."""
    await (await press(double, world, h, "erase", who)).response()
    message_id = int(h.message["id"])  # type: ignore[index]
    await settle(lambda: "poistettu" in double.message(message_id)["content"], within=10)
    return str(double.message(message_id)["content"])


@pytest.mark.parametrize(("locale", "title", "company"), [
    ("fi", "Mitä Kohtaamo säilyttää sinusta", "14 päivää pyynnön päättymisen jälkeen."),
    ("sv", "Vad Kohtaamo sparar om dig", "14 dagar efter att förfrågan har avslutats."),
    ("en", "What Kohtaamo keeps about you", "14 days after the request ends."),
])
async def test_privacy_notice_follows_the_registry_and_the_servers_settings(double, world, bot, locale, title, company):
    await configure(bot, world)
    setup = bot.services.setup
    await setup.save(setup.preview(await setup.get(world.guild), SetupChange(
        {}, {}, privacy_contact="Nuorisopalvelut, tietosuoja@example.fi", retention={"company_days": 14})))
    h = await double.slash(world.guild, world.people["plain"], "privacy", locale=locale)
    body = await h.response()
    assert h.ephemeral
    [embed] = body["data"]["embeds"]
    assert embed["title"].startswith(title)
    names = [f["name"] for f in embed["fields"]]
    assert len(names) == len(bot.services.privacy.entries) + 2 <= 25
    assert company in json.dumps(embed, ensure_ascii=False)
    assert "Nuorisopalvelut, tietosuoja@example.fi" in embed["fields"][-1]["value"]
    assert "365" in json.dumps(embed) and "730" in json.dumps(embed) and " 30 " in embed["fields"][-2]["value"]
    total = len(embed["title"]) + len(embed["description"]) + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    assert total <= 6000 and len(embed["description"]) <= 4096
    assert all(len(f["value"]) <= 1024 and len(f["name"]) <= 256 for f in embed["fields"])


async def test_without_a_contact_the_notice_says_who_to_ask(double, world, bot):
    await configure(bot, world)
    body = await (await double.slash(world.guild, world.people["plain"], "privacy")).response()
    last = body["data"]["embeds"][0]["fields"][-1]["value"]
    assert last.startswith("Kohtaamoa ylläpitävät tämän palvelimen ylläpitäjät")


async def test_a_member_with_nothing_stored_is_told_so(double, world, bot):
    await configure(bot, world)
    plain = world.people["plain"]
    said, document = await export(double, world, plain)
    assert said == "Kohtaamo ei säilytä sinusta mitään tällä palvelimella." and document is None
    h = await double.slash(world.guild, plain, "mydata", sub="delete")
    body = await h.response()
    assert h.ephemeral and body["data"]["content"] == said and not body["data"].get("components")


async def test_the_export_holds_everything_the_database_holds_about_the_member(double, world, bot, clock, db_path):
    await configure(bot, world)
    data = await populate(double, world, bot, clock)
    said, document = await export(double, world, data.member)
    assert said.startswith("Tässä on kaikki, mitä Kohtaamo säilyttää sinusta")
    assert document is not None and document["server_id"] == world.guild
    sections = document["sections"]
    assert list(sections) == [e.name for e in bot.services.privacy.entries]
    assert all(s["what_is_stored"] and s["who_can_see_it"] and s["how_long"] for s in sections.values())
    text = json.dumps(document, ensure_ascii=False)
    for value in ("Ilta on pitkä", "Kiitos kuuntelusta", "Olen vielä täällä", "Haluaisin jutella", "Kiroilua",
                  "Minun huomioni", "minun viestini", "Kahvit", "Tiedote", "Aino"):
        assert value in text, value  # decrypted, readable
    assert "Muualla" not in text and '"sv"' not in text  # the other server's data is not in this one's export
    assert str(data.member) not in text

    hits = here(scan(db_path, world.guild, data.member), world.guild)
    tables = {h.table for h in hits}
    assert tables - set(EXPORTED) == set(), "held about the member but not in the export"
    for table in tables:
        section, which = EXPORTED[table]
        rows = {h.rowid for h in hits if h.table == table}
        assert len([r for r in sections[section]["records"] if which(r)]) >= len(rows), table
    assert {"company_requests", "checkin_votes", "event_reminders", "report_reporters", "safety_alerts",
            "impact_seen"} <= tables


async def test_delete_erases_the_member_everywhere_but_the_kept_places(double, world, bot, clock, db_path):
    await configure(bot, world)
    data = await populate(double, world, bot, clock)
    h = await ask_to_delete(double, world, data.member)
    shown = h.message
    assert shown is not None and "Poistetaanko tietosi" in shown["content"]
    labels = [c["label"] for row in shown["components"] for c in row["components"]]
    assert labels == ["Poista tietoni", "Peru, säilytä tietoni"]
    done = await confirmed(double, world, h, data.member)
    assert done.startswith("Tietosi tällä palvelimella on poistettu.")
    assert "peitenimellä" in done and "ilman nimeäsi" in done  # what is kept, and why

    left = here(scan(db_path, world.guild, data.member), world.guild)
    assert {(h.table, h.column) for h in left} <= KEPT and all(h.what == "pseudonym" for h in left)
    assert {h.table for h in left} == {"cases", "reports"}
    db = bot.services.db
    assert await db.fetchone("SELECT * FROM jobs WHERE status = 'pending' AND kind IN "
                             "('checkin_me', 'company_escalate', 'company_give_up', 'volunteer_off_duty')") is None
    assert (await db.fetchone("SELECT status FROM company_requests"))[0] == "ended"  # the other member's request
    counts = await db.fetchall("SELECT mood FROM checkin_votes WHERE occurrence_id = ?", (data.notes["prompt"],))
    assert sorted(r[0] for r in counts) == [4, 5]  # the room's counts stand, unlinked
    # The other server keeps what it holds.
    assert await bot.services.setup.member_locale(OTHER_GUILD, data.member) == "sv"
    assert await db.fetchone("SELECT * FROM member_departures WHERE guild_id = ?", (OTHER_GUILD,)) is not None

    # Erased there too, the raw file and its log hold neither the id nor a tag.
    await bot.services.privacy.erase(data.member, OTHER_GUILD)
    raw = raw_bytes(db_path)
    assert str(data.member).encode() not in raw and data.member.to_bytes(8, "big") not in raw
    for needle, what in needles(db_path, world.guild, data.member).items():
        if what == "tag":
            assert needle.encode() not in raw
    with sqlite3.connect(db_path) as conn:  # and what the kept rows are: a case and a report under a pseudonym
        assert conn.execute("SELECT COUNT(*) FROM cases WHERE target_user_id < 0").fetchone()[0] == 2


async def test_the_volunteer_is_told_when_the_member_deletes_their_data(double, world, bot):
    await configure(bot, world)
    await add_volunteer(double, world, "volunteer")
    await on_duty(double, world, "volunteer")
    member = world.people["caregiver"]
    await ask(double, world, topic="Ilta")
    await take(double, world)
    thread = thread_of(double, world)
    before = len(double.dm_messages(member))
    h = await ask_to_delete(double, world, member)
    await confirmed(double, world, h, member)
    await settle(lambda: any("Vieras lopetti keskustelun" in (m.get("content") or "") for m in double.messages(thread)))
    assert len(double.dm_messages(member)) == before  # no feedback asked of someone who erased themselves
    assert await bot.services.db.fetchone("SELECT * FROM company_requests") is None


async def test_cancel_an_old_button_and_a_double_click_change_nothing_twice(double, world, bot, clock):
    await configure(bot, world)
    member = world.people["caregiver"]
    await bot.services.setup.set_member_locale(world.guild, member, "fi")
    h = await ask_to_delete(double, world, member)
    cancelled = await press(double, world, h, "cancel", member)
    assert (await cancelled.response())["data"]["content"] == "Mitään ei poistettu."
    again = await double.slash(world.guild, member, "mydata", sub="delete")
    await again.response()
    assert await bot.services.setup.member_locale(world.guild, member) == "fi"

    clock.advance(timedelta(minutes=16))  # the second question is old now
    late = await press(double, world, again, "erase", member)
    assert "vanhentunut" in await answer(late)
    assert await bot.services.setup.member_locale(world.guild, member) == "fi"

    fresh = await ask_to_delete(double, world, member)
    first, second = await asyncio.gather(press(double, world, fresh, "erase", member),
                                         press(double, world, fresh, "erase", member))
    answers = sorted([str((await first.response()).get("type")), str((await second.response()).get("type"))])
    assert answers == ["4", "7"]  # one erases (updates the message), the other is told it was answered
    told = first if (await first.response())["type"] == 4 else second
    assert (await told.response())["data"]["content"] == "Olet jo vastannut tähän."
    await settle(lambda: "poistettu" in double.message(int(fresh.message["id"]))["content"])  # type: ignore[index]
    assert await bot.services.setup.member_locale(world.guild, member) is None


async def leave_with_data(double: DiscordDouble, world: World, bot: Any) -> int:
    member = world.people["caregiver"]
    await bot.services.onboarding.accept(world.guild, member, "sv", Who.CAREGIVER, None, 1)
    double.remove_member(world.guild, member)
    db = bot.services.db
    for _ in range(250):
        if await db.fetchone("SELECT * FROM jobs WHERE kind = 'privacy_leaver' AND status = 'pending'"):
            break
        await asyncio.sleep(0.02)
    return member


async def test_a_member_who_left_is_erased_there_after_the_grace_period(double, world, bot, clock):
    await configure(bot, world)
    member = await leave_with_data(double, world, bot)
    clock.advance(timedelta(days=29))
    await bot.services.scheduler.run_due()
    assert await bot.services.setup.member_locale(world.guild, member) == "sv"  # not yet
    clock.advance(timedelta(days=1, minutes=1))
    await bot.services.scheduler.run_due()
    assert await bot.services.setup.member_locale(world.guild, member) is None
    assert await bot.services.onboarding.choices(world.guild, member) is None
    assert await bot.services.db.fetchone("SELECT * FROM member_departures") is None


async def test_a_member_who_comes_back_in_time_loses_nothing(double, world, bot, clock):
    await configure(bot, world)
    member = await leave_with_data(double, world, bot)
    clock.advance(timedelta(days=10))
    double.add_member(world.guild, member, roles=[world.roles["caregiver"]])
    db = bot.services.db
    for _ in range(250):
        if await db.fetchone("SELECT * FROM member_departures") is None:
            break
        await asyncio.sleep(0.02)
    clock.advance(timedelta(days=30))
    await bot.services.scheduler.run_due()
    assert await bot.services.setup.member_locale(world.guild, member) == "sv"
    assert (await db.fetchone("SELECT status FROM jobs WHERE kind = 'privacy_leaver'"))[0] == "cancelled"


async def test_a_member_who_came_back_while_the_bot_was_down_loses_nothing(double, world, bot, clock, db_path):
    await configure(bot, world)
    member = await leave_with_data(double, world, bot)
    await bot.close()
    double.world.add_member(world.guild, member, (world.roles["caregiver"],))  # no event: nobody was listening
    async with start_bot(double, db_path, clock) as again:
        guild = again.get_guild(world.guild)
        assert guild is not None and guild.get_member(member) is not None
        clock.advance(timedelta(days=31))
        await again.services.scheduler.run_due()
        job = await again.services.db.fetchone("SELECT status FROM jobs WHERE kind = 'privacy_leaver'")
        assert job is not None and job[0] != "pending"  # the erase job ran, and found them back
        assert await again.services.setup.member_locale(world.guild, member) == "sv"
        assert await again.services.db.fetchone("SELECT * FROM member_departures") is None


async def test_a_company_block_holds_after_the_member_deletes_their_data(double, world, bot):
    await configure(bot, world)
    member = world.people["caregiver"]
    h = await double.slash(world.guild, world.people["moderator"], "company",
                           {"reason": "Toistuvaa häirintää vapaaehtoisia kohtaan", "member": member}, sub="block")
    assert (await answer(h)).startswith("Tapaus 1:")
    said, document = await export(double, world, member)
    assert document is not None
    assert any("blocked_from_asking_since" in r for r in document["sections"]["company_requests"]["records"])
    await confirmed(double, world, await ask_to_delete(double, world, member), member)
    # Still blocked: the block keeps its member, sealed, so that it also survives a key rotation.
    assert bot.services is not None and await bot.services.company.repo.is_blocked(
        world.guild, bot.services.company.repo.member_tag(member))
    assert (await ask(double, world, "caregiver")).startswith("Et voi tällä hetkellä pyytää seuraa")
