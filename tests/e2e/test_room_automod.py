"""/room keeps the AutoMod rules of the 13–17 rooms in step as minors' rooms come and go."""

from __future__ import annotations

import pytest

from tests.double import permissions as P
from tests.double.routes_automod import Blocked
from tests.e2e.conftest import configure
from tests.e2e.room_helpers import create, eventually, give_bot, room, room_channel

RULES_PATH = r"/guilds/\d+/auto-moderation/rules(/\d+)?"
NO_PERMISSION = "Botti tarvitsee Hallitse palvelinta -oikeuden"


@pytest.fixture
async def desk(double, world, bot):
    await configure(bot, world)
    return bot


async def test_a_minors_room_blocks_contact_details_and_follows_the_room(double, world, desk):
    await give_bot(double, desk, world, add=P.MANAGE_GUILD)
    text = await create(double, world, "nuoret", "youth_13_17")
    assert "⚠️" not in text
    minors = room_channel(double, world)
    rules = double.automod.rules(world.guild)
    assert len(rules) == 2 and all(str(minors) not in r["exempt_channels"] for r in rules)
    assert all(set(r["exempt_roles"]) == {str(world.roles["moderator"]), str(world.roles["staff"])} for r in rules)
    with pytest.raises(Blocked):
        await double.user_message(minors, world.people["youth"], "soita 040 123 4567")

    await create(double, world, "aikuiset", "adults")  # an adults' room is left out of the rules
    adults = room_channel(double, world)
    await double.user_message(adults, world.people["adult"], "soita 040 123 4567")

    await create(double, world, "nuoret-ilta", "youth_13_17")
    second = room_channel(double, world)
    await room(double, world, "archive", {"room": minors})
    assert all(str(minors) in r["exempt_channels"] and str(second) not in r["exempt_channels"]
               for r in double.automod.rules(world.guild))

    double.delete_channel(second)  # the last minors' room, deleted by hand: the rules go
    await eventually(lambda: double.automod.rules(world.guild) == [])


async def test_an_edit_into_or_out_of_13_17_moves_the_rules(double, world, desk):
    await give_bot(double, desk, world, add=P.MANAGE_GUILD)
    await create(double, world, "kahvila", "caregivers")
    channel = room_channel(double, world)
    assert double.automod.rules(world.guild) == []
    await room(double, world, "edit", {"room": channel, "audience": "youth_13_17"})
    assert double.automod.rules(world.guild) and all(
        str(channel) not in r["exempt_channels"] for r in double.automod.rules(world.guild))
    await room(double, world, "edit", {"room": channel, "audience": "youth_18_29"})
    assert double.automod.rules(world.guild) == []


async def test_without_manage_server_a_minors_room_is_made_with_a_warning(double, world, desk):
    assert NO_PERMISSION not in await create(double, world, "kahvila", "caregivers")  # no minors' room to protect
    text = await create(double, world, "nuoret", "youth_13_17")
    assert text.startswith("Huone <#") and f"⚠️ {NO_PERMISSION}" in text
    # While a minors' room is unprotected, every room change says so.
    assert NO_PERMISSION in await create(double, world, "ilta", "caregivers")
    assert double.calls_to(None, RULES_PATH) == []
