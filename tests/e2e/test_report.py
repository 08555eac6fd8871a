"""The "Report to moderators" and "Remove message" context menus, and the report card's buttons."""

from __future__ import annotations

import pytest

from tests.e2e.company_helpers import answer, custom_ids
from tests.e2e.conftest import configure
from tests.e2e.mod_helpers import cards, last_card
from tests.e2e.onboarding_helpers import field, press, shown, text_of

REPORT, REMOVE = "Report to moderators", "Remove message"


@pytest.fixture
async def ready(double, world, bot):
    await configure(bot, world)
    return bot


async def report(double, world, who, message, reason="harassment", note=None, locale="fi"):
    """Open the menu on ``message`` and send the form; returns what the reporter sees."""
    h = await double.message_context(world.guild, world.people[who], REPORT, int(message["id"]), locale=locale)
    body = await h.response()
    if body["type"] != 9:
        return str(body["data"].get("content") or "")
    form = body["data"]
    values = {field(form, {"fi": "Mikä on vialla?", "en": "What is wrong?"}[locale]): reason}
    if note is not None:
        values[field(form, {"fi": "Lisättävää? (vapaaehtoinen)", "en": "More to say? (optional)"}[locale])] = note
    return await answer(await double.submit_modal(world.people[who], form["custom_id"], values, locale=locale))


def report_cards(double, world):
    return [m for m in cards(double, world) if "Ilmoitus " in (m["embeds"][0].get("title") or "")]


async def test_a_report_is_a_card_with_the_quoted_text_and_the_reporter_for_moderators_only(double, world, ready):
    author = world.people["adult"]
    message = await double.user_message(world.channels["lounge"], author, "Olet **tyhmä** @everyone " + "x" * 900)
    said = await report(double, world, "caregiver", message, "harassment", "Jo toinen kerta")
    assert said == "Kiitos. Moderaattorit katsovat asiaa. Kirjoittajalle ei kerrota, kuka ilmoitti."
    card = report_cards(double, world)[-1]
    text = text_of(card)
    assert "> Olet \\*\\*tyhmä\\*\\* @\u200beveryone" in text and "…" in text and len(card["embeds"][0]["description"]) < 800
    assert f"Kirjoittaja: <@{author}>" in text and f"Huone: <#{world.channels['lounge']}>" in text
    assert f"/{world.channels['lounge']}/{message['id']}" in text and "1 jäsen" in text
    assert f"<@{world.people['caregiver']}> · Häirintää" in text and "Jo toinen kerta" in text
    assert [b["label"] for b in _buttons(card)] == ["Otan tämän", "Ratkaise"]
    assert double.dm_messages(author) == []  # the reported member is not told
    raw = await ready.services.db.fetchone("SELECT text_enc FROM reports")
    assert b"tyhm" not in bytes(raw["text_enc"])


def _buttons(message):
    from tests.e2e.onboarding_helpers import buttons
    return buttons(message)


async def test_several_reporters_update_one_card_and_a_member_has_at_most_three_open(double, world, ready):
    author = world.people["adult"]
    message = await double.user_message(world.channels["lounge"], author, "roskaa")
    for who in ("caregiver", "plain", "youth"):
        await report(double, world, who, message, "spam")
    assert len(report_cards(double, world)) == 1 and "3 jäsentä" in text_of(report_cards(double, world)[-1])
    again = await report(double, world, "plain", message, "spam")
    assert again == "Olet jo ilmoittanut tästä viestistä; se on moderaattoreilla."
    for n in range(2):
        other = await double.user_message(world.channels["lounge"], author, f"lisää {n}")
        await report(double, world, "plain", other, "other")
    fourth = await double.user_message(world.channels["lounge"], author, "vielä")
    assert (await report(double, world, "plain", fourth, "other")).startswith(
        "Sinulla on jo 3 ilmoitusta odottamassa moderaattoreita.")
    assert await report(double, world, "adult", fourth) == "Et voi ilmoittaa omasta viestistäsi."


async def test_a_deleted_message_gets_a_clear_answer(double, world, ready):
    message = await double.user_message(world.channels["lounge"], world.people["adult"], "poistuu")
    h = await double.message_context(world.guild, world.people["caregiver"], REPORT, int(message["id"]))
    form = (await h.response())["data"]
    double.delete_message(world.channels["lounge"], int(message["id"]))
    said = await answer(await double.submit_modal(world.people["caregiver"], form["custom_id"],
                                                  {field(form, "Mikä on vialla?"): "unsafe"}))
    assert said.startswith("Viesti on poistettu, joten siitä ei voi ilmoittaa.")
    assert report_cards(double, world) == []


async def test_claim_and_resolve_tell_the_reporters_without_details(double, world, ready):
    message = await double.user_message(world.channels["lounge"], world.people["adult"], "ilkeää")
    await report(double, world, "caregiver", message)
    await report(double, world, "plain", message, "unsafe")
    card = report_cards(double, world)[-1]
    refused = await shown(await press(double, card, "Otan tämän", world.people["staff"], guild=world.guild))
    assert refused["content"].startswith("Tätä voivat käyttää vain jäsenet, joilla on rooli moderaattori")
    said = await shown(await press(double, card, "Otan tämän", world.people["moderator"], guild=world.guild))
    assert said["content"] == "Ilmoitus on sinun: kortissa näkyy, että hoidat sen."
    assert f"<@{world.people['moderator']}> selvittää asiaa" in last_card(double, world)
    card = report_cards(double, world)[-1]
    h = await press(double, card, "Ratkaise", world.people["moderator"], guild=world.guild)
    form = (await h.response())["data"]
    said = await answer(await double.submit_modal(world.people["moderator"], form["custom_id"],
                                                  {field(form, "Lopputulos"): "acted"}))
    assert said == "Ratkaistu. Ilmoittajille kerrottu yksityisviestillä: 2/2."
    assert "Ratkaisija" in last_card(double, world) and "Toimiin ryhdytty" in last_card(double, world)
    assert not custom_ids(report_cards(double, world)[-1])
    told = double.dm_messages(world.people["caregiver"])[-1]["content"]
    assert told == "Kiitos ilmoituksestasi palvelimella Jyväskylä: moderaattorit ovat käsitelleet sen."
    assert double.dm_messages(world.people["adult"]) == []


async def test_remove_message_deletes_it_and_gives_the_author_the_reason_and_their_text(double, world, ready):
    author = world.people["adult"]
    message = await double.user_message(world.channels["lounge"], author, "Soita mulle 040 123 4567")
    h = await double.message_context(world.guild, world.people["moderator"], REMOVE, int(message["id"]))
    form = (await h.response())["data"]
    assert form["title"] == "Poista viesti"
    said = await answer(await double.submit_modal(world.people["moderator"], form["custom_id"],
                                                  {field(form, "Syy"): "Ei puhelinnumeroita huoneisiin"}))
    assert said.startswith("Valmis: tapaus 1 (Viesti poistettu).")
    assert all(m["id"] != message["id"] for m in double.messages(world.channels["lounge"]))
    told = double.dm_messages(author)[-1]["content"]
    assert "Syy: Ei puhelinnumeroita huoneisiin" in told and "> Soita mulle 040 123 4567" in told
    assert "Maija" not in told
    assert "Poistettu teksti" in last_card(double, world)


async def test_remove_message_is_for_moderators_and_respects_the_hierarchy(double, world, ready):
    message = await double.user_message(world.channels["lounge"], world.people["staff"], "henkilökunnan viesti")
    for who, says in (("plain", "Tätä voivat käyttää vain jäsenet, joilla on rooli moderaattori"),
                      ("moderator", "Jäsen on moderaattori tai henkilökuntaa")):
        h = await double.message_context(world.guild, world.people[who], REMOVE, int(message["id"]))
        assert (await h.response())["data"]["content"].startswith(says)
    assert any(m["id"] == message["id"] for m in double.messages(world.channels["lounge"]))


async def test_a_departed_members_message_can_still_be_removed(double, world, ready):
    author = world.people["adult"]
    message = await double.user_message(world.channels["lounge"], author, "mainos mainos")
    double.remove_member(world.guild, author)
    h = await double.message_context(world.guild, world.people["moderator"], REMOVE, int(message["id"]))
    form = (await h.response())["data"]
    said = await answer(await double.submit_modal(world.people["moderator"], form["custom_id"], {field(form, "Syy"): "Roskaa"}))
    assert said.startswith("Valmis: tapaus 1 (Viesti poistettu).")
    assert all(m["id"] != message["id"] for m in double.messages(world.channels["lounge"]))


async def test_report_buttons_work_after_a_restart(double, world, db_path, clock):
    from tests.e2e.conftest import start_bot
    async with start_bot(double, db_path, clock) as bot:
        await configure(bot, world)
        message = await double.user_message(world.channels["lounge"], world.people["adult"], "ilkeää")
        await report(double, world, "caregiver", message)
    async with start_bot(double, db_path, clock):
        card = report_cards(double, world)[-1]
        said = await shown(await press(double, card, "Otan tämän", world.people["moderator"], guild=world.guild))
        assert said["content"] == "Ilmoitus on sinun: kortissa näkyy, että hoidat sen."


async def test_the_report_form_speaks_the_members_language(double, world, ready):
    message = await double.user_message(world.channels["lounge"], world.people["adult"], "spam spam")
    said = await report(double, world, "caregiver", message, "spam", "again", locale="en")
    assert said == "Thank you. The moderators will look at it. The writer is not told who reported."
