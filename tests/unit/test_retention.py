"""The nightly purge on a real database with a fake clock: what is past its keeping time goes,
what is not stays, each server's own times count, and the job runs every night."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.db.cases import CaseRepo
from bot.db.checkin import CheckinRepo
from bot.db.codec import to_db
from bot.db.reports import ReportRepo
from bot.db.retention import RetentionRepo
from bot.db.safety import SafetyRepo
from bot.db.setup import SetupRepo
from bot.services.retention import RetentionService
from bot.services.setup import SetupChange, SetupService
from tests.unit.company_env import GUILD, MEMBER, MOD, OTHER_GUILD, ask, env

__all__ = ["env"]  # the company tests' fixture

DAY = timedelta(days=1)


@pytest.fixture
async def purge(env):
    service = RetentionService(RetentionRepo(env.db, env.sealer), env.scheduler, env.clock, "Europe/Helsinki")
    env.scheduler.register(service.KIND, service.on_due)
    return service


async def count(env, sql, *params):
    row = await env.db.fetchone(f"SELECT COUNT(*) AS n FROM {sql}", params)
    return row["n"]


async def ended_conversation(env, topic="Äidin muistisairaus"):
    request = await ask(env, topic=topic)
    await env.volunteers.on_duty(GUILD, 1)
    await env.company.claim(request.id, 1)
    await env.company.hold(request.id, "kirjoitin odottaessa")
    await env.company.end(request.id, "member", MEMBER)
    await env.company.feedback(request.id, MEMBER, 5, "Kiitos kovasti")
    return request


async def test_an_ended_company_request_keeps_only_what_is_counted_after_its_time(env, purge):
    request = await ended_conversation(env)
    env.clock.advance(29 * DAY)
    assert (await purge.purge())["company_requests"] == 0
    assert await env.company.requester_of(request.id) == MEMBER

    env.clock.advance(2 * DAY)
    done = await purge.purge()
    assert done["company_requests"] == 1 and done["company_feedback_text"] == 1
    row = await env.db.fetchone("SELECT * FROM company_requests WHERE id = ?", (request.id,))
    assert row["topic_enc"] is None and row["claimed_by"] is None and row["thread_id"] is None
    assert row["requester_tag"] == f"forgotten:{request.id}"
    assert row["status"] == "ended" and row["claimed_at"] is not None  # the impact report still counts it
    assert await env.company.export_member(MEMBER, GUILD) == []
    assert await count(env, "company_pending_messages") == 0
    assert (await env.db.fetchone("SELECT text_enc, rating FROM company_feedback"))["text_enc"] is None
    assert await env.company.repo.requester_of(request.id) is None
    # The next night finds nothing more to do.
    assert sum((await purge.purge()).values()) == 0


async def test_a_live_request_is_never_purged(env, purge):
    request = await ask(env, topic="odotan")
    env.clock.advance(400 * DAY)
    await purge.purge()
    assert await env.company.requester_of(request.id) == MEMBER


async def test_moods_and_loneliness_go_after_the_servers_own_time(env, purge):
    setup = SetupService(SetupRepo(env.db), env.clock, "fi", "Europe/Helsinki")
    await setup.save(setup.preview(await setup.get(GUILD), SetupChange({}, {}, retention={"mood_days": 30})))
    checkins = CheckinRepo(env.db, env.sealer)
    now = env.clock.now()
    for guild, user in ((GUILD, 5), (OTHER_GUILD, 6)):
        occurrence = await env.db.insert(
            "INSERT INTO checkin_occurrences (guild_id, due_at) VALUES (?, ?)", (guild, to_db(now)))
        await checkins.save_mood(user, occurrence, 2, now)
        await env.db.execute(
            "INSERT INTO checkin_loneliness (user_id, guild_id, month, answer_enc, answered_at) VALUES (?, ?, ?, ?, ?)",
            (user, guild, "2026-12", env.sealer.seal("3"), to_db(now)))
        await env.db.execute("INSERT INTO checkin_votes (occurrence_id, voter_tag, mood) VALUES (?, ?, 4)",
                             (occurrence, env.sealer.tag("checkin-vote", occurrence, user)))
    env.clock.advance(31 * DAY)
    done = await purge.purge()
    assert (done["checkin_moods"], done["checkin_loneliness"], done["checkin_votes"]) == (1, 1, 1)
    assert [r["user_id"] for r in await env.db.fetchall("SELECT user_id FROM checkin_moods")] == [6]
    env.clock.advance(335 * DAY)  # past the default 365 days for the server that set nothing
    done = await purge.purge()
    assert (done["checkin_moods"], done["checkin_loneliness"], done["checkin_votes"]) == (1, 1, 1)


async def test_closed_reports_alerts_and_cases_go_open_ones_and_block_cases_stay(env, purge):
    now = env.clock.now()
    reports, alerts, cases = ReportRepo(env.db, env.sealer), SafetyRepo(env.db), CaseRepo(env.db, env.sealer)
    closed = await reports.add(GUILD, 50, 51, MEMBER, "loukkaava viesti", now)
    await reports.resolve(closed, 9, "poistettu", now)
    await reports.add(GUILD, 50, 52, MEMBER, "vielä auki", now)
    done_alert = await alerts.add(GUILD, MEMBER, 50, 53, now)
    await alerts.resolve(done_alert, 9)
    await alerts.add(GUILD, MEMBER, 50, 54, now)
    await cases.add(GUILD, "warn", 9, "kiusaaminen", now, target_user_id=MEMBER)
    await env.moderation.block(GUILD, MOD, "häiritsi vapaaehtoisia toistuvasti", member_id=MEMBER)

    env.clock.advance(729 * DAY)
    assert sum((await purge.purge()).values()) == 0
    env.clock.advance(2 * DAY)
    done = await purge.purge()
    assert (done["reports"], done["safety_alerts"], done["cases"]) == (1, 1, 1)
    assert await count(env, "reports") == 1 and await count(env, "safety_alerts") == 1
    assert [r["kind"] for r in await env.db.fetchall("SELECT kind FROM cases")] == ["company_block"]


async def test_finished_jobs_go_after_thirty_days_pending_ones_stay(env, purge):
    await ask(env)  # schedules its escalation and give-up timers
    await env.scheduler.schedule(purge.KIND, 1, env.clock.now() + 400 * DAY)
    env.clock.advance(2 * DAY)
    await env.scheduler.run_due()  # the request's timers run (done or missed)
    finished = await count(env, "jobs WHERE status IN ('done', 'missed', 'cancelled')")
    assert finished >= 1
    env.clock.advance(31 * DAY)
    assert (await purge.purge())["jobs"] == finished
    assert await count(env, "jobs WHERE status = 'pending'") >= 1


async def test_the_purge_runs_every_night_at_four_and_a_missed_night_runs_late(env, purge):
    await purge.start()
    night = await env.db.fetchone("SELECT due_at, ref_id FROM jobs WHERE kind = ?", (purge.KIND,))
    # The fake clock starts at 10:00 UTC (12:00 in Helsinki): the first purge is the next night at 04:00 local.
    assert night["due_at"].startswith("2026-12-02T02:00:00")
    await purge.start()  # a restart schedules nothing twice
    assert await count(env, "jobs WHERE kind = ?", purge.KIND) == 1
    request = await ended_conversation(env)
    # Down overnight: at 09:00 the night's purge still runs, late.
    env.clock.advance(23 * timedelta(hours=1))
    await env.scheduler.run_due()
    assert [r["status"] for r in await env.db.fetchall(
        "SELECT status FROM jobs WHERE kind = ? ORDER BY due_at", (purge.KIND,))] == ["done", "pending"]
    # Down for a month: the purge runs when the bot is back, and the next night is scheduled from then.
    env.clock.advance(31 * DAY)
    await env.scheduler.run_due()
    assert await env.company.repo.requester_of(request.id) is None
    pending = await env.db.fetchall("SELECT due_at FROM jobs WHERE kind = ? AND status = 'pending'", (purge.KIND,))
    assert [r["due_at"][:16] for r in pending] == ["2027-01-03T02:00"]
