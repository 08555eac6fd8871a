from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import timedelta

import pytest

from bot.db.jobs import JobRepo
from bot.errors import KohtaamoError
from bot.services.company import TOPIC_MAX, CompanyLimits, CompanyService, EndedBy, Kind, Request, Status
from tests.unit.company_env import GUILD, MEMBER, MOD, OTHER_GUILD, A, ask, env, job_status, refused

__all__ = ["env"]  # the fixture, shared with test_company_moderation.py


# --- asking and its limits ------------------------------------------------------------------


async def test_open_makes_an_anonymous_open_request(env):
    request = await ask(env, topic="  Ilta on pitkä  ")
    assert request.status is Status.OPEN and request.guild_id == GUILD
    assert 1000 <= request.pseudonym <= 9999
    assert request.topic == "Ilta on pitkä" and request.locale == "fi" and request.kind is Kind.CHAT_NOW
    assert request.claimed_by is None and not request.escalated and not request.concern_raised
    assert MEMBER not in dataclasses.astuple(request)
    assert not {"user_id", "requester", "requester_id"} & {f.name for f in dataclasses.fields(Request)}
    env.clock.advance(timedelta(minutes=3))
    assert request.waiting(env.clock.now()) == timedelta(minutes=3)
    assert await env.company.owned_by(request.id, MEMBER) and not await env.company.owned_by(request.id, 5)
    assert await env.company.requester_of(request.id) == MEMBER
    assert await env.company.active_for_member(MEMBER) == request


async def test_topic_and_language_are_checked(env):
    assert (await ask(env, 1001, topic="   ")).topic is None
    assert (await ask(env, 1002, topic="x" * TOPIC_MAX)).topic == "x" * TOPIC_MAX
    error = await refused(ask(env, 1003, topic="x" * (TOPIC_MAX + 1)))
    assert error.msgid == "A topic can be at most {max} characters." and error.params == {"max": TOPIC_MAX}
    error = await refused(ask(env, 1004, language="de"))
    assert error.params == {"value": "de"}
    assert await env.company.active_for_member(1003) is None


async def test_one_open_request_per_member_in_any_guild(env):
    first = await ask(env)
    assert (await refused(ask(env))).msgid.startswith("You already have an open request")
    assert (await refused(ask(env, guild=OTHER_GUILD))).msgid.startswith("You already have an open request")
    await env.company.claim(first.id, 1)
    assert (await refused(ask(env))).msgid.startswith("You already have an open request")
    await env.company.end(first.id, "member", MEMBER)
    assert (await ask(env)).status is Status.OPEN


async def test_daily_cap_counts_the_last_24_hours_but_not_withdrawn(env):
    for _ in range(3):
        await env.company.cancel((await ask(env)).id, MEMBER)
        env.clock.advance(timedelta(hours=1))
    error = await refused(ask(env))
    assert error.params == {"cap": 3} and "{cap}" in error.msgid
    env.clock.advance(timedelta(hours=21, seconds=1))  # the first one is now 24 h old
    withdrawn = await ask(env)
    await env.company.withdraw(withdrawn.id)
    assert (await env.company.get(withdrawn.id)).status is Status.WITHDRAWN
    await env.company.cancel((await ask(env)).id, MEMBER)  # withdrawn did not use the slot
    await refused(ask(env))
    assert (await ask(env, guild=OTHER_GUILD)).status is Status.OPEN  # the cap is per guild


async def test_a_custom_cap(env):
    async def one_a_day(guild_id: int) -> CompanyLimits:
        return CompanyLimits(daily_cap=1)

    env.company.limits = one_a_day
    await env.company.cancel((await ask(env)).id, MEMBER)
    assert (await refused(ask(env))).params == {"cap": 1}


async def test_two_clicks_at_once_make_exactly_one_request(env):
    results = await asyncio.gather(*(ask(env) for _ in range(5)), return_exceptions=True)
    made = [r for r in results if isinstance(r, Request)]
    errors = [r for r in results if isinstance(r, KohtaamoError)]
    assert len(made) == 1 and len(errors) == 4
    assert all(e.msgid.startswith("You already have an open request") for e in errors)
    row = await env.db.fetchone("SELECT COUNT(*) FROM company_requests")
    assert row[0] == 1


async def test_pseudonyms_of_live_requests_differ(env):
    requests = [await ask(env, 5000 + i) for i in range(40)]
    assert len({r.pseudonym for r in requests}) == 40


async def test_withdraw_cancels_the_timers_and_leaves_others_alone(env):
    request = await ask(env)
    await env.company.withdraw(request.id)
    assert await job_status(env, env.company.KIND_ESCALATE, request.id) == "cancelled"
    assert await job_status(env, env.company.KIND_GIVE_UP, request.id) == "cancelled"
    claimed = await ask(env, 77)
    await env.company.claim(claimed.id, 1)
    await env.company.withdraw(claimed.id)  # too late: it reached a volunteer
    assert (await env.company.get(claimed.id)).status is Status.CLAIMED


# --- claiming -------------------------------------------------------------------------------


async def test_fifty_volunteers_click_at_once_and_exactly_one_wins(env):
    for uid in range(10, 60):
        await env.volunteers.add(GUILD, uid, display_name=f"V{uid}", languages={"fi"},
                                 audiences={A.CAREGIVER}, minors_cleared=False)
    request = await ask(env)
    results = await asyncio.gather(*(env.company.claim(request.id, uid) for uid in range(10, 60)),
                                   return_exceptions=True)
    winners = [r for r in results if isinstance(r, Request)]
    losers = [r for r in results if isinstance(r, KohtaamoError)]
    assert len(winners) == 1 and len(losers) == 49
    assert {e.msgid for e in losers} == {"Another volunteer already took this request."}
    stored = await env.company.get(request.id)
    assert stored.status is Status.CLAIMED and stored.claimed_by == winners[0].claimed_by
    assert stored.claimed_at == env.clock.now()


@pytest.mark.parametrize(
    ("audience", "language", "volunteer", "msgid"),
    [
        (A.YOUTH_MINOR, "fi", 1, "Only volunteers cleared for minors can take this request."),
        (A.UNKNOWN, "fi", 1, "Only volunteers cleared for minors can take this request."),
        (A.CAREGIVER, "fi", 2, "This request comes from a group you do not serve."),
        (A.CAREGIVER, "sv", 1, "This request is in a language you have not listed."),
        (A.CAREGIVER, "fi", 99, "You are not on this server's volunteer list."),
    ],
)
async def test_only_eligible_volunteers_may_claim(env, audience, language, volunteer, msgid):
    request = await ask(env, audience=audience, language=language)
    assert (await refused(env.company.claim(request.id, volunteer))).msgid == msgid
    assert (await env.company.get(request.id)).status is Status.OPEN


async def test_minor_and_unknown_requests_go_to_cleared_volunteers(env):
    minor = await ask(env, 1001, audience=A.YOUTH_MINOR)
    unknown = await ask(env, 1002, audience=A.UNKNOWN, language="sv")
    assert (await env.company.claim(minor.id, 2)).claimed_by == 2
    assert (await env.company.claim(unknown.id, 2)).claimed_by == 2


async def test_a_volunteer_of_another_guild_or_the_asker_cannot_claim(env):
    await env.volunteers.add(OTHER_GUILD, 50, display_name="Muu", languages={"fi"}, audiences={A.CAREGIVER},
                             minors_cleared=False)
    request = await ask(env)
    assert (await refused(env.company.claim(request.id, 50))).msgid == "You are not on this server's volunteer list."
    own = await ask(env, 1)  # volunteer 1 asks for company too
    assert (await refused(env.company.claim(own.id, 1))).msgid == "You cannot take your own request."


async def test_claiming_a_closed_request_or_twice(env):
    cancelled, ended, withdrawn = await ask(env, 1001), await ask(env, 1002), await ask(env, 1003)
    await env.company.cancel(cancelled.id, 1001)
    await env.company.claim(ended.id, 1)
    await env.company.end(ended.id, "volunteer", 1)
    await env.company.withdraw(withdrawn.id)
    for request in (cancelled, ended, withdrawn):
        assert (await refused(env.company.claim(request.id, 1))).msgid == "This request is no longer open."
    taken = await ask(env, 1004)
    await env.company.claim(taken.id, 1)
    assert (await refused(env.company.claim(taken.id, 1))).msgid == "You have already taken this request."
    assert (await refused(env.company.claim(12345, 1))).msgid == "There is no such request."


async def test_card_and_thread_are_recorded(env):
    request = await ask(env)
    assert (await env.company.attach_card(request.id, 555, 666)).card_message_id == 666
    await env.company.claim(request.id, 1)
    threaded = await env.company.set_thread(request.id, 777)
    assert (threaded.card_channel_id, threaded.thread_id) == (555, 777)
    assert await env.company.by_thread(777) == threaded and await env.company.by_thread(778) is None


async def test_unclaim_reopens_and_rearms_the_timers(env):
    request = await ask(env)
    env.clock.advance(timedelta(minutes=4))
    await env.company.claim(request.id, 1)
    assert (await refused(env.company.unclaim(request.id, 2))).msgid == \
        "Only the volunteer who took this request can do that."
    reopened = await env.company.unclaim(request.id, 1)
    assert reopened.status is Status.OPEN and reopened.claimed_by is None and reopened.claimed_at is None
    env.clock.advance(timedelta(minutes=5))
    await env.scheduler.run_due()
    assert env.fired == []
    env.clock.advance(timedelta(minutes=1))  # ten minutes after it was made
    await env.scheduler.run_due()
    assert env.fired == [("escalate", request.id)]
    assert (await env.company.claim(request.id, 1)).claimed_by == 1


async def test_unclaim_after_the_time_passed_runs_the_notice_soon(env):
    request = await ask(env)
    await env.company.claim(request.id, 1)
    env.clock.advance(timedelta(minutes=70))
    await env.company.unclaim(request.id, 1)
    await env.scheduler.run_due()
    assert sorted(env.fired) == [("escalate", request.id), ("give_up", request.id)]


# --- timers ---------------------------------------------------------------------------------


async def test_nobody_claims_escalation_then_honest_notice(env):
    request = await ask(env)
    env.clock.advance(timedelta(minutes=9, seconds=58))
    await env.scheduler.run_due()
    assert env.fired == []
    env.clock.advance(timedelta(seconds=2))
    await env.scheduler.run_due()
    assert env.fired == [("escalate", request.id)]
    assert (await env.company.get(request.id)).escalated
    env.clock.advance(timedelta(minutes=50))
    await env.scheduler.run_due()
    assert env.fired == [("escalate", request.id), ("give_up", request.id)]
    assert (await env.company.get(request.id)).status is Status.OPEN  # the member decides what next


async def test_keep_waiting_brings_the_notice_back_an_hour_later(env):
    request = await ask(env)
    env.clock.advance(timedelta(minutes=60))
    await env.scheduler.run_due()
    assert (await refused(env.company.keep_waiting(request.id, 5))).msgid == "This is not your request."
    kept = await env.company.keep_waiting(request.id, MEMBER)
    assert kept.status is Status.OPEN
    env.clock.advance(timedelta(minutes=59))
    await env.scheduler.run_due()
    assert env.fired.count(("give_up", request.id)) == 1
    env.clock.advance(timedelta(minutes=1))
    await env.scheduler.run_due()
    assert env.fired.count(("give_up", request.id)) == 2
    await env.company.claim(request.id, 1)
    assert (await env.company.keep_waiting(request.id, MEMBER)).status is Status.CLAIMED
    await env.company.end(request.id, "volunteer", 1)
    assert (await refused(env.company.keep_waiting(request.id, MEMBER))).msgid == "This conversation has already ended."


@pytest.mark.parametrize("close", ["claim", "cancel"])
async def test_timers_stop_once_claimed_or_cancelled(env, close):
    request = await ask(env)
    env.clock.advance(timedelta(minutes=5))
    if close == "claim":
        await env.company.claim(request.id, 1)
    else:
        await env.company.cancel(request.id, MEMBER)
    env.clock.advance(timedelta(hours=2))
    await env.scheduler.run_due()
    assert env.fired == []
    assert await job_status(env, env.company.KIND_ESCALATE, request.id) == "cancelled"


async def test_a_timer_that_fires_after_the_claim_does_nothing(env):
    request = await ask(env)
    job = await JobRepo(env.db).get_live(env.company.KIND_ESCALATE, request.id)
    await env.company.claim(request.id, 1)
    assert await env.company.due_escalation(job) is None
    assert await env.company.due_give_up(job) is None
    assert not (await env.company.get(request.id)).escalated


# --- ending ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("by", "actor"), [("member", MEMBER), ("volunteer", 1), ("moderator", MOD)])
async def test_either_side_or_a_moderator_ends_and_only_once(env, by, actor):
    request = await ask(env)
    await env.company.claim(request.id, 1)
    env.clock.advance(timedelta(minutes=20))
    ended = await env.company.end(request.id, by, actor)
    assert ended.status is Status.ENDED and ended.ended_by == by and ended.ended_at == env.clock.now()
    assert ended.waiting(env.clock.now()) == timedelta(0)  # waited until the claim, not the end
    error = await refused(env.company.end(request.id, by, actor))
    assert error.msgid == "This conversation has already ended."
    assert await env.company.active_for_member(MEMBER) is None
    assert await env.company.get(request.id) == ended


async def test_only_the_parties_may_end(env):
    request = await ask(env)
    await env.company.claim(request.id, 1)
    assert (await refused(env.company.end(request.id, "member", 5))).msgid == "This is not your request."
    assert (await refused(env.company.end(request.id, "volunteer", 2))).msgid == \
        "Only the volunteer who took this request can do that."
    with pytest.raises(ValueError):
        await env.company.end(request.id, "system", 0)
    assert (await env.company.get(request.id)).status is Status.CLAIMED


async def test_cancel_open_then_closed(env):
    request = await ask(env)
    assert (await refused(env.company.cancel(request.id, 5))).msgid == "This is not your request."
    cancelled = await env.company.cancel(request.id, MEMBER)
    assert cancelled.status is Status.CANCELLED and cancelled.ended_by is EndedBy.MEMBER
    assert (await refused(env.company.cancel(request.id, MEMBER))).msgid == "This request is no longer open."
    claimed = await ask(env)
    await env.company.claim(claimed.id, 1)
    assert (await env.company.cancel(claimed.id, MEMBER)).status is Status.ENDED  # cancel of a live conversation


async def test_a_moderator_can_close_a_request_still_in_the_queue(env):
    request = await ask(env)
    closed = await env.company.end(request.id, "moderator", MOD)
    assert closed.status is Status.CANCELLED and closed.ended_by is EndedBy.MODERATOR


async def test_removed_volunteer_conversations_end_by_the_system(env):
    first, second = await ask(env, 1001), await ask(env, 1002)
    other = await ask(env, 1003, audience=A.YOUTH_ADULT)
    await env.company.claim(first.id, 1)
    await env.company.claim(second.id, 1)
    await env.company.claim(other.id, 2)
    await env.volunteers.remove(GUILD, 1)
    ended = await env.company.volunteer_removed(GUILD, 1)
    assert sorted(r.id for r in ended) == sorted([first.id, second.id])
    assert all(r.status is Status.ENDED and r.ended_by is EndedBy.SYSTEM for r in ended)
    assert (await env.company.get(other.id)).status is Status.CLAIMED
    assert await env.company.volunteer_removed(GUILD, 1) == []


# --- feedback and safety --------------------------------------------------------------------


async def test_feedback_once_by_the_member_after_the_end(env):
    request = await ask(env)
    await env.company.claim(request.id, 1)
    error = await refused(env.company.feedback(request.id, MEMBER, 5, None))
    assert error.msgid == "You can give feedback once the conversation has ended."
    await env.company.end(request.id, "volunteer", 1)
    assert (await refused(env.company.feedback(request.id, 5, 5, None))).msgid == "This is not your request."
    for rating in (0, 6):
        assert (await refused(env.company.feedback(request.id, MEMBER, rating, None))).msgid == \
            "Choose a rating from 1 to 5."
    assert (await refused(env.company.feedback(request.id, MEMBER, 4, "x" * 1001))).params == {"max": 1000}
    await env.company.feedback(request.id, MEMBER, 4, "  Kiitos, auttoi.  ")
    error = await refused(env.company.feedback(request.id, MEMBER, 5, None))
    assert error.msgid == "You have already given feedback on this conversation. Thank you!"
    cancelled = await ask(env)
    await env.company.cancel(cancelled.id, MEMBER)
    await refused(env.company.feedback(cancelled.id, MEMBER, 3, None))


async def test_only_the_claiming_volunteer_raises_a_concern(env):
    request = await ask(env)
    assert (await refused(env.company.raise_concern(request.id, 1))).msgid == \
        "Only the volunteer who took this request can do that."
    await env.company.claim(request.id, 1)
    await refused(env.company.raise_concern(request.id, 2))
    assert (await env.company.raise_concern(request.id, 1)).concern_raised
    await env.company.end(request.id, "member", MEMBER)
    assert (await env.company.raise_concern(request.id, 1)).concern_raised  # after the end too


# --- privacy --------------------------------------------------------------------------------


async def test_the_database_holds_neither_the_asker_nor_the_topic_in_clear(env, tmp_path):
    topic = "Salainen aihe: olen yksinäinen iltaisin"
    feedback = "Palaute jonka vain minä tiedän"
    reason = "Huoli jäsenen turvallisuudesta"
    request = await ask(env, topic=topic)
    await env.company.attach_card(request.id, 555, 666)
    await env.company.claim(request.id, 1)
    await env.company.set_thread(request.id, 777)
    await env.company.raise_concern(request.id, 1)
    await env.company.end(request.id, "volunteer", 1)
    await env.company.feedback(request.id, MEMBER, 5, feedback)
    await env.moderation.reveal(request.id, MOD, reason)
    second = await ask(env, topic=topic)
    await env.company.withdraw(second.id)
    await ask(env, topic=topic)

    for table in [r[0] for r in await env.db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")]:
        for row in await env.db.fetchall(f"SELECT * FROM {table}"):  # table names come from sqlite_master
            for value in tuple(row):
                assert value != MEMBER and value != str(MEMBER), table
                if isinstance(value, str | bytes):
                    text = value if isinstance(value, str) else value.decode("latin-1")
                    assert str(MEMBER) not in text and "yksinäinen" not in text and "tiedän" not in text, table

    await env.db.fetchone("PRAGMA wal_checkpoint(PASSIVE)")
    secrets = [str(MEMBER).encode(), MEMBER.to_bytes(8, "big"), topic.encode(), "yksinäinen".encode(),
               feedback.encode(), reason.encode()]
    for path in (tmp_path / "kohtaamo.db", tmp_path / "kohtaamo.db-wal"):
        raw = path.read_bytes() if path.exists() else b""
        assert not [s for s in secrets if s in raw], path.name


async def test_export_and_erase_the_member_data(env):
    first = await ask(env, topic="Ilta")
    await env.company.claim(first.id, 1)
    await env.company.end(first.id, "member", MEMBER)
    await env.company.feedback(first.id, MEMBER, 5, "Hyvä")
    second = await ask(env, guild=OTHER_GUILD)
    other = await ask(env, 42, topic="Toisen jäsenen")
    await env.company.hold(second.id, "odotan vielä")

    assert [e["request"] for e in await env.company.export_member(MEMBER, OTHER_GUILD)] == [second.id]
    await env.company.erase_member(MEMBER, OTHER_GUILD)
    second = await ask(env, guild=GUILD)
    await env.company.hold(second.id, "odotan vielä")
    exported = await env.company.export_member(MEMBER, GUILD)
    assert [e["request"] for e in exported] == [first.id, second.id]
    assert exported[0]["topic"] == "Ilta" and exported[0]["status"] == "ended" and exported[0]["kind"] == "chat_now"
    assert exported[0]["feedback"] == {"rating": 5, "text": "Hyvä"} and exported[1]["feedback"] is None
    assert exported[0]["ended_by"] == "member" and exported[1]["claimed_at"] is None
    assert all("claimed_by" not in e for e in exported)
    assert exported[0]["kept_messages"] == [] and exported[1]["kept_messages"] == ["odotan vielä"]
    json.dumps(exported)  # plain values only

    assert await env.company.erase_member(MEMBER, GUILD) == 2
    assert await env.company.get(first.id) is None and await env.company.get(second.id) is None
    assert await env.company.export_member(MEMBER, GUILD) == []
    assert (await env.db.fetchone("SELECT COUNT(*) FROM company_feedback"))[0] == 0
    assert (await env.db.fetchone("SELECT COUNT(*) FROM company_pending_messages"))[0] == 0
    assert await job_status(env, env.company.KIND_GIVE_UP, second.id) == "cancelled"
    assert (await env.company.get(other.id)).topic == "Toisen jäsenen"
    assert await env.company.erase_member(MEMBER, GUILD) == 0


async def test_a_take_whose_thread_never_opened_is_released_at_start_but_a_fresh_one_is_not(env):
    stalled, opened, fresh = await ask(env), await ask(env, MEMBER + 1), await ask(env, MEMBER + 2)
    await env.volunteers.on_duty(GUILD, 1)
    await env.company.claim(stalled.id, 1)
    await env.company.claim(opened.id, 1)
    await env.company.set_thread(opened.id, 555)
    env.clock.advance(timedelta(minutes=3))
    await env.company.claim(fresh.id, 1)  # a take still opening its thread
    released = await env.company.release_stalled()
    assert [r.id for r in released] == [stalled.id] and released[0].status is Status.OPEN
    assert await job_status(env, CompanyService.KIND_GIVE_UP, stalled.id) == "pending"  # the member's timers run again
    assert (await env.company.get(fresh.id)).status is Status.CLAIMED
    assert await env.company.release_stalled() == []
