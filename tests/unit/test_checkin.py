"""Check-in services on a real database with the fake clock: planning once per due time, pauses,
changes, resuming after downtime, moods and the two-lowest rule, loneliness shares, room tallies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet

from bot.db.checkin import CheckinRepo
from bot.db.crypto import Sealer
from bot.db.jobs import JobRepo
from bot.errors import KohtaamoError
from bot.scheduling import Scheduler
from bot.services.checkin import Recurrence
from bot.services.checkin_personal import KIND_ME, NOT_YOURS, PersonalCheckins
from bot.services.checkin_room import CLOSED, RoomCheckins
from tests.unit.checkin_env import register_checkin_jobs

GUILD, MEMBER, OTHER = 100, 731_245_998_114_220_033, 5
HKI = "Europe/Helsinki"
NINE = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)


@pytest.fixture
async def env(db, clock):
    scheduler = Scheduler(JobRepo(db), clock, timers=False)
    repo = CheckinRepo(db, Sealer(Fernet.generate_key()))
    personal = PersonalCheckins(repo, scheduler, clock)
    rooms = RoomCheckins(repo, scheduler, clock)
    sent = register_checkin_jobs(scheduler, personal, rooms)
    await scheduler.start()
    return SimpleNamespace(db=db, clock=clock, scheduler=scheduler, personal=personal, rooms=rooms, sent=sent)


async def at(env, when):
    env.clock.advance(when - env.clock.now())
    return await env.scheduler.run_due()


async def pending(env, kind=KIND_ME):
    rows = await env.db.fetchall("SELECT due_at FROM jobs WHERE kind = ? AND status = 'pending'", (kind,))
    return [r["due_at"] for r in rows]


async def test_opt_in_plans_one_job_and_a_change_replaces_it(env):
    _, first = await env.personal.opt_in(MEMBER, GUILD, 9, Recurrence.parse("9", "daily", HKI), "fi")
    assert first == NINE
    _, moved = await env.personal.opt_in(MEMBER, GUILD, 9, Recurrence.parse("18", "daily", HKI), "fi")
    assert moved == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    assert len(await pending(env)) == 1


async def test_each_due_time_sends_once_and_plans_the_next(env):
    await env.personal.opt_in(MEMBER, GUILD, 9, Recurrence.parse("9", "daily", HKI), "fi")
    await at(env, NINE)
    await at(env, NINE + timedelta(seconds=30))
    assert len(env.sent) == 1
    assert len(await pending(env)) == 1


async def test_after_downtime_beyond_grace_resume_plans_the_next_time(env):
    await env.personal.opt_in(MEMBER, GUILD, 9, Recurrence.parse("9", "daily", HKI), "fi")
    env.clock.advance(NINE + timedelta(hours=5) - env.clock.now())
    assert await env.personal.resume() == 1
    await env.scheduler.run_due()  # the old one: missed
    assert env.sent == []
    assert await env.personal.resume() == 0  # idempotent
    await at(env, NINE + timedelta(days=1))
    assert len(env.sent) == 1


async def test_pause_skips_until_then(env):
    await env.personal.opt_in(MEMBER, GUILD, 9, Recurrence.parse("9", "daily", HKI), "fi")
    resume = await env.personal.pause(MEMBER, datetime(2026, 12, 5, 0, 0, tzinfo=UTC))
    assert resume == datetime(2026, 12, 5, 7, 0, tzinfo=UTC)
    for day in range(3):
        await at(env, NINE + timedelta(days=day))
    assert env.sent == []
    with pytest.raises(KohtaamoError):
        await env.personal.pause(OTHER, resume)


async def test_two_lowest_in_a_row_then_a_better_mood_ends_the_offer(env):
    await env.personal.opt_in(MEMBER, GUILD, 9, Recurrence.parse("9", "daily", HKI), "fi")
    offers = []
    for day, mood in enumerate((1, 1, 3)):
        await at(env, NINE + timedelta(days=day))
        offers.append((await env.personal.record_mood(MEMBER, env.sent[-1], mood)).offer_support)
    assert offers == [False, True, False]
    with pytest.raises(KohtaamoError) as raised:
        await env.personal.record_mood(OTHER, env.sent[-1], 2)
    assert raised.value.msgid != NOT_YOURS  # not opted in at all: "stopped"


async def test_loneliness_share_per_month(env):
    answers = ((1, 1), (2, 2), (3, 3), (4, 5), (5, 4))  # (member, answer): 1 all, 2 most of the time
    for uid, _ in answers:
        await env.personal.opt_in(uid, GUILD, uid, Recurrence.parse("9", "daily", HKI), "fi", loneliness=True)
    await at(env, NINE)
    for occurrence_id, (uid, answer) in zip(env.sent, answers, strict=True):
        await env.personal.record_loneliness(uid, occurrence_id, answer)
    assert await env.personal.loneliness_share(GUILD, "2026-12") == (2, 5)


async def test_room_tally_hides_the_distribution_under_five_and_old_prompts_close(env):
    await env.rooms.schedule(GUILD, 1, Recurrence.parse("18", "ti", HKI), "fi", None)
    tuesday = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    await at(env, tuesday)
    [room] = await env.rooms.repo.rooms(GUILD)
    first = await env.rooms.repo.newest_posted(room["id"])
    for voter in range(4):
        tally = await env.rooms.vote(first, voter, 2)
    assert tally.answered == 4 and tally.counts is None
    assert (await env.rooms.vote(first, 0, 5)).answered == 4  # changed, not added
    tally = await env.rooms.vote(first, 9, 3)
    assert tally.counts == {1: 0, 2: 3, 3: 1, 4: 0, 5: 1}
    await at(env, tuesday + timedelta(days=7))
    with pytest.raises(KohtaamoError) as raised:
        await env.rooms.vote(first, 1, 1)
    assert raised.value.msgid == CLOSED


async def test_moods_keep_their_server_after_the_schedule_is_stopped(env):
    await env.personal.opt_in(MEMBER, GUILD, 9, Recurrence.parse("9", "daily", HKI), "fi")
    await at(env, NINE)
    await env.personal.record_mood(MEMBER, env.sent[-1], 4)
    assert await env.personal.stop(MEMBER)  # the schedule and its occurrences go; the history stays
    assert [m for _, m in (await env.personal.repo.history_in(MEMBER, GUILD))[0]] == [4]
    assert (await env.personal.repo.history_in(MEMBER, GUILD + 1))[0] == []  # not another server's
    assert await env.personal.repo.erase_member(MEMBER, GUILD + 1) == 0
    assert await env.personal.repo.erase_member(MEMBER, GUILD) == 1
