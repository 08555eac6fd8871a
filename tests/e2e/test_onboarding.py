"""Onboarding through the Discord double: the panel, the welcome DM, the private steps in fi, sv
and en, under 13, faults (left, roles the bot cannot give), roles given exactly once."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.services.setup import BotRole, SetupChange
from tests.double import permissions
from tests.e2e.conftest import configure
from tests.e2e.onboarding_helpers import (
    ACCEPT,
    BAND,
    LANGUAGE,
    START,
    WHO,
    labels,
    onboard,
    panel,
    press,
    shown,
    stored_anywhere,
    text_of,
    welcome_dm,
)

ROLE_PUTS = r"/guilds/\d+/members/\d+/roles/\d+$"


async def post_panel(double, world, bot):
    await configure(bot, world)
    h = await double.slash(world.guild, world.people["staff"], "onboarding", sub="panel")
    content = (await h.response())["data"]["content"]
    assert h.ephemeral
    return content


async def test_staff_post_a_pinned_panel_and_a_newcomer_onboards_in_finnish(double, world, bot):
    assert "julkaistu ja kiinnitetty" in await post_panel(double, world, bot)
    message = panel(double, world)
    assert message["pinned"]
    assert labels(message) == ["Aloita tästä · Börja här · Start here"]
    assert "Välkommen till Jyväskylä!" in text_of(message)  # all three languages, Finnish first
    newcomer = double.add_member(world.guild, username="uusi")
    final = await onboard(double, message, newcomer, world.guild, who="caregiver")
    assert "Tervetuloa! Sinulla on nyt: **Caregiver**" in final["content"]
    assert double.role_ids(world.guild, newcomer) == [world.roles["caregiver"]]
    row = await bot.services.db.fetchone("SELECT caregiver, age_band, rules_version FROM member_onboarding")
    assert tuple(row) == (1, None, 0)


@pytest.mark.parametrize(("language", "rules", "done"), [
    ("fi", "1. Ole ystävällinen.", "Tervetuloa! Sinulla on nyt"),
    ("sv", "1. Var vänlig.", "Välkommen! Du har nu"),
    ("en", "1. Be kind.", "Welcome! You now have"),
])
async def test_the_steps_follow_the_chosen_language_and_a_young_carer_gets_both_roles(
    double, world, bot, language, rules, done,
):
    await post_panel(double, world, bot)
    newcomer = double.add_member(world.guild, username="nuori")
    guild = world.guild
    step = await shown(await press(double, panel(double, world), START["fi"], newcomer, guild=guild))
    assert labels(step) == ["Suomi", "Svenska", "English"]
    step = await shown(await press(double, step, LANGUAGE[language], newcomer, guild=guild))
    assert labels(step) == [WHO[w][language] for w in ("caregiver", "youth", "both")]
    step = await shown(await press(double, step, WHO["both"][language], newcomer, guild=guild))
    assert labels(step) == [BAND[b][language] for b in ("13-17", "18-29", "u13")]
    step = await shown(await press(double, step, BAND["18-29"][language], newcomer, guild=guild))
    assert rules in text_of(step) and labels(step) == [ACCEPT[language]]
    final = await shown(await press(double, step, ACCEPT[language], newcomer, guild=guild))
    assert final["content"].startswith(done) and "/profile" in final["content"]
    assert final["flags"] & 64  # every step is ephemeral
    assert set(double.role_ids(guild, newcomer)) == {world.roles["caregiver"], world.roles["youth_adult"]}
    assert await bot.services.setup.member_locale(guild, newcomer) == language


async def test_under_13_is_refused_kindly_with_the_child_helpline_and_nothing_is_stored(double, world, bot):
    await post_panel(double, world, bot)
    child = double.add_member(world.guild, username="lapsi")
    final = await onboard(double, panel(double, world), child, world.guild, who="youth", band="u13")
    assert "Kohtaamo on 13 vuotta täyttäneille" in final["content"]
    assert "116 111" in final["content"] and "Lasten ja nuorten puhelin" in final["content"]
    assert labels(final) == []
    assert double.role_ids(world.guild, child) == []
    assert await stored_anywhere(bot.services.db, child) == []


async def test_a_newcomer_gets_a_welcome_dm_and_onboards_from_it(double, world, bot):
    await configure(bot, world)
    newcomer = double.add_member(world.guild, username="dm")
    dm = await welcome_dm(double, newcomer)
    assert "Tervetuloa Jyväskylä -palvelimelle!" in dm["content"]
    assert len(double.dm_messages(newcomer)) == 1
    final = await onboard(double, dm, newcomer, world.guild, language="en", who="youth", band="13-17")
    assert final["content"].startswith("Welcome! You now have: **Youth Minor**")
    assert double.role_ids(world.guild, newcomer) == [world.roles["youth_minor"]]


async def test_closed_dms_break_nothing_and_the_panel_still_works(double, world, bot, caplog):
    caplog.set_level(logging.INFO, logger="cogs.onboarding")
    await post_panel(double, world, bot)
    user = double.add_user("suljettu")
    double.set_dms_closed(user)
    double.add_member(world.guild, user_id=user)
    await double.wait_for_call("POST", r"/users/@me/channels$")
    await double.wait_for_call("POST", r"/channels/\d+/messages$")
    assert double.dm_messages(user) == []
    final = await onboard(double, panel(double, world), user, world.guild)
    assert double.role_ids(world.guild, user) == [world.roles["caregiver"]]
    assert "Tervetuloa!" in final["content"]
    assert "closed DMs" in caplog.text


async def test_no_welcome_dm_before_the_server_is_set_up(double, world, bot):
    newcomer = double.add_member(world.guild, username="aikainen")
    member = double.add_member(world.guild, username="toinen")
    for _ in range(500):  # the bot has seen both join
        if bot.get_guild(world.guild).get_member(member) is not None:
            break
        await asyncio.sleep(0.01)
    await configure(bot, world)
    later = double.add_member(world.guild, username="myöhäinen")
    await welcome_dm(double, later)
    assert double.dm_messages(newcomer) == double.dm_messages(member) == []


async def test_accept_pressed_twice_gives_the_roles_once(double, world, bot):
    await post_panel(double, world, bot)
    newcomer = double.add_member(world.guild, username="kahdesti")
    guild = world.guild
    step = await shown(await press(double, panel(double, world), START["fi"], newcomer, guild=guild))
    step = await shown(await press(double, step, "Suomi", newcomer, guild=guild))
    step = await shown(await press(double, step, WHO["both"]["fi"], newcomer, guild=guild))
    rules = await shown(await press(double, step, BAND["13-17"]["fi"], newcomer, guild=guild))
    first = await press(double, rules, ACCEPT["fi"], newcomer, guild=guild)
    second = await press(double, rules, ACCEPT["fi"], newcomer, guild=guild)
    await shown(first), await shown(second)  # both answer by editing the one step message
    texts = {h.edits[-1]["content"].split("\n")[0] for h in (first, second)}
    assert "Olet jo käynyt esittelyn. Valintasi:" in texts
    assert len(double.calls_to("PUT", ROLE_PUTS)) == 1  # 13–17 only (a minor gets no caregiver role), once
    again = await shown(await press(double, panel(double, world), START["fi"], newcomer, guild=guild))
    assert "Ikäryhmä: 13–17" in again["content"] and "Omaishoitaja: kyllä" in again["content"]
    assert "/profile" in again["content"]
    assert len(double.calls_to("PUT", ROLE_PUTS)) == 1


async def test_a_member_who_left_before_accept_is_told_and_nothing_is_recorded(double, world, bot):
    await configure(bot, world)
    newcomer = double.add_member(world.guild, username="lähtijä")
    guild = world.guild
    step = await shown(await press(double, await welcome_dm(double, newcomer), START["fi"], newcomer))
    step = await shown(await press(double, step, "Svenska", newcomer))
    rules = await shown(await press(double, step, WHO["caregiver"]["sv"], newcomer))
    double.remove_member(guild, newcomer)
    final = await shown(await press(double, rules, ACCEPT["sv"], newcomer))
    assert final["content"] == ("Du är inte längre medlem på Jyväskylä, så inget sparades. Om du går med igen kan "
                                "du börja om.")
    assert await stored_anywhere(bot.services.db, newcomer) == []


async def test_a_role_above_the_bot_is_named_and_nothing_is_recorded(double, world, bot):
    high = double.add_role(world.guild, "Omaiset", position=50)
    await configure(bot, world)
    setup = bot.services.setup
    await setup.save(setup.preview(await setup.get(world.guild), SetupChange({BotRole.CAREGIVER: high}, {})))
    newcomer = double.add_member(world.guild, username="korkea")
    final = await onboard(double, await welcome_dm(double, newcomer), newcomer, world.guild, language="en")
    assert final["content"].startswith("The bot cannot give the role Omaiset: it is above the bot's own role")
    assert double.role_ids(world.guild, newcomer) == []
    assert await stored_anywhere(bot.services.db, newcomer) == []


async def test_manage_roles_missing_is_named_in_the_members_language(double, world, bot):
    await post_panel(double, world, bot)
    guild = double.world.guild(world.guild)
    double.set_role_permissions(world.guild, guild.bot_role_id, permissions.DEFAULT_BOT & ~permissions.MANAGE_ROLES)
    newcomer = double.add_member(world.guild, username="ilman")
    final = await onboard(double, panel(double, world), newcomer, world.guild, language="sv")
    assert final["content"].startswith("Botten kan inte ge roller här: den saknar behörigheten Hantera roller.")
    assert await bot.services.db.fetchone("SELECT * FROM member_onboarding") is None


async def test_a_plain_member_cannot_post_the_panel_or_edit_the_rules(double, world, bot):
    await configure(bot, world)
    plain = world.people["plain"]
    for sub, options in (("panel", None), ("rules", {"language": "fi"})):
        h = await double.slash(world.guild, plain, "onboarding", options, sub=sub)
        body = await h.response()
        assert body["type"] == 4 and h.ephemeral
        assert body["data"]["content"].startswith("Tätä voivat käyttää vain jäsenet, joilla on rooli henkilökunta.")
    assert [m for m in double.messages(world.channels["welcome"]) if m.get("components")] == []
