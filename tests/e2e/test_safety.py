"""The safety response: a crisis message in a room gets the writer one gentle DM in a few hours
and the moderators one alert they can claim; /mod safety-terms extends the scan."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.e2e.company_helpers import custom_ids
from tests.e2e.conftest import configure
from tests.e2e.mod_helpers import cards, mod
from tests.e2e.onboarding_helpers import labels, press, shown, text_of
from tests.e2e.room_helpers import create, eventually, room_channel

CRISIS = "en jaksa enää, mä haluun kuolla"


@pytest.fixture
async def room(double, world, bot):
    await configure(bot, world)
    await create(double, world, "kahvila", "caregivers")
    return room_channel(double, world)


def alerts(double, world):
    return [m for m in cards(double, world) if "Turvallisuushälytys" in text_of(m)]


async def test_a_crisis_message_gets_a_gentle_dm_and_an_alert_and_stays_in_the_room(double, world, bot, room):
    writer = world.people["caregiver"]
    posted = await double.user_message(room, writer, CRISIS)
    await eventually(lambda: alerts(double, world))
    dm = double.dm_messages(writer)[-1]
    assert dm["content"].startswith("Hei. Äsken kirjoittamasi kuulosti raskaalta") and "Jos tarvitset apua nyt:" in dm["content"]
    assert "112" in dm["content"] and labels(dm) == ["Pyydä seuraa", "Olen kunnossa"]
    alert = alerts(double, world)[-1]
    assert alert["content"] == f"<@&{world.roles['moderator']}>"
    assert [str(world.roles["moderator"])] == [str(r) for r in alert.get("allowed_mentions", {}).get("roles", [
        world.roles["moderator"]])]
    text = text_of(alert)
    assert f"Kirjoittaja: <@{writer}>" in text and f"Huone: <#{room}>" in text and "13–17: ei" in text
    assert "Viestit: 1 viesti" in text and f"/{room}/{posted['id']}" in text and "kuolla" not in text
    assert "Kirjoittaja sai yksityisviestin" in text and labels(alert) == ["Tarkistan, miten hän voi", "Ratkaistu"]
    assert [m["id"] for m in double.messages(room)][-1] == posted["id"]  # nothing posted, nothing deleted
    assert all(m["author"]["id"] != str(double.bot_user_id) for m in double.messages(room)[-1:])


async def test_later_matches_update_the_same_alert_and_after_hours_a_new_dm(double, world, bot, room, clock):
    writer = world.people["caregiver"]
    await double.user_message(room, writer, CRISIS)
    await eventually(lambda: alerts(double, world))
    await double.user_message(room, writer, "haluun kuolla")
    await double.user_message(room, writer, "i want to die")
    await eventually(lambda: "Viestit: 3 viestiä" in text_of(alerts(double, world)[-1]))
    assert len(alerts(double, world)) == 1 and len(double.dm_messages(writer)) == 1
    clock.advance(timedelta(hours=4))
    await double.user_message(room, writer, CRISIS)
    await eventually(lambda: len(alerts(double, world)) == 2)
    assert len(double.dm_messages(writer)) == 2


async def test_closed_dms_alert_the_moderators_only(double, world, bot, room):
    writer = world.people["caregiver"]
    double.set_dms_closed(writer)
    await double.user_message(room, writer, "Haluan tappaa itseni")
    await eventually(lambda: alerts(double, world))
    assert "Kirjoittajaa ei tavoitettu yksityisviestillä" in text_of(alerts(double, world)[-1])


async def test_calm_and_figurative_messages_and_other_channels_are_left_alone(double, world, bot, room):
    writer = world.people["caregiver"]
    for text in ("kuolen nauruun 😂", "tää läksy tappaa mut", "I'm dying laughing", "jag dör av skratt", "Hyvää huomenta!"):
        await double.user_message(room, writer, text)
    await double.user_message(world.channels["lounge"], writer, CRISIS)
    await double.user_message(room, world.people["moderator"], "")
    await mod(double, world, "note", {"member": world.people["plain"], "text": "flush"})  # the bot has read it all
    assert alerts(double, world) == [] and double.dm_messages(writer) == []


async def test_a_13_17_writer_is_marked_and_threads_of_a_room_are_read(double, world, bot):
    await configure(bot, world)
    await create(double, world, "nuoret", "youth_13_17")
    room = room_channel(double, world)
    youth = world.people["youth"]
    thread = double.world.create_thread(room, "ketju", 11, youth)  # a public thread in the room
    double.emit_thread_create(thread)
    await eventually(lambda: bot.get_channel(int(thread["id"])) is not None)
    await double.user_message(int(thread["id"]), youth, "mä en halua elää enää")
    await eventually(lambda: alerts(double, world))
    assert "13–17: kyllä" in text_of(alerts(double, world)[-1])


async def test_claim_resolve_and_im_ok_update_the_alert(double, world, bot, room):
    writer, moderator = world.people["caregiver"], world.people["moderator"]
    await double.user_message(room, writer, CRISIS)
    await eventually(lambda: alerts(double, world))
    alert = alerts(double, world)[-1]
    refused = await shown(await press(double, alert, "Tarkistan, miten hän voi", world.people["volunteer"],
                                      guild=world.guild))
    assert refused["content"].startswith("Tätä voivat käyttää vain jäsenet, joilla on rooli moderaattori")
    said = await shown(await press(double, alert, "Tarkistan, miten hän voi", moderator, guild=world.guild))
    assert said["content"] == "Kiitos: hälytyksessä näkyy, että tarkistat hänen vointinsa."
    await eventually(lambda: f"<@{moderator}> tarkistaa, miten hän voi" in text_of(alerts(double, world)[-1]))
    dm = double.dm_messages(writer)[-1]
    ok = await shown(await press(double, dm, "Olen kunnossa", writer))
    assert ok["content"].startswith("Kiitos, että kerroit.")
    await eventually(lambda: "Kirjoittaja kertoo: “Olen kunnossa”" in text_of(alerts(double, world)[-1]))
    alert = alerts(double, world)[-1]
    said = await shown(await press(double, alert, "Ratkaistu", moderator, guild=world.guild))
    assert said["content"] == "Merkitty ratkaistuksi."
    await eventually(lambda: not custom_ids(alerts(double, world)[-1]))
    row = await bot.services.db.fetchone("SELECT status, claimed_by, writer_ok_at FROM safety_alerts")
    assert (row["status"], row["claimed_by"]) == ("resolved", moderator) and row["writer_ok_at"]


async def test_safety_terms_extend_the_scan_per_server(double, world, bot, room):
    writer = world.people["caregiver"]
    assert await mod(double, world, "add", {"term": "pelottaa ihan hirve*"}, group="safety-terms") == \
        "Lisätty: “pelottaa ihan hirve\\*”. Tunnistus käyttää sitä tästä lähtien."
    assert (await mod(double, world, "add", {"term": "pelottaa ihan hirve*"}, group="safety-terms")).endswith(
        "on jo listalla.")
    assert (await mod(double, world, "add", {"term": "???"}, group="safety-terms")).startswith(
        "“???” ei ole ilmaus")
    assert await mod(double, world, "list", group="safety-terms") == "• pelottaa ihan hirve\\*"
    await double.user_message(room, writer, "Mua pelottaa ihan hirveesti")
    await eventually(lambda: alerts(double, world))
    assert await mod(double, world, "remove", {"term": "pelottaa ihan hirve*"}, group="safety-terms") == \
        "Poistettu: “pelottaa ihan hirve\\*”."
    assert (await mod(double, world, "remove", {"term": "ei ole"}, group="safety-terms")).endswith(
        "ei ole palvelimen omien ilmausten joukossa.")
    assert (await mod(double, world, "list", group="safety-terms")).startswith("Omia ilmauksia ei vielä ole")
    refused = await mod(double, world, "list", who="staff", group="safety-terms")
    assert refused.startswith("Tätä voivat käyttää vain jäsenet, joilla on rooli moderaattori")


async def test_the_writer_is_answered_in_their_own_language(double, world, bot, room):
    writer = world.people["caregiver"]
    await bot.services.setup.set_member_locale(world.guild, writer, "sv")
    await double.user_message(room, writer, "jag orkar inte leva längre")
    await eventually(lambda: alerts(double, world))
    dm = double.dm_messages(writer)[-1]
    assert dm["content"].startswith("Hej. Det du nyss skrev lät tungt") and labels(dm)[-1] == "Jag är okej"


async def test_a_message_edited_into_crisis_language_is_read_too(double, world, bot, room):
    writer = world.people["caregiver"]
    posted = await double.user_message(room, writer, "Hyvää iltaa kaikille")
    await mod(double, world, "note", {"member": world.people["plain"], "text": "flush"})
    assert alerts(double, world) == []
    stored = double.world.find_message(int(posted["id"]), room)
    stored["content"] = "en jaksa enää, haluan kuolla"
    sent = double.emit_message("MESSAGE_UPDATE", stored)
    if sent is not None:
        await sent
    await eventually(lambda: alerts(double, world))
    assert double.dm_messages(writer)[-1]["content"].startswith("Hei. Äsken kirjoittamasi")
