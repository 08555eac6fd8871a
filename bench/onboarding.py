"""``onboarding``: a school class arrives. Many members join within a moment while the double
enforces Discord's rate limits (windows scaled down so a run takes seconds); every one must get
exactly one welcome DM, and those who go through the steps from that DM and press Accept must get
their roles exactly once. Measured: the time from the first join to the last role given, against
the rate-limit floor for that work (opening a DM channel is one bucket for the whole bot, 10 per
10 s; adding a role is 10 per 10 s per guild); the 429s. A DM missing or doubled, a role missing
or given twice, fails the run."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass

from bench.stage import Stage, kohtaamo, stage
from tests.double.ratelimits import floor_seconds
from tests.e2e.onboarding_helpers import onboard, welcome_dm

NAME = "onboarding"
SCALE = 0.05  # "10 per 10 s" becomes "10 per 0.5 s"
OPEN_DM = "POST /users/@me/channels"
SEND = "POST /channels/{channel_id}/messages"
ADD_ROLE = "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}"
# Who the accepting members are, in turn: (who, age group, roles they get).
KINDS = (("caregiver", None, ("caregiver",)), ("youth", "13-17", ("youth_minor",)),
         ("both", "18-29", ("caregiver", "youth_adult")))


@dataclass(frozen=True)
class Plan:
    members: int
    accepting_every: int  # every n-th member goes through the steps and presses Accept


FULL = Plan(members=200, accepting_every=2)
SMOKE = Plan(members=20, accepting_every=2)


@dataclass
class Outcome:
    seconds: float
    floor: float
    dms_ok: int
    roles_ok: int
    accepting: int
    throttled: int

    def line(self, members: int) -> str:
        return (f"{NAME:<12} {'kohtaamo':<9} {self.seconds:>6.2f} s  floor {self.floor:.2f} s  "
                f"×{self.seconds / self.floor:.2f}  one DM {self.dms_ok}/{members}  "
                f"roles once {self.roles_ok}/{self.accepting}  429s {self.throttled}")


async def _arrive(st: Stage, plan: Plan) -> Outcome:
    double, guild = st.double, st.world.guild
    before = len(double.calls)
    double.enforce_rate_limits(scale=SCALE)
    double.ratelimits.reset_counters()
    started = time.monotonic()
    try:
        joined = []
        for i in range(plan.members):  # the class arrives: all within a moment
            joined.append(double.add_member(guild, username=f"oppilas{i}", global_name=f"Oppilas {i}"))
            if i % 20 == 19:
                await asyncio.sleep(0)
        accepting = {uid: KINDS[n % len(KINDS)] for n, uid in enumerate(joined[::plan.accepting_every])}

        async def go_through(uid: int) -> None:
            who, band, _ = accepting[uid]
            await onboard(double, await welcome_dm(double, uid), uid, guild, who=who, band=band)

        async with asyncio.TaskGroup() as tg:  # each member starts once their DM is there
            waiting = set(joined)
            for _ in range(int(120 / 0.01)):
                for uid in [u for u in waiting if _dms(st, u)]:
                    waiting.discard(uid)
                    if uid in accepting:
                        tg.create_task(go_through(uid))
                if not waiting:
                    break
                await asyncio.sleep(0.01)
        puts = [c for c in double.calls[before:] if c.method == "PUT" and "/roles/" in c.path and c.status < 300]
        finished = max((c.at for c in puts), default=time.monotonic())
        throttled = double.ratelimits.total_429s
    finally:
        double.stop_enforcing_rate_limits()
    dms_ok = sum(_dms(st, uid) == 1 for uid in joined)
    given = Counter(c.path for c in puts)
    roles_ok = 0
    for uid, (_, _, roles) in accepting.items():
        wanted = {st.world.roles[r] for r in roles}
        once = all(given[f"/guilds/{guild}/members/{uid}/roles/{rid}"] == 1 for rid in wanted)
        roles_ok += once and set(double.role_ids(guild, uid)) == wanted
    role_puts = sum(len(roles) for _, _, roles in accepting.values())
    work = {OPEN_DM: plan.members, SEND: 1, ADD_ROLE: role_puts}
    floor = floor_seconds(work, 2 * plan.members + role_puts, scale=SCALE)
    return Outcome(finished - started, floor, dms_ok, roles_ok, len(accepting), throttled)


def _dms(st: Stage, uid: int) -> int:
    """How many messages the member's DM holds (cheap: polled for every member, many times a second)."""
    channel = st.double.dm_channel_id(uid)
    return 0 if channel is None else len(st.double.world.messages.get(channel, {}))


async def run(smoke: bool) -> tuple[list[str], bool]:
    plan = SMOKE if smoke else FULL
    async with stage() as st, kohtaamo(st):
        outcome = await _arrive(st, plan)
    ok = outcome.dms_ok == plan.members and outcome.roles_ok == outcome.accepting
    lines = [outcome.line(plan.members)]
    if not ok:
        lines.append(f"{'':<12} a welcome DM or a role was missing or doubled")
    return lines, ok
