"""/report through the double: staff get the embed, the PNG chart and the CSV ephemerally, with
counts under 5 hidden in all three; others are refused; bad periods get a clear answer; a
volunteer's duty counts as hours."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.company_helpers import add_volunteer, answer, on_duty
from tests.e2e.conftest import configure, start_bot
from tests.e2e.impact_helpers import counted, embed_text, report, shown
from tests.e2e.room_helpers import create, eventually, room_channel


async def test_staff_get_the_report_as_embed_chart_and_csv_with_small_counts_hidden(double, world, bot):
    await configure(bot, world)
    await create(double, world, "kahvila", "caregivers")
    room = room_channel(double, world)
    for n in range(6):
        await double.user_message(room, world.people["caregiver"], f"viesti {n}")
    for who in ("youth", "adult"):
        await double.user_message(world.channels["lounge"], world.people[who], "moi")
    double.add_member(world.guild, username="uusi", global_name="Uusi")
    await counted(bot, "messages", 6)
    await counted(bot, "active", 3)
    await counted(bot, "joins", 1)
    follow, files = await shown(double, await report(double, world))
    assert follow["flags"] & 64  # only the staff member sees it
    text = embed_text(follow)
    assert "Vaikuttavuusraportti 1.12.2026–1.12.2026" in text
    assert "Omaishoitajat: **<5**" in text and "Nuoret 13–17: **<5**" in text and "Kaikki: **<5**" in text
    assert "Liittyi palvelimelle: **<5**" in text
    assert "Omaishoitajat: **6 (6,0 päivässä)**" not in text  # messages are not member-days
    assert "Viestit huoneissa" in text and "Omaishoitajat: **6**" in text
    assert "<5 = 1–4." in text
    assert follow["embeds"][0]["image"]["url"] == "attachment://impact.png"
    assert files["impact.png"].startswith(b"\x89PNG")
    rows = list(csv.reader(io.StringIO(files["impact.csv"].decode("utf-8-sig"))))
    assert ["Aktiiviset jäsenet (jäsenpäivät)", "Omaishoitajat", "<5"] in rows
    assert ["Aktiiviset jäsenet (jäsenpäivät)", "Kaikki", "<5"] in rows
    assert ["Viestit huoneissa", "Omaishoitajat", "6"] in rows
    assert ["Uudet jäsenet", "Liittyi palvelimelle", "<5"] in rows
    assert not any(str(world.people[p]) in files["impact.csv"].decode("utf-8-sig") for p in world.people)


async def test_a_hidden_count_that_others_would_give_away_is_hidden_too(double, world, bot):
    await configure(bot, world)
    for n in range(6):
        member = double.add_member(world.guild, username=f"hoitaja{n}", roles=[world.roles["caregiver"]])
        await double.user_message(world.channels["lounge"], member, "hei")
    await double.user_message(world.channels["lounge"], world.people["youth"], "moi")
    await counted(bot, "active", 7)
    follow, files = await shown(double, await report(double, world))
    text = embed_text(follow)
    # 7 in all, 1 aged 13–17: the 6 caregivers would tell it, so they are hidden as well
    assert "Nuoret 13–17: **<5**" in text and "Omaishoitajat: **\\***" in text  # an escaped *, shown as it is
    rows = list(csv.reader(io.StringIO(files["impact.csv"].decode("utf-8-sig"))))
    assert ["Aktiiviset jäsenet (jäsenpäivät)", "Omaishoitajat", "*"] in rows
    assert ["Aktiiviset jäsenet (jäsenpäivät)", "Kaikki", "7 (7,0 päivässä)"] in rows


async def test_a_volunteers_duty_counts_as_hours(double, world, bot, clock):
    await configure(bot, world)
    await add_volunteer(double, world, "volunteer", name="Ville")
    await on_duty(double, world, "volunteer")
    clock.advance(timedelta(hours=2))
    await answer(await double.slash(world.guild, world.people["volunteer"], "volunteer", sub="off"))
    follow, _ = await shown(double, await report(double, world))
    assert "Päivystystunnit: **2,0**" in embed_text(follow)
    rows = await bot.services.db.fetchall("SELECT day, metric, value FROM impact_daily")
    assert [tuple(r) for r in rows] == [("2026-12-01", "duty_seconds", 7200)]


async def test_a_plain_member_is_refused(double, world, bot):
    await configure(bot, world)
    h = await report(double, world, "plain")
    said = await answer(h)
    assert h.ephemeral and "henkilökunta" in said
    assert not [c for c in double.calls if h.token in c.path and c.files]


async def test_bad_periods_get_a_clear_answer(double, world, bot):
    await configure(bot, world)  # today is 1.12.2026
    for options, expected in (
        ({"from": "2.12.2026"}, "”2.12.2026” on vasta tulossa. Raportti kattaa päivät tähän päivään asti."),
        ({"from": "1.11.2026", "until": "31.12.2026"}, "”31.12.2026” on vasta tulossa."),
        ({"from": "30.11.2026", "until": "20.11.2026"}, "Loppupäivä on ennen alkupäivää."),
        ({"from": "eilen"}, "En saanut selvää päivämäärästä ”eilen”. Kirjoita se näin: 1.12.2026, 1.12. tai 2026-12-01."),
        ({"month": "marraskuu"}, "En saanut selvää kuukaudesta ”marraskuu”."),
        ({"month": "11.2026", "from": "1.11."}, "Anna joko kuukausi tai alku- ja loppupäivä, ei molempia."),
        ({"month": "11.2026"}, "Tältä jaksolta (1.11.2026–30.11.2026) ei ole kirjattu mitään"),
    ):
        h = await report(double, world, **options)
        said = await answer(h)
        assert expected in said, said
        assert h.ephemeral


async def test_counts_in_memory_are_written_when_the_bot_stops_and_rolled_up_at_the_next_start(
        double, world, db_path, clock):
    async with start_bot(double, db_path, clock) as bot:
        await configure(bot, world)
        await create(double, world, "kahvila", "caregivers")
        room = room_channel(double, world)
        for n in range(3):
            await double.user_message(room, world.people["caregiver"], f"viesti {n}")
        await eventually(lambda: sum(bot.services.impact_counts._messages.values()) == 3)  # counted, not written
        assert await bot.services.db.fetchall("SELECT * FROM impact_daily") == []
    clock.advance(datetime(2026, 12, 1, 22, 10, tzinfo=UTC) - clock.now())  # 2.12. 00.10 in Helsinki
    async with start_bot(double, db_path, clock) as bot:
        assert await bot.services.db.fetchall("SELECT * FROM impact_seen") == []  # yesterday's tags are gone
        rows = await bot.services.db.fetchall("SELECT day, metric, band, value FROM impact_daily ORDER BY metric")
        assert [tuple(r) for r in rows] == [("2026-12-01", "active", "caregiver", 1),
                                            ("2026-12-01", "messages", "caregivers", 3)]
        follow, _ = await shown(double, await report(double, world, month="12.2026"))
        assert "Vaikuttavuusraportti 1.12.2026–2.12.2026" in embed_text(follow)


@pytest.mark.parametrize(("locale", "title", "heading", "band"), [
    ("sv", "Effektrapport", "Meddelanden i rummen", "Närståendevårdare"),
    ("en", "Impact report", "Messages in rooms", "Caregivers"),
])
async def test_the_report_speaks_the_staff_members_language(double, world, bot, locale, title, heading, band):
    await configure(bot, world)
    await create(double, world, "kahvila", "caregivers")
    room = room_channel(double, world)
    for n in range(5):
        await double.user_message(room, world.people["caregiver"], f"meddelande {n}")
    await counted(bot, "messages", 5)
    h = await double.slash(world.guild, world.people["staff"], "report", locale=locale)
    follow, files = await shown(double, h)
    text = embed_text(follow)
    assert text.startswith(title) or f"\n{title}" in text
    assert heading in text and f"{band}: **5**" in text
    rows = list(csv.reader(io.StringIO(files["impact.csv"].decode("utf-8-sig"))))
    assert [heading, band, "5"] in rows
