"""The member's identity never reaches a volunteer: the whole flow, hostile input included,
then a scan of every payload the bot sent anywhere but to the member themself."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from tests.e2e.company_helpers import (
    add_volunteer,
    answer,
    ask,
    assert_no_trace,
    click,
    dm_with,
    identity_of,
    invoker,
    on_duty,
    take,
    thread_of,
    visible_to_volunteers,
)
from tests.e2e.conftest import configure

HOSTILE = "@everyone @here <@{vol}> <@!{vol}> <@&{role}> [klikkaa tästä](https://evil.example/x) ||piilo|| `koodi`"


async def test_no_trace_of_the_member_in_anything_volunteers_can_see(double, world, bot, clock):
    await configure(bot, world)
    await add_volunteer(double, world, "volunteer", name="Ville")
    await on_duty(double, world, "volunteer")
    member = world.people["caregiver"]
    hostile = HOSTILE.format(vol=world.people["volunteer"], role=world.roles["moderator"])

    assert (await ask(double, world, topic=hostile[:500])).startswith("Kiitos")
    clock.advance(timedelta(minutes=11))
    await bot.services.scheduler.run_due()  # the 10-minute nudge goes to the queue
    await take(double, world)
    thread = thread_of(double, world)
    await double.user_dm(member, hostile + " " + "ä" * 4000)
    await double.user_dm(member, "kuva tulee", attachments=[("aino.png", b"\x89PNG", "image/png")])
    await double.wait_for_call("POST", rf"/channels/{thread}/messages", after=len(double.calls) - 1)
    await double.user_message(thread, world.people["volunteer"], "Kiitos kun kirjoitit. <@&1> @everyone")
    intro = next(m for m in double.messages(thread) if m.get("components"))
    await answer(await click(double, world, intro, "concern", "volunteer"))
    await answer(await click(double, world, intro, "end", "volunteer"))
    goodbye = await dm_with(double, member, "feedback")
    form = (await (await click(double, world, goodbye, "feedback", "caregiver", in_dm=True)).response())["data"]
    await answer(await double.submit_modal(member, form["custom_id"], {"rating": "4", "text": "Kiitos Ville"}))

    calls = visible_to_volunteers(double, world, member)
    assert len(calls) > 15  # the scan has something to scan
    everything = json.dumps([c.json for c in double.calls if c.json is not None])
    assert str(member) in everything  # …and the needle is findable: the member's own DM traffic has it
    assert_no_trace(calls, identity_of(double, world, member) | {"Aino"})

    relayed = [c for c in calls if c.path == f"/channels/{thread}/messages" and c.json]
    assert len(relayed) >= 4  # intro, the long DM in parts, the attachment note, the end notice
    for call in relayed:
        body = call.json
        assert "message_reference" not in body
        assert body.get("allowed_mentions", {}).get("parse") == []
        assert not body.get("allowed_mentions", {}).get("users")
        assert not body.get("allowed_mentions", {}).get("roles")
        text = body.get("content") or ""
        assert len(text) <= 2000
        assert "@everyone" not in text and "@here" not in text
        assert not re.search(r"<@[!&]?\d", text)  # mentions are broken by a zero-width space
        assert not re.search(r"(?<!\\)\[[^\]]*\]\(https?://", text)  # no masked link: its "[" is escaped
    # Nothing the bot sent to a guild channel is an interaction response that could carry the member.
    for call in calls:
        assert not (call.path.startswith("/interactions/") and _token_owner(double, call.path) == member)


def _token_owner(double, path: str) -> int:
    for h in double.interactions.values():
        if h.token in path:
            return invoker(h)
    return 0


async def test_logs_never_hold_the_member_or_their_words(double, world, bot, caplog):
    import logging

    caplog.set_level(logging.DEBUG, logger="bot")
    caplog.set_level(logging.DEBUG, logger="cogs")
    caplog.set_level(logging.INFO, logger="discord")  # as configured in production
    await configure(bot, world)
    await add_volunteer(double, world, "volunteer", name="Ville")
    member = world.people["caregiver"]
    await ask(double, world, topic="yksinäinen sunnuntai")
    await take(double, world)
    thread = thread_of(double, world)
    double.fail_next("POST", rf"/channels/{thread}/messages", status=403, body={"code": 50013, "message": "no"})
    await double.user_dm(member, "salainen ajatus")  # this relay fails and is logged
    await double.wait_for_call("POST", rf"/channels/{double.dm_channel_id(member)}/messages", after=len(double.calls) - 1)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "relay into the thread" in text  # the failure was logged …
    for secret in (str(member), "yksinäinen sunnuntai", "salainen ajatus", double.token):
        assert secret not in text  # … without who, what or the token
