"""``relay_burst``: people write in bursts ("hei" / "oon tosi yksin" / "en tiiä mitä teen").
Each of several members sends a burst of quick DMs at once while the double enforces Discord's
rate limits (5 messages per 5 s in a channel, 50 requests per s; windows scaled down so a run
takes seconds). Measured: the time from the first DM to the last copy in the threads, against
the rate-limit floor for that work; how many bursts arrived complete and in order; the 429s.

The bare bot relays each message in its own task, as Kohtaamo once did: it shows what the
limits alone do to order. Kohtaamo relays each conversation in order (``bot.ui.relay.Lanes``);
a burst that arrives out of order, or a message lost or doubled, fails the run."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass

from bench.bare import BareRelayBot
from bench.relay import open_conversations
from bench.stage import Stage, bare, kohtaamo, stage
from tests.double.ratelimits import floor_seconds
from tests.double.recording import Recorded

NAME = "relay_burst"
SCALE = 0.1  # "5 per 5 s" becomes "5 per 0.5 s"
ROUTE = "POST /channels/{channel_id}/messages"


@dataclass(frozen=True)
class Plan:
    conversations: int
    burst: int  # DMs per member, sent back to back


FULL = Plan(conversations=10, burst=12)
SMOKE = Plan(conversations=3, burst=6)


@dataclass
class Outcome:
    bot: str
    seconds: float
    floor: float
    in_order: int
    lost: int
    doubled: int
    throttled: int

    def line(self, conversations: int) -> str:
        return (f"{NAME:<12} {self.bot:<9} {self.seconds:>6.2f} s  floor {self.floor:.2f} s  "
                f"×{self.seconds / self.floor:.2f}  in order {self.in_order}/{conversations}  "
                f"lost {self.lost}  doubled {self.doubled}  429s {self.throttled}")


async def _burst(st: Stage, threads: dict[int, int], plan: Plan, label: str, bot: str) -> Outcome:
    double = st.double
    before = len(double.calls)
    double.enforce_rate_limits(scale=SCALE)
    double.ratelimits.reset_counters()
    started = time.monotonic()
    try:
        for k in range(plan.burst):  # interleaved, as several people typing at once
            for index, uid in enumerate(threads):
                await double.user_dm(uid, f"viesti {label}x{index}x{k}")
        expected = plan.conversations * plan.burst
        for _ in range(3000):  # 30 s at most
            if len(_posts(st, threads, before, label)) >= expected:
                break
            await asyncio.sleep(0.01)
        finished = max((c.at for c in double.calls[before:] if _token(c, label)),
                       default=time.monotonic())
        throttled = double.ratelimits.total_429s
    finally:
        double.stop_enforcing_rate_limits()
    in_order = lost = doubled = 0
    for index, thread in enumerate(threads.values()):
        got = [k for i, k in _posts(st, {0: thread}, before, label) if i == index]
        wanted = list(range(plan.burst))
        in_order += got == wanted
        lost += len(set(wanted) - set(got))
        doubled += len(got) - len(set(got))
    floor = floor_seconds({ROUTE: plan.burst}, plan.conversations * plan.burst, scale=SCALE)
    return Outcome(bot, finished - started, floor, in_order, lost, doubled, throttled)


def _token(call: Recorded, label: str) -> re.Match[str] | None:
    """The burst message a successful POST carried (a request refused with 429 was not executed)."""
    if call.method != "POST" or call.status >= 300:
        return None
    return re.search(rf"viesti {label}x(\d+)x(\d+)", str((call.json or {}).get("content", "")))


def _posts(st: Stage, threads: dict[int, int], before: int, label: str) -> list[tuple[int, int]]:
    """(conversation, message) of every relayed copy in ``threads``, in the order the double took them."""
    wanted = {f"/channels/{t}/messages" for t in threads.values()}
    found = []
    for call in st.double.calls[before:]:
        match = _token(call, label) if call.path in wanted else None
        if match:
            found.append((int(match[1]), int(match[2])))
    return found


async def run(smoke: bool) -> tuple[list[str], bool]:
    plan = SMOKE if smoke else FULL
    async with stage() as st:
        guests = st.add_people("guest", plan.conversations, "caregiver")
        volunteers = st.add_people("volunteer", plan.conversations, "volunteer")
        threads = await open_conversations(st, guests, volunteers)
        async with bare(BareRelayBot(threads), st):
            bare_run = await _burst(st, threads, plan, "b", "bare")
        async with kohtaamo(st, configured=False):
            ours = await _burst(st, threads, plan, "k", "kohtaamo")
    ok = ours.in_order == plan.conversations and ours.lost == 0 and ours.doubled == 0
    lines = [bare_run.line(plan.conversations), ours.line(plan.conversations)]
    if not ok:
        lines.append(f"{'':<12} Kohtaamo lost, doubled or reordered a burst")
    return lines, ok
