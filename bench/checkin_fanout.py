"""``checkin_fanout``: a thousand members chose the same minute for their personal check-in.

The bot runs as its own process (``python -m bot run``, real timers and clock) against the double,
which enforces Discord's rate limits at full scale (50 requests per second per bot, per-route
buckets). The members are opted in through the service beforehand, each with the DM channel kept
from opt-in, and all due at one instant a few seconds after the bot starts. Figures: time from the
first DM to the last against the floor (requests ÷ 50 per s), time from the due instant, 429s,
DMs lost, DMs doubled, requests per DM; then the same with the bot SIGKILLed halfway through the
fan-out and started again on the same database.

A DM that reached Discord just before the kill is sent again after the restart (its job was
claimed, not done) with the same nonce, and Discord (the double) drops the copy: "resent" counts
those requests, "doubled" counts DMs a member actually got twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.stage import Stage, stage
from bot.clock import SystemClock
from bot.db.checkin import CheckinRepo
from bot.db.connection import Database
from bot.db.crypto import Sealer
from bot.db.jobs import JobRepo
from bot.db.migrate import migrate
from bot.scheduling import DueJob, Scheduler
from bot.services.checkin import Recurrence
from bot.services.checkin_personal import GRACE_ME, KIND_ME, PersonalCheckins
from tests.double.ratelimits import floor_seconds
from tests.e2e.conftest import DATA_KEY

NAME = "checkin_fanout"
ROUTE = "POST /channels/{channel_id}/messages"
ROOT = Path(__file__).resolve().parents[1]  # the bot process runs from the repository root


@dataclass(frozen=True)
class Plan:
    members: int
    lead: float  # seconds from seeding to the due instant: the bot starts meanwhile


FULL = Plan(members=1000, lead=10.0)
SMOKE = Plan(members=60, lead=3.0)


@dataclass
class Outcome:
    label: str
    members: int
    first_to_last: float
    due_to_last: float
    floor: float
    throttled: int
    lost: int
    doubled: int
    resent: int
    dm_opens: int
    sends: int
    down: float = 0.0

    def line(self) -> str:
        down = f"  down {self.down:.1f} s" if self.down else ""
        return (f"{NAME:<12} {self.label:<9} {self.members} DMs  first→last {self.first_to_last:.2f} s  "
                f"floor {self.floor:.2f} s  ×{self.first_to_last / self.floor:.2f}  due→last {self.due_to_last:.2f} s"
                f"{down}  429s {self.throttled}  lost {self.lost}  doubled {self.doubled}  resent {self.resent}  "
                f"requests/DM {(self.sends + self.dm_opens) / max(1, self.members - self.lost):.2f}")


async def _seed(st: Stage, members: list[int], due: datetime) -> dict[int, int]:
    """Opt every member in through the service, each due at ``due``; {member: DM channel}."""
    db = await Database.open(st.db_path)
    try:
        await migrate(db)
        clock = SystemClock()
        scheduler = Scheduler(JobRepo(db), clock, timers=False)

        async def unused(job: DueJob) -> None:
            raise AssertionError("the benchmark only seeds")

        scheduler.register(KIND_ME, unused)
        repo = CheckinRepo(db, Sealer(DATA_KEY))
        checkins = PersonalCheckins(repo, scheduler, clock)
        local = due.astimezone(ZoneInfo("Europe/Helsinki"))  # the schedule's own next time is tomorrow
        tomorrow = Recurrence(frozenset({(local.weekday() + 1) % 7}), local.hour * 60 + local.minute, "Europe/Helsinki")
        dms = {}
        async with db.transaction():
            for uid in members:
                dms[uid] = int(st.double.world.open_dm(uid)["id"])
                personal, _first = await checkins.opt_in(uid, st.world.guild, dms[uid], tomorrow, "fi")
                occurrence = await repo.add_occurrence(st.world.guild, due, personal_id=personal.id)
                await scheduler.schedule(KIND_ME, occurrence["id"], due, guild_id=st.world.guild, grace=GRACE_ME)
        return dms
    finally:
        await db.close()


async def _start(st: Stage, log: Path) -> asyncio.subprocess.Process:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "DEV_GUILD"))}
    env = {**clean, "DISCORD_TOKEN": st.double.token, "DISCORD_API_BASE": st.double.api_base,
           "DISCORD_GATEWAY_URL": st.double.gateway_url, "DATABASE_PATH": str(st.db_path), "DATA_KEY": DATA_KEY,
           "LOG_LEVEL": "WARNING"}
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", env=env, stdout=out,
                                                    stderr=out, cwd=ROOT)


def _checkin_dms(st: Stage, dms: dict[int, int]) -> dict[int, int]:
    """{member: how many check-in DMs they got} (the welcome DM is not sent here: seeded directly)."""
    return {uid: len(st.double.world.messages.get(dm, {})) for uid, dm in dms.items()}


async def _wait_for(st: Stage, dms: dict[int, int], count: int, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if sum(1 for n in _checkin_dms(st, dms).values() if n) >= count:
            return
        await asyncio.sleep(0.02)


async def _one(plan: Plan, label: str, kill: bool) -> Outcome:
    async with stage() as st:
        members = st.add_people("member", plan.members, "caregiver")
        due = datetime.now(UTC) + timedelta(seconds=plan.lead)
        due_mono = time.monotonic() + plan.lead
        dms = await _seed(st, members, due)
        log = st.db_path.with_suffix(".log")
        st.double.enforce_rate_limits(scale=1.0)
        before = len(st.double.calls)
        process = await _start(st, log)
        down = 0.0
        try:
            await st.double.wait_ready(timeout=30)
            st.double.ratelimits.reset_counters()
            if kill:
                await _wait_for(st, dms, plan.members // 2, plan.lead + 60)
                process.send_signal(signal.SIGKILL)
                await process.wait()
                killed_at = time.monotonic()
                identifies = st.double.identify_count
                process = await _start(st, log)
                await st.double.wait_ready(timeout=30, identifies=identifies + 1)
                down = time.monotonic() - killed_at
            await _wait_for(st, dms, plan.members, plan.lead + 120)
            await asyncio.sleep(0.5)  # anything doubled would land now
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 10)
                except TimeoutError:
                    process.kill()
            st.double.stop_enforcing_rate_limits()
        wanted = {f"/channels/{dm}/messages" for dm in dms.values()}
        sends = [c for c in st.double.calls[before:] if c.method == "POST" and c.path in wanted and c.status < 300]
        got = _checkin_dms(st, dms)
        first = min(c.at for c in sends)
        last = max(c.at for c in sends)
        return Outcome(
            label, plan.members, last - first, last - due_mono,
            floor_seconds({ROUTE: 1}, total_requests=plan.members),
            st.double.ratelimits.total_429s, sum(1 for n in got.values() if n == 0),
            sum(n - 1 for n in got.values() if n > 1), len(sends) - sum(got.values()),
            len(st.double.calls_to("POST", r"/users/@me/channels")), len(sends), down,
        )


async def run(smoke: bool) -> tuple[list[str], bool]:
    plan = SMOKE if smoke else FULL
    plain = await _one(plan, "no kill", kill=False)
    killed = await _one(plan, "killed", kill=True)
    ok = all(o.lost == 0 and o.doubled == 0 for o in (plain, killed))
    lines = [plain.line(), killed.line()]
    if not ok:
        lines.append(f"{'':<12} check-in DMs were lost or doubled")
    return lines, ok
