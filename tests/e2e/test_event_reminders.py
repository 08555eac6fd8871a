"""End to end: reminders 24 h and 1 h before (once each, across a restart, closed DMs in the
thread, the organiser told), edit, cancel, list, the .ics, Interested, and the company notice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.double.scheduled_event_users import press_interested
from tests.e2e.company_helpers import answer, custom_ids
from tests.e2e.conftest import configure, start_bot
from tests.e2e.event_helpers import card, create, event_id, fields, press, rsvp, settled

START = datetime(2026, 12, 12, 16, 0, tzinfo=UTC)  # 12.12.2026 18.00 in Helsinki


@pytest.fixture
async def desk(bot, world):
    await configure(bot, world)
    bot.events.publisher.cards.delay = 0.05
    return bot


async def until(predicate):
    for _ in range(300):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


def reminders_to(double, user_id):
    return [m for m in double.dm_messages(user_id) if m["content"].startswith("Muistutus")]


async def test_going_members_are_reminded_once_each_even_across_a_restart(double, world, desk, db_path, clock):
    await create(double, world)
    message = card(double, world)
    for who in ("caregiver", "adult"):
        await rsvp(double, world, message, "going", who)
    await rsvp(double, world, message, "maybe", "volunteer")
    double.set_dms_closed(world.people["adult"])
    clock.advance(START - timedelta(hours=24) - clock.now())
    await desk.services.scheduler.run_due()
    [first] = reminders_to(double, world.people["caregiver"])
    assert "huomenna" in first["content"]
    assert not reminders_to(double, world.people["volunteer"])
    thread_posts = double.calls_to("POST", r"/channels/\d+/messages$")
    in_thread = [c for c in thread_posts if f"<@{world.people['adult']}>" in ((c.json or {}).get("content") or "")]
    assert len(in_thread) == 1
    await desk.services.scheduler.run_due()
    await desk.close()
    async with start_bot(double, db_path, clock) as again:
        await again.services.scheduler.run_due()  # nothing due again
        assert len(reminders_to(double, world.people["caregiver"])) == 1
        clock.advance(timedelta(hours=23))
        await again.services.scheduler.run_due()
        assert len(reminders_to(double, world.people["caregiver"])) == 2
        assert "alkaa" in reminders_to(double, world.people["caregiver"])[-1]["content"]


async def test_the_organiser_hears_of_reminders_that_could_not_be_sent(double, world, desk, clock):
    await create(double, world)
    message = card(double, world)
    await rsvp(double, world, message, "going", "caregiver")
    double.set_dms_closed(world.people["caregiver"])
    double.delete_channel(world.channels["lounge"])
    clock.advance(START - timedelta(hours=1) - clock.now())
    await desk.services.scheduler.run_due()
    told = double.dm_messages(world.people["staff"])
    assert told and f"<@{world.people['caregiver']}>" in told[-1]["content"]


async def test_a_discord_fault_retries_without_doubling(double, world, desk, clock):
    await create(double, world)
    message = card(double, world)
    for who in ("caregiver", "adult", "youth"):
        await rsvp(double, world, message, "going", who)
    clock.advance(START - timedelta(hours=1) - clock.now())
    double.fail_next("POST", r"/channels/\d+/messages$", status=429, count=2, retry_after=0.05)
    double.fail_next("POST", r"/channels/\d+/messages$", status=500, count=6)
    await desk.services.scheduler.run_due()
    clock.advance(timedelta(minutes=2))
    await desk.services.scheduler.run_due()
    for who in ("caregiver", "adult", "youth"):
        assert len(reminders_to(double, world.people[who])) == 1, who


async def test_edit_moves_the_card_the_event_and_the_reminders_and_tells_those_going(double, world, desk, clock):
    await create(double, world, options={"capacity": 1})
    message = card(double, world)
    await rsvp(double, world, message, "going", "caregiver")
    await rsvp(double, world, message, "going", "adult")  # waits
    opened = await double.slash(world.guild, world.people["staff"], "event",
                                {"event": event_id(message), "capacity": 2}, sub="edit")
    form = (await opened.response())["data"]
    starts = [c for row in form["components"] for c in [row.get("component") or {}] if c.get("custom_id") == "start"]
    assert starts[0]["value"] == "12.12.2026 klo 18.00"
    done = await double.submit_modal(world.people["staff"], form["custom_id"], {
        "title": "Omaishoitajien ilta", "description": "", "start": "13.12.2026 18:00", "end": "20:00",
        "place": "Kirjasto"})
    assert (await answer(done)).startswith("Tapahtuma on muutettu")
    await settled(desk)
    f = fields(card(double, world))
    assert f["Paikka"] == "Kirjasto" and f["Tulossa"] == "2 / 2"
    assert "muuttunut" in double.dm_messages(world.people["caregiver"])[-1]["content"]
    assert "vapautui paikka" in double.dm_messages(world.people["adult"])[-1]["content"]
    [scheduled] = double.world.scheduled_events.values()
    assert scheduled["scheduled_start_time"].startswith("2026-12-13T16:00:00")
    clock.advance(START - timedelta(hours=1) - clock.now())
    await desk.services.scheduler.run_due()
    assert not reminders_to(double, world.people["caregiver"])  # the old time reminds nobody
    stale = await double.submit_modal(world.people["staff"], form["custom_id"], {
        "title": "X", "description": "", "start": "14.12.2026 18:00", "end": "2 h", "place": "Y"})
    assert "Joku muu muutti" in await answer(stale)


async def test_cancel_marks_the_card_tells_members_and_drops_reminders(double, world, desk, clock):
    await create(double, world)
    message = card(double, world)
    await rsvp(double, world, message, "going", "caregiver")
    refused = await double.slash(world.guild, world.people["plain"], "event", {"event": event_id(message)}, sub="cancel")
    assert "vain jäsenet" in await answer(refused)
    done = await double.slash(world.guild, world.people["staff"], "event", {"event": event_id(message)}, sub="cancel")
    assert "1 ilmoittautuneelle" in await answer(done)
    await settled(desk)
    assert card(double, world)["embeds"][0]["title"].startswith("Peruttu")
    assert "peruttu" in double.dm_messages(world.people["caregiver"])[-1]["content"]
    [scheduled] = double.world.scheduled_events.values()
    assert scheduled["status"] == 4
    assert custom_ids(card(double, world)) == [f"k:v1:event:ics:{event_id(message)}"]  # only the calendar is left
    clock.advance(START - timedelta(hours=1) - clock.now())
    await desk.services.scheduler.run_due()
    assert not reminders_to(double, world.people["caregiver"])


async def test_list_shows_a_member_only_what_their_audience_may_join(double, world, desk):
    await create(double, world, title="Kaikille")
    await create(double, world, options={"audience": "youth_13_17"}, title="Nuorten ilta")
    mine = await answer(await double.slash(world.guild, world.people["caregiver"], "event", sub="list"))
    assert "Kaikille" in mine and "Nuorten ilta" not in mine
    youth = await answer(await double.slash(world.guild, world.people["youth"], "event", sub="list"))
    assert "Nuorten ilta" in youth
    staff = await answer(await double.slash(world.guild, world.people["staff"], "event", sub="list"))
    assert "Kaikille" in staff and "Nuorten ilta" in staff
    refused = await rsvp(double, world, card(double, world), "going", "caregiver")
    assert "toiselle ryhmälle" in refused


async def test_add_to_calendar_sends_an_ics_with_uid_zone_and_rising_sequence(double, world, desk):
    await create(double, world)
    message = card(double, world)
    h = await press(double, message, "ics", world.people["caregiver"], guild_id=world.guild)
    body = await h.response()
    assert body["data"]["flags"] & 64
    [(name, data, _type)] = h.callback_files
    text = data.decode()
    assert name.endswith(".ics") and "TZID=Europe/Helsinki" in text and "BEGIN:VTIMEZONE" in text
    assert "SEQUENCE:0" in text
    uid = next(line for line in text.splitlines() if line.startswith("UID:"))
    await answer(await double.slash(world.guild, world.people["staff"], "event", {"event": event_id(message)},
                                    sub="cancel"))
    again = await press(double, message, "ics", world.people["caregiver"], guild_id=world.guild)
    await again.response()
    later = again.callback_files[0][1].decode()
    assert uid in later and "SEQUENCE:1" in later and "STATUS:CANCELLED" in later


async def test_interested_on_discord_counts_as_maybe(double, world, desk):
    await create(double, world)
    [scheduled] = double.world.scheduled_events
    await press_interested(double, scheduled, world.people["caregiver"])
    await press_interested(double, scheduled, world.people["adult"])
    await until(lambda: fields(card(double, world))["Ehkä"] == "2")
    await rsvp(double, world, card(double, world), "going", "adult")  # the card's answer wins
    await until(lambda: fields(card(double, world))["Ehkä"] == "1")
    await press_interested(double, scheduled, world.people["caregiver"], interested=False)
    await press_interested(double, scheduled, world.people["adult"], interested=False)
    await until(lambda: fields(card(double, world))["Ehkä"] == "0")
    assert fields(card(double, world))["Tulossa"] == "1"


async def test_faults_a_left_member_a_deleted_card_and_a_stale_give_up_button(double, world, desk, clock):
    await create(double, world, options={"capacity": 1})
    message = card(double, world)
    await rsvp(double, world, message, "going", "caregiver")
    await rsvp(double, world, message, "going", "adult")
    await rsvp(double, world, message, "no", "caregiver")  # the adult is promoted
    offer = double.dm_messages(world.people["adult"])[-1]
    await rsvp(double, world, message, "going", "youth")  # waits
    double.delete_message(int(message["channel_id"]), int(message["id"]))  # by hand: the answers stay
    desk.events.publisher.cards.touch(event_id(message))
    await settled(desk)  # the refresh finds no card and goes on
    double.remove_member(world.guild, world.people["youth"])
    clock.advance(START - timedelta(hours=1) - clock.now())
    await desk.services.scheduler.run_due()
    assert len(reminders_to(double, world.people["adult"])) == 1
    assert not double.dm_messages(world.people["staff"])  # nothing to report: the one who left is not missed
    await answer(await double.slash(world.guild, world.people["staff"], "event", {"event": event_id(message)},
                                    sub="cancel"))
    stale = await press(double, offer, "giveup", world.people["adult"])
    assert "peruttu" in await answer(stale)

