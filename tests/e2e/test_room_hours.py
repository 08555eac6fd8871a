"""Opening hours, end to end with the fake clock: a room closes at 21:00 and opens at 16:00 Helsinki
time on both sides of the October and March daylight-saving changes, across restarts, and a
room whose change came while the bot was down is put right when it starts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.services.room import RoomService
from tests.double import permissions as P
from tests.e2e.conftest import configure, start_bot
from tests.e2e.mod_helpers import mod
from tests.e2e.room_helpers import can_read, can_write, create, next_job, overwrite, room, room_channel

HKI = ZoneInfo("Europe/Helsinki")
SHUT = P.SEND_MESSAGES | P.SEND_MESSAGES_IN_THREADS | P.CREATE_PUBLIC_THREADS


def move(clock: FakeClock, local: datetime) -> None:
    clock.advance(local.replace(tzinfo=HKI) - clock.now())


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def settled(bot) -> None:
    await asyncio.wait_for(bot.get_cog("RoomHoursCog").reconciled.wait(), 5)


async def next_change(bot, world) -> datetime | None:
    [stored] = await bot.services.rooms.in_guild(world.guild)
    job = await next_job(bot, stored.id)
    return None if job is None else job.due_at


def notices(double, channel: int) -> list[str]:
    return [m["content"] for m in double.messages(channel, system=False) if m["content"]]


async def run_until(bot, clock: FakeClock, when: datetime) -> None:
    """Move to ``when`` and run what is due: exactly one room change (the nightly jobs may run too)."""
    clock.advance(when - clock.now())
    before = await room_changes_done(bot)
    assert await bot.services.scheduler.run_due() >= 1
    assert await room_changes_done(bot) == before + 1


async def room_changes_done(bot) -> int:
    row = await bot.services.db.fetchone(
        "SELECT COUNT(*) FROM jobs WHERE kind = ? AND status = 'done'", (RoomService.KIND_HOURS,))
    return row[0]


async def open_room_then_stop(double, world, bot, clock: FakeClock) -> int:
    """At 20:00 on Tuesday 1 December a room open daily 16–21 is made, then the bot stops."""
    move(clock, datetime(2026, 12, 1, 20, 0))
    await create(double, world, "ilta", opening_hours="daily 16-21")
    await bot.close()
    return room_channel(double, world)


@pytest.fixture
async def desk(double, world, bot):
    await configure(bot, world)
    return bot


@pytest.mark.parametrize(("start", "closes", "opens", "closes_again"), [
    # Saturday 24 October 2026 is summer time (UTC+3); the clocks go back on Sunday 25 October.
    (datetime(2026, 10, 24, 17, 0), utc(2026, 10, 24, 18, 0), utc(2026, 10, 25, 14, 0), utc(2026, 10, 25, 19, 0)),
    # Saturday 27 March 2027 is winter time (UTC+2); the clocks go forward on Sunday 28 March.
    (datetime(2027, 3, 27, 17, 0), utc(2027, 3, 27, 19, 0), utc(2027, 3, 28, 13, 0), utc(2027, 3, 28, 18, 0)),
], ids=["october", "march"])
async def test_a_room_closes_at_21_and_opens_at_16_local_across_a_dst_change(
    double, world, desk, clock, start, closes, opens, closes_again
):
    move(clock, start)
    text = await create(double, world, "ilta", opening_hours="joka päivä 16-21")
    assert "Aukioloajat: joka päivä 16.00–21.00 (nyt auki)." in text
    channel = room_channel(double, world)
    assert can_write(double, channel, world, "caregiver")
    assert await next_change(desk, world) == closes  # 21:00 in Helsinki

    await run_until(desk, clock, closes)
    assert can_read(double, channel, world, "caregiver") and not can_write(double, channel, world, "caregiver")
    assert can_write(double, channel, world, "moderator")
    closing = double.calls_to("PATCH", rf"/channels/{channel}")[-1].json
    assert overwrite(closing, world.roles["caregiver"])["deny"] & SHUT == SHUT
    [notice] = notices(double, channel)
    stamp = int(opens.timestamp())  # 16:00 in Helsinki, whatever the offset that day
    assert notice.startswith(f"Tämä huone on nyt kiinni. Se aukeaa taas <t:{stamp}:F> (<t:{stamp}:R>).")
    assert "112" in notice and "Jos tarvitset apua nyt:" in notice
    assert await next_change(desk, world) == opens

    await run_until(desk, clock, opens)
    assert can_write(double, channel, world, "caregiver")
    assert notices(double, channel) == []  # the notice went
    assert await next_change(desk, world) == closes_again
    [stored] = await desk.services.rooms.in_guild(world.guild)
    assert not stored.closed and stored.notice_message_id is None


async def test_a_room_made_outside_its_hours_is_made_closed_with_its_notice(double, world, desk, clock):
    move(clock, datetime(2026, 12, 1, 22, 30))  # Tuesday evening
    text = await create(double, world, "ilta", "youth_18_29", opening_hours="ma-pe 16-21", language="sv")
    assert "(nyt kiinni)" in text
    channel = room_channel(double, world)
    post = double.calls_to("POST", rf"/guilds/{world.guild}/channels")[-1].json
    assert overwrite(post, world.roles["youth_adult"])["deny"] & SHUT == SHUT  # closed in the create call itself
    assert not can_write(double, channel, world, "adult") and can_read(double, channel, world, "adult")
    [notice] = notices(double, channel)
    assert notice.startswith("Det här rummet är stängt nu.")  # the room's language, and so are its rules
    rules = double.messages(channel, system=False)[0]["embeds"][0]
    assert rules["title"] == "Gemenskapens regler"
    assert rules["description"] == (await desk.services.rules.current(world.guild, "sv")).text
    assert int(utc(2026, 12, 2, 14, 0).timestamp()) == int(notice.split("<t:")[1].split(":")[0])


async def test_hours_work_across_restarts_and_downtime_over_a_change_is_put_right(double, world, desk, clock,
                                                                                   db_path):
    channel = await open_room_then_stop(double, world, desk, clock)

    # A restart with no change missed: the new process closes the room at 21:00.
    async with start_bot(double, db_path, clock) as bot:
        await settled(bot)
        assert can_write(double, channel, world, "caregiver")
        await run_until(bot, clock, utc(2026, 12, 1, 19, 0))
        assert not can_write(double, channel, world, "caregiver") and len(notices(double, channel)) == 1

    # Down over the opening at 16:00: the room is opened when the bot starts, the notice goes.
    move(clock, datetime(2026, 12, 2, 17, 30))
    async with start_bot(double, db_path, clock) as bot:
        await settled(bot)
        assert can_write(double, channel, world, "caregiver") and notices(double, channel) == []
        assert await next_change(bot, world) == utc(2026, 12, 2, 19, 0)
        patches = len(double.calls_to("PATCH", rf"/channels/{channel}"))
        changes = await room_changes_done(bot)
        assert await bot.services.scheduler.run_due() == 2  # the night's purge and impact rollup
        assert await room_changes_done(bot) == changes  # no room change was left to fire

    # Down over the closing at 21:00 and a whole day: closed at start, with one notice.
    move(clock, datetime(2026, 12, 3, 23, 0))
    async with start_bot(double, db_path, clock) as bot:
        await settled(bot)
        assert not can_write(double, channel, world, "caregiver")
        [notice] = notices(double, channel)
        assert f"<t:{int(utc(2026, 12, 4, 14, 0).timestamp())}:F>" in notice
        assert len(double.calls_to("PATCH", rf"/channels/{channel}")) == patches + 1

    # Down, and nothing changed meanwhile: nothing is touched at start.
    async with start_bot(double, db_path, clock) as bot:
        await settled(bot)
        assert len(double.calls_to("PATCH", rf"/channels/{channel}")) == patches + 1
        assert len(notices(double, channel)) == 1


async def test_editing_the_hours_opens_closes_or_clears_them(double, world, desk, clock):
    move(clock, datetime(2026, 12, 1, 12, 0))
    await create(double, world, "ilta")
    channel = room_channel(double, world)
    assert await next_change(desk, world) is None  # always open: no job
    text = await room(double, world, "edit", {"room": channel, "opening_hours": "ma-pe 16-21"})
    assert "(nyt kiinni)" in text and not can_write(double, channel, world, "caregiver")
    assert len(notices(double, channel)) == 1 and await next_change(desk, world) == utc(2026, 12, 1, 14, 0)
    text = await room(double, world, "edit", {"room": channel, "opening_hours": "ei"})
    assert "Avoinna aina." in text and can_write(double, channel, world, "caregiver")
    assert notices(double, channel) == [] and await next_change(desk, world) is None
    [stored] = await desk.services.rooms.in_guild(world.guild)
    assert stored.hours is None and not stored.closed


async def test_a_room_discord_refused_to_close_at_start_is_tried_again_a_minute_later(double, world, desk, clock,
                                                                                       db_path):
    channel = await open_room_then_stop(double, world, desk, clock)
    move(clock, datetime(2026, 12, 1, 22, 0))
    double.fail_next("PATCH", rf"/channels/{channel}", status=403, body={"code": 50013, "message": "Missing Permissions"})
    async with start_bot(double, db_path, clock) as bot:
        await settled(bot)
        assert can_write(double, channel, world, "caregiver")  # still open: Discord said no
        assert await next_change(bot, world) == clock.now() + timedelta(minutes=1)
        await run_until(bot, clock, clock.now() + timedelta(minutes=1))
        assert not can_write(double, channel, world, "caregiver") and len(notices(double, channel)) == 1
        assert await next_change(bot, world) == utc(2026, 12, 2, 14, 0)


async def test_a_moderators_lock_holds_over_the_hours_and_unlock_gives_the_hours_state(double, world, desk, clock):
    move(clock, datetime(2026, 12, 1, 20, 0))
    await create(double, world, "ilta", opening_hours="daily 16-21")
    channel = room_channel(double, world)
    assert (await mod(double, world, "lock", {"channel": channel})).startswith("Valmis")
    locked = notices(double, channel)

    await run_until(desk, clock, utc(2026, 12, 1, 19, 0))  # 21:00: the closing waits for the lock
    await run_until(desk, clock, utc(2026, 12, 2, 14, 0))  # 16:00: so does the opening
    assert not can_write(double, channel, world, "caregiver") and can_write(double, channel, world, "moderator")
    assert notices(double, channel) == locked  # no opening or closing notices under the lock

    move(clock, datetime(2026, 12, 2, 22, 0))  # unlocked after closing time: the room is closed by its hours
    assert (await mod(double, world, "unlock", {"channel": channel})).startswith("Valmis")
    assert not can_write(double, channel, world, "caregiver") and can_read(double, channel, world, "caregiver")
    assert notices(double, channel)[-2].startswith("Tämä huone on nyt kiinni.")
    assert notices(double, channel)[-1] == "Kanava on taas auki."
    await run_until(desk, clock, utc(2026, 12, 3, 14, 0))
    assert can_write(double, channel, world, "caregiver")
