"""``event_rsvp`` and ``event_remind``: the events' two loads.

``event_rsvp``: each round an event with 20 places gets a card, and 500 members press Going on it
in one ``asyncio.gather``. Checked: exactly 20 answers "You are going", 480 "on the waiting list"
with the places 1…480 once each, and the database agreeing. Timed: each click (the double's
``sent_at``) to its answer (``callback_at``), against a bare bot answering the same button with
one ephemeral message. Kohtaamo acknowledges each click at once and answers by follow-up once
the answer is in the database, so its figure is click → follow-up (two requests to the bare bot's one).

``event_remind``: 1,000 members Going, the 1-hour reminder job runs with the double enforcing
Discord's rate limits (windows ×``SCALE``). Checked: every member's DM holds exactly one reminder
(zero lost, zero doubled). Timed: the job's run against the rate-limit floor (one DM channel to
open per member, in the bot's one bucket for that, then one message each)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import discord
from discord.ext import commands

from bench.stage import Stage, abba, bare, bare_options, kohtaamo, settle, split, stage
from bench.stats import Samples, compared
from bot.app import Kohtaamo
from bot.services.event import Choice, Details, Options
from tests.double.ratelimits import floor_seconds

RSVP, REMIND = "event_rsvp", "event_remind"
NAME = RSVP
SCALE = 0.01
CAPACITY = 20
TARGET_P99 = 3.0  # the answer is two requests (acknowledge, then follow up) to the bare bot's one
DEFERRED = 5  # "thinking": the answer follows as a follow-up message
OPEN_DM, SEND = "POST /users/@me/channels", "POST /channels/{channel_id}/messages"


@dataclass(frozen=True)
class Plan:
    rounds: int  # for each bot, over all its blocks
    members: int
    going: int  # for the reminders
    blocks: int = 2  # turns each bot takes


FULL = Plan(rounds=50, members=500, going=1000, blocks=4)
SMOKE = Plan(rounds=2, members=60, going=50)


class BareButtonBot(commands.Bot):
    """Answers a click on ``bare:going`` with one ephemeral message, nothing else."""

    def __init__(self) -> None:
        super().__init__(**bare_options())  # type: ignore[arg-type]

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.data and interaction.data.get("custom_id") == "bare:going":
            await interaction.response.send_message("You are going.", ephemeral=True)


async def _event(bot: Kohtaamo, st: Stage, title: str) -> tuple[int, dict[str, Any]]:
    """An event made through the service and posted through the publisher, as the form does."""
    assert bot.services is not None and bot.events is not None
    event = await bot.services.events.create(
        st.world.guild, st.world.people["admin"], Details(title, "", "12.12.2026 18:00", "2 h", "Kahvila"),
        Options(st.world.channels["lounge"], capacity=CAPACITY), timezone="Europe/Helsinki", locale="fi",
    )
    channel = bot.get_channel(st.world.channels["lounge"])
    assert isinstance(channel, discord.TextChannel)
    event = await bot.events.publisher.post(event, channel)
    assert event.message_id is not None
    return event.id, st.double.message(event.message_id)


async def _clicks(st: Stage, card: dict[str, Any], custom_id: str, members: list[int], into: Samples,
                  acked: Samples | None = None) -> list[str]:
    double = st.double
    before = len(double.calls)
    handles = await asyncio.gather(*(
        double.click(int(card["channel_id"]), int(card["id"]), custom_id, uid, guild_id=st.world.guild)
        for uid in members
    ))
    answers, deferred = [], []
    for h in handles:
        body = await h.response()
        if body["type"] == DEFERRED:  # the answer is the follow-up after the acknowledgement
            if acked is not None and h.callback_at is not None:
                acked.add(h.callback_at - h.sent_at)
            answers.append(str((await h.wait_followup()).get("content") or ""))
            deferred.append(h)
            continue
        answers.append(str((body.get("data") or {}).get("content") or ""))
        if h.callback_at is not None:
            into.add(h.callback_at - h.sent_at)
    followed: dict[str, float] = {}  # one pass over the log: a scan per click would cost more than the bot
    for call in double.calls[before:]:
        if call.method == "POST" and call.path.startswith("/webhooks/"):
            followed[call.path.rsplit("/", 1)[1]] = call.at
    for h in deferred:
        if h.token in followed:
            into.add(followed[h.token] - h.sent_at)
    return answers


async def _rsvp(smoke: bool) -> tuple[list[str], bool]:
    plan = SMOKE if smoke else FULL
    mine, theirs, acked = Samples("kohtaamo"), Samples("bare"), Samples("ack")
    failures: list[str] = []
    async with stage() as st:
        members = st.add_people("member", plan.members, "caregiver")
        message_id: int | None = None
        number = 0
        # The bots take turns in blocks (bare, kohtaamo, kohtaamo, bare, …; see stage.abba), so
        # drift over the run (the double's growing log and world) falls on both alike.
        for block, who in abba(plan.blocks):
            rounds = split(plan.rounds, plan.blocks)[block]
            if who == "bare":
                async with bare(BareButtonBot(), st) as client:
                    if message_id is None:
                        channel = client.get_channel(st.world.channels["lounge"])
                        assert isinstance(channel, discord.TextChannel)
                        view = discord.ui.View(timeout=None)
                        view.add_item(discord.ui.Button(label="Going", custom_id="bare:going"))
                        message_id = (await channel.send("Event", view=view)).id
                    settle()
                    for _ in range(rounds):
                        await _clicks(st, st.double.message(message_id), "bare:going", members, theirs)
                continue
            async with kohtaamo(st) as bot:
                assert bot.services is not None
                going_text = bot.i18n.t("fi", "You are going. I will remind you by direct message 24 hours and 1 hour "
                                        "before.")
                settle()
                for _ in range(rounds):
                    event_id, card = await _event(bot, st, f"Ilta {number}")
                    answers = await _clicks(st, card, f"k:v1:event:going:{event_id}", members, mine, acked)
                    going = sum(a == going_text for a in answers)
                    places = sorted(int(a.split("numero ")[1].split(".")[0]) for a in answers if "jonossa" in a)
                    counts = await bot.services.events.counts(event_id)
                    waiting = plan.members - CAPACITY
                    if going != CAPACITY or places != list(range(1, waiting + 1)) or counts != {
                            "going": CAPACITY, "waiting": waiting}:
                        failures.append(f"round {number}: {going} going answers, {len(places)} waiting, "
                                        f"database {counts}")
                    number += 1
    lines = compared(RSVP, theirs, mine, TARGET_P99)
    lines.append(f"{RSVP:<12} kohtaamo acknowledged every click: p50 {acked.p50:.2f} ms  p99 {acked.p99:.2f} ms "
                 "(Discord's limit: 3,000 ms)")
    lines.append(f"{RSVP:<12} exactly {CAPACITY} going and {plan.members - CAPACITY} waiting in "
                 f"{number - len(failures)}/{number} rounds")
    lines += [f"{'':<12} FAILED {line}" for line in failures]
    return lines, not failures


async def _remind(smoke: bool) -> tuple[list[str], bool]:
    plan = SMOKE if smoke else FULL
    async with stage() as st:
        members = st.add_people("member", plan.going, "caregiver")
        async with kohtaamo(st) as bot:
            assert bot.services is not None
            events = bot.services.events
            event = await events.create(
                st.world.guild, st.world.people["admin"], Details("Ilta", "", "12.12.2026 18:00", "2 h", "Kahvila"),
                Options(st.world.channels["lounge"]), timezone="Europe/Helsinki", locale="fi",
            )
            for uid in members:
                await events.answer(event.id, uid, Choice.GOING, "fi", None)
            st.clock.advance(event.starts_at - timedelta(hours=1) - st.clock.now())
            st.double.enforce_rate_limits(scale=SCALE)
            st.double.ratelimits.reset_counters()
            settle()
            started = time.monotonic()
            try:
                await bot.services.scheduler.run_due()
                seconds = time.monotonic() - started
                throttled = st.double.ratelimits.total_429s
            finally:
                st.double.stop_enforcing_rate_limits()
            got = [_reminders(st, uid) for uid in members]
    floor = floor_seconds({OPEN_DM: plan.going, SEND: 1}, 2 * plan.going, scale=SCALE)
    lost, doubled = got.count(0), sum(1 for n in got if n > 1)
    line = (f"{REMIND:<12} kohtaamo {plan.going} reminders {seconds:.2f} s  floor {floor:.2f} s  "
            f"×{seconds / floor:.2f}  lost {lost}  doubled {doubled}  429s {throttled}")
    return [line], lost == 0 and doubled == 0


def _reminders(st: Stage, uid: int) -> int:
    channel = st.double.dm_channel_id(uid)
    messages = [] if channel is None else st.double.messages(channel)
    return sum(1 for m in messages if str(m.get("content", "")).startswith("Muistutus"))


async def run(smoke: bool) -> tuple[list[str], bool]:
    rsvp_lines, rsvp_ok = await _rsvp(smoke)
    remind_lines, remind_ok = await _remind(smoke)
    return rsvp_lines + remind_lines, rsvp_ok and remind_ok
