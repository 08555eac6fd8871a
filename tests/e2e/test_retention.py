"""The nightly purge in the running bot: a server's own keeping time set with /setup privacy,
a company conversation held through the double, and the topic gone from the database file."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from tests.e2e.company_helpers import add_volunteer, answer, ask, on_duty, take
from tests.e2e.conftest import configure

TOPIC = "Isän muistisairaus ja väsymys"


async def test_a_servers_keeping_time_purges_an_ended_conversation_at_night(double, world, bot, clock, db_path):
    await configure(bot, world)
    h = await double.slash(world.guild, world.people["admin"], "setup", {"company_days": 7}, sub="privacy")
    assert (await h.response())["data"]["content"] == "Asetukset tallennettu."
    await add_volunteer(double, world, "volunteer", name="Ville")
    await on_duty(double, world, "volunteer")
    await ask(double, world, topic=TOPIC)
    await take(double, world)
    ended = await answer(await double.slash(world.guild, world.people["caregiver"], "company", sub="end"))
    assert ended.startswith("Keskustelu on päättynyt")
    assert bot.services is not None
    request = (await bot.services.company.export_member(world.people["caregiver"], world.guild))[0]
    assert request["topic"] == TOPIC

    clock.advance(timedelta(days=6, hours=20))  # the sixth night: not yet
    await bot.services.scheduler.run_due()
    assert (await bot.services.company.export_member(world.people["caregiver"], world.guild))[0]["topic"] == TOPIC
    clock.advance(timedelta(days=1))  # the seventh night after the end
    await bot.services.scheduler.run_due()
    assert await bot.services.company.export_member(world.people["caregiver"], world.guild) == []
    await bot.services.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with sqlite3.connect(db_path) as raw:
        row = raw.execute("SELECT topic_enc, requester_tag, status, claimed_at FROM company_requests").fetchone()
    assert row[0] is None and row[1].startswith("forgotten:") and row[2] == "ended" and row[3] is not None
