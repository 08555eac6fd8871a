"""Room check-ins through the double: staff schedule, list and remove; the prompt at its time with
anonymous mood buttons and a thread; counts coalesced, the distribution only from five answers."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

from tests.e2e.checkin_helpers import checkin_button, labels, press, run_at
from tests.e2e.company_helpers import answer
from tests.e2e.conftest import configure, start_bot

EIGHTEEN_HKI = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # Tuesday 1.12.2026 18:00 Helsinki
DAY = timedelta(days=1)
VOTERS = ("caregiver", "youth", "adult", "plain", "volunteer")


async def schedule(double, world, who="staff", time="18.00", weekdays="daily", prompt=None):
    options = {"channel": world.channels["lounge"], "time": time, "weekdays": weekdays}
    if prompt:
        options["prompt"] = prompt
    return await answer(await double.slash(world.guild, world.people[who], "checkin", options, sub="schedule"))


def prompts(double, world):
    return [m for m in double.messages(world.channels["lounge"]) if "k:v1:checkin:vote:" in str(m.get("components"))]


def prompts_cog(bot):
    return bot.get_cog("CheckinPromptsCog")


async def test_staff_schedule_and_a_plain_member_is_refused(double, world, bot):
    await configure(bot, world)
    said = await schedule(double, world)
    assert re.fullmatch(r"Huoneen kuulumiskysymys \d+ ajastettu: <#\d+> joka päivä 18\.00\. Ensimmäinen kysymys "
                        r"lähetetään 1\.12\.2026 klo 18\.00\.", said)
    refused = await schedule(double, world, "plain")
    assert refused.startswith("Tätä voivat käyttää vain")
    moderator = await schedule(double, world, "moderator")  # moderators imply staff
    assert "ajastettu" in moderator
    removed = await answer(await double.slash(world.guild, world.people["plain"], "checkin", {"number": 1}, sub="remove"))
    assert removed.startswith("Tätä voivat käyttää vain")
    assert len(await bot.services.db.fetchall("SELECT * FROM checkin_rooms")) == 2


async def test_bad_time_and_days_are_refused_and_nothing_is_stored(double, world, bot):
    await configure(bot, world)
    assert "25.00" in await schedule(double, world, time="25.00")
    assert "Valitse ainakin yksi viikonpäivä" in await schedule(double, world, weekdays=",")
    assert await bot.services.db.fetchone("SELECT * FROM checkin_rooms") is None


async def test_the_prompt_is_posted_at_its_time_with_mood_buttons_and_a_thread(double, world, bot, clock):
    await configure(bot, world)
    await schedule(double, world)
    await run_at(bot, clock, EIGHTEEN_HKI - timedelta(minutes=1))
    assert prompts(double, world) == []
    await run_at(bot, clock, EIGHTEEN_HKI)
    await run_at(bot, clock, EIGHTEEN_HKI + timedelta(minutes=1))
    [posted] = prompts(double, world)
    assert posted["content"].startswith("**Miten voit tänään?**") and "Kukaan ei ole vielä vastannut" in posted["content"]
    assert labels(posted) == ["1 · Tosi raskas", "2 · Raskas", "3 · Siltä väliltä", "4 · Aika hyvä", "5 · Hyvä"]
    assert posted.get("interaction_metadata") is None
    send = double.calls_to("POST", rf"/channels/{world.channels['lounge']}/messages")[-1]
    assert re.fullmatch(r"kr\d+", send.json["nonce"])
    assert double.calls_to("POST", rf"/channels/{world.channels['lounge']}/messages/{posted['id']}/threads")
    await run_at(bot, clock, EIGHTEEN_HKI + DAY)
    assert prompts(double, world)[-1]["content"].startswith("**Millainen päivä sinulla on ollut?**")  # they rotate


async def test_votes_are_anonymous_one_per_member_coalesced_and_counted_only_from_five(double, world, bot, clock):
    await configure(bot, world)
    prompts_cog(bot).coalesce = 0.2
    await schedule(double, world, prompt="Miten viikonloppu meni?")
    await run_at(bot, clock, EIGHTEEN_HKI)
    [posted] = prompts(double, world)
    assert posted["content"].startswith("**Miten viikonloppu meni?**")
    lounge = world.channels["lounge"]
    mark = len(double.calls)
    for who, value in zip(VOTERS[:4], (2, 3, 3, 5), strict=True):
        h = await press(double, world, posted, checkin_button(posted, "vote", value), who)
        assert (await answer(h)).startswith("Kiitos. Vastauksesi") and h.ephemeral
    await asyncio.sleep(0.4)
    edits = double.calls_to("PATCH", rf"/channels/{lounge}/messages/{posted['id']}")
    assert len([c for c in double.calls[mark:] if c in edits]) == 1  # a burst of four votes: one edit
    content = double.message(int(posted["id"]))["content"]
    assert "4 on vastannut." in content and "Vastaukset näytetään, kun 5 on vastannut." in content and "3: " not in content
    await press(double, world, posted, checkin_button(posted, "vote", 1), "caregiver")  # changes, does not add
    await press(double, world, posted, checkin_button(posted, "vote", 4), "volunteer")
    await asyncio.sleep(0.4)
    content = double.message(int(posted["id"]))["content"]
    assert "5 on vastannut." in content and "1: 1 · 2: 0 · 3: 2 · 4: 1 · 5: 1" in content
    rows = await bot.services.db.fetchall("SELECT * FROM checkin_votes")
    assert len(rows) == 5
    stored = " ".join(str(tuple(r)) for r in rows)
    assert not any(str(world.people[who]) in stored for who in VOTERS)


async def test_a_click_on_last_weeks_prompt_gets_a_clear_answer(double, world, bot, clock):
    await configure(bot, world)
    await schedule(double, world, weekdays="ti")
    await run_at(bot, clock, EIGHTEEN_HKI)
    await run_at(bot, clock, EIGHTEEN_HKI + 7 * DAY)
    old, new = prompts(double, world)
    said = await answer(await press(double, world, old, checkin_button(old, "vote", 3), "caregiver"))
    assert said == "Tähän kysymykseen ei voi enää vastata. Vastaa kanavan uusimpaan kysymykseen."
    assert (await answer(await press(double, world, new, checkin_button(new, "vote", 3), "caregiver"))).startswith("Kiitos")


async def test_list_and_remove(double, world, bot, clock):
    await configure(bot, world)
    staff = world.people["staff"]
    empty = await answer(await double.slash(world.guild, staff, "checkin", sub="list"))
    assert empty.startswith("Huoneiden kuulumiskysymyksiä ei ole ajastettu")
    await schedule(double, world, weekdays="ma,ke,pe", prompt="Mitä kuuluu?")
    listed = await answer(await double.slash(world.guild, staff, "checkin", sub="list"))
    assert re.fullmatch(r"\*\*1\.\*\* <#\d+> ma, ke, pe 18\.00 \(seuraava 2\.12\.2026 klo 18\.00\): Mitä kuuluu\?", listed)
    missing = await answer(await double.slash(world.guild, staff, "checkin", {"number": 99}, sub="remove"))
    assert "numero 99" in missing
    said = await answer(await double.slash(world.guild, staff, "checkin", {"number": 1}, sub="remove"))
    assert said == "Huoneen kuulumiskysymys 1 poistettu; sitä ei enää lähetetä."
    await run_at(bot, clock, EIGHTEEN_HKI + DAY)
    assert prompts(double, world) == []
    assert await bot.services.db.fetchone("SELECT * FROM jobs WHERE kind = 'checkin_room' AND status = 'pending'") is None


async def test_a_deleted_channel_removes_the_schedule(double, world, bot, clock):
    await configure(bot, world)
    await schedule(double, world)
    double.delete_channel(world.channels["lounge"])
    await asyncio.sleep(0.05)
    await run_at(bot, clock, EIGHTEEN_HKI)
    assert await bot.services.db.fetchone("SELECT * FROM checkin_rooms") is None
    assert await bot.services.db.fetchone("SELECT * FROM jobs WHERE kind = 'checkin_room' AND status = 'pending'") is None


async def test_a_prompt_due_during_a_restart_is_posted_once_late_and_a_rerun_is_dropped(double, world, db_path, clock):
    async with start_bot(double, db_path, clock) as bot:
        await configure(bot, world)
        await schedule(double, world)
    clock.advance(EIGHTEEN_HKI + timedelta(minutes=10) - clock.now())
    async with start_bot(double, db_path, clock) as bot:
        await run_at(bot, clock, clock.now())
        assert len(prompts(double, world)) == 1
        await bot.services.db.execute("UPDATE jobs SET status = 'claimed' WHERE kind = 'checkin_room' AND status = 'done'")
    async with start_bot(double, db_path, clock) as bot:  # as if killed before the job was marked done
        await run_at(bot, clock, clock.now())
        assert len(prompts(double, world)) == 1
        clock.advance(DAY + timedelta(hours=3))  # beyond grace while down: skipped, and the next one comes
    async with start_bot(double, db_path, clock) as bot:
        await run_at(bot, clock, clock.now())
        assert len(prompts(double, world)) == 1
        await run_at(bot, clock, EIGHTEEN_HKI + 2 * DAY)
        assert len(prompts(double, world)) == 2
