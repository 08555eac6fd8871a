from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.clock import SystemClock
from bot.db.jobs import JobRepo
from bot.scheduling import Scheduler


def make(db, clock, fired, *, timers=False, fail=0):
    scheduler = Scheduler(JobRepo(db), clock, timers=timers)
    failures = {"left": fail}

    async def handler(job):
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("Discord said no")
        fired.append((job.kind, job.ref_id))

    scheduler.register("ping", handler)
    return scheduler


async def status(db, ref_id):
    row = await db.fetchone("SELECT status FROM jobs WHERE ref_id = ? ORDER BY id DESC", (ref_id,))
    return row["status"]


async def test_job_fires_once_when_due(db, clock):
    fired = []
    s = make(db, clock, fired)
    await s.start()
    await s.schedule("ping", 1, clock.now() + timedelta(minutes=5))
    assert await s.run_due() == 0
    clock.advance(timedelta(minutes=5))
    assert await s.run_due() == 1
    assert await s.run_due() == 0
    assert fired == [("ping", 1)]
    assert await status(db, 1) == "done"


async def test_job_survives_a_restart_and_fires_exactly_once(db, clock):
    fired = []
    first = make(db, clock, fired)
    await first.start()
    await first.schedule("ping", 2, clock.now() + timedelta(hours=1))
    first.shutdown()
    clock.advance(timedelta(hours=1))
    second = make(db, clock, fired)  # "the bot started again on the same database"
    await second.start()
    await asyncio.gather(second.run_due(), second.run_due(), second.fire("ping", 2))
    assert fired == [("ping", 2)]


async def test_job_due_during_downtime_runs_late_within_grace(db, clock):
    fired = []
    s = make(db, clock, fired)
    await s.schedule("ping", 3, clock.now() + timedelta(minutes=1), grace=timedelta(minutes=30))
    clock.advance(timedelta(minutes=20))
    await s.start()
    await s.run_due()
    assert fired == [("ping", 3)]


async def test_job_past_its_grace_is_marked_missed_not_sent(db, clock):
    fired = []
    s = make(db, clock, fired)
    await s.schedule("ping", 4, clock.now() + timedelta(minutes=1), grace=timedelta(minutes=10))
    clock.advance(timedelta(hours=3))
    await s.start()
    await s.run_due()
    assert fired == []
    assert await status(db, 4) == "missed"


async def test_rescheduling_moves_the_job_instead_of_doubling_it(db, clock):
    fired = []
    s = make(db, clock, fired)
    await s.schedule("ping", 5, clock.now() + timedelta(minutes=1))
    await s.schedule("ping", 5, clock.now() + timedelta(minutes=10))
    clock.advance(timedelta(minutes=2))
    assert await s.run_due() == 0
    clock.advance(timedelta(minutes=10))
    await s.run_due()
    assert fired == [("ping", 5)]
    row = await db.fetchone("SELECT COUNT(*) FROM jobs WHERE ref_id = 5")
    assert row[0] == 1


async def test_cancelled_job_never_fires(db, clock):
    fired = []
    s = make(db, clock, fired)
    await s.schedule("ping", 6, clock.now() + timedelta(minutes=1))
    assert await s.cancel("ping", 6)
    clock.advance(timedelta(minutes=5))
    await s.run_due()
    assert fired == []
    assert await status(db, 6) == "cancelled"


async def test_failed_send_is_retried_then_given_up(db, clock):
    fired = []
    s = make(db, clock, fired, fail=1)
    await s.schedule("ping", 7, clock.now())
    await s.run_due()
    assert fired == [] and await status(db, 7) == "pending"
    clock.advance(timedelta(minutes=1))
    await s.run_due()
    assert fired == [("ping", 7)]

    always = make(db, clock, fired, fail=99)
    await always.schedule("ping", 8, clock.now())
    for _ in range(3):
        await always.run_due()
        clock.advance(timedelta(minutes=1))
    assert await status(db, 8) == "missed"


async def test_a_job_claimed_by_a_crashed_process_runs_again(db, clock):
    fired = []
    s = make(db, clock, fired)
    await s.schedule("ping", 9, clock.now())
    job = await JobRepo(db).get_live("ping", 9)
    await JobRepo(db).claim(job.id, clock.now())  # the process died mid-send
    restarted = make(db, clock, fired)
    await restarted.start()
    await restarted.run_due()
    assert fired == [("ping", 9)]


async def test_real_apscheduler_timer_fires_the_job(db):
    fired = []
    clock = SystemClock()
    s = make(db, clock, fired, timers=True)
    await s.start()
    try:
        await s.schedule("ping", 10, clock.now() + timedelta(milliseconds=200))
        for _ in range(50):
            if fired:
                break
            await asyncio.sleep(0.05)
        assert fired == [("ping", 10)]
        assert await status(db, 10) == "done"
    finally:
        s.shutdown()
