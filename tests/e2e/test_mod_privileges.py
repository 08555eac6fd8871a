"""Every /mod command, moderation menu and moderator button, tried by each kind of member: plain
members, caregivers, young people, volunteers and staff are refused and nothing changes;
moderators and admins are let through."""

from __future__ import annotations

import copy

from tests.e2e.conftest import configure
from tests.e2e.mod_helpers import cards, run
from tests.e2e.onboarding_helpers import buttons, press, shown, text_of
from tests.e2e.room_helpers import create, eventually, room_channel

REFUSED = ("plain", "caregiver", "youth", "volunteer", "staff")
ALLOWED = ("moderator", "admin")
REFUSAL = "Tätä voivat käyttää vain jäsenet, joilla on rooli moderaattori. Kysy moderaattorilta, jos sinun kuuluisi voida."


def commands(world):
    adult, lounge = world.people["adult"], world.channels["lounge"]
    return [
        ("warn", None, {"member": adult, "reason": "syy"}),
        ("timeout", None, {"member": adult, "duration": "1h", "reason": "syy"}),
        ("untimeout", None, {"member": adult}),
        ("note", None, {"member": adult, "text": "muistiin"}),
        ("cases", None, {"member": adult}),
        ("case", None, {"number": 1}),
        ("reason", None, {"number": 1, "text": "korjattu"}),
        ("slowmode", None, {"channel": lounge, "duration": "10s"}),
        ("lock", None, {"channel": lounge}),
        ("unlock", None, {"channel": lounge}),
        ("add", "safety-terms", {"term": "oma ilmaus"}),
        ("list", "safety-terms", None),
        ("remove", "safety-terms", {"term": "oma ilmaus"}),
        ("ageband", None, {"member": adult, "age_group": "18-29", "reason": "syy"}),
    ]


async def state(double, world, bot):
    db = bot.services.db
    rows = [tuple(r) for r in await db.fetchall("SELECT id, reason_enc FROM cases")]
    terms = [tuple(r) for r in await db.fetchall("SELECT * FROM safety_terms")]
    alerts = [tuple(r) for r in await db.fetchall("SELECT status, claimed_by FROM safety_alerts")]
    reports = [tuple(r) for r in await db.fetchall("SELECT status, claimed_by FROM reports")]
    lounge = copy.deepcopy(double.world.channel(world.channels["lounge"]))
    member = double.world.member_record(world.guild, world.people["adult"]).get("communication_disabled_until")
    texts = [text_of(m) for m in cards(double, world)]
    return rows, terms, alerts, reports, lounge, member, texts


async def test_every_moderation_command_and_button_by_every_kind_of_member(double, world, bot, clock):
    double.clock = clock.now
    await configure(bot, world)
    await create(double, world, "kahvila", "caregivers")
    room = room_channel(double, world)
    await double.user_message(room, world.people["caregiver"], "en jaksa enää elää")
    reported = await double.user_message(world.channels["lounge"], world.people["adult"], "ilkeää")
    h = await double.message_context(world.guild, world.people["plain"], "Report to moderators", int(reported["id"]))
    form = (await h.response())["data"]
    await (await double.submit_modal(world.people["plain"], form["custom_id"], {"reason": "spam"})).response()
    await eventually(lambda: len(cards(double, world)) == 2)
    alert, card = sorted(cards(double, world), key=lambda m: "Turvallisuus" not in text_of(m))
    before = await state(double, world, bot)
    for who in REFUSED:
        for sub, group, options in commands(world):
            h = await run(double, world, sub, options, who, group=group)
            body = await h.response()
            assert body["data"]["content"] == REFUSAL, (who, sub)
        h = await double.message_context(world.guild, world.people[who], "Remove message", int(reported["id"]))
        assert (await h.response())["data"]["content"] == REFUSAL, who
        for message, label in ((alert, "Tarkistan, miten hän voi"), (alert, "Ratkaistu"), (card, "Otan tämän"),
                               (card, "Ratkaise")):
            answer = await shown(await press(double, message, label, world.people[who], guild=world.guild))
            assert answer["content"] == REFUSAL, (who, label)
    assert await state(double, world, bot) == before
    for who in ALLOWED:
        for sub, group, options in commands(world):
            h = await run(double, world, sub, options, who, group=group)
            body = await h.response()
            shown_text = str((body.get("data") or {}).get("content") or "")
            if body["type"] == 5:
                shown_text = str((await h.wait_followup()).get("content") or "")
            assert shown_text != REFUSAL and "pieleen" not in shown_text, (who, sub, shown_text)
        h = await double.message_context(world.guild, world.people[who], "Remove message", int(reported["id"]))
        assert (await h.response())["type"] == 9, who  # the form that asks the reason
    assert len(await bot.services.db.fetchall("SELECT * FROM cases")) == 2 * 7  # each action once; reading, reasons and terms are no cases
    moderator = world.people["moderator"]
    assert (await shown(await press(double, alert, "Tarkistan, miten hän voi", moderator, guild=world.guild)))[
        "content"].startswith("Kiitos")
    assert (await shown(await press(double, card, "Otan tämän", world.people["admin"], guild=world.guild)))[
        "content"].startswith("Ilmoitus on sinun")
    assert buttons(card)
