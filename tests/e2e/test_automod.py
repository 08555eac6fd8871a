"""AutoMod for the 13–17 rooms, end to end: the real bot sets its rules up on the double, and the
double's AutoMod enforces them on members' messages as Discord would."""

from __future__ import annotations

import asyncio
from collections.abc import Collection

import discord
import pytest

from bot.app import Kohtaamo
from bot.services.automod import rule_names
from bot.services.setup import BotChannel, BotRole
from bot.ui.automod import sync_minor_rules
from tests.double import DiscordDouble, permissions
from tests.double.routes_automod import Blocked
from tests.e2e.conftest import World, configure

ROOM_PERMS = permissions.VIEW_CHANNEL | permissions.SEND_MESSAGES | permissions.READ_MESSAGE_HISTORY
FI_BLOCKED = ("Puhelinnumeroita, sähköpostiosoitteita tai muiden sovellusten tunnuksia ei voi jakaa tässä "
              "huoneessa. Näin huone pysyy turvallisena.")
EN_BLOCKED = "Phone numbers, e-mail addresses and accounts on other apps can't be shared in this room. This keeps the room safe."
RULES_PATH = r"/guilds/\d+/auto-moderation/rules(/\d+)?"


async def let_bot_manage_server(d: DiscordDouble, bot: Kohtaamo, world: World) -> None:
    d.set_role_permissions(world.guild, d.world.guild(world.guild).bot_role_id,
                           permissions.DEFAULT_BOT | permissions.MANAGE_GUILD)
    guild = bot.get_guild(world.guild)
    assert guild is not None
    for _ in range(200):
        if guild.me.guild_permissions.manage_guild:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the bot never saw Manage Server")


def minors_room(d: DiscordDouble, world: World, name: str = "nuoret-13-17") -> int:
    return d.add_channel(world.guild, name, overwrites=[
        {"id": world.guild, "type": 0, "allow": 0, "deny": permissions.VIEW_CHANNEL},
        {"id": world.roles["youth_minor"], "type": 0, "allow": ROOM_PERMS, "deny": 0},
        {"id": world.roles["moderator"], "type": 0, "allow": ROOM_PERMS, "deny": 0},
    ])


async def sync(bot: Kohtaamo, world: World, rooms: Collection[int], locale: str = "fi") -> str | None:
    """As the rooms feature calls it: the moderators exempt, alerts to the moderation log."""
    assert bot.services is not None
    config = await bot.services.setup.get(world.guild)
    guild = bot.get_guild(world.guild)
    assert guild is not None
    return await sync_minor_rules(
        guild, minor_channel_ids=rooms, exempt_role_ids=[config.roles[BotRole.MODERATOR]],
        alert_channel_id=config.channels[BotChannel.MODLOG], i18n=bot.i18n, locale=locale,
    )


@pytest.fixture
async def managed(double: DiscordDouble, world: World, bot: Kohtaamo) -> DiscordDouble:
    """A configured server whose admin gave the bot Manage Server."""
    await configure(bot, world)
    await let_bot_manage_server(double, bot, world)
    return double


def changes(d: DiscordDouble) -> list[str]:
    return [c.method for c in d.calls_to(None, RULES_PATH) if c.method != "GET"]


async def test_a_minors_room_blocks_contact_details_and_alerts_the_moderators(managed, world, bot) -> None:
    d = managed
    room = minors_room(d, world)
    assert await sync(bot, world, [room]) is None

    rules = d.automod.rules(world.guild)
    assert [r["name"] for r in rules] == list(rule_names())
    assert all(r["creator_id"] == str(d.bot_user_id) and r["enabled"] for r in rules)
    assert all(r["exempt_roles"] == [str(world.roles["moderator"])] for r in rules)
    assert all(str(room) not in r["exempt_channels"] and str(world.channels["lounge"]) in r["exempt_channels"]
               for r in rules)

    youth, moderator = world.people["youth"], world.people["moderator"]
    with pytest.raises(Blocked) as blocked:
        await d.user_message(room, youth, "soita 040 123 4567")
    assert blocked.value.custom_message == FI_BLOCKED
    alert = d.messages(world.channels["modlog"])[-1]
    assert alert["type"] == 24 and alert["author"]["id"] == str(youth)
    assert alert["embeds"][0]["description"] == "soita 040 123 4567"
    for text in ("lisää mut snäpissä", "mun insta on eetu_2010", "eetu@gmail.com"):
        with pytest.raises(Blocked):
            await d.user_message(room, youth, text)

    await d.user_message(room, moderator, "soita 040 123 4567")  # moderators are exempt
    await d.user_message(world.channels["lounge"], youth, "soita 040 123 4567")  # not a minors' room
    await d.user_message(room, youth, "moi! huomenna klo 16.30-21 taas?")
    await d.user_message(room, youth, "kriisipuhelin 09 2525 0111 auttaa")  # a helpline number is fine
    assert [m["content"] for m in d.messages(room)] == [
        "soita 040 123 4567", "moi! huomenna klo 16.30-21 taas?", "kriisipuhelin 09 2525 0111 auttaa"]

    assert await sync(bot, world, [room], locale="en") is None  # the server's language changed
    assert changes(d) == ["POST", "POST", "PATCH", "PATCH"]
    with pytest.raises(Blocked) as blocked:
        await d.user_message(room, youth, "add me on snap")
    assert blocked.value.custom_message == EN_BLOCKED


async def test_syncing_again_changes_nothing_and_the_scope_follows_the_rooms(managed, world, bot) -> None:
    d = managed
    first = minors_room(d, world)
    assert await sync(bot, world, [first]) is None
    assert await sync(bot, world, [first]) is None
    assert changes(d) == ["POST", "POST"]

    # A new channel is covered until the next sync (Discord rules cover what they do not exempt):
    # a new minors' room needs no change at all, a new adults' channel gets exempted.
    second = minors_room(d, world, "nuoret-ilta")
    lounge2 = d.add_channel(world.guild, "aikuisten-ilta")
    await asyncio.sleep(0.05)  # the bot learns of the channels from the gateway
    with pytest.raises(Blocked):
        await d.user_message(lounge2, world.people["adult"], "0401234567")
    assert await sync(bot, world, [first, second]) is None
    assert changes(d) == ["POST", "POST", "PATCH", "PATCH"]
    await d.user_message(lounge2, world.people["adult"], "0401234567")
    with pytest.raises(Blocked):
        await d.user_message(second, world.people["youth"], "0401234567")

    assert await sync(bot, world, [second]) is None  # the first room is no longer for minors
    assert changes(d)[4:] == ["PATCH", "PATCH"]
    await d.user_message(first, world.people["youth"], "0401234567")

    assert await sync(bot, world, []) is None  # the last minors' room is gone
    assert d.automod.rules(world.guild) == [] and changes(d)[6:] == ["DELETE", "DELETE"]
    await d.user_message(second, world.people["youth"], "0401234567")


async def test_the_servers_own_rules_are_never_touched(managed, world, bot) -> None:
    d = managed
    own = {"id": str(d.ids.next()), "guild_id": str(world.guild), "name": rule_names()[0],
           "creator_id": str(world.people["admin"]), "event_type": 1, "trigger_type": 1, "enabled": True,
           "trigger_metadata": {"keyword_filter": ["kiroilu"], "regex_patterns": [], "allow_list": []},
           "actions": [{"type": 1, "metadata": {}}], "exempt_roles": [], "exempt_channels": []}
    d.automod.by_guild[world.guild] = {int(own["id"]): own}
    room = minors_room(d, world)
    assert await sync(bot, world, [room]) is None
    assert await sync(bot, world, []) is None
    assert d.automod.rules(world.guild) == [own]


async def test_without_manage_server_the_staff_get_a_warning_and_nothing_breaks(double, world, bot) -> None:
    d = double
    await configure(bot, world)
    room = minors_room(d, world)
    warning = await sync(bot, world, [room])
    assert warning is not None and warning.startswith("Botti tarvitsee Hallitse palvelinta -oikeuden")
    assert d.calls_to(None, RULES_PATH) == []
    english = await sync(bot, world, [room], locale="en")
    assert english is not None and english.startswith(
        "The bot needs the Manage Server permission to protect the 13–17 rooms with AutoMod.")
    await d.user_message(room, world.people["youth"], "soita 040 123 4567")  # not protected, but working

    await let_bot_manage_server(d, bot, world)  # the cache says yes, Discord still says no
    d.fail_next("GET", RULES_PATH, status=403, body={"message": "Missing Permissions", "code": 50013})
    assert await sync(bot, world, [room], locale="sv") == bot.i18n.t("sv", (
        "The bot needs the Manage Server permission to protect the 13–17 rooms with AutoMod. "
        "Until then, phone numbers, e-mail addresses and other contact details are not blocked there."))


async def test_a_server_without_room_for_two_keyword_rules_gets_a_warning(managed, world, bot) -> None:
    d = managed
    guild = bot.get_guild(world.guild)
    assert guild is not None
    for n in range(5):
        await guild.create_automod_rule(
            name=f"Palvelimen sääntö {n}", event_type=discord.AutoModRuleEventType.message_send,
            trigger=discord.AutoModTrigger(type=discord.AutoModRuleTriggerType.keyword, keyword_filter=[f"sana{n}"]),
            actions=[discord.AutoModRuleAction()], enabled=True,
        )
    warning = await sync(bot, world, [minors_room(d, world)])
    assert warning is not None and "kahdelle avainsanasäännölle" in warning


async def test_two_syncs_at_once_create_the_rules_once(managed, world, bot) -> None:
    d = managed
    room = minors_room(d, world)
    assert await asyncio.gather(sync(bot, world, [room]), sync(bot, world, [room])) == [None, None]
    assert changes(d) == ["POST", "POST"] and len(d.automod.rules(world.guild)) == 2


async def test_over_fifty_other_channels_the_rest_stay_covered_and_the_staff_are_told(managed, world, bot) -> None:
    d = managed
    room = minors_room(d, world)
    others = [d.add_channel(world.guild, f"kanava-{n}") for n in range(46)]  # 6 channels already: 52 in all
    await asyncio.sleep(0.05)
    assert await sync(bot, world, [room]) == ("AutoMod voi jättää ulkopuolelleen enintään 50 kanavaa, joten "
                                             "yhteystiedot estetään myös 2 muulla kanavalla.")
    assert all(len(r["exempt_channels"]) == 50 for r in d.automod.rules(world.guild))
    with pytest.raises(Blocked):
        await d.user_message(others[-1], world.people["adult"], "0401234567")  # the newest is left covered
    await d.user_message(others[0], world.people["adult"], "0401234567")


async def test_without_minors_rooms_there_is_nothing_to_warn_about(double, world, bot) -> None:
    await configure(bot, world)
    assert await sync(bot, world, []) is None  # no Manage Server, but no 13–17 room either
    assert double.calls_to(None, RULES_PATH) == []


async def test_a_deleted_moderation_log_only_drops_the_alert(managed, world, bot) -> None:
    d = managed
    room = minors_room(d, world)
    d.delete_channel(world.channels["modlog"])
    await asyncio.sleep(0.05)
    assert await sync(bot, world, [room]) is None
    assert all([a["type"] for a in r["actions"]] == [1] for r in d.automod.rules(world.guild))
    with pytest.raises(Blocked):
        await d.user_message(room, world.people["youth"], "0401234567")
