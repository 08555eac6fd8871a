"""/mod slowmode, lock and unlock through the double."""

from __future__ import annotations

from tests.double import permissions
from tests.e2e.conftest import configure
from tests.e2e.mod_helpers import last_card, mod
from tests.e2e.room_helpers import can_write, create, give_bot, room_channel


async def test_slowmode_sets_the_channel_and_is_a_case(double, world, bot):
    await configure(bot, world)
    lounge = world.channels["lounge"]
    said = await mod(double, world, "slowmode", {"channel": lounge, "duration": "30s"})
    assert said == "Valmis: tapaus 1 (Hidastustila)."
    assert double.world.channel(lounge)["rate_limit_per_user"] == 30
    assert "Kesto: 30 s" in last_card(double, world) and f"<#{lounge}>" in last_card(double, world)
    assert (await mod(double, world, "slowmode", {"channel": lounge, "duration": "pois"})).startswith("Valmis: tapaus 2")
    assert double.world.channel(lounge)["rate_limit_per_user"] == 0 and "Kesto: pois" in last_card(double, world)
    assert await mod(double, world, "slowmode", {"channel": lounge, "duration": "7h"}) == \
        "Hidastustila voi olla enintään 6 tuntia."
    assert await mod(double, world, "slowmode", {"channel": lounge, "duration": "hetki"}) == \
        "“hetki” ei ole kesto. Kirjoita esimerkiksi: 30m, 2h, 1d, 10 min, 2 t, 1 vrk."


async def test_lock_and_unlock_a_room_put_its_overwrites_back(double, world, bot):
    await configure(bot, world)
    await create(double, world, "kahvila", "caregivers")
    room = room_channel(double, world)
    before = double.world.channel(room)["permission_overwrites"]
    said = await mod(double, world, "lock", {"channel": room, "reason": "Rauhoitutaan hetkeksi"})
    assert said == "Valmis: tapaus 1 (Kanava lukittu)."
    assert not can_write(double, room, world, "caregiver") and can_write(double, room, world, "moderator")
    notice = double.messages(room)[-1]["content"]
    assert notice.startswith("Moderaattorit ovat lukinneet kanavan toistaiseksi") and "Rauhoitutaan" in notice
    assert await mod(double, world, "lock", {"channel": room}) == "Kanava on jo lukittu."
    said = await mod(double, world, "unlock", {"channel": room})
    assert said == "Valmis: tapaus 2 (Kanava avattu)."
    assert can_write(double, room, world, "caregiver")
    after = double.world.channel(room)["permission_overwrites"]
    assert sorted(before, key=lambda o: o["id"]) == sorted(after, key=lambda o: o["id"])
    assert await mod(double, world, "unlock", {"channel": room}) == \
        "Botti ei ole lukinnut tätä kanavaa. Mitään ei muutettu."


async def test_lock_without_manage_permissions_changes_nothing(double, world, bot):
    await configure(bot, world)
    await give_bot(double, bot, world, remove=permissions.MANAGE_ROLES)
    lounge = world.channels["lounge"]
    said = await mod(double, world, "lock", {"channel": lounge})
    assert said.startswith("Botti tarvitsee kanavalla") and can_write(double, lounge, world, "caregiver")
    assert await bot.services.db.fetchone("SELECT * FROM channel_locks") is None
