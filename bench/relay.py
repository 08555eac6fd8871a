"""``relay``: what the company relay adds between a member's DM and its copy in the volunteer's
private thread.

Start: the double has written the member's MESSAGE_CREATE to the gateway (the moment
``user_dm`` returns, read with ``time.monotonic()``, like ``InteractionHandle.sent_at``). End: the
double recorded the bot's ``POST /channels/{thread}/messages`` carrying the same unique token
(``Recorded.at``, also ``time.monotonic()``). Several conversations run side by side, each member
writing one message after another (the relay keeps each member's order), so as many messages are
in flight as there are conversations."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from bench.bare import BareRelayBot
from bench.stage import Stage, abba, bare, enlist, kohtaamo, queue_card, settle, split, stage
from bench.stats import Samples, compared
from tests.e2e.company_helpers import answer, button

NAME = "relay"
TARGET_P99 = 1.5


@dataclass(frozen=True)
class Plan:
    messages: int  # measured per bot
    conversations: int  # = messages in flight
    warmup: int  # per conversation and bot start, not measured
    blocks: int  # turns each bot takes (see stage.abba)


FULL = Plan(messages=1000, conversations=10, warmup=5, blocks=4)
SMOKE = Plan(messages=50, conversations=5, warmup=2, blocks=2)


async def open_conversations(st: Stage, guests: list[int], volunteers: list[int]) -> dict[int, int]:
    """Each guest asks, a volunteer takes the card (the real flow); guest id -> private thread id."""
    double, threads = st.double, {}
    async with kohtaamo(st) as bot:
        assert bot.services is not None
        await enlist(bot, st, volunteers)
        for i, (guest, volunteer) in enumerate(zip(guests, volunteers, strict=True)):
            card = await queue_card(st, f"guest{i}")
            h = await double.click(int(card["channel_id"]), int(card["id"]), button(card, "take"), volunteer,
                                   guild_id=st.world.guild)
            await answer(h)
            request = await bot.services.company.active_for_member(guest)
            if request is None or request.thread_id is None:
                raise RuntimeError(f"guest{i}'s request was not taken: {request}")
            threads[guest] = request.thread_id
    return threads


async def _talk(st: Stage, threads: dict[int, int], per_guest: list[int], label: str,
                into: Samples | None) -> None:
    double = st.double

    async def guest(index: int, uid: int, count: int) -> None:
        thread = threads[uid]
        for k in range(count):
            token = f"{label}x{index}x{k}"  # letters and digits only: nothing for the relay to escape
            before = len(double.calls)
            await double.user_dm(uid, f"Hei, tässä viesti {token}")
            sent = time.monotonic()
            try:
                posted = await double.wait_for_call("POST", rf"/channels/{thread}/messages", timeout=5.0,
                                                    after=before)
            except AssertionError as exc:
                if into is not None:
                    into.fail(f"{token}: {str(exc).splitlines()[0]}")
                continue
            if into is None:
                continue
            if token not in str((posted.json or {}).get("content")):
                into.fail(f"{token}: the thread got {posted.json!r:.80}")
            else:
                into.add(posted.at - sent)

    async with asyncio.TaskGroup() as tg:
        for index, (uid, count) in enumerate(zip(threads, per_guest, strict=True)):
            tg.create_task(guest(index, uid, count))


async def run(smoke: bool) -> tuple[list[str], bool]:
    plan = SMOKE if smoke else FULL
    results = {"bare": Samples("bare"), "kohtaamo": Samples("kohtaamo")}
    async with stage() as st:
        guests = st.add_people("guest", plan.conversations, "caregiver")
        volunteers = st.add_people("volunteer", plan.conversations, "volunteer")
        threads = await open_conversations(st, guests, volunteers)
        warmup = [plan.warmup] * plan.conversations
        for block, who in abba(plan.blocks):
            runner = bare(BareRelayBot(threads), st) if who == "bare" else kohtaamo(st, configured=False)
            share = split(plan.messages, plan.blocks)[block]
            async with runner:
                await _talk(st, threads, warmup, f"w{block}{who[0]}", None)
                settle()
                await _talk(st, threads, split(share, plan.conversations), f"m{block}{who[0]}", results[who])
    ok = not (results["bare"].errors or results["kohtaamo"].errors)
    return compared(NAME, results["bare"], results["kohtaamo"], TARGET_P99), ok
