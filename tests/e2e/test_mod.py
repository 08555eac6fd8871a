"""/mod warn, timeout, untimeout, note, cases, case and reason through the double."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services.setup import SetupChange
from tests.double import permissions
from tests.e2e.conftest import configure
from tests.e2e.mod_helpers import cards, last_card, mod, response_embed, run
from tests.e2e.onboarding_helpers import press, text_of


@pytest.fixture
async def ready(double, world, bot, clock):
    double.clock = clock.now  # Discord's "now" for timeouts is the test's clock
    await configure(bot, world)
    return bot


async def test_a_warning_is_a_sealed_case_a_card_and_a_dm_without_the_moderators_name(double, world, ready):
    member, moderator = world.people["caregiver"], world.people["moderator"]
    said = await mod(double, world, "warn", {"member": member, "reason": "Kiroilua *huoneessa*"})
    assert said.startswith("Valmis: tapaus 1 (Varoitus).") and "Voimassa olevia varoituksia nyt: 1." in said
    assert "Jäsenelle kerrottiin yksityisviestillä." in said or "yksityisviestillä" in said
    card = last_card(double, world)
    assert "Tapaus 1: Varoitus" in card and f"<@{member}>" in card and f"<@{moderator}>" in card
    assert "Kiroilua \\*huoneessa\\*" in card and "Voimassa olevat varoitukset: 1" in card
    assert "kyllä, yksityisviestillä" in card
    told = double.dm_messages(member)[-1]["content"]
    assert told.startswith("Sait varoituksen palvelimen Jyväskylä moderaattoreilta. Syy: Kiroilua")
    assert "Maija" not in told and str(moderator) not in told
    await mod(double, world, "warn", {"member": member, "reason": "Taas"})
    assert "Voimassa olevat varoitukset: 2" in last_card(double, world)
    row = await ready.services.db.fetchone("SELECT kind, reason_enc, expires_at, member_told FROM cases WHERE number = 1")
    assert row["kind"] == "warn" and b"Kiroilua" not in bytes(row["reason_enc"]) and row["member_told"] == 1


async def test_the_member_is_told_in_their_own_language(double, world, ready):
    member = world.people["adult"]
    await ready.services.setup.set_member_locale(world.guild, member, "sv")
    await mod(double, world, "warn", {"member": member, "reason": "Spam"})
    assert double.dm_messages(member)[-1]["content"].startswith("Du fick en varning av moderatorerna på Jyväskylä.")


async def test_closed_dms_are_recorded_as_could_not_be_told(double, world, ready):
    member = world.people["caregiver"]
    double.set_dms_closed(member)
    said = await mod(double, world, "warn", {"member": member, "reason": "Kiroilua"})
    assert "Jäsentä ei tavoitettu yksityisviestillä" in said
    assert "ei: häntä ei tavoitettu yksityisviestillä" in last_card(double, world)
    row = await ready.services.db.fetchone("SELECT member_told FROM cases")
    assert row["member_told"] == 0


async def test_a_timeout_is_discords_own_and_untimeout_lifts_it(double, world, ready, clock):
    member = world.people["adult"]
    said = await mod(double, world, "timeout", {"member": member, "duration": "2 t", "reason": "Riitely"})
    assert said.startswith("Valmis: tapaus 1 (Jäähy).")
    until = double.world.member_record(world.guild, member)["communication_disabled_until"]
    assert until is not None and until.startswith((clock.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    assert "Kesto: 2 t" in last_card(double, world)
    assert "jäähyn (2 t)" in double.dm_messages(member)[-1]["content"]
    said = await mod(double, world, "untimeout", {"member": member})
    assert said.startswith("Valmis: tapaus 2 (Jäähy päätetty).")
    assert double.world.member_record(world.guild, member)["communication_disabled_until"] is None
    assert await mod(double, world, "untimeout", {"member": member}) == "Jäsen ei ole jäähyllä. Mitään ei muutettu."


@pytest.mark.parametrize(("duration", "says"), [
    ("29 vrk", "Jäähy voi kestää enintään 28 vuorokautta."),
    ("kauan", "“kauan” ei ole kesto. Kirjoita esimerkiksi: 30m, 2h, 1d, 10 min, 2 t, 1 vrk."),
])
async def test_a_bad_timeout_changes_nothing(double, world, ready, duration, says):
    member = world.people["adult"]
    assert await mod(double, world, "timeout", {"member": member, "duration": duration, "reason": "x"}) == says
    assert double.world.member_record(world.guild, member).get("communication_disabled_until") is None
    assert await ready.services.db.fetchone("SELECT * FROM cases") is None and cards(double, world) == []


async def test_without_moderate_members_the_bot_says_so_and_records_nothing(double, world, ready):
    guild = double.world.guild(world.guild)
    double.set_role_permissions(world.guild, guild.bot_role_id, permissions.DEFAULT_BOT & ~permissions.MODERATE_MEMBERS)
    said = await mod(double, world, "timeout", {"member": world.people["adult"], "duration": "1h", "reason": "x"})
    assert said == "Botti tarvitsee jäähyihin oikeuden Jäsenten valvonta. Mitään ei muutettu."
    assert await ready.services.db.fetchone("SELECT * FROM cases") is None


@pytest.mark.parametrize(("who", "target", "says"), [
    ("moderator", "moderator", "Et voi tehdä tätä itsellesi"),
    ("moderator", "staff", "Jäsen on moderaattori tai henkilökuntaa"),
    ("moderator", "admin", "Jäsen on moderaattori tai henkilökuntaa"),
])
async def test_the_hierarchy_says_which_rule_refused(double, world, ready, who, target, says):
    said = await mod(double, world, "warn", {"member": world.people[target], "reason": "x"}, who)
    assert said.startswith(says)
    assert await ready.services.db.fetchone("SELECT * FROM cases") is None


async def test_roles_at_or_above_the_moderators_and_the_bots_are_refused(double, world, ready):
    high = double.add_role(world.guild, "Korkea")  # created last: above the moderator role
    member = double.add_member(world.guild, username="korkea", roles=[high])
    said = await mod(double, world, "warn", {"member": member, "reason": "x"})
    assert said.startswith("Jäsenen ylin rooli on samalla tasolla tai ylempänä kuin sinun")
    said = await mod(double, world, "warn", {"member": member, "reason": "x"}, "admin")
    assert said.startswith("Jäsenen ylin rooli on samalla tasolla tai ylempänä kuin sinun")
    top = double.add_role(world.guild, "Huippu", position=50)
    above_bot = double.add_member(world.guild, username="huippu", roles=[top])
    world.people["boss"] = double.add_member(world.guild, username="boss", roles=[
        world.roles["admin"], double.add_role(world.guild, "Johto", permissions.MANAGE_GUILD, position=60)])
    said = await mod(double, world, "warn", {"member": above_bot, "reason": "x"}, "boss")
    assert said.startswith("Jäsenen ylin rooli on samalla tasolla tai ylempänä kuin botin")
    assert await ready.services.db.fetchone("SELECT * FROM cases") is None


async def test_an_admin_may_act_on_a_moderator(double, world, ready):
    said = await mod(double, world, "warn", {"member": world.people["moderator"], "reason": "x"}, "admin")
    assert said.startswith("Valmis: tapaus 1 (Varoitus).")


async def test_a_member_who_left_gets_a_clear_answer(double, world, ready):
    member = world.people["caregiver"]
    double.remove_member(world.guild, member)
    assert await mod(double, world, "warn", {"member": member, "reason": "x"}) == "Jäsen ei ole enää palvelimella."
    assert await ready.services.db.fetchone("SELECT * FROM cases") is None


async def test_a_note_is_private_and_cases_list_newest_first_in_pages(double, world, ready, clock):
    member = world.people["caregiver"]
    said = await mod(double, world, "note", {"member": member, "text": "Kertoi raskaasta viikosta"})
    assert said == "Valmis: tapaus 1 (Muistiinpano)."
    assert double.dm_messages(member) == [] and "Jäsenelle kerrottu" not in last_card(double, world)
    await ready.services.setup.save(ready.services.setup.preview(
        await ready.services.setup.get(world.guild), SetupChange({}, {}, warning_expiry_days=30)))
    await mod(double, world, "warn", {"member": member, "reason": "vanha"})
    clock.advance(timedelta(days=31))
    double.clock = clock.now
    for n in range(5):
        await mod(double, world, "note", {"member": member, "text": f"huomio {n}"})
    h = await run(double, world, "cases", {"member": member})
    first = await response_embed(h)
    assert h.ephemeral
    assert [f["name"] for f in first["fields"]][:2] == ["Tapaus 7: Muistiinpano", "Tapaus 6: Muistiinpano"]
    assert first["footer"]["text"] == "Sivu 1/2 · 7 tapausta"
    page = h.followup_messages[-1] if h.followup_messages else h.message
    h2 = await press(double, page, "Vanhemmat", world.people["moderator"], guild=world.guild)
    body = await h2.response()
    second = body["data"]["embeds"][0]
    assert [f["name"] for f in second["fields"]] == ["Tapaus 2: Varoitus · vanhentunut", "Tapaus 1: Muistiinpano"]
    page = double.world.find_message(int(page["id"]))
    h3 = await press(double, page, "Uudemmat", world.people["caregiver"], guild=world.guild)
    assert (await h3.response())["data"]["content"].startswith("Tätä voivat käyttää vain jäsenet, joilla on rooli")


async def test_one_case_by_number_and_a_corrected_reason_is_logged(double, world, ready):
    member = world.people["caregiver"]
    await mod(double, world, "warn", {"member": member, "reason": "Kirotusvirhe"})
    said = await mod(double, world, "reason", {"number": 1, "text": "Kiroilua"})
    assert said == "Tapauksen 1 syy on korjattu; aiempi syy säilyy sen historiassa."
    card = last_card(double, world)
    assert "Tapaus 1: syy korjattu" in card and "Aiempi syy: Kirotusvirhe" in card and "Syy: Kiroilua" in card
    embed = await response_embed(await run(double, world, "case", {"number": 1}))
    shown = text_of({"embeds": [embed]})
    assert "Syy: Kiroilua" in shown and "Kirotusvirhe" in shown
    assert await mod(double, world, "case", {"number": 42}) == "Tällä palvelimella ei ole tapausta 42."
    assert await mod(double, world, "reason", {"number": 42, "text": "x"}) == "Tällä palvelimella ei ole tapausta 42."


async def test_the_warning_expiry_is_a_setup_option(double, world, bot):
    from tests.e2e.test_setup import configure_as_admin
    h = await configure_as_admin(double, world, warning_expiry_days=30)
    embed = (await h.response())["data"]["embeds"][0]
    assert "Moderointi: Varoitukset ovat voimassa 30 päivää." in text_of({"embeds": [embed]})
    assert (await bot.services.setup.get(world.guild)).warning_expiry_days == 30
