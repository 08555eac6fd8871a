"""Personal check-ins across restarts, a kill mid-send and both daylight-saving changes, with the
fake clock: late within grace, skipped after it (and the next one still comes), never twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.checkin_helpers import checkin_dms, opt_in, run_at
from tests.e2e.conftest import configure, start_bot

NINE_HKI = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


async def test_a_dm_due_while_the_bot_was_down_goes_out_late_within_grace(double, world, db_path, clock):
    async with start_bot(double, db_path, clock) as bot:
        await configure(bot, world)
        await opt_in(double, world)
    clock.advance(NINE_HKI + 20 * MINUTE - clock.now())
    async with start_bot(double, db_path, clock) as bot:
        await run_at(bot, clock, clock.now())
        await run_at(bot, clock, clock.now() + MINUTE)
        assert len(checkin_dms(double, world.people["caregiver"])) == 1


async def test_a_dm_missed_beyond_grace_is_skipped_and_the_next_one_comes(double, world, db_path, clock):
    async with start_bot(double, db_path, clock) as bot:
        await configure(bot, world)
        await opt_in(double, world)
    clock.advance(NINE_HKI + timedelta(hours=3) - clock.now())
    async with start_bot(double, db_path, clock) as bot:
        await run_at(bot, clock, clock.now())
        member = world.people["caregiver"]
        assert checkin_dms(double, member) == []
        missed = await bot.services.db.fetchone("SELECT status FROM jobs WHERE kind = 'checkin_me' ORDER BY id LIMIT 1")
        assert missed["status"] == "missed"
        await run_at(bot, clock, NINE_HKI + DAY)
        assert len(checkin_dms(double, member)) == 1


async def test_killed_after_the_send_before_done_the_rerun_is_dropped_by_its_nonce(double, world, db_path, clock):
    async with start_bot(double, db_path, clock) as bot:
        await configure(bot, world)
        await opt_in(double, world)
        await run_at(bot, clock, NINE_HKI)
        # The process dies after Discord took the DM but before the job was marked done.
        await bot.services.db.execute("UPDATE jobs SET status = 'claimed' WHERE kind = 'checkin_me' AND status = 'done'")
    async with start_bot(double, db_path, clock) as bot:
        await run_at(bot, clock, clock.now() + MINUTE)
        member = world.people["caregiver"]
        sends = double.calls_to("POST", rf"/channels/{double.dm_channel_id(member)}/messages")
        assert len(sends) == 3 and sends[-1].json["nonce"] == sends[-2].json["nonce"]  # welcome, DM, its rerun
        assert len(checkin_dms(double, member)) == 1
        await run_at(bot, clock, NINE_HKI + DAY)
        assert len(checkin_dms(double, member)) == 2


async def at_nine_each_day(bot, double, clock, member, nines_utc):
    """At each instant: nothing a minute before, exactly one new DM at it."""
    for due in nines_utc:
        before = len(checkin_dms(double, member))
        await run_at(bot, clock, due - MINUTE)
        assert len(checkin_dms(double, member)) == before, f"early at {due - MINUTE}"
        await run_at(bot, clock, due)
        assert len(checkin_dms(double, member)) == before + 1, f"not at {due}"


async def test_nine_stays_nine_across_both_dst_changes_with_a_restart_on_the_change_day(double, world, db_path, clock):
    clock.advance(datetime(2027, 3, 26, 12, 0, tzinfo=UTC) - clock.now())  # Friday before 28.3.2027
    member = world.people["caregiver"]
    async with start_bot(double, db_path, clock) as bot:
        await configure(bot, world)
        await opt_in(double, world)
        await at_nine_each_day(bot, double, clock, member, [datetime(2027, 3, 27, 7, 0, tzinfo=UTC)])  # +2
    async with start_bot(double, db_path, clock) as bot:  # restarted on the night the clocks go forward
        await at_nine_each_day(bot, double, clock, member, [
            datetime(2027, 3, 28, 6, 0, tzinfo=UTC), datetime(2027, 3, 29, 6, 0, tzinfo=UTC),  # +3
        ])
        await bot.services.checkins.pause(member, datetime(2027, 10, 29, 12, 0, tzinfo=UTC))
        await at_nine_each_day(bot, double, clock, member, [datetime(2027, 10, 30, 6, 0, tzinfo=UTC)])
    async with start_bot(double, db_path, clock) as bot:  # and on the night they go back
        await at_nine_each_day(bot, double, clock, member, [
            datetime(2027, 10, 31, 7, 0, tzinfo=UTC), datetime(2027, 11, 1, 7, 0, tzinfo=UTC),  # +2
        ])
