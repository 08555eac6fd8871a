"""Anonymous company requests, end to end through the double with the real client."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.e2e.company_helpers import (
    add_volunteer,
    answer,
    ask,
    button,
    card,
    click,
    custom_ids,
    dm_with,
    last_dm,
    on_duty,
    take,
    thread_of,
)
from tests.e2e.conftest import configure, start_bot


@pytest.fixture
async def desk(double, world, bot):
    """A configured server with two volunteers on duty: Ville (fi, caregivers) and Veera
    (fi/sv, all bands, cleared for minors)."""
    await configure(bot, world)
    assert "vapaaehtoinen" in await add_volunteer(double, world, "volunteer", name="Ville")
    await add_volunteer(double, world, "volunteer2", name="Veera", swedish=True, youth_13_17=True,
                        youth_18_29=True, cleared_for_minors=True)
    await on_duty(double, world, "volunteer")
    await on_duty(double, world, "volunteer2", hours=2.0)
    return bot


async def status_of(bot, request_id: int) -> str:
    request = await bot.services.company.get(request_id)
    return request.status.value


def request_id_of(message) -> int:
    return int(button(message, "take").rsplit(":", 1)[1]) if any(
        "take" in c for c in str(message.get("components"))) else 0


async def test_request_reaches_the_queue_under_a_pseudonym_and_pings_matching_volunteers(double, world, desk):
    text = await ask(double, world, topic="Ilta on pitkä")
    assert text.startswith("Kiitos.")
    assert "jonossa" in last_dm(double, world.people["caregiver"])["content"]
    message = card(double, world)
    embed = message["embeds"][0]
    assert embed["title"].startswith("Vieras ")
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Aihe"] == "Ilta on pitkä" and fields["Ryhmä"] == "omaishoitaja"
    assert fields["Tila"] == "Odottaa vapaaehtoista" and "<t:" in fields["Odotus alkoi"]
    # Both volunteers serve caregivers in Finnish: both are pinged, and only they may be.
    assert f"<@{world.people['volunteer']}>" in message["content"]
    post = double.calls_to("POST", rf"/channels/{world.channels['volunteer_queue']}/messages$")[-1]
    assert sorted(int(u) for u in post.json["allowed_mentions"]["users"]) == sorted(
        [world.people["volunteer"], world.people["volunteer2"]])
    assert post.json["allowed_mentions"]["parse"] == []
    # A plain channel message, never an interaction response (those carry the asker).
    assert "interaction_metadata" not in message and message["author"]["id"] == str(double.bot_user_id)


async def test_volunteer_takes_and_the_relay_runs_both_ways(double, world, desk):
    await ask(double, world, topic="Haluan jutella")
    assert (await take(double, world)).startswith("Otit pyynnön")
    thread = thread_of(double, world)
    created = double.calls_to("POST", r"/channels/\d+/threads")[-1].json
    assert created["type"] == 12 and created["invitable"] is False
    assert double.calls_to("PUT", rf"/channels/{thread}/thread-members/{world.people['volunteer']}$")
    member = world.people["caregiver"]
    assert "Ville" in (await dm_with(double, member, "end"))["content"]

    await double.user_dm(member, "Hei, onpa hiljainen ilta")
    posted = await double.wait_for_call("POST", rf"/channels/{thread}/messages$", after=len(double.calls) - 1)
    assert posted.json["content"].endswith("Hei, onpa hiljainen ilta")
    assert posted.json["content"].startswith("**Vieras ")

    await double.user_message(thread, world.people["volunteer"], "Hei! Kerro vain.")
    dm = double.dm_channel_id(member)
    relayed = await double.wait_for_call("POST", rf"/channels/{dm}/messages$", after=len(double.calls) - 1)
    assert relayed.json["content"] == "**Ville:** Hei! Kerro vain."

    # Someone else writing in the thread (a moderator looking in) is not relayed.
    before = len(double.calls_to("POST", rf"/channels/{dm}/messages$"))
    await double.user_message(thread, world.people["moderator"], "moderaattorin muistiinpano")
    await asyncio.sleep(0.1)
    assert len(double.calls_to("POST", rf"/channels/{dm}/messages$")) == before


async def test_exactly_one_volunteer_wins_a_double_claim(double, world, desk):
    await ask(double, world)
    message = card(double, world)
    first, second = await asyncio.gather(
        click(double, world, message, "take", "volunteer"), click(double, world, message, "take", "volunteer2"))
    answers = [await answer(first), await answer(second)]
    assert "Toinen vapaaehtoinen ehti jo ottaa tämän pyynnön." in answers
    assert len([a for a in answers if a.startswith("Otit pyynnön")]) == 1
    assert len(double.calls_to("POST", r"/channels/\d+/threads")) == 1
    fields = {f["name"]: f["value"] for f in card(double, world)["embeds"][0]["fields"]}
    assert fields["Tila"] == "Vapaaehtoinen on ottanut pyynnön"
    assert not card(double, world).get("components")


async def test_requests_from_minors_go_only_to_volunteers_cleared_for_minors(double, world, desk):
    await ask(double, world, "youth")
    message = card(double, world)
    assert f"<@{world.people['volunteer2']}>" in message["content"]
    assert f"<@{world.people['volunteer']}>" not in message["content"]
    refused = await answer(await click(double, world, message, "take", "volunteer"))
    assert "alaikäis" in refused
    assert (await answer(await click(double, world, message, "take", "volunteer2"))).startswith("Otit pyynnön")


async def test_someone_not_on_the_volunteer_list_cannot_take(double, world, desk):
    await ask(double, world)
    refused = await answer(await click(double, world, card(double, world), "take", "plain"))
    assert refused and not refused.startswith("Otit")
    assert not double.calls_to("POST", r"/channels/\d+/threads")


async def test_closed_dms_leave_nothing_dangling(double, world, desk):
    double.set_dms_closed(world.people["caregiver"])
    text = await ask(double, world)
    assert "yksityisviest" in text.lower()
    assert not [m for m in double.messages(world.channels["volunteer_queue"]) if m.get("embeds")]
    row = await desk.services.db.fetchone("SELECT status FROM company_requests")
    assert row["status"] == "withdrawn"
    double.set_dms_closed(world.people["caregiver"], False)
    assert (await ask(double, world)).startswith("Kiitos.")  # a withdrawn request does not block a new one


async def test_deleted_queue_channel_gives_an_honest_answer(double, world, desk):
    double.delete_channel(world.channels["volunteer_queue"])
    await asyncio.sleep(0.05)
    text = await ask(double, world)
    assert "112" in text
    assert await desk.services.db.fetchone("SELECT * FROM company_requests WHERE status IN ('open', 'claimed')") is None


async def test_member_cancels_and_an_old_card_button_answers_clearly(double, world, desk):
    await ask(double, world)
    member = world.people["caregiver"]
    confirmation = await dm_with(double, member, "cancel")
    mark = len(double.calls)
    cancelled = await answer(await click(double, world, confirmation, "cancel", "caregiver", in_dm=True))
    assert cancelled.startswith("Pyyntösi on peruttu")
    await double.wait_for_call("PATCH", rf"/channels/{world.channels['volunteer_queue']}/messages/\d+", after=mark)
    fields = {f["name"]: f["value"] for f in card(double, world)["embeds"][0]["fields"]}
    assert fields["Tila"] == "Peruttu"
    # The member presses the cancel button a second time.
    again = await answer(await click(double, world, confirmation, "cancel", "caregiver", in_dm=True))
    assert again == "Tämä pyyntö ei ole enää avoinna."


async def test_a_take_button_left_on_a_cancelled_card_answers_clearly(double, world, desk):
    await ask(double, world)
    queue = world.channels["volunteer_queue"]
    double.fail_next("PATCH", rf"/channels/{queue}/messages/\d+", status=403, body={"code": 50013, "message": "no"})
    h = await double.slash(world.guild, world.people["caregiver"], "company", sub="cancel")
    assert (await answer(h)).startswith("Pyyntösi on peruttu")
    await double.wait_for_call("PATCH", rf"/channels/{queue}/messages/\d+")
    stale = card(double, world)  # the edit failed: the card still offers "I'll take this"
    assert await answer(await click(double, world, stale, "take", "volunteer")) == "Tämä pyyntö ei ole enää avoinna."
    assert not double.calls_to("POST", r"/channels/\d+/threads")


async def test_either_side_ends_and_the_member_gives_anonymous_feedback(double, world, desk):
    await ask(double, world)
    await take(double, world)
    thread = thread_of(double, world)
    intro = next(m for m in double.messages(thread) if m.get("components"))
    ended = await answer(await click(double, world, intro, "end", "volunteer"))
    assert ended.startswith("Keskustelu on päättynyt")
    patch = (await double.wait_for_call("PATCH", rf"/channels/{thread}")).json
    assert patch["archived"] is True and patch["locked"] is True
    member = world.people["caregiver"]
    goodbye = await dm_with(double, member, "feedback")
    assert "Vapaaehtoinen lopetti keskustelun" in goodbye["content"]
    h = await click(double, world, goodbye, "feedback", "caregiver", in_dm=True)
    form = (await h.response())["data"]
    thanks = await double.submit_modal(member, form["custom_id"], {"rating": "5", "text": "Kiitos seurasta"})
    assert await answer(thanks) == "Kiitos palautteestasi."
    h = await click(double, world, goodbye, "feedback", "caregiver", in_dm=True)  # a second time
    again = await double.submit_modal(member, (await h.response())["data"]["custom_id"], {"rating": "4"})
    assert await answer(again) != "Kiitos palautteestasi."  # once only
    # The member's DMs no longer go anywhere.
    before = len(double.calls_to("POST", rf"/channels/{thread}/messages$"))
    await double.user_dm(member, "vielä yksi")
    await asyncio.sleep(0.1)
    assert len(double.calls_to("POST", rf"/channels/{thread}/messages$")) == before


async def test_member_ends_with_the_slash_command(double, world, desk):
    await ask(double, world)
    await take(double, world)
    h = await double.slash(world.guild, world.people["caregiver"], "company", sub="end")
    assert (await answer(h)).startswith("Keskustelu on päättynyt")
    await double.wait_for_call("PATCH", rf"/channels/{thread_of(double, world)}")  # archived after the notice
    assert "Vieras lopetti keskustelun" in double.messages(thread_of(double, world))[-1]["content"]


async def test_relay_survives_a_restart(double, world, desk, db_path, clock):
    await ask(double, world)
    await take(double, world)
    thread = thread_of(double, world)
    await desk.close()
    async with start_bot(double, db_path, clock):
        await double.user_dm(world.people["caregiver"], "olenko yhä täällä?")
        posted = await double.wait_for_call("POST", rf"/channels/{thread}/messages$", after=len(double.calls) - 1)
        assert posted.json["content"].endswith("olenko yhä täällä?")
        # The end button on the intro message still works after the restart.
        intro = next(m for m in double.messages(thread) if m.get("components"))
        assert (await answer(await click(double, world, intro, "end", "volunteer"))).startswith("Keskustelu on päättynyt")


async def test_attachments_are_not_relayed(double, world, desk):
    await ask(double, world)
    await take(double, world)
    thread = thread_of(double, world)
    member = world.people["caregiver"]
    await double.user_dm(member, "katso kuva", attachments=[("kuva.png", b"\x89PNG...", "image/png")])
    posted = await double.wait_for_call("POST", rf"/channels/{thread}/messages$", after=len(double.calls) - 1)
    assert "katso kuva" in posted.json["content"] and "liite jätettiin pois" in posted.json["content"]
    assert not posted.files
    assert "Vain teksti välitetään" in last_dm(double, member)["content"]


async def test_nobody_free_escalates_then_tells_the_member_honestly(double, world, desk, clock):
    await ask(double, world)
    scheduler = desk.services.scheduler
    clock.advance(timedelta(minutes=10))
    await scheduler.run_due()
    queue = world.channels["volunteer_queue"]
    nudge = double.messages(queue)[-1]
    assert f"<@&{world.roles['moderator']}>" in nudge["content"] and "10 minuuttia" in nudge["content"]
    post = double.calls_to("POST", rf"/channels/{queue}/messages$")[-1]
    assert [int(r) for r in post.json["allowed_mentions"]["roles"]] == [world.roles["moderator"]]
    clock.advance(timedelta(minutes=50))
    await scheduler.run_due()
    member = world.people["caregiver"]
    honest = await dm_with(double, member, "wait")
    assert "112" in honest["content"] and "Sekasin" in honest["content"]
    sent = double.calls_to("POST", rf"/channels/{double.dm_channel_id(member)}/messages")[-1].json
    assert sent["nonce"].startswith("kg") and sent["enforce_nonce"] is True  # a retried job cannot send it twice
    h = await click(double, world, honest, "wait", "caregiver", in_dm=True)
    assert (await answer(h)).startswith("Selvä")
    clock.advance(timedelta(minutes=59))
    assert await scheduler.run_due() == 0
    clock.advance(timedelta(minutes=2))
    await scheduler.run_due()
    assert len([m for m in double.dm_messages(member) if "112" in m["content"]]) == 2


async def test_claimed_request_is_not_escalated(double, world, desk, clock):
    await ask(double, world)
    await take(double, world)
    before = len(double.calls)
    clock.advance(timedelta(hours=2))
    await desk.services.scheduler.run_due()
    assert len(double.calls) == before


async def test_volunteer_removed_mid_conversation(double, world, desk):
    await ask(double, world)
    await take(double, world)
    h = await double.slash(world.guild, world.people["moderator"], "volunteer", {"member": world.people["volunteer"]},
                           sub="remove")
    assert "1 avoin keskustelu lopetettiin" in await answer(h)
    goodbye = await dm_with(double, world.people["caregiver"], "feedback")
    assert "ei ole enää tavoitettavissa" in goodbye["content"]
    thread = thread_of(double, world)
    assert double.calls_to("PATCH", rf"/channels/{thread}")[-1].json["locked"] is True


async def test_member_who_left_the_server(double, world, desk):
    await ask(double, world)
    double.remove_member(world.guild, world.people["caregiver"])
    await asyncio.sleep(0.05)
    assert (await take(double, world)).startswith("Otit pyynnön")
    h = await double.slash(world.guild, world.people["plain"], "company", sub="request")
    assert (await h.response())["type"] == 9


async def test_discord_errors_during_a_claim_put_the_request_back(double, world, desk):
    await ask(double, world)
    double.fail_next("POST", r"/channels/\d+/threads", status=403, body={"code": 50013, "message": "Missing Permissions"})
    text = await take(double, world)
    assert text.startswith("Discord ei antanut")
    request = await desk.services.company.active_for_member(world.people["caregiver"])
    assert request.status.value == "open" and request.claimed_by is None
    double.fail_next("POST", r"/channels/\d+/threads", status=429, count=2, retry_after=0.05)
    double.fail_next("PUT", r"/channels/\d+/thread-members/\d+", status=500)  # retried by discord.py after 1 s
    assert (await take(double, world)).startswith("Otit pyynnön")
    assert (await desk.services.db.fetchone("SELECT COUNT(*) FROM company_requests WHERE status = 'claimed'"))[0] == 1


async def test_safety_concern_alerts_moderators_with_a_jump_link(double, world, desk):
    await ask(double, world)
    await take(double, world)
    thread = thread_of(double, world)
    intro = next(m for m in double.messages(thread) if m.get("components"))
    h = await click(double, world, intro, "concern", "volunteer")
    assert (await answer(h)).startswith("Moderaattoreille on ilmoitettu")
    alert = double.messages(world.channels["modlog"])[-1]
    assert f"<@&{world.roles['moderator']}>" in alert["content"] and f"/{thread}" in alert["content"]
    assert "Vieras " in alert["content"] and str(world.people["caregiver"]) not in alert["content"]


async def test_only_moderators_reveal_and_every_reveal_is_logged(double, world, desk):
    await ask(double, world)
    request = await desk.services.company.active_for_member(world.people["caregiver"])
    refused = await double.slash(world.guild, world.people["volunteer"], "company",
                                 {"request": request.id, "reason": "haluan vain tietää"}, sub="reveal")
    assert "moderaattori" in await answer(refused)
    assert not double.messages(world.channels["modlog"])
    h = await double.slash(world.guild, world.people["moderator"], "company",
                           {"request": request.id, "reason": "Vapaaehtoinen on huolissaan turvallisuudesta"},
                           sub="reveal")
    body = await h.response()
    assert body["data"]["flags"] & 64  # ephemeral: only the moderator sees it
    assert str(world.people["caregiver"]) in body["data"]["content"]
    log = double.messages(world.channels["modlog"])[-1]["content"]
    assert f"<@{world.people['moderator']}>" in log and "turvallisuudesta" in log
    assert str(world.people["caregiver"]) not in log


async def test_blocked_member_cannot_ask_and_the_case_is_logged(double, world, desk):
    member = world.people["caregiver"]
    h = await double.slash(world.guild, world.people["moderator"], "company",
                           {"member": member, "reason": "Toistuvaa häirintää vapaaehtoisia kohtaan"}, sub="block")
    assert "Tapaus 1" in await answer(h)
    assert "Tapaus 1" in double.messages(world.channels["modlog"])[-1]["content"]
    refused = await ask(double, world)
    assert not refused.startswith("Kiitos.")
    h = await double.slash(world.guild, world.people["moderator"], "company",
                           {"member": member, "reason": "Asia on selvitetty yhdessä"}, sub="unblock")
    assert "Tapaus 2" in await answer(h)
    assert (await ask(double, world)).startswith("Kiitos.")


async def test_panel_is_posted_and_pinned_and_its_button_opens_the_form(double, world, desk):
    lounge = world.channels["lounge"]
    h = await double.slash(world.guild, world.people["moderator"], "company", sub="panel", channel_id=lounge)
    assert "kiinnitettiin" in await answer(h)
    panel = double.messages(lounge, system=False)[-1]
    assert double.calls_to("PUT", rf"/channels/{lounge}/(messages/)?pins/{panel['id']}$")
    opened = await double.click(lounge, int(panel["id"]), button(panel, "ask"), world.people["adult"], guild_id=world.guild)
    assert (await opened.response())["type"] == 9
    refused = await double.slash(world.guild, world.people["caregiver"], "company", sub="panel")
    assert "moderaattori" in await answer(refused)


async def test_one_open_request_per_member(double, world, desk):
    await ask(double, world)
    second = await ask(double, world)
    assert not second.startswith("Kiitos.")
    assert len([m for m in double.messages(world.channels["volunteer_queue"]) if m.get("embeds")]) == 1


async def test_swedish_member_gets_swedish_messages_and_a_swedish_speaking_volunteer(double, world, desk):
    text = await ask(double, world, "adult", language="sv", locale="sv-SE")
    assert text.startswith("Tack.")
    message = card(double, world)
    assert f"<@{world.people['volunteer2']}>" in message["content"]
    assert f"<@{world.people['volunteer']}>" not in message["content"]  # Ville speaks only Finnish
    await take(double, world, "volunteer2")
    here = (await dm_with(double, world.people["adult"], "end"))["content"]
    assert "Veera" in here and "volontär" in here


async def test_two_members_fill_in_the_form_at_the_same_time(double, world, desk):
    forms = {}
    for who in ("caregiver", "adult"):
        h = await double.slash(world.guild, world.people[who], "company", sub="request")
        forms[who] = (await h.response())["data"]["custom_id"]
    for who in ("adult", "caregiver"):
        h = await double.submit_modal(world.people[who], forms[who], {"kind": "listen", "language": ["fi"]})
        assert (await answer(h)).startswith("Kiitos.")
    assert len([m for m in double.messages(world.channels["volunteer_queue"]) if m.get("embeds")]) == 2


async def test_the_nudge_honest_time_and_daily_limit_are_per_server_settings(double, world, desk, clock):
    h = await double.slash(world.guild, world.people["admin"], "setup",
                           {"company_nudge_minutes": 5, "company_daily_limit": 1, "company_honest_minutes": 20},
                           sub="configure")
    assert (await h.response())["data"]["content"] == "Asetukset tallennettu."
    await ask(double, world)
    clock.advance(timedelta(minutes=5))
    await desk.services.scheduler.run_due()
    assert "5 minuuttia" in double.messages(world.channels["volunteer_queue"])[-1]["content"]
    member = world.people["caregiver"]
    clock.advance(timedelta(minutes=14))
    await desk.services.scheduler.run_due()
    assert not [m for m in double.dm_messages(member) if "112" in m["content"]]
    clock.advance(timedelta(minutes=1))  # 20 minutes, not the default 60: told honestly now
    await desk.services.scheduler.run_due()
    assert "112" in (await dm_with(double, member, "wait"))["content"]
    await answer(await double.slash(world.guild, world.people["caregiver"], "company", sub="cancel"))
    assert "(1)" in await ask(double, world)  # the second request of the day is over the limit


async def test_the_honest_time_must_come_after_the_nudge(double, world, desk):
    h = await double.slash(world.guild, world.people["admin"], "setup",
                           {"company_nudge_minutes": 30, "company_honest_minutes": 20}, sub="configure")
    assert "myöhemmin kuin moderaattoreita muistutetaan (30 min)" in (await h.response())["data"]["content"]
    show = await double.slash(world.guild, world.people["admin"], "setup", sub="show")
    embed = (await show.response())["data"]["embeds"][0]
    assert "60 minuutin jälkeen" in str(embed["fields"])  # nothing was saved


async def test_ending_a_request_nobody_took_is_a_cancel(double, world, desk):
    await ask(double, world)
    h = await double.slash(world.guild, world.people["caregiver"], "company", sub="end")
    assert (await answer(h)).startswith("Pyyntösi on peruttu")
    await double.wait_for_call("PATCH", rf"/channels/{world.channels['volunteer_queue']}/messages/\d+")
    fields = {f["name"]: f["value"] for f in card(double, world)["embeds"][0]["fields"]}
    assert fields["Tila"] == "Peruttu"
    dms = double.dm_messages(world.people["caregiver"])
    assert not [m for m in dms if any(c.startswith("k:v1:company:feedback:") for c in custom_ids(m))]


async def test_blocking_a_waiting_member_updates_the_card(double, world, desk):
    await ask(double, world)
    h = await double.slash(world.guild, world.people["moderator"], "company",
                           {"member": world.people["caregiver"], "reason": "Toistuvaa häirintää"}, sub="block")
    await answer(h)
    fields = {f["name"]: f["value"] for f in card(double, world)["embeds"][0]["fields"]}
    assert fields["Tila"] == "Peruttu" and not card(double, world).get("components")


async def test_a_form_opened_before_a_restart_is_taken_after_it(double, world, desk, db_path, clock):
    h = await double.slash(world.guild, world.people["caregiver"], "company", sub="request")
    form = (await h.response())["data"]["custom_id"]
    await desk.close()
    async with start_bot(double, db_path, clock):
        submitted = await double.submit_modal(world.people["caregiver"], form, {"kind": "listen", "language": ["sv"]})
        assert (await answer(submitted)).startswith("Kiitos.")
        fields = {f["name"]: f["value"] for f in card(double, world)["embeds"][0]["fields"]}
        assert fields["Kieli"] == "svenska" and fields["Toive"] == "Joku kuuntelemaan"


async def test_the_member_ends_or_cancels_from_their_dms_with_the_bot(double, world, desk):
    member = world.people["caregiver"]
    await ask(double, world)
    await take(double, world)
    h = await double.slash(None, member, "company", sub="end")
    assert (await answer(h)).startswith("Keskustelu on päättynyt")
    await ask(double, world)
    h = await double.slash(None, member, "company", sub="cancel")
    assert (await answer(h)).startswith("Pyyntösi on peruttu")
    for sub in ("request", "panel"):
        refused = await answer(await double.slash(None, member, "company", sub=sub))
        assert refused == "Tämä toimii vain palvelimella, ei yksityisviesteissä."


async def test_the_ask_button_works_from_a_direct_message(double, world, desk):
    """Check-in DMs will carry the same persistent "Request company" button."""
    from bot.ui import company as ui

    member = world.people["caregiver"]
    await ui.send_dm(desk, member, "Miten voit tänään?", ui.buttons(desk.i18n, "fi", world.guild, "ask"))
    prompt = await dm_with(double, member, "ask")
    opened = await click(double, world, prompt, "ask", "caregiver", in_dm=True)
    form = (await opened.response())["data"]
    assert form["custom_id"] == f"k:v1:company:request-form:{world.guild}"
    submitted = await double.submit_modal(member, form["custom_id"], {"kind": "later_today", "language": ["fi"]})
    assert (await answer(submitted)).startswith("Kiitos.")
    assert card(double, world)["embeds"][0]["title"].startswith("Vieras ")
