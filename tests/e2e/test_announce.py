"""End to end: /announce create with its preview, the mapped role's ping only, news channels
published, scheduled announcements across a restart, retries then the author told, list, cancel."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.company_helpers import answer, custom_ids
from tests.e2e.conftest import configure, start_bot

AT = datetime(2026, 12, 12, 16, 0, tzinfo=UTC)  # 12.12.2026 18.00 in Helsinki


@pytest.fixture
async def desk(bot, world):
    await configure(bot, world)
    return bot


async def write(double, world, who="staff", **options):
    opened = await double.slash(world.guild, world.people[who], "announce", options or None, sub="create")
    body = await opened.response()
    if body["type"] != 9:
        return opened, body
    done = await double.submit_modal(world.people[who], body["data"]["custom_id"],
                                     {"title": "Joulujuhla", "text": "Tervetuloa @everyone joulujuhlaan!"})
    return done, await done.response()


async def sent(double, world, handle):
    """Press Send on the preview and wait until the preview says it is done."""
    pressed = await press(double, world, handle, "send")
    await pressed.response()
    return await pressed.wait_edit()


async def press(double, world, handle, action, who="staff"):
    message = handle.message
    cid = next(c for c in custom_ids(message) if c.startswith(f"k:v1:announce:{action}:"))
    return await double.click(int(message["channel_id"]), int(message["id"]), cid, world.people[who],
                              guild_id=world.guild)


def posts(double, channel_id):
    return [m for m in double.messages(channel_id) if m.get("embeds") and not m.get("flags", 0) & 64]


async def test_preview_then_send_pings_only_the_mapped_role(double, world, desk):
    handle, body = await write(double, world, ping=world.roles["caregiver"])
    assert body["data"]["flags"] & 64 and "Esikatselu" in body["data"]["content"]
    assert [c.split(":")[3] for c in custom_ids(handle.message)] == ["send", "discard"]
    assert not posts(double, world.channels["announcements"])
    first, second = await asyncio.gather(press(double, world, handle, "send"), press(double, world, handle, "send"))
    replies = [await first.response(), await second.response()]
    assert all(r["type"] == 6 for r in replies)
    assert "jo lähetetty" in (await second.wait_followup())["content"] or (
        "jo lähetetty" in (await first.wait_followup())["content"])
    [post] = posts(double, world.channels["announcements"])
    assert post["content"] == f"<@&{world.roles['caregiver']}>"
    call = double.calls_to("POST", rf"/channels/{world.channels['announcements']}/messages$")[-1]
    assert call.json["allowed_mentions"] == {"parse": [], "roles": [world.roles["caregiver"]]}
    assert "\\@everyone" in post["embeds"][0]["description"] or "@\u200beveryone" in post["embeds"][0]["description"]
    assert len(posts(double, world.channels["announcements"])) == 1


async def test_only_mapped_roles_and_staff(double, world, desk):
    refused = (await write(double, world, "plain"))[1]
    assert "vain jäsenet" in refused["data"]["content"]
    everyone = (await write(double, world, ping=world.guild))[1]
    assert "ei koskaan kaikkia" in everyone["data"]["content"]
    admin_role = (await write(double, world, ping=world.roles["admin"]))[1]
    assert "ei koskaan kaikkia" in admin_role["data"]["content"]


async def test_news_channels_are_published(double, world, desk):
    news = double.add_channel(world.guild, "tiedotteet", type=5)
    handle, _ = await write(double, world, channel=news)
    await sent(double, world, handle)
    [post] = posts(double, news)
    assert double.calls_to("POST", rf"/channels/{news}/messages/{post['id']}/crosspost$")


async def test_a_scheduled_announcement_survives_a_restart(double, world, desk, db_path, clock):
    handle, body = await write(double, world, send_at="12.12.2026 18:00")
    assert [c.split(":")[3] for c in custom_ids(handle.message)] == ["schedule", "send", "discard"]
    await (await press(double, world, handle, "schedule")).response()
    listed = await answer(await double.slash(world.guild, world.people["staff"], "announce", sub="list"))
    assert "Joulujuhla" in listed
    await desk.close()
    async with start_bot(double, db_path, clock) as again:
        clock.advance(AT - clock.now())
        await again.services.scheduler.run_due()
        assert len(posts(double, world.channels["announcements"])) == 1
        await again.services.scheduler.run_due()
        assert len(posts(double, world.channels["announcements"])) == 1


async def test_a_failed_scheduled_post_is_retried_then_the_author_told(double, world, desk, clock):
    handle, _ = await write(double, world, send_at="12.12.2026 18:00")
    await (await press(double, world, handle, "schedule")).response()
    double.fail_next("POST", rf"/channels/{world.channels['announcements']}/messages$", status=403, count=10,
                     body={"code": 50013, "message": "Missing Permissions"})
    clock.advance(AT - clock.now())
    for _ in range(3):
        await desk.services.scheduler.run_due()
        clock.advance(timedelta(minutes=2))
    assert not posts(double, world.channels["announcements"])
    assert "Joulujuhla" in double.dm_messages(world.people["staff"])[-1]["content"]


async def test_cancel_a_scheduled_one_and_the_preview(double, world, desk, clock):
    handle, _ = await write(double, world, send_at="12.12.2026 18:00")
    number = int(custom_ids(handle.message)[0].rsplit(":", 1)[1])
    await (await press(double, world, handle, "schedule")).response()
    stopped = await double.slash(world.guild, world.people["staff"], "announce", {"announcement": number}, sub="cancel")
    assert "jää lähettämättä" in await answer(stopped)
    other, _ = await write(double, world)
    await (await press(double, world, other, "discard")).response()
    clock.advance(AT - clock.now())
    await desk.services.scheduler.run_due()
    assert not posts(double, world.channels["announcements"])
    bad = (await write(double, world, send_at="31.2.2027 18:00"))[1]
    assert "31.2.2027" in bad["data"]["content"]
