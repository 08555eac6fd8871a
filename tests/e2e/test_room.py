"""/room create, edit, archive and list, end to end through the double with the real client."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.services.room import CategoryKind
from bot.services.setup import BotRole, SetupChange
from tests.double import permissions as P
from tests.e2e.conftest import configure, start_bot
from tests.e2e.room_helpers import (
    can_read,
    can_write,
    create,
    eventually,
    give_bot,
    listing,
    made_channels,
    next_job,
    overwrite,
    room,
    room_channel,
)


@pytest.fixture
async def desk(double, world, bot):
    """A configured server: every role and channel mapped."""
    await configure(bot, world)
    return bot


def rooms_of(bot, world):
    return bot.services.rooms.in_guild(world.guild)


async def test_a_room_is_made_with_every_overwrite_in_the_one_create_call(double, world, desk):
    text = await create(double, world, "Iltakahvit", "caregivers", topic="Iltaisin jutellaan")
    assert text.startswith("Huone <#") and "omaishoitajat" in text and "Avoinna aina." in text
    category, channel = made_channels(double, world, kind=4)[-1], made_channels(double, world)[-1]
    assert category["name"] == "Huoneet" and channel["parent_id"] == category["id"]
    post = double.calls_to("POST", rf"/guilds/{world.guild}/channels")[-1].json
    assert post["name"] == "Iltakahvit" and post["topic"] == "Iltaisin jutellaan"
    assert len(post["permission_overwrites"]) == 4  # @everyone, caregivers, moderators, the bot
    everyone = overwrite(post, world.guild)
    assert everyone["deny"] == P.VIEW_CHANNEL and everyone["allow"] == 0
    caregivers = overwrite(post, world.roles["caregiver"])
    assert caregivers["type"] == 0 and P.has(caregivers["allow"], P.VIEW_CHANNEL, P.SEND_MESSAGES,
                                              P.READ_MESSAGE_HISTORY)
    assert caregivers["deny"] & P.CREATE_PRIVATE_THREADS
    moderators = overwrite(post, world.roles["moderator"])
    assert P.has(moderators["allow"], P.VIEW_CHANNEL, P.MANAGE_MESSAGES, P.MANAGE_THREADS)
    me = overwrite(post, double.bot_user_id)
    assert me["type"] == 1 and P.has(me["allow"], P.VIEW_CHANNEL, P.SEND_MESSAGES, P.MANAGE_CHANNELS,
                                     P.MANAGE_ROLES, P.MANAGE_MESSAGES, P.PIN_MESSAGES, P.EMBED_LINKS)
    room_id = int(channel["id"])
    # Nothing else touched the overwrites afterwards: they were all in the create call.
    assert not double.calls_to("PUT", rf"/channels/{room_id}/permissions/\d+")
    assert not [c for c in double.calls_to("PATCH", rf"/channels/{room_id}") if "permission_overwrites" in c.json]
    # The rules, pinned, in the server's language.
    rules = double.messages(room_id, system=False)[0]
    assert rules["embeds"][0]["title"] == "Yhteisön säännöt" and rules["pinned"]
    assert rules["embeds"][0]["description"] == (await desk.services.rules.current(world.guild, "fi")).text
    # Who can do what, by the double's own permission computation.
    assert can_write(double, room_id, world, "caregiver")
    for outsider in ("youth", "adult", "plain", "volunteer", "staff"):
        assert not can_read(double, room_id, world, outsider), outsider
    assert can_read(double, room_id, world, "moderator")
    [stored] = await rooms_of(desk, world)
    assert stored.channel_id == room_id and stored.audience.value == "caregivers" and stored.hours is None


async def test_adults_never_see_a_minors_room_and_minors_never_see_an_adults_room(double, world, desk):
    await create(double, world, "nuorten-nurkka", "youth_13_17")
    minors = room_channel(double, world)
    message = await double.user_message(minors, world.people["youth"], "moi kaikki")
    assert message["content"] == "moi kaikki"
    for adult in ("caregiver", "adult", "volunteer", "staff", "plain"):
        assert P.has(double.world.channel_permissions(minors, world.people[adult]), P.VIEW_CHANNEL) is False, adult
        assert not can_read(double, minors, world, adult)  # nor its history
        with pytest.raises(PermissionError):
            await double.user_message(minors, world.people[adult], "hei")
    post = double.calls_to("POST", rf"/guilds/{world.guild}/channels")[-1].json
    targets = {int(o["id"]) for o in post["permission_overwrites"]}
    assert world.roles["caregiver"] not in targets and world.roles["youth_adult"] not in targets

    await create(double, world, "aikuisten-ilta", "adults")
    adults = room_channel(double, world)
    assert can_write(double, adults, world, "caregiver") and can_write(double, adults, world, "adult")
    assert not can_read(double, adults, world, "youth")


async def test_a_plain_member_is_refused_every_room_command(double, world, desk):
    await create(double, world)
    channel = room_channel(double, world)
    posts = len(double.calls_to("POST", rf"/guilds/{world.guild}/channels"))
    for sub, options in (("create", {"name": "oma", "audience": "caregivers"}), ("edit", {"room": channel,
                         "name": "uusi"}), ("archive", {"room": channel}), ("list", None)):
        text = await room(double, world, sub, options, who="plain")
        assert "vain jäsenet, joilla on rooli moderaattori" in text, sub
    assert len(double.calls_to("POST", rf"/guilds/{world.guild}/channels")) == posts
    assert not double.calls_to("PATCH", rf"/channels/{channel}")
    assert len(await rooms_of(desk, world)) == 1


async def test_wrong_hours_get_the_parsers_answer_and_nothing_is_made(double, world, desk):
    text = await create(double, world, opening_hours="maanantaina aamulla")
    assert text.startswith("En saanut selvää aukioloajoista") and "ma–pe 16–21" in text
    text = await create(double, world, opening_hours="ma-pe 16-25")
    assert "ei ole kellonaika" in text
    assert not double.calls_to("POST", rf"/guilds/{world.guild}/channels")
    assert await rooms_of(desk, world) == []


async def test_an_audience_whose_role_is_not_mapped_yet_is_refused(double, world, bot):
    setup = bot.services.setup
    await setup.save(setup.preview(await setup.get(world.guild), SetupChange(roles={
        BotRole.CAREGIVER: world.roles["caregiver"], BotRole.MODERATOR: world.roles["moderator"]}, channels={})))
    text = await create(double, world, audience="youth_13_17")
    assert text == "Mitään ei tehty. Korjaa ensin nämä:\n• Roolia nuoret 13–17 ei ole vielä määritetty: määritä se " \
                   "komennolla /asetukset määritä."
    assert "Roolia nuoret 18–29 ei ole" in await create(double, world, audience="adults")
    assert not double.calls_to("POST", rf"/guilds/{world.guild}/channels")


async def test_missing_permissions_and_a_low_bot_role_are_named(double, world, desk):
    await give_bot(double, desk, world, remove=P.MANAGE_ROLES | P.MANAGE_CHANNELS)
    text = await create(double, world)
    assert "Botilta puuttuu: Kanavien hallinta, Hallinnoi rooleja." in text
    await give_bot(double, desk, world, add=P.MANAGE_ROLES | P.MANAGE_CHANNELS)
    guild = double.world.guild(world.guild)
    double.world.role(world.guild, world.roles["caregiver"])["position"] = guild.roles[guild.bot_role_id]["position"] + 5
    double.gateway.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(world.guild),
                                                  "role": double.world.role(world.guild, world.roles["caregiver"])})
    await eventually(lambda: desk.get_guild(world.guild).get_role(world.roles["caregiver"]).position > 5)
    text = await create(double, world)
    assert f"Botin rooli on roolin <@&{world.roles['caregiver']}> alapuolella" in text
    assert not double.calls_to("POST", rf"/guilds/{world.guild}/channels")
    # Moderators may rank above the bot: it never gives their role.
    double.world.role(world.guild, world.roles["moderator"])["position"] = 50
    double.gateway.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(world.guild),
                                                  "role": double.world.role(world.guild, world.roles["moderator"])})
    await eventually(lambda: desk.get_guild(world.guild).get_role(world.roles["moderator"]).position == 50)
    assert (await create(double, world, audience="youth_18_29")).startswith("Huone <#")


async def test_the_name_is_checked_and_two_creates_at_once_make_one_room(double, world, desk):
    await create(double, world, "kahvila")
    text = await create(double, world, "Kahvila")  # Discord compares text channel names without case
    assert "Huone nimeltä ”Kahvila” on jo olemassa" in text
    first, second = await asyncio.gather(create(double, world, "ilta", "adults"), create(double, world, "ilta"))
    assert sorted([first.startswith("Huone <#"), "on jo olemassa" in second or "on jo olemassa" in first]) == [
        True, True]
    assert [r.name for r in await rooms_of(desk, world)] == ["ilta", "kahvila"]
    assert len(made_channels(double, world)) == 2


async def test_a_room_name_discord_rejects_leaves_nothing_behind(double, world, desk):
    await create(double, world, "kahvila")  # the Rooms category exists from now on
    double.fail_next("POST", rf"/guilds/{world.guild}/channels", status=400, body={
        "code": 50035, "message": "Invalid Form Body",
        "errors": {"name": {"_errors": [{"code": "CHANNEL_NAME_INVALID", "message": "Name contains a blocked word."}]}},
    })
    text = await create(double, world, "kielletty")
    assert text == "Discord ei hyväksynyt nimeä ”kielletty”: Name contains a blocked word. Mitään ei tehty eikä muutettu."
    assert len(made_channels(double, world)) == 1 and len(made_channels(double, world, kind=4)) == 1
    assert [r.name for r in await rooms_of(desk, world)] == ["kahvila"]


async def test_a_failing_later_step_removes_the_room_and_its_new_category(double, world, desk, db_path):
    double.fail_next("PUT", r"/channels/\d+/(messages/)?pins/\d+", status=403,
                     body={"code": 50013, "message": "Missing Permissions"})
    text = await create(double, world, "kahvila")
    assert text.startswith("Discord ei antanut botille oikeutta")
    assert made_channels(double, world) == [] and made_channels(double, world, kind=4) == []
    assert len(double.calls_to("DELETE", r"/channels/\d+")) == 2  # the room, then the category
    assert await rooms_of(desk, world) == []
    assert await desk.services.rooms.category(world.guild, CategoryKind.ROOMS) is None


async def test_a_rooms_category_deleted_by_hand_is_made_again(double, world, desk):
    await create(double, world, "kahvila")
    first = made_channels(double, world, kind=4)[-1]
    double.delete_channel(int(first["id"]))
    await create(double, world, "ilta")
    second = made_channels(double, world, kind=4)[-1]
    assert second["id"] != first["id"] and second["name"] == "Huoneet"
    assert double.channel(room_channel(double, world))["parent_id"] == second["id"]
    assert await desk.services.rooms.category(world.guild, CategoryKind.ROOMS) == int(second["id"])


async def test_edit_recomputes_the_overwrites_in_one_call(double, world, desk):
    await create(double, world, "kahvila", "caregivers")
    channel = room_channel(double, world)
    text = await room(double, world, "edit", {"room": channel, "name": "nuorten-kahvila", "audience": "youth_13_17",
                                              "topic": "Nuorille"})
    assert text.startswith(f"Huone <#{channel}> on päivitetty.")
    [patch] = double.calls_to("PATCH", rf"/channels/{channel}")
    assert patch.json["name"] == "nuorten-kahvila" and patch.json["topic"] == "Nuorille"
    assert world.roles["caregiver"] not in {int(o["id"]) for o in patch.json["permission_overwrites"]}
    assert can_write(double, channel, world, "youth") and not can_read(double, channel, world, "caregiver")
    [stored] = await rooms_of(desk, world)
    assert stored.name == "nuorten-kahvila" and stored.audience.value == "youth_13_17"


async def test_edit_refuses_what_is_not_a_room_and_a_taken_name(double, world, desk):
    await create(double, world, "kahvila")
    await create(double, world, "ilta")
    channel = room_channel(double, world)
    assert "on jo olemassa" in await room(double, world, "edit", {"room": channel, "name": "KAHVILA"})
    text = await room(double, world, "edit", {"room": world.channels["lounge"], "name": "x"})
    assert text == f"<#{world.channels['lounge']}> ei ole komennolla /huone luo tehty huone, tai se on arkistoitu."
    assert "En saanut selvää" in await room(double, world, "edit", {"room": channel, "opening_hours": "joskus"})
    assert not double.calls_to("PATCH", r"/channels/\d+")


async def test_archive_keeps_the_history_readable_and_only_moderators_write(double, world, desk):
    await create(double, world, "kahvila", "adults", opening_hours="daily 8-22")
    channel = room_channel(double, world)
    await double.user_message(channel, world.people["adult"], "hyvää iltaa")
    text = await room(double, world, "archive", {"room": channel})
    assert text.startswith(f"Huone <#{channel}> on arkistoitu")
    archive = made_channels(double, world, kind=4)[-1]
    assert archive["name"] == "Arkistoidut huoneet" and double.channel(channel)["parent_id"] == archive["id"]
    [patch] = double.calls_to("PATCH", rf"/channels/{channel}")
    assert int(patch.json["parent_id"]) == int(archive["id"]) and "permission_overwrites" in patch.json
    for member in ("adult", "caregiver"):
        assert can_read(double, channel, world, member) and not can_write(double, channel, world, member)
    assert can_write(double, channel, world, "moderator") and not can_read(double, channel, world, "youth")
    assert len(double.messages(channel, system=False)) == 2  # the rules and the member's message are kept
    [stored] = await rooms_of(desk, world)
    assert stored.status.value == "archived"
    assert await next_job(desk, stored.id) is None
    assert "arkistoitu" in await listing(double, world)
    assert "on arkistoitu" in await room(double, world, "edit", {"room": channel, "name": "x"})


async def test_a_room_deleted_by_hand_is_shown_as_gone(double, world, desk):
    await create(double, world, "kahvila", opening_hours="ma-su 9-21")
    channel = room_channel(double, world)
    [stored] = await rooms_of(desk, world)
    assert await next_job(desk, stored.id) is not None
    double.delete_channel(channel)

    async def gone() -> bool:
        return (await rooms_of(desk, world))[0].status.value == "gone"

    await eventually(gone)
    assert await next_job(desk, stored.id) is None
    assert "~~kahvila~~ · omaishoitajat · poistettu Discordista" in await listing(double, world)


async def test_list_shows_each_room_with_its_audience_hours_and_whether_it_is_open(double, world, desk, clock):
    assert "Huoneita ei ole vielä" in await listing(double, world)
    await create(double, world, "kahvila")
    await create(double, world, "ilta", "youth_18_29", opening_hours="ma-pe 16-21")
    lines = (await listing(double, world)).splitlines()
    kahvila, ilta = made_channels(double, world)
    assert lines == [  # the clock says Tuesday 1 Dec 2026, 12:00 in Helsinki
        f"<#{ilta['id']}> · nuoret 18–29 · ma–pe 16.00–21.00 · nyt kiinni",
        f"<#{kahvila['id']}> · omaishoitajat · aina avoinna · nyt auki",
    ]
    assert (await listing(double, world, locale="en-GB")).splitlines()[0].endswith(
        "youth 18–29 · Mon-Fri 16:00-21:00 · closed now")


async def test_an_edit_discord_refuses_changes_nothing(double, world, desk):
    await create(double, world, "kahvila")
    channel = room_channel(double, world)
    double.fail_next("PATCH", rf"/channels/{channel}", status=400, body={
        "code": 50035, "message": "Invalid Form Body",
        "errors": {"name": {"_errors": [{"code": "CHANNEL_NAME_INVALID", "message": "Name contains a blocked word."}]}},
    })
    text = await room(double, world, "edit", {"room": channel, "name": "kielletty", "audience": "adults"})
    assert text.startswith("Discord ei hyväksynyt nimeä ”kielletty”")
    double.fail_next("PATCH", rf"/channels/{channel}", status=403, body={"code": 50013, "message": "Missing Permissions"})
    assert (await room(double, world, "edit", {"room": channel, "audience": "adults"})).startswith(
        "Discord ei antanut botille oikeutta")
    [stored] = await rooms_of(desk, world)
    assert stored.name == "kahvila" and stored.audience.value == "caregivers"
    assert double.channel(channel)["name"] == "kahvila" and not can_read(double, channel, world, "adult")


async def test_moderators_are_told_when_a_minor_also_holds_an_adults_role(double, world, desk):
    # Discord lets the caregiver role's allow win over anything the 13–17 role is denied, so a
    # 15-year-old young carer with both roles would see the caregivers' rooms: people must fix it.
    young_carer = double.add_member(world.guild, username="nuori_omaishoitaja",
                                    roles=[world.roles["youth_minor"], world.roles["caregiver"]])
    await eventually(lambda: desk.get_guild(world.guild).get_member(young_carer) is not None)
    text = await create(double, world, "kahvila", "caregivers")
    assert "⚠️ 1 jäsenellä on 13–17-vuotiaiden rooli ja lisäksi omaishoitajan" in text
    assert "rooli ja lisäksi" not in await create(double, world, "nuoret", "youth_13_17")
    h = await double.slash(world.guild, world.people["moderator"], "room", sub="list")
    footer = (await h.response())["data"]["embeds"][0]["footer"]["text"]
    assert footer.startswith("⚠️ 1 jäsenellä on 13–17-vuotiaiden rooli")
    double.update_member(world.guild, young_carer, roles=[world.roles["youth_minor"]])
    await eventually(lambda: len(desk.get_guild(world.guild).get_member(young_carer).roles) == 2)
    assert "rooli ja lisäksi" not in await create(double, world, "ilta", "adults")


async def test_a_minors_room_opened_to_others_by_hand_is_closed_again(double, world, desk, db_path, clock):
    await create(double, world, "nuoret", "youth_13_17")
    minors = room_channel(double, world)
    readable = str(P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY)
    for change in (
        {"id": str(world.roles["caregiver"]), "type": 0, "allow": readable, "deny": "0"},  # an adults' role
        {"id": str(world.people["adult"]), "type": 1, "allow": readable, "deny": "0"},  # one adult
    ):
        channel = double.world.channel(minors)
        channel["permission_overwrites"].append(change)
        double.emit_channel("CHANNEL_UPDATE", channel)
        await eventually(lambda: not can_read(double, minors, world, "caregiver")
                         and not can_read(double, minors, world, "adult"))
        assert can_write(double, minors, world, "youth")
        assert "on 13–17-vuotiaiden huone" in double.messages(world.channels["modlog"])[-1]["content"]
    patches = len(double.calls_to("PATCH", rf"/channels/{minors}"))
    await room(double, world, "edit", {"room": minors, "topic": "Nuorille"})  # the bot's own change is left be
    assert len(double.calls_to("PATCH", rf"/channels/{minors}")) == patches + 1

    await desk.close()  # changed while the bot was away: put back when it starts
    double.world.channel(minors)["permission_overwrites"] = [
        o for o in double.world.channel(minors)["permission_overwrites"] if int(o["id"]) != world.guild]
    assert can_read(double, minors, world, "caregiver")
    async with start_bot(double, db_path, clock) as bot:
        await asyncio.wait_for(bot.get_cog("RoomHoursCog").reconciled.wait(), 5)
        assert not can_read(double, minors, world, "caregiver") and can_write(double, minors, world, "youth")


async def test_a_failing_database_write_removes_what_was_made(double, world, desk, monkeypatch):
    async def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(desk.services.rooms.repo, "insert", broken)
    text = await create(double, world, "kahvila", opening_hours="ma-su 0-1")  # made closed, with its notice
    assert text == "Meillä meni jokin pieleen. Yritä hetken päästä uudelleen."
    assert made_channels(double, world) == [] and made_channels(double, world, kind=4) == []
    assert await rooms_of(desk, world) == []
    assert {job.kind for job in await desk.services.scheduler.repo.pending()} <= {"retention:purge", "impact_rollup"}  # no room job
    assert await desk.services.rooms.category(world.guild, CategoryKind.ROOMS) is None


async def test_a_new_role_mapping_reaches_the_rooms_at_once(double, world, desk):
    await create(double, world, "nuorten-ilta", "youth_13_17")
    channel = room_channel(double, world)
    old = world.roles["youth_minor"]
    new = double.add_role(world.guild, "Nuoret 13-17 (uusi)", 0)
    newcomer = double.add_member(world.guild, username="uusi_nuori", roles=[new])
    assert can_read(double, channel, world, "youth")  # the old role reads it now
    h = await double.slash(world.guild, world.people["admin"], "setup", {"youth_13_17": new}, sub="configure")
    assert (await h.response())["data"]["content"] == "Asetukset tallennettu."
    assert (await h.wait_followup())["content"] == "1 huone noudattaa nyt uusia rooleja."
    overwrites = {int(o["id"]) for o in double.world.channel(channel)["permission_overwrites"]}
    assert new in overwrites and old not in overwrites
    assert not can_read(double, channel, world, "youth")  # the old role's holders see it no more
    assert double.world.channel_permissions(channel, newcomer) & P.VIEW_CHANNEL  # the new role's do
    h = await double.slash(world.guild, world.people["admin"], "setup", {"language": "fi"}, sub="configure")
    await h.response()
    patches = len(double.calls_to("PATCH", rf"/channels/{channel}$"))
    h = await double.slash(world.guild, world.people["admin"], "setup", {"youth_13_17": new}, sub="configure")
    await h.response()
    assert len(double.calls_to("PATCH", rf"/channels/{channel}$")) == patches  # the same mapping: nothing to do
