"""The rooms service on a real database: audiences and roles, names, and one job per room at its
next opening or closing, rescheduled from inside its own job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db.jobs import JobRepo
from bot.db.room import RoomRepo
from bot.db.setup import SetupRepo
from bot.errors import KohtaamoError
from bot.scheduling import Scheduler
from bot.services.hours import BAD_HOURS, parse_hours
from bot.services.room import (
    NAME_TAKEN,
    Audience,
    CategoryKind,
    Room,
    RoomChange,
    RoomService,
    Status,
    clean_name,
    missing_roles,
    name_key,
    read_hours,
)
from bot.services.setup import BotRole, GuildConfig, SetupService

GUILD = 100


@pytest.fixture
async def env(db, clock):
    scheduler = Scheduler(JobRepo(db), clock, timers=False)
    setup = SetupService(SetupRepo(db), clock, "fi", "Europe/Helsinki")
    rooms = RoomService(RoomRepo(db), scheduler, setup, clock)
    fired: list[int | None] = []

    async def on_hours(job):
        room = await rooms.due(job)
        fired.append(None if room is None else room.id)
        if room is not None:
            await rooms.schedule_next(room)  # as the cog does, from inside the job

    scheduler.register(RoomService.KIND_HOURS, on_hours)
    await scheduler.start()
    return rooms, scheduler, fired


def draft(name: str = "kahvila", audience: Audience = Audience.CAREGIVERS, hours: str | None = None,
          channel_id: int = 500) -> Room:
    return Room(0, GUILD, channel_id, name, audience, None, read_hours(hours), "fi", Status.LIVE, False, None)


async def due_at(rooms: RoomService, scheduler: Scheduler, room: Room) -> datetime | None:
    change = await rooms.repo.next_change(room.id)
    job = None if change is None else await scheduler.repo.get_live(RoomService.KIND_HOURS, change)
    return None if job is None else job.due_at


@pytest.mark.parametrize("text", [None, "", "  ", "none", "None", "ei", "ingen", "-", "aina auki"])
def test_typed_nothing_means_always_open(text):
    assert read_hours(text) is None


def test_wrong_hours_raise_the_parsers_error():
    with pytest.raises(KohtaamoError) as error:
        read_hours("joskus iltaisin")
    assert error.value.msgid == BAD_HOURS


def test_names_compare_as_discord_compares_text_channels():
    assert clean_name("  Illan   kahvit ") == "Illan kahvit"
    assert name_key("Illan kahvit") == name_key("illan-kahvit") == "illan-kahvit"
    with pytest.raises(KohtaamoError):
        clean_name("   ")


def test_each_audience_needs_its_roles_and_the_moderators_mapped():
    config = GuildConfig(GUILD, roles={BotRole.CAREGIVER: 1, BotRole.MODERATOR: 2})
    assert missing_roles(config, Audience.CAREGIVERS) == []
    assert missing_roles(config, Audience.ADULTS) == [BotRole.YOUTH_ADULT]
    assert missing_roles(config, Audience.YOUTH_MINOR) == [BotRole.YOUTH_MINOR]
    assert missing_roles(GuildConfig(GUILD, roles={BotRole.YOUTH_MINOR: 3}), Audience.YOUTH_MINOR) == [
        BotRole.MODERATOR]


async def test_a_room_is_recorded_with_its_category_and_its_name_is_taken(env, clock):
    rooms, _, _ = env
    room = await rooms.add(draft(), categories={CategoryKind.ROOMS: 42})
    assert (await rooms.by_channel(500)) == room and await rooms.category(GUILD, CategoryKind.ROOMS) == 42
    await rooms.ensure_name_free(GUILD, "Kahvila", room_id=room.id)  # its own name is fine for itself
    for attempt in (rooms.ensure_name_free(GUILD, "KAHVILA"), rooms.add(draft("Kahvila", channel_id=501),
                                                                        categories={})):
        with pytest.raises(KohtaamoError) as error:
            await attempt
        assert error.value.msgid == NAME_TAKEN
    assert [r.name for r in await rooms.in_guild(GUILD)] == ["kahvila"]
    await rooms.archive(room, category_id=43)
    await rooms.ensure_name_free(GUILD, "kahvila")  # an archived room's name can be used again
    assert await rooms.category(GUILD, CategoryKind.ARCHIVE) == 43


async def test_one_job_at_the_next_change_rescheduled_from_inside_the_job(env, clock):
    rooms, scheduler, fired = env
    clock.advance(datetime(2026, 12, 1, 15, 0, tzinfo=UTC) - clock.now())  # 17:00 in Helsinki
    room = await rooms.add(draft(hours="daily 16-21"), categories={})
    assert not room.should_be_closed(clock.now(), "Europe/Helsinki")
    assert await due_at(rooms, scheduler, room) == datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    for expected in (datetime(2026, 12, 2, 14, 0, tzinfo=UTC), datetime(2026, 12, 2, 19, 0, tzinfo=UTC)):
        clock.advance(await due_at(rooms, scheduler, room) - clock.now())
        assert await scheduler.run_due() == 1
        assert await due_at(rooms, scheduler, room) == expected
    assert fired == [room.id, room.id]
    assert len(await scheduler.repo.pending()) == 1


async def test_changing_the_hours_moves_the_job_and_none_cancels_it(env, clock):
    rooms, scheduler, _ = env
    room = await rooms.add(draft(hours="ma-pe 16-21"), categories={})
    assert await due_at(rooms, scheduler, room) is not None
    edited = await rooms.save(rooms.changed(room, RoomChange(hours="la 10-12", audience=Audience.ADULTS)))
    assert edited.hours == parse_hours("la 10-12") and edited.audience is Audience.ADULTS
    assert await due_at(rooms, scheduler, room) == datetime(2026, 12, 5, 8, 0, tzinfo=UTC)  # Saturday 10:00
    await rooms.save(rooms.changed(edited, RoomChange(hours="none")))
    assert await due_at(rooms, scheduler, room) is None and await scheduler.repo.pending() == []


async def test_an_archived_or_gone_room_has_no_job_and_an_old_job_finds_nothing(env, clock):
    rooms, scheduler, fired = env
    room = await rooms.add(draft(hours="daily 16-21"), categories={})
    gone = await rooms.add(draft("ilta", hours="daily 16-21", channel_id=501), categories={})
    assert await rooms.archive(room, category_id=None) and not await rooms.archive(room, category_id=None)
    assert await rooms.gone(gone) and not await rooms.gone(gone)
    assert await scheduler.repo.pending() == []
    assert [r.status for r in await rooms.in_guild(GUILD)] == [Status.ARCHIVED, Status.GONE]
    clock.advance(timedelta(days=2))
    assert await scheduler.run_due() == 0 and fired == []


async def test_minors_rooms_are_the_live_13_17_rooms(env):
    rooms, _, _ = env
    minors = await rooms.add(draft("nuoret", Audience.YOUTH_MINOR, channel_id=601), categories={})
    await rooms.add(draft("aikuiset", Audience.ADULTS, channel_id=602), categories={})
    other = await rooms.add(draft("nuoret-2", Audience.YOUTH_MINOR, channel_id=603), categories={})
    await rooms.gone(other)
    assert await rooms.minor_channel_ids(GUILD) == [minors.channel_id]
