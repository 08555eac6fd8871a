"""End to end: /event create, the card and its buttons, capacity and the waiting list."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e import room_helpers
from tests.e2e.company_helpers import answer, ask, dm_with
from tests.e2e.conftest import configure, start_bot
from tests.e2e.event_helpers import card, cards, create, event_id, fields, press, rsvp, settled


@pytest.fixture
async def desk(bot, world):
    await configure(bot, world)
    bot.events.publisher.cards.delay = 0.05
    return bot


async def test_staff_make_an_event_and_the_card_shows_it(double, world, desk):
    reply = await create(double, world)
    assert reply.startswith("Tapahtuma on julkaistu")
    message = card(double, world)
    embed = message["embeds"][0]
    assert embed["title"] == "Omaishoitajien ilta"
    f = fields(message)
    assert "<t:1797091200:F>" in f["Milloin"]
    assert f["Paikka"] == "Kahvila Kohtaamo, Kauppakatu 1"
    assert f["Järjestäjä"] == f"<@{world.people['staff']}>"
    assert "12.12.2026 klo 18.00" in embed["footer"]["text"]
    scheduled = list(double.world.scheduled_events.values())
    assert len(scheduled) == 1 and scheduled[0]["entity_metadata"]["location"] == "Kahvila Kohtaamo, Kauppakatu 1"
    assert scheduled[0]["scheduled_start_time"].startswith("2026-12-12T16:00:00")


async def test_plain_members_cannot_make_events(double, world, desk):
    reply = await create(double, world, "plain")
    assert "staff" in reply or "henkilökunta" in reply
    assert not double.world.scheduled_events and not cards(double, world.channels["lounge"])


async def test_a_bad_date_changes_nothing_and_says_how(double, world, desk):
    reply = await create(double, world, start="31.2.2027 18:00")
    assert "31.2.2027 18:00" in reply and "12.12.2026 18:00" in reply
    assert not double.world.scheduled_events


async def test_answers_are_counted_on_one_coalesced_edit(double, world, desk):
    await create(double, world)
    message = card(double, world)
    before = len(double.calls_to("PATCH", rf"/channels/\d+/messages/{message['id']}$"))
    replies = await asyncio.gather(
        rsvp(double, world, message, "going", "caregiver"), rsvp(double, world, message, "maybe", "adult"),
        rsvp(double, world, message, "no", "volunteer"), rsvp(double, world, message, "going", "moderator"),
    )
    assert replies[0].startswith("Olet tulossa")
    await settled(desk)
    edits = double.calls_to("PATCH", rf"/channels/\d+/messages/{message['id']}$")
    assert len(edits) - before == 1
    f = fields(card(double, world))
    assert (f["Tulossa"], f["Ehkä"], f["En pääse"]) == ("2", "1", "1")


async def test_capacity_is_never_exceeded_and_the_first_waiting_is_promoted(double, world, desk):
    for n in range(12):
        world.people[f"m{n}"] = double.add_member(world.guild, username=f"m{n}")
    await create(double, world, options={"capacity": 3})
    message = card(double, world)
    handles = await asyncio.gather(*(press(double, message, "going", world.people[f"m{n}"], guild_id=world.guild)
                                     for n in range(12)))
    replies = [await answer(h) for h in handles]
    assert sum(r.startswith("Olet tulossa") for r in replies) == 3
    assert sum("jonossa" in r for r in replies) == 9
    assert sorted(int(r.split("numero ")[1].split(".")[0]) for r in replies if "jonossa" in r) == list(range(1, 10))
    await settled(desk)
    assert fields(card(double, world))["Tulossa"] == "3 / 3"
    ev = event_id(message)
    going = [u for u, _ in await desk.services.events.attendees(ev, "going")]
    first_waiting = (await desk.services.events.attendees(ev, "waiting"))[0][0]
    leaver = next(n for n in world.people if world.people[n] == going[0])
    assert (await rsvp(double, world, message, "no", leaver)).startswith("Merkitty")
    dm = double.dm_messages(first_waiting)[-1]
    assert "vapautui paikka" in dm["content"]
    assert (await answer(await press(double, dm, "giveup", first_waiting))).startswith("Luovutit paikkasi")
    await settled(desk)
    assert fields(card(double, world))["Tulossa"] == "3 / 3"
    assert len(await desk.services.events.attendees(ev, "going")) == 3


async def test_a_weekly_event_gets_each_card_in_turn_even_after_a_restart(double, world, desk, db_path, clock):
    reply = await create(double, world, options={"weekly_times": 2})
    assert "2 kertaa" in reply
    assert len(cards(double, world.channels["lounge"])) == 1
    await desk.close()
    async with start_bot(double, db_path, clock) as again:
        clock.advance(datetime(2026, 12, 12, 16, 0, tzinfo=UTC) - clock.now())
        await again.services.scheduler.run_due()
        made = cards(double, world.channels["lounge"])
        assert len(made) == 2 and event_id(made[1]) != event_id(made[0])
        assert "<t:1797696000:F>" in fields(made[1])["Milloin"]  # a week later, 18.00 again
        clock.advance(timedelta(days=7))
        await again.services.scheduler.run_due()
        assert len(cards(double, world.channels["lounge"])) == 2  # two in all


async def test_the_honest_company_notice_offers_events_the_member_may_join(double, world, desk, clock):
    await create(double, world, title="Kaikkien kahvit")
    await create(double, world, title="Nuorten pelit", options={"audience": "youth_13_17"})
    await ask(double, world, "caregiver")
    clock.advance(timedelta(minutes=61))
    await desk.services.scheduler.run_due()
    honest = await dm_with(double, world.people["caregiver"], "wait")
    assert "Kaikkien kahvit" in honest["content"] and "Nuorten pelit" not in honest["content"]
    assert "112" in honest["content"]


async def test_a_voice_channel_event_and_buttons_after_a_restart(double, world, desk, db_path, clock):
    voice = double.add_channel(world.guild, "Olohuone", type=2)
    refused = await double.slash(world.guild, world.people["plain"], "event", {"event": 1}, sub="edit")
    assert "vain jäsenet" in await answer(refused)
    reply = await create(double, world, options={"voice_channel": voice}, place="")
    assert reply.startswith("Tapahtuma on julkaistu")
    [scheduled] = double.world.scheduled_events.values()
    assert scheduled["entity_type"] == 2 and scheduled["channel_id"] == str(voice)
    assert fields(card(double, world))["Paikka"] == f"<#{voice}>"
    await desk.close()
    async with start_bot(double, db_path, clock) as again:
        again.events.publisher.cards.delay = 0.05
        assert (await rsvp(double, world, card(double, world), "going", "caregiver")).startswith("Olet tulossa")
        await settled(again)
        assert fields(card(double, world))["Tulossa"] == "1"


async def test_an_event_for_an_audience_goes_in_its_room_and_only_it_may_sign_up(double, world, desk):
    await room_helpers.create(double, world, name="nuoret", audience="youth_13_17")
    youth_room = room_helpers.room_channel(double, world)
    assert (await create(double, world, options={"audience": "youth_13_17"}, title="Pelit")).startswith(
        "Tapahtuma on julkaistu")
    [message] = cards(double, youth_room)  # not in the lounge, where the command was run: in the room
    assert "13–17" in fields(message)["Kenelle"]
    assert "toiselle ryhmälle" in await rsvp(double, world, message, "going", "caregiver")
    assert (await rsvp(double, world, message, "going", "youth")).startswith("Olet tulossa")
    wrong = await create(double, world, options={"audience": "caregivers", "channel": youth_room})
    assert "ei ryhmälle" in wrong
