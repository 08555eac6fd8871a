"""/volunteer through the double: the list, duty on and off, duty that ends by itself."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.company_helpers import add_volunteer, answer, ask, on_duty
from tests.e2e.conftest import configure, start_bot


async def volunteer_list(double, world) -> str:
    h = await double.slash(world.guild, world.people["moderator"], "volunteer", sub="list")
    body = await h.response()
    assert body["data"]["flags"] & 64
    return body["data"]["embeds"][0]["description"]


async def test_moderator_keeps_the_list_and_sees_who_is_on_duty(double, world, bot):
    await configure(bot, world)
    assert "Vapaaehtoisia ei ole vielä" in await volunteer_list(double, world)
    added = await add_volunteer(double, world, "volunteer", name="Ville", swedish=True)
    assert "Ville" in added and "suomi, svenska" in added and "omaishoitaja" in added
    await on_duty(double, world, "volunteer")
    listed = await volunteer_list(double, world)
    assert listed.startswith("🟢") and f"<@{world.people['volunteer']}>" in listed and "0 keskustelua" in listed
    off = await answer(await double.slash(world.guild, world.people["volunteer"], "volunteer", sub="off"))
    assert off == "Päivystyksesi päättyi. Kiitos!"
    assert (await volunteer_list(double, world)).startswith("⚪")


async def test_adding_needs_a_moderator_and_sensible_choices(double, world, bot):
    await configure(bot, world)
    h = await double.slash(world.guild, world.people["volunteer"], "volunteer", {"member": world.people["volunteer"]},
                           sub="add")
    assert "moderaattori" in await answer(h)
    refused = await add_volunteer(double, world, "volunteer2", youth_13_17=True)
    assert "alaikäis" in refused
    refused = await add_volunteer(double, world, "volunteer2", finnish=False)
    assert refused.startswith("Valitse")
    assert await bot.services.volunteers.get(world.guild, world.people["volunteer2"]) is None


async def test_someone_not_on_the_list_cannot_go_on_duty(double, world, bot):
    await configure(bot, world)
    text = await on_duty(double, world, "plain")
    assert "vapaaehto" in text.lower() and not text.startswith("Päivystät")


async def test_duty_for_two_hours_ends_by_itself_even_across_a_restart(double, world, bot, clock, db_path):
    await configure(bot, world)
    await add_volunteer(double, world, "volunteer", name="Ville")
    text = await on_duty(double, world, "volunteer", hours=2.0)
    assert text.startswith("Päivystät") and "klo" in text
    clock.advance(timedelta(hours=1))
    await bot.services.scheduler.run_due()
    assert (await volunteer_list(double, world)).startswith("🟢")
    await bot.close()
    clock.advance(timedelta(hours=1, minutes=1))  # the duty ran out while the bot was down
    async with start_bot(double, db_path, clock) as again:
        assert await again.services.scheduler.run_due() == 1
        assert await again.services.scheduler.run_due() == 0  # exactly once
        assert (await volunteer_list(double, world)).startswith("⚪")
        # Nobody off duty is pinged for a new request.
        await ask(double, world)
        queue = [m for m in double.messages(world.channels["volunteer_queue"]) if m.get("embeds")]
        assert f"<@{world.people['volunteer']}>" not in (queue[-1]["content"] or "")


async def test_a_volunteer_who_leaves_the_server_leaves_the_list_and_their_member_is_told(double, world, bot):
    from tests.e2e.company_helpers import dm_with, take

    await configure(bot, world)
    await add_volunteer(double, world, "volunteer", name="Ville")
    await ask(double, world)
    await take(double, world)
    double.remove_member(world.guild, world.people["volunteer"])
    goodbye = await dm_with(double, world.people["caregiver"], "feedback")
    assert "ei ole enää tavoitettavissa" in goodbye["content"]
    assert await bot.services.volunteers.get(world.guild, world.people["volunteer"]) is None
