"""Personal check-ins by DM through the double: consent, the DM at its local time (once, with a
nonce), moods, two lowest in a row, pauses, stop, closed DMs, history, loneliness, privacy."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

from tests.e2e.checkin_helpers import (
    checkin_button,
    checkin_dms,
    consent,
    labels,
    mood,
    opt_in,
    press,
    run_at,
)
from tests.e2e.company_helpers import answer
from tests.e2e.conftest import configure

DAY = timedelta(days=1)
NINE_HKI = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # 2.12.2026 09:00 Helsinki (winter time, +2)


async def test_consent_says_what_is_stored_then_accept_starts_and_opens_the_dm_once(double, world, bot):
    await configure(bot, world)
    h = await consent(double, world, "caregiver", "9.00", "ma,ke,pe")
    body = await h.response()
    text = body["data"]["content"]
    assert h.ephemeral and "Mitä tallennetaan" in text and "Kuka ne näkee" in text and "ma, ke, pe 9.00" in text
    assert labels(h.message) == ["Hyväksy ja aloita", "Peru"]
    assert await bot.services.db.fetchone("SELECT * FROM checkin_personal") is None  # nothing before consent
    said = await answer(await press(double, world, h.message, checkin_button(h.message, "ok"), "caregiver"))
    assert said == "Henkilökohtaiset kuulumisesi ovat päällä: ma, ke, pe 9.00. Ensimmäinen tulee 2.12.2026 klo 9.00."
    member = world.people["caregiver"]
    assert "tulevat tänne" in double.dm_messages(member)[-1]["content"]
    assert len(double.calls_to("POST", r"/users/@me/channels")) == 1


async def test_cancel_on_the_consent_saves_nothing(double, world, bot):
    await configure(bot, world)
    h = await consent(double, world, "caregiver", "9.00", "daily")
    await h.response()
    said = await press(double, world, h.message, checkin_button(h.message, "no"), "caregiver")
    assert (await said.response())["data"]["content"] == "Kuulumisia ei otettu käyttöön. Mitään ei tallennettu."
    assert await bot.services.db.fetchone("SELECT * FROM checkin_personal") is None


async def test_bad_time_or_days_get_a_clear_answer_and_change_nothing(double, world, bot):
    await configure(bot, world)
    for time, days, expected in (("25.00", "ma", "25.00"), ("klo kuus", "ma", "klo kuus"),
                                 ("18", " ", "Valitse ainakin yksi viikonpäivä"), ("18", "mo-xx", "xx")):
        h = await consent(double, world, "caregiver", time, days)
        assert expected in await answer(h)
        assert not re.search(r"k:v1:checkin:ok", str(h.callback))
    assert await bot.services.db.fetchone("SELECT * FROM checkin_personal") is None


async def test_the_dm_comes_at_nine_local_once_with_a_nonce_and_labelled_buttons(double, world, bot, clock):
    await configure(bot, world)
    await opt_in(double, world)
    member = world.people["caregiver"]
    opened = len(double.calls_to("POST", r"/users/@me/channels"))
    await run_at(bot, clock, NINE_HKI - timedelta(minutes=1))
    assert checkin_dms(double, member) == []
    await run_at(bot, clock, NINE_HKI)
    await run_at(bot, clock, NINE_HKI + timedelta(seconds=30))  # the sweep again: nothing twice
    dms = checkin_dms(double, member)
    assert len(dms) == 1
    assert labels(dms[0]) == ["1 · Tosi raskas", "2 · Raskas", "3 · Siltä väliltä", "4 · Aika hyvä", "5 · Hyvä",
                              "Haluaisin seuraa", "Tauko viikoksi"]
    send = double.calls_to("POST", rf"/channels/{double.dm_channel_id(member)}/messages")[-1]
    assert re.fullmatch(r"kd\d+", send.json["nonce"]) and send.json["enforce_nonce"] is True
    assert len(double.calls_to("POST", r"/users/@me/channels")) == opened  # the kept DM channel: one request a DM
    await run_at(bot, clock, NINE_HKI + DAY)
    assert len(checkin_dms(double, member)) == 2


async def test_a_mood_is_sealed_and_a_second_click_changes_it(double, world, bot, clock):
    await configure(bot, world)
    await opt_in(double, world)
    await run_at(bot, clock, NINE_HKI)
    dm = checkin_dms(double, world.people["caregiver"])[-1]
    assert (await mood(double, world, dm, 2)).startswith("Kiitos. Tallennettu: 2 · Raskas.")
    assert (await mood(double, world, dm, 4)).startswith("Kiitos. Tallennettu: 4 · Aika hyvä.")
    rows = await bot.services.db.fetchall("SELECT mood_enc FROM checkin_moods")
    assert len(rows) == 1 and b"4" not in rows[0]["mood_enc"][:10] and len(rows[0]["mood_enc"]) > 50
    assert [m for _, m in await bot.services.checkins.history(world.people["caregiver"], 30)] == [4]


async def test_two_lowest_moods_in_a_row_offer_company_and_crisis_contacts_now_and_in_the_next_dm(
    double, world, bot, clock
):
    await configure(bot, world)
    await opt_in(double, world)
    member = world.people["caregiver"]
    await run_at(bot, clock, NINE_HKI)
    first = await mood(double, world, checkin_dms(double, member)[-1], 1)
    assert "112" not in first
    await run_at(bot, clock, NINE_HKI + DAY)
    h = await press(double, world, checkin_dms(double, member)[-1], checkin_button(checkin_dms(double, member)[-1], "me", 1),
                    "caregiver", in_dm=True)
    body = (await h.response())["data"]
    assert "112" in body["content"] and "Haluaisin seuraa" in body["content"]
    assert any(c["custom_id"] == f"k:v1:company:ask:{world.guild}" for row in body["components"] for c in row["components"])
    await run_at(bot, clock, NINE_HKI + 2 * DAY)
    third = checkin_dms(double, member)[-1]
    assert "112" in third["content"] and "Haluaisin seuraa" in labels(third)
    # Nobody else was told: every write went to the member's own DM or their own interactions.
    dm = double.dm_channel_id(member)
    elsewhere = [c for c in double.calls if c.method != "GET" and "/interactions/" not in c.path
                 and "/webhooks/" not in c.path and f"/channels/{dm}/" not in c.path + "/"
                 and c.path not in ("/users/@me/channels",) and "/commands" not in c.path]
    assert elsewhere == []


async def test_company_button_in_the_dm_opens_the_request_form(double, world, bot, clock):
    await configure(bot, world)
    await opt_in(double, world)
    await run_at(bot, clock, NINE_HKI)
    dm = checkin_dms(double, world.people["caregiver"])[-1]
    h = await press(double, world, dm, f"k:v1:company:ask:{world.guild}", "caregiver", in_dm=True)
    assert (await h.response())["type"] == 9  # the company request form


async def test_pause_for_a_week_and_pause_until_a_date(double, world, bot, clock):
    await configure(bot, world)
    await opt_in(double, world)
    member = world.people["caregiver"]
    await run_at(bot, clock, NINE_HKI)
    dm = checkin_dms(double, member)[-1]
    said = await answer(await press(double, world, dm, checkin_button(dm, "pause"), "caregiver", in_dm=True))
    assert said == "Kuulumisesi ovat tauolla. Seuraava tulee 10.12.2026 klo 9.00."
    for day in range(1, 8):
        await run_at(bot, clock, NINE_HKI + day * DAY)
    assert len(checkin_dms(double, member)) == 1
    await run_at(bot, clock, NINE_HKI + 8 * DAY)
    assert len(checkin_dms(double, member)) == 2
    h = await double.slash(world.guild, member, "checkin", {"until": "24.12."}, sub="pause")
    assert await answer(h) == "Kuulumisesi ovat tauolla. Seuraava tulee 24.12.2026 klo 9.00."
    h = await double.slash(world.guild, member, "checkin", {"until": "huomenna"}, sub="pause")
    assert "12.12.2026" in await answer(h)  # the example in the refusal


async def test_stop_offers_to_delete_the_history_and_old_buttons_answer_clearly(double, world, bot, clock):
    await configure(bot, world)
    await opt_in(double, world)
    member = world.people["caregiver"]
    await run_at(bot, clock, NINE_HKI)
    dm = checkin_dms(double, member)[-1]
    await mood(double, world, dm, 3)
    h = await double.slash(world.guild, member, "checkin", sub="stop")
    body = await h.response()
    assert "Haluatko poistaa myös mielialahistoriasi" in body["data"]["content"]
    erased = await press(double, world, h.message, checkin_button(h.message, "erase"), "caregiver")
    assert "mielialahistoriasi poistettu" in (await erased.response())["data"]["content"]
    assert await bot.services.db.fetchone("SELECT * FROM checkin_moods") is None
    assert await bot.services.db.fetchone("SELECT * FROM jobs WHERE kind = 'checkin_me' AND status = 'pending'") is None
    assert "lopetettu" in await mood(double, world, dm, 2)
    await run_at(bot, clock, NINE_HKI + DAY)
    assert len(checkin_dms(double, member)) == 1
    again = await double.slash(world.guild, member, "checkin", sub="stop")
    assert "Sinulla ei ole henkilökohtaisia kuulumisia" in await answer(again)


async def test_someone_elses_dm_button_is_refused(double, world, bot, clock):
    await configure(bot, world)
    await opt_in(double, world)
    await opt_in(double, world, "adult")
    await run_at(bot, clock, NINE_HKI)
    theirs = checkin_dms(double, world.people["caregiver"])[-1]
    assert await mood(double, world, theirs, 5, who="adult") == "Tämä kuulumiskysely ei ole sinun."


async def test_closed_dms_pause_the_check_ins_and_the_member_is_told_once_privately(double, world, bot, clock):
    await configure(bot, world)
    await opt_in(double, world)
    member = world.people["caregiver"]
    double.set_dms_closed(member)
    await run_at(bot, clock, NINE_HKI)
    row = await bot.services.db.fetchone("SELECT dms_closed_at FROM checkin_personal")
    assert row["dms_closed_at"] is not None
    assert await bot.services.db.fetchone("SELECT * FROM jobs WHERE kind = 'checkin_me' AND status = 'pending'") is None
    h = await double.slash(world.guild, member, "volunteer", sub="on")  # any command: here another feature's refusal
    text = await answer(h)
    assert h.ephemeral and "Kuulumisesi ovat tauolla: en saanut lähetettyä sinulle yksityisviestiä" in text
    assert "Yksityisyysasetukset" in text
    assert "tauolla" not in await answer(await double.slash(world.guild, member, "checkin", sub="history"))
    await run_at(bot, clock, NINE_HKI + DAY)
    double.set_dms_closed(member, False)
    assert "päällä" in await opt_in(double, world)  # opting in again starts them
    await run_at(bot, clock, NINE_HKI + 2 * DAY)
    assert len(checkin_dms(double, member)) == 1


async def test_history_is_a_png_chart_only_for_the_member(double, world, bot, clock):
    await configure(bot, world)
    member = world.people["caregiver"]
    assert "ei ole vielä mielialoja" in await answer(await double.slash(world.guild, member, "checkin", sub="history"))
    await opt_in(double, world)
    for day, value in enumerate((2, 3, 5)):
        await run_at(bot, clock, NINE_HKI + day * DAY)
        await mood(double, world, checkin_dms(double, member)[-1], value)
    h = await double.slash(world.guild, member, "checkin", {"period": 90}, sub="history")
    assert (await h.response())["type"] == 5 and h.ephemeral
    follow = await h.wait_followup()
    assert follow["content"] == "3 vastausta kaaviossa. Vain sinä näet sen."
    sent = [c for c in double.calls if h.token in c.path and c.files]
    assert sent and sent[-1].files[0][1].startswith(b"\x89PNG")


async def test_monthly_loneliness_question_on_the_first_dm_of_the_month(double, world, bot, clock):
    await configure(bot, world)
    h = await consent(double, world, "caregiver", "9", "daily", monthly=True)
    await h.response()
    assert "yksinäiseksi" in h.message["content"]
    await answer(await press(double, world, h.message, checkin_button(h.message, "ok"), "caregiver"))
    member = world.people["caregiver"]
    await run_at(bot, clock, NINE_HKI)
    first = checkin_dms(double, member)[-1]
    assert "Kuinka usein olet kokenut itsesi yksinäiseksi viimeksi kuluneiden neljän viikon aikana?" in first["content"]
    assert labels(first)[-5:] == ["Koko ajan", "Suurimman osan ajasta", "Joskus", "Harvoin", "En koskaan"]
    said = await answer(await press(double, world, first, checkin_button(first, "lonely", 2), "caregiver", in_dm=True))
    assert said == "Kiitos vastauksestasi. Tallennettu: Suurimman osan ajasta."
    await run_at(bot, clock, NINE_HKI + DAY)
    assert "yksinäiseksi" not in checkin_dms(double, member)[-1]["content"]  # once a month
    assert await bot.services.checkins.loneliness_share(world.guild, "2026-12") == (1, 1)
    for day in range(2, 31):  # 3.12. … 31.12., then 1.1.2027
        await run_at(bot, clock, NINE_HKI + day * DAY)
    assert "yksinäiseksi" not in checkin_dms(double, member)[-2]["content"]
    assert "yksinäiseksi" in checkin_dms(double, member)[-1]["content"]  # a new month


async def test_privacy_export_and_erase_reach_schedule_moods_and_loneliness(double, world, bot, clock):
    await configure(bot, world)
    await opt_in(double, world, monthly=True)
    member = world.people["caregiver"]
    await run_at(bot, clock, NINE_HKI)
    dm = checkin_dms(double, member)[-1]
    await mood(double, world, dm, 3)
    await press(double, world, dm, checkin_button(dm, "lonely", 4), "caregiver", in_dm=True)
    exported = (await bot.services.privacy.export(member, world.guild))["checkins"]
    assert [e["type"] for e in exported] == ["personal_checkins", "mood", "loneliness"]
    assert exported[1]["mood"] == 3 and exported[2]["answer"] == 4
    assert (await bot.services.privacy.erase(member, world.guild))["checkins"] == 3
    assert (await bot.services.privacy.export(member, world.guild))["checkins"] == []
    assert await bot.services.db.fetchone("SELECT * FROM jobs WHERE kind = 'checkin_me' AND status = 'pending'") is None


async def test_a_member_who_leaves_gets_no_more_check_ins(double, world, bot, clock):
    await configure(bot, world)
    await opt_in(double, world)
    member = world.people["caregiver"]
    await run_at(bot, clock, NINE_HKI)
    await mood(double, world, checkin_dms(double, member)[-1], 4)
    double.remove_member(world.guild, member)
    await asyncio.sleep(0.05)
    await run_at(bot, clock, NINE_HKI + DAY)
    assert len(checkin_dms(double, member)) == 1
    assert await bot.services.checkins.get(member) is None
    assert [m for _, m in await bot.services.checkins.history(member, 30)] == [4]


async def test_discord_429_and_500_on_the_send_neither_lose_nor_double_the_dm(double, world, bot, clock):
    await configure(bot, world)
    await opt_in(double, world)
    await opt_in(double, world, "adult")
    caregiver, adult = world.people["caregiver"], world.people["adult"]
    double.fail_next("POST", rf"/channels/{double.dm_channel_id(caregiver)}/messages", status=429, retry_after=0.05)
    double.fail_next("POST", rf"/channels/{double.dm_channel_id(adult)}/messages", status=500)
    await run_at(bot, clock, NINE_HKI)  # discord.py waits out the 429 and retries the 500 once
    await run_at(bot, clock, NINE_HKI + timedelta(minutes=2))
    assert len(checkin_dms(double, caregiver)) == 1 and len(checkin_dms(double, adult)) == 1


async def test_swedish_and_english_members_get_their_own_language(double, world, bot, clock):
    await configure(bot, world)
    h = await consent(double, world, "adult", "9", "mån–fre", locale="sv")
    await h.response()
    assert "Vad som sparas" in h.message["content"] and "mån–fre 09.00" in h.message["content"]
    assert labels(h.message) == ["Godkänn och börja", "Avbryt"]
    said = await answer(await press(double, world, h.message, checkin_button(h.message, "ok"), "adult", locale="sv"))
    assert said.startswith("Dina personliga frågor om måendet är på: mån–fre 09.00.")
    assert "Your personal check-ins are on: Mon-Fri 18:00." in await opt_in(double, world, "plain", "6pm", "Mon-Fri",
                                                                          locale="en")
    await run_at(bot, clock, NINE_HKI)
    dm = checkin_dms(double, world.people["adult"])[-1]
    assert labels(dm)[:2] == ["1 · Mycket tungt", "2 · Tungt"] and "Jag vill ha sällskap" in labels(dm)
    assert dm["content"].startswith("Hej! Hur mår du i dag?")
