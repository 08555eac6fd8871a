"""What trying company requests as a member, a volunteer and a moderator showed (issue 11):
blocking an anonymous requester without learning who it is, nothing the member writes being
dropped, and each side of a conversation relayed in order under Discord's rate limits."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest

from bot.db.company import CompanyRepo
from bot.db.connection import Database
from bot.db.crypto import Sealer
from bot.services.company import Status
from tests.e2e.company_helpers import (
    TAKE,
    add_volunteer,
    answer,
    ask,
    assert_no_trace,
    card,
    identity_of,
    on_duty,
    take,
    thread_of,
    visible_to_volunteers,
)
from tests.e2e.conftest import DATA_KEY, configure, start_bot


@pytest.fixture
async def desk(double, world, bot):
    await configure(bot, world)
    await add_volunteer(double, world, "volunteer", name="Ville")
    await on_duty(double, world, "volunteer")
    return bot


def request_on_card(double, world) -> tuple[int, str]:
    """The newest card's request number and the pseudonym it shows."""
    message = card(double, world)
    match = next(m for m in map(TAKE.fullmatch, re.findall(r"k:v1:company:take:\d+", str(message))) if m)
    return int(match[1]), message["embeds"][0]["title"]


async def block(double, world, options: dict, *, sub: str = "block") -> str:
    h = await double.slash(world.guild, world.people["moderator"], "company", options, sub=sub)
    return await answer(h)


def relayed(double, thread: int) -> list[str]:
    return [m["content"] for m in double.messages(thread) if m["content"].startswith("**Vieras")]


async def until(condition, within: float = 10.0) -> None:
    for _ in range(int(within / 0.01)):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


# --- blocking without learning who ----------------------------------------------------------


async def test_a_block_by_request_number_never_names_the_member(double, world, desk, db_path):
    member = world.people["caregiver"]
    await ask(double, world, topic="Kaipaan juttuseuraa")
    number, shown = request_on_card(double, world)
    guest = re.search(r"Vieras \d{4}", str(card(double, world)))[0]
    assert number and shown

    said = await block(double, world, {"reason": "Asiattomia viestejä vapaaehtoiselle", "request": f"#{number}"})
    assert f"pyynnön {number} ({guest}) takana olevaa jäsentä" in said and "paljastamatta" in said
    log = double.messages(world.channels["modlog"])[-1]["content"]
    assert f"pyynnön {number} ({guest})" in log and "Asiattomia viestejä" in log
    fields = {f["name"]: f["value"] for f in card(double, world)["embeds"][0]["fields"]}
    assert fields["Tila"] == "Peruttu"  # the block cancelled the waiting request
    assert "Moderaattorit peruivat seurapyyntösi" in double.dm_messages(member)[-1]["content"]
    assert (await ask(double, world)).startswith("Et voi tällä hetkellä pyytää seuraa")

    said = await block(double, world, {"reason": "Selvitetty, saa taas pyytää", "request": guest}, sub="unblock")
    assert f"pyynnön {number} ({guest}) takana olevan jäsenen pyytää taas" in said
    assert (await ask(double, world)).startswith("Kiitos")

    # Everything the bot sent anyone but the member: the case answers, the log, the card edits.
    calls = visible_to_volunteers(double, world, member)
    assert any("/interactions/" in c.path or "/webhooks/" in c.path for c in calls)
    assert any(f"/channels/{world.channels['modlog']}/messages" in c.path for c in calls)
    assert_no_trace(calls, identity_of(double, world, member))
    cases = await desk.services.db.fetchall("SELECT kind, target_user_id, request_id FROM cases ORDER BY id")
    assert [tuple(c) for c in cases] == [("company_block", None, number), ("company_unblock", None, number)]
    raw = db_path.read_bytes() + (db_path.with_name(db_path.name + "-wal").read_bytes()
                                  if db_path.with_name(db_path.name + "-wal").exists() else b"")
    assert b"Asiattomia" not in raw and str(member).encode() not in raw  # reasons sealed, the member a tag


async def test_block_by_request_refuses_unclear_or_foreign_requests(double, world, desk):
    await ask(double, world)
    number, _ = request_on_card(double, world)
    reason = "Asiattomia viestejä vapaaehtoiselle"
    assert "Anna joko jäsen tai pyyntö" in await block(double, world, {"reason": reason})
    both = {"reason": reason, "request": str(number), "member": world.people["caregiver"]}
    assert "Anna joko jäsen tai pyyntö" in await block(double, world, both)
    for text in ("Vieras", "99999", "kuka tahansa"):
        assert "Tällä palvelimella ei ole pyyntöä" in await block(double, world, {"reason": reason, "request": text})
    plain = await double.slash(world.guild, world.people["plain"], "company",
                               {"reason": reason, "request": str(number)}, sub="block")
    assert "moderaattori" in await answer(plain)
    assert await desk.services.db.fetchone("SELECT 1 FROM cases") is None
    assert (await desk.services.company.get(number)).status is Status.OPEN


# --- nothing the member writes is dropped ---------------------------------------------------


async def test_what_the_member_writes_while_waiting_and_during_the_claim_reaches_the_thread_in_order(
    double, world, desk, db_path, clock,
):
    member = world.people["caregiver"]
    await ask(double, world)
    number, _ = request_on_card(double, world)
    before = len(double.dm_messages(member))
    for text in ("hei", "oon tosi yksin", "en tiiä mitä teen"):
        await double.user_dm(member, text)
    company = desk.services.company
    await until(lambda: _held(company, number, 3))
    acks = [m for m in double.dm_messages(member)[before:] if "Tallennan, mitä kirjoitat" in m["content"]]
    assert len(acks) == 1  # acknowledged once, not per message
    await desk.close()  # a restart while the member waits loses nothing

    async with start_bot(double, db_path, clock) as bot:
        company = bot.services.company
        queue = world.channels["volunteer_queue"]
        double.fail_next("POST", rf"/channels/{queue}/threads", status=429, retry_after=0.5)  # a slow claim
        taking = asyncio.create_task(take(double, world))
        await until(lambda: _status(company, number, Status.CLAIMED))
        assert (await company.get(number)).thread_id is None  # the claim window
        await double.user_dm(member, "ja vielä yksi")
        assert (await taking).startswith("Otit pyynnön")
        thread = thread_of(double, world)
        await until(lambda: _count(double, thread, 4))
        await double.user_dm(member, "kiitos että tulit")
        await until(lambda: _count(double, thread, 5))

        texts = [m["content"] for m in double.messages(thread)]
        header = texts.index("Odottaessaan vieras kirjoitti:")
        assert [t.split(":** ", 1)[1] for t in relayed(double, thread)] == [
            "hei", "oon tosi yksin", "en tiiä mitä teen", "ja vielä yksi", "kiitos että tulit"]
        assert header < texts.index(relayed(double, thread)[0])
        assert await company.held(number) == []
        refused = [m for m in double.dm_messages(member) if "ei ole vielä ottanut" in m["content"]
                   or "ei voitu välittää" in m["content"]]
        assert len(refused) == 1  # only the one acknowledgement from before the restart


async def test_kept_messages_reach_a_thread_that_opened_just_before_a_restart(double, world, desk, db_path, clock):
    await ask(double, world)
    number, _ = request_on_card(double, world)
    await take(double, world)
    thread = thread_of(double, world)
    await desk.close()
    # The bot stopped after the thread opened and before it posted what was kept: as if so.
    db = await Database.open(db_path)
    repo = CompanyRepo(db, Sealer.for_database(DATA_KEY, db_path))
    assert await repo.hold(number, "oletko siellä?", clock.now(), 50) == 1
    await db.close()
    async with start_bot(double, db_path, clock) as bot:
        await until(lambda: _count(double, thread, 1))
        assert relayed(double, thread)[-1].endswith(":** oletko siellä?")
        assert await bot.services.company.held(number) == []


async def test_a_take_whose_thread_never_opened_goes_back_to_the_queue_at_start(double, world, desk, db_path,
                                                                                 clock):
    await ask(double, world)
    number, _ = request_on_card(double, world)
    # The bot stopped between the claim and the thread: as if so.
    await desk.services.company.claim(number, world.people["volunteer"])
    await desk.close()
    clock.advance(timedelta(minutes=3))
    message = card(double, world)
    async with start_bot(double, db_path, clock) as bot:
        await until(lambda: _edited(double, message))
        request = await bot.services.company.get(number)
        assert request.status.value == "open" and request.claimed_by is None
        assert "k:v1:company:take:" in str(card(double, world))
        assert (await take(double, world)).startswith("Otit pyynnön")  # and it can be taken again
        assert thread_of(double, world)


async def _edited(double, message) -> bool:
    return bool(double.calls_to("PATCH", rf"/channels/{message['channel_id']}/messages/{message['id']}$"))


# --- order under Discord's limits -----------------------------------------------------------


async def test_bursts_keep_their_order_both_ways_under_discords_limits(double, world, desk):
    member, volunteer = world.people["caregiver"], world.people["volunteer"]
    await ask(double, world)
    await take(double, world)
    thread = thread_of(double, world)
    double.enforce_rate_limits(scale=0.05)  # 5 per 0.25 s per channel, 50 per 0.05 s in all
    try:
        for i in range(12):
            await double.user_dm(member, f"viesti {i}")
        await until(lambda: _count(double, thread, 12))
        assert [t.split(":** ", 1)[1] for t in relayed(double, thread)] == [f"viesti {i}" for i in range(12)]

        dm = double.dm_channel_id(member)
        seen = len(double.messages(dm))
        for i in range(12):
            await double.user_message(thread, volunteer, f"vastaus {i}")

        async def all_twelve() -> bool:
            return len(double.messages(dm)) - seen >= 12

        await until(all_twelve)
        replies = [m["content"] for m in double.messages(dm)[seen:]]
        assert replies == [f"**Ville:** vastaus {i}" for i in range(12)]
        assert double.ratelimits.admitted >= 24  # the limits were in play
    finally:
        double.stop_enforcing_rate_limits()


async def _held(company, number: int, n: int) -> bool:
    return len(await company.held(number)) == n


async def _status(company, number: int, status: Status) -> bool:
    return (await company.get(number)).status is status


async def _count(double, thread: int, n: int) -> bool:
    return len(relayed(double, thread)) >= n
