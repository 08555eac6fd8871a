"""The event service on a real database: capacity under concurrent answers, the waiting list,
lowered capacity, Interested, weekly series, reminders' bookkeeping, privacy."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.db.event import EventRepo
from bot.db.jobs import JobRepo
from bot.errors import KohtaamoError
from bot.scheduling import Scheduler
from bot.services.event import (
    BAND_AUDIENCES,
    CHANGED_MEANWHILE,
    NOT_FOR_YOU,
    Choice,
    Details,
    EventService,
    Options,
    member_audiences,
)
from bot.services.room import Audience
from bot.services.setup import BotRole, GuildConfig
from bot.services.volunteer import Audience as Band

GUILD, CHANNEL, STAFF = 100, 200, 300
DETAILS = Details("Ilta", "Kahvia", "12.12.2026 18:00", "2 h", "Kahvila")


@pytest.fixture
async def env(db, clock):
    scheduler = Scheduler(JobRepo(db), clock, timers=False)
    events = EventService(EventRepo(db), scheduler, clock)
    ran: list[tuple[str, int]] = []

    async def note(job):
        ran.append((job.kind, job.ref_id))

    for kind in (*events.REMINDER_KINDS.values(), events.KIND_NEXT):
        scheduler.register(kind, note)
    await scheduler.start()
    return events, scheduler, ran


async def make(events, **options):
    return await events.create(GUILD, STAFF, DETAILS, Options(CHANNEL, **options), timezone="Europe/Helsinki",
                               locale="fi")


async def test_exactly_capacity_members_are_going_however_many_press_at_once(env):
    events, _, _ = env
    event = await make(events, capacity=20)
    answers = await asyncio.gather(*(events.answer(event.id, 1000 + n, Choice.GOING, "fi", None) for n in range(500)))
    assert sum(a.status == "going" for a in answers) == 20
    assert sorted(a.place for a in answers if a.status == "waiting") == list(range(1, 481))
    assert await events.counts(event.id) == {"going": 20, "waiting": 480}


async def test_a_freed_place_goes_to_the_first_waiting(env):
    events, _, _ = env
    event = await make(events, capacity=1)
    await events.answer(event.id, 1, Choice.GOING, "fi", None)
    assert (await events.answer(event.id, 2, Choice.GOING, "sv", None)).place == 1
    assert (await events.answer(event.id, 3, Choice.GOING, "fi", None)).place == 2
    assert (await events.answer(event.id, 2, Choice.GOING, "sv", None)).status == "waiting"  # pressing again keeps the place
    left = await events.answer(event.id, 1, Choice.NO, "fi", None)
    assert left.promoted == [(2, "sv")]
    assert await events.status_of(event.id, 3) == ("waiting", 1)


async def test_lowered_capacity_drops_nobody_and_new_members_wait(env):
    events, _, _ = env
    event = await make(events, capacity=3)
    for user in (1, 2, 3):
        await events.answer(event.id, user, Choice.GOING, "fi", None)
    changed = await events.edit(event.id, event.sequence, DETAILS, 1)
    assert changed.promoted == [] and (await events.counts(event.id))["going"] == 3
    assert (await events.answer(event.id, 4, Choice.GOING, "fi", None)).status == "waiting"
    assert (await events.answer(event.id, 1, Choice.NO, "fi", None)).promoted == []  # still 2 > 1
    raised = await events.edit(event.id, event.sequence + 1, DETAILS, 5)
    assert raised.promoted == [(4, "fi")]


async def test_two_edits_from_the_same_version_one_wins(env):
    events, _, _ = env
    event = await make(events)
    await events.edit(event.id, event.sequence, DETAILS, None)
    with pytest.raises(KohtaamoError) as caught:
        await events.edit(event.id, event.sequence, DETAILS, None)
    assert caught.value.msgid == CHANGED_MEANWHILE


async def test_audiences(env):
    events, _, _ = env
    event = await make(events, audience=Audience.YOUTH_MINOR)
    with pytest.raises(KohtaamoError) as caught:
        await events.answer(event.id, 1, Choice.GOING, "fi", frozenset({Audience.CAREGIVERS}))
    assert caught.value.msgid == NOT_FOR_YOU
    config = GuildConfig(GUILD, roles={BotRole.CAREGIVER: 11, BotRole.YOUTH_ADULT: 12, BotRole.STAFF: 13})
    assert member_audiences(config, {11}) == {Audience.CAREGIVERS, Audience.ADULTS}
    assert member_audiences(config, {13}) is None
    assert Audience.YOUTH_MINOR not in BAND_AUDIENCES[Band.CAREGIVER]
    assert await events.upcoming(GUILD, BAND_AUDIENCES[Band.CAREGIVER]) == []
    assert [e.id for e in await events.upcoming(GUILD, BAND_AUDIENCES[Band.UNKNOWN])] == [event.id]


async def test_reminders_are_jobs_that_follow_the_time(env, clock):
    events, scheduler, ran = env
    event = await make(events)
    start = datetime(2026, 12, 12, 16, 0, tzinfo=UTC)
    clock.advance(start - timedelta(hours=24) - clock.now())
    await scheduler.run_due()
    assert ran == [(events.KIND_REMIND_24H, event.id)]
    later = Details("Ilta", "", "13.12.2026 18:00", "2 h", "Kahvila")
    await events.edit(event.id, event.sequence, later, None)
    clock.advance(timedelta(hours=23))
    await scheduler.run_due()
    assert ran == [(events.KIND_REMIND_24H, event.id)]  # the 1-hour one moved with the event
    clock.advance(timedelta(hours=1))
    await scheduler.run_due()
    assert ran[-1] == (events.KIND_REMIND_24H, event.id) and len(ran) == 2


async def test_a_weekly_series_makes_each_occurrence_in_turn(env, clock, db):
    events, scheduler, _ = env
    first = await make(events, weeks=3, capacity=5)
    scheduler.register(events.KIND_NEXT, events.next_occurrence)
    made = []
    for _ in range(4):
        clock.advance(timedelta(days=7))
        await scheduler.run_due()
        made = await events.upcoming(GUILD, None)
    all_rows = [await events.get(i) for i in range(1, 5)]
    series = [e for e in all_rows if e is not None]
    assert [e.occurrence for e in series] == [1, 2, 3]
    assert series[1].starts_at - first.starts_at == timedelta(days=7) and series[1].capacity == 5
    assert len({e.uid for e in series}) == 3
    assert made == [] or all(e.series_id == first.series_id for e in made)


async def test_moving_an_occurrence_of_a_series_moves_the_making_of_the_next(env, clock, db):
    events, scheduler, _ = env
    first = await make(events, weeks=2)
    later = Details("Ilta", "", "13.12.2026 19:00", "2 h", "Kahvila")  # a day and an hour later
    moved = await events.edit(first.id, first.sequence, later, None)
    job = await scheduler.repo.get_live(events.KIND_NEXT, first.id)
    assert job is not None and job.due_at == moved.event.starts_at == datetime(2026, 12, 13, 17, 0, tzinfo=UTC)
    # An occurrence with no such job (a single event) gets none from an edit.
    single = await make(events)
    await events.edit(single.id, single.sequence, later, None)
    assert await scheduler.repo.get_live(events.KIND_NEXT, single.id) is None
    assert not await scheduler.move(events.KIND_NEXT, single.id, clock.now())


async def test_interested_is_a_maybe_only_without_an_answer(env):
    events, _, _ = env
    event = await make(events)
    event = await events.attach(event.id, discord_event_id=9999)
    await events.answer(event.id, 1, Choice.GOING, "fi", None)
    assert await events.interested(9999, 1, "fi", None) is None
    assert (await events.interested(9999, 2, "fi", None)).id == event.id
    assert await events.counts(event.id) == {"going": 1, "maybe": 1}
    assert await events.not_interested(9999, 1) is None
    assert (await events.not_interested(9999, 2)).id == event.id


async def test_privacy_export_and_erase(env):
    events, _, _ = env
    event = await make(events, capacity=1)
    await events.answer(event.id, 1, Choice.GOING, "fi", None)
    await events.answer(event.id, 2, Choice.GOING, "fi", None)
    exported = await events.export_member(1, GUILD)
    assert exported[0]["title"] == "Ilta" and exported[0]["status"] == "going"
    assert await events.erase_member(1, GUILD + 1) == 0  # another server's erase leaves it
    assert await events.erase_member(1, GUILD) == 1
    assert await events.export_member(1, GUILD) == []
    assert [e["organised"]["title"] for e in await events.export_member(STAFF, GUILD)] == ["Ilta"]
    assert await events.status_of(event.id, 2) == ("going", 0)  # the freed place went on
