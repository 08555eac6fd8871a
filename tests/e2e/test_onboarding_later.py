"""Onboarding after the first day: a restart between steps, /setup's panel, staff editing the
rules, /profile, and /mod ageband."""

from __future__ import annotations

import re

from bot.services.setup import BotChannel, SetupChange
from tests.e2e.conftest import configure, start_bot
from tests.e2e.onboarding_helpers import (
    ACCEPT,
    BAND,
    START,
    WHO,
    field,
    labels,
    onboard,
    panel,
    press,
    shown,
    text_of,
)
from tests.e2e.test_setup import configure_as_admin


async def test_an_old_panel_and_a_half_done_flow_work_after_a_restart(double, world, db_path, clock):
    async with start_bot(double, db_path, clock) as bot:
        await configure(bot, world)
        await (await double.slash(world.guild, world.people["staff"], "onboarding", sub="panel")).response()
        first, second = double.add_member(world.guild, username="a"), double.add_member(world.guild, username="b")
        step = await shown(await press(double, panel(double, world), START["fi"], second, guild=world.guild))
        step = await shown(await press(double, step, "English", second, guild=world.guild))
        step = await shown(await press(double, step, WHO["youth"]["en"], second, guild=world.guild))
    async with start_bot(double, db_path, clock):
        final = await onboard(double, panel(double, world), first, world.guild)
        assert final["content"].startswith("Tervetuloa!")
        rules = await shown(await press(double, step, BAND["13-17"]["en"], second, guild=world.guild))
        done = await shown(await press(double, rules, ACCEPT["en"], second, guild=world.guild))
        assert done["content"].startswith("Welcome! You now have: **Youth Minor**")
    assert double.role_ids(world.guild, second) == [world.roles["youth_minor"]]


async def test_setup_posts_the_panel_once_and_replaces_a_deleted_one(double, world, bot):
    welcome = world.channels["welcome"]
    h = await configure_as_admin(double, world, welcome=welcome)
    await h.response()
    note = await h.wait_followup()
    assert note["content"] == f"”Aloita tästä” -paneeli on julkaistu ja kiinnitetty kanavalle <#{welcome}>."
    await (await configure_as_admin(double, world, welcome=welcome)).response()
    await double.wait_for_call("GET", rf"/channels/{welcome}/messages/\d+$")  # the panel is there: kept
    panels = [m for m in double.messages(welcome) if m.get("components")]
    assert len(panels) == 1
    double.delete_message(welcome, int(panels[0]["id"]))
    h = await configure_as_admin(double, world, welcome=welcome)
    await h.response()
    await h.wait_followup()
    assert len([m for m in double.messages(welcome) if m.get("components")]) == 1


async def test_staff_edit_the_rules_and_a_newcomer_accepts_that_version(double, world, bot):
    await configure(bot, world)
    staff = world.people["staff"]
    h = await double.slash(world.guild, staff, "onboarding", {"language": "sv"}, sub="rules")
    modal = (await h.response())["data"]
    assert modal["title"] == "Yhteisön säännöt (svenska)"
    rules = field(modal, "Säännöt")
    empty = await double.submit_modal(staff, modal["custom_id"], {rules: "   "})
    assert (await empty.response())["data"]["content"] == "Säännöt eivät voi olla tyhjät. Mitään ei tallennettu."
    saved = await double.submit_modal(staff, modal["custom_id"], {rules: "Var snäll mot alla."})
    assert (await saved.response())["data"]["content"].startswith("Yhteisön säännöt on tallennettu versiona 1.")
    assert (await bot.services.rules.current(world.guild, "sv")).text == "Var snäll mot alla."
    plain = await double.submit_modal(world.people["plain"], modal["custom_id"], {rules: "Kaikki sallittu"})
    assert "henkilökunta" in (await plain.response())["data"]["content"]
    assert (await bot.services.rules.current(world.guild, "sv")).version == 1
    await (await double.slash(world.guild, staff, "onboarding", sub="panel")).response()
    newcomer = double.add_member(world.guild, username="ny")
    step = await shown(await press(double, panel(double, world), START["fi"], newcomer, guild=world.guild))
    step = await shown(await press(double, step, "Svenska", newcomer, guild=world.guild))
    step = await shown(await press(double, step, WHO["caregiver"]["sv"], newcomer, guild=world.guild))
    assert "Var snäll mot alla." in text_of(step)
    await shown(await press(double, step, ACCEPT["sv"], newcomer, guild=world.guild))
    row = await bot.services.db.fetchone("SELECT rules_version FROM member_onboarding WHERE user_id = ?", (newcomer,))
    assert row[0] == 1


async def onboarded(double, world, bot, who="caregiver", band=None, language="fi"):
    await configure(bot, world)
    await (await double.slash(world.guild, world.people["staff"], "onboarding", sub="panel")).response()
    newcomer = double.add_member(world.guild, username=f"{who}{band}")
    await onboard(double, panel(double, world), newcomer, world.guild, who=who, band=band, language=language)
    return newcomer


async def test_profile_changes_language_and_caregiver_and_explains_the_age_group(double, world, bot):
    member = await onboarded(double, world, bot, who="both", band="13-17")
    h = await double.slash(world.guild, member, "profile")
    profile = await shown(h)
    assert h.ephemeral
    assert "Omaishoitaja: kyllä" in text_of(profile) and "Ikäryhmä: 13–17" in text_of(profile)
    profile = await shown(await press(double, profile, "Svenska", member, guild=world.guild))
    assert "Anhörigvårdare: ja" in text_of(profile)
    assert await bot.services.setup.member_locale(world.guild, member) == "sv"
    profile = await shown(await press(double, profile, "Jag är inte anhörigvårdare", member, guild=world.guild))
    assert "Anhörigvårdare: nej" in text_of(profile)
    assert double.role_ids(world.guild, member) == [world.roles["youth_minor"]]
    profile = await shown(await press(double, profile, "Jag är också anhörigvårdare", member, guild=world.guild))
    assert "Anhörigvårdare: ja" in text_of(profile)
    assert double.role_ids(world.guild, member) == [world.roles["youth_minor"]]  # a minor: never a caregiver role
    told = await shown(await press(double, profile, "Ändra min åldersgrupp", member, guild=world.guild))
    assert told["content"].startswith("Bara en moderator kan ändra din åldersgrupp.")
    assert double.role_ids(world.guild, member) == [world.roles["youth_minor"]]


async def test_profile_keeps_a_caregiver_in_some_group_and_asks_newcomers_to_start(double, world, bot):
    member = await onboarded(double, world, bot)
    profile = await shown(await double.slash(world.guild, member, "profile", locale="en-GB"))
    refused = await shown(await press(double, profile, "En ole omaishoitaja", member, guild=world.guild))
    assert refused["content"].startswith("Et silloin kuuluisi täällä mihinkään ryhmään.")
    assert double.role_ids(world.guild, member) == [world.roles["caregiver"]]
    h = await double.slash(world.guild, world.people["plain"], "profile", locale="en-GB")
    body = await shown(h)
    assert body["content"].startswith("You have not finished the introduction on this server yet.")
    assert labels(body) == ["Aloita tästä · Börja här · Start here"]  # the server's language first


async def test_a_moderator_moves_a_member_to_another_age_group(double, world, bot):
    member = await onboarded(double, world, bot, who="youth", band="13-17", language="sv")
    moderator = world.people["moderator"]
    h = await double.slash(world.guild, moderator, "mod", {"member": member, "age_group": "18-29",
                                                          "reason": "Fyllde 18 i maj"}, sub="ageband")
    answer = await shown(h)
    assert answer["content"].startswith("Valmis (tapaus 1):") and "18–29" in answer["content"]
    assert "yksityisviestillä" in answer["content"]
    assert double.role_ids(world.guild, member) == [world.roles["youth_adult"]]
    card = [m for m in double.messages(world.channels["modlog"]) if m.get("embeds")][-1]
    assert "Tapaus 1: ikäryhmä muutettu" in text_of(card) and "13–17 → 18–29" in text_of(card)
    assert f"<@{moderator}>" in text_of(card) and "Fyllde 18 i maj" in text_of(card)
    told = double.dm_messages(member)[-1]["content"]
    assert told.startswith("En moderator på Jyväskylä ändrade din åldersgrupp till 18–29. Orsak: Fyllde 18 i maj")
    assert "Maija" not in told and str(moderator) not in told
    case = await bot.services.db.fetchone("SELECT kind, target_user_id, reason_enc FROM cases")
    assert (case["kind"], case["target_user_id"]) == ("ageband", member) and "Fyllde" not in str(case["reason_enc"])
    again = await shown(await double.slash(world.guild, moderator, "mod", {
        "member": member, "age_group": "18-29", "reason": "sama"}, sub="ageband"))
    assert again["content"] == "Jäsen on jo siinä ikäryhmässä. Mitään ei muutettu."


async def test_a_young_carer_holds_the_caregiver_role_only_outside_13_17(double, world, bot):
    """On Discord one role's allow beats another's deny: a 13–17 member with a caregiver role would
    see the caregivers' and adults' rooms. The choice is kept and the role follows the age group."""
    member = await onboarded(double, world, bot, who="both", band="13-17")
    assert double.role_ids(world.guild, member) == [world.roles["youth_minor"]]
    moderator = world.people["moderator"]
    await shown(await double.slash(world.guild, moderator, "mod", {
        "member": member, "age_group": "18-29", "reason": "Täytti 18 vuotta"}, sub="ageband"))
    assert set(double.role_ids(world.guild, member)) == {world.roles["youth_adult"], world.roles["caregiver"]}
    await shown(await double.slash(world.guild, moderator, "mod", {
        "member": member, "age_group": "13-17", "reason": "Väärä ikä, tarkistettu"}, sub="ageband"))
    assert double.role_ids(world.guild, member) == [world.roles["youth_minor"]]


async def test_mod_ageband_is_for_moderators_only_and_not_for_oneself(double, world, bot):
    member = await onboarded(double, world, bot, who="youth", band="13-17")
    for who, expected in (("plain", "Tätä voivat käyttää vain jäsenet, joilla on rooli moderaattori."),
                          ("caregiver", "Tätä voivat käyttää vain jäsenet, joilla on rooli moderaattori."),
                          ("moderator", "Jäsen ei ole vielä käynyt esittelyä loppuun")):
        target = world.people["plain"] if who == "moderator" else member
        h = await double.slash(world.guild, world.people[who], "mod", {"member": target, "age_group": "18-29",
                                                                      "reason": "x"}, sub="ageband")
        assert (await shown(h))["content"].startswith(expected)
    h = await double.slash(world.guild, world.people["moderator"], "mod", {
        "member": world.people["moderator"], "age_group": "13-17", "reason": "x"}, sub="ageband")
    assert (await shown(h))["content"] == "Et voi muuttaa omaa ikäryhmääsi: pyydä toista moderaattoria."
    assert double.role_ids(world.guild, member) == [world.roles["youth_minor"]]
    assert await bot.services.db.fetchone("SELECT * FROM cases") is None
    assert not re.search("ikäryhmä muutettu", str([text_of(m) for m in double.messages(world.channels["modlog"])]))


async def test_setup_without_a_welcome_channel_posts_no_panel(double, world, bot):
    setup = bot.services.setup
    await setup.save(setup.preview(await setup.get(world.guild), SetupChange({}, {BotChannel.MODLOG: world.channels["modlog"]})))
    h = await double.slash(world.guild, world.people["admin"], "onboarding", sub="panel")
    assert (await shown(h))["content"] == "Aseta ensin tervetulokanava komennolla /setup: paneeli julkaistaan sinne."


async def test_the_members_choices_are_in_the_privacy_export_and_erased_with_it(double, world, bot):
    member = await onboarded(double, world, bot, who="both", band="18-29")
    exported = await bot.services.privacy.export(member, world.guild)
    assert [(e["caregiver"], e["age_band"]) for e in exported["onboarding"]] == [(True, "18-29")]
    assert exported["language"] == [{"language": "fi"}]  # chosen in the steps
    erased = await bot.services.privacy.erase(member, world.guild)
    assert erased["onboarding"] == 1 and erased["language"] == 1
    assert (await bot.services.privacy.export(member, world.guild))["onboarding"] == []
    assert await bot.services.setup.member_locale(world.guild, member) is None
