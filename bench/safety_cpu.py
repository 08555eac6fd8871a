"""``safety_cpu``: the CPU time a room message costs, Kohtaamo (the safety scan and every other
listener it runs on a message) against a bare discord.py bot with an empty ``on_message``, on
the same double in the same process; and the scan alone in µs a message.

Both bots read the same messages in the same room channel (made by ``/room create``): a mixed
corpus of ordinary talk in Finnish, Swedish and English, figurative uses ("kuolen nauruun") and,
one message in ``CRISIS_EVERY``, a crisis phrase by the same writer (the first gets the DM and
the alert, the rest update it). CPU time is ``time.process_time()`` over a block: posting every
message, then waiting until a counting listener (added to both bots alike) has seen them all and
the loop is quiet. It includes the double's own work, which is the same for both bots."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass

import discord
from discord.ext import commands

from bench.stage import Stage, abba, bare, bare_options, kohtaamo, settle, split, stage
from bot.services.safety import Scanner
from cogs.safety import EDIT_DELAY
from tests.e2e.room_helpers import room as room_command
from tests.e2e.room_helpers import room_channel
from tests.unit.test_safety import EXAMPLES

NAME = "safety_cpu"
TARGET = 1.25
CRISIS_EVERY = 50


@dataclass(frozen=True)
class Plan:
    messages: int  # measured per bot
    writers: int
    warmup: int  # per bot start, not measured
    blocks: int
    scans: int  # the scan alone
    start: float  # seconds each bot is left alone after it starts


FULL = Plan(messages=4000, writers=10, warmup=50, blocks=10, scans=20000, start=0.5)
SMOKE = Plan(messages=100, writers=3, warmup=10, blocks=2, scans=500, start=0.1)


class BareRoomBot(commands.Bot):
    """Reads every message and does nothing with it."""

    def __init__(self) -> None:
        super().__init__(**bare_options())  # type: ignore[arg-type]
        self.add_listener(self.read, "on_message")

    async def read(self, message: discord.Message) -> None:
        return None


def corpus() -> tuple[list[str], list[str]]:
    calm = [text for _, (_, ordinary) in EXAMPLES.items() for text in ordinary]
    crisis = [text for _, (found, _) in EXAMPLES.items() for text in found]
    return calm, crisis


def mixed(count: int) -> list[tuple[int, str]]:
    """(writer index, text): ordinary talk round the writers, a crisis by writer 0 now and then."""
    calm, crisis = corpus()
    calm_cycle, crisis_cycle = itertools.cycle(calm), itertools.cycle(crisis)
    return [(0, next(crisis_cycle)) if i % CRISIS_EVERY == CRISIS_EVERY - 1 else (1 + i % 9, next(calm_cycle))
            for i in range(count)]


async def _block(st: Stage, client: discord.Client, room: int, writers: list[int], messages: list[tuple[int, str]],
                 *, quiet: float = EDIT_DELAY + 0.1) -> float:
    """CPU seconds for the bot to read ``messages`` (posted one after another) and then be quiet for
    ``quiet`` seconds (what the last messages set off, the alert's one edit, is done by then)."""
    seen = 0
    all_seen = asyncio.Event()

    async def count(message: discord.Message) -> None:
        nonlocal seen
        seen += 1
        if seen == len(messages):
            all_seen.set()

    client.add_listener(count, "on_message")  # type: ignore[attr-defined]
    started = time.process_time()
    for writer, text in messages:
        await st.double.user_message(room, writers[writer % len(writers)], text)
    await asyncio.wait_for(all_seen.wait(), 30)  # an event, not a polling loop: waiting costs no CPU
    await asyncio.sleep(quiet)
    spent = time.process_time() - started
    client.remove_listener(count, "on_message")  # type: ignore[attr-defined]
    return spent


def scan_alone(plan: Plan) -> float:
    """µs a message for ``Scanner.scan`` over the corpus: calm, figurative and crisis alike."""
    calm, crisis = corpus()
    texts = list(itertools.islice(itertools.cycle(calm + crisis), plan.scans))
    scanner = Scanner()
    for text in texts[:200]:
        scanner.scan(text)
    started = time.perf_counter()
    for text in texts:
        scanner.scan(text)
    return (time.perf_counter() - started) / len(texts) * 1e6


async def run(smoke: bool) -> tuple[list[str], bool]:
    plan = SMOKE if smoke else FULL
    spent = {"bare": 0.0, "kohtaamo": 0.0}
    counted = {"bare": 0, "kohtaamo": 0}
    per_block: dict[int, dict[str, float]] = {}
    async with stage() as st:
        writers = st.add_people("writer", plan.writers, "caregiver")
        async with kohtaamo(st) as bot:
            await room_command(st.double, st.world, "create", {"name": "kahvila", "audience": "caregivers"}, who="admin")
            room = room_channel(st.double, st.world)
            assert await bot.is_room(room)
        corpus_messages = mixed(plan.messages)
        shares = split(plan.messages, plan.blocks)
        for block, who in abba(plan.blocks):
            runner = bare(BareRoomBot(), st) if who == "bare" else kohtaamo(st, configured=False)
            async with runner as client:
                await asyncio.sleep(plan.start)  # what a bot does at start (Kohtaamo puts its rooms right) is over
                await _block(st, client, room, writers, mixed(plan.warmup), quiet=0)
                settle()
                start = sum(shares[:block])  # both bots read the same messages in a block
                part = corpus_messages[start:start + shares[block]]
                cpu = await _block(st, client, room, writers, part)
                spent[who] += cpu
                counted[who] += len(part)
                per_block.setdefault(block, {})[who] = cpu / len(part)
        modlog = st.double.messages(st.world.channels["modlog"])
        alerted = sum(1 for m in modlog if m.get("embeds") and m["embeds"][0].get("title") == "Turvallisuushälytys")
    per = {who: spent[who] / counted[who] * 1e6 for who in spent}
    ratios = sorted(b["kohtaamo"] / b["bare"] for b in per_block.values())
    ratio = ratios[len(ratios) // 2]  # the median block: other processes on the machine move single blocks
    verdict = "within" if ratio <= TARGET else "ABOVE"
    lines = [
        f"{NAME:<12} {'bare':<9} {counted['bare']:>5}   cpu {per['bare']:.0f} µs/message",
        f"{NAME:<12} {'kohtaamo':<9} {counted['kohtaamo']:>5}   cpu {per['kohtaamo']:.0f} µs/message   ratio "
        f"{ratio:.2f} (median of {len(ratios)} blocks; {ratios[0]:.2f}–{ratios[-1]:.2f})  ({verdict} target ≤ {TARGET:g}; "
        f"1 message in {CRISIS_EVERY} a crisis)",
        f"{NAME:<12} {'scan':<9} {plan.scans:>5}   {scan_alone(plan):.1f} µs/message (Scanner.scan alone, mixed corpus)",
    ]
    if alerted != 1:  # one writer, never hours apart: one alert, counted up
        lines.append(f"{NAME:<12} expected one safety alert in the moderation log, found {alerted}")
    return lines, alerted == 1
