"""``claim_race``: many volunteers press "I'll take this" on the same queue card at once.

Each round a new member asks through the real flow (``/company request``, then the form), the card
is posted in the queue, and every volunteer clicks its take button in one ``asyncio.gather``.
Checked, not timed: exactly one winner per round — one "You took the request" answer, one
private thread opened, the database naming that volunteer — and every other click told that
another volunteer was quicker. Timed: the winner's click (the double's ``sent_at``) to the
winner's answer (the follow-up after the defer, as the double recorded it)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from bench.stage import Stage, enlist, kohtaamo, queue_card, stage
from bench.stats import Samples
from bot.app import Kohtaamo
from bot.services.company import Status
from tests.double import InteractionHandle
from tests.e2e.company_helpers import answer, button

NAME = "claim_race"


@dataclass(frozen=True)
class Plan:
    rounds: int
    volunteers: int


FULL = Plan(rounds=200, volunteers=50)
SMOKE = Plan(rounds=5, volunteers=10)


@dataclass
class Verdicts:
    """What to expect from the bot, in its own words (the guild's language, Finnish)."""

    won: str
    lost: str

    @classmethod
    def of(cls, bot: Kohtaamo) -> Verdicts:
        won = bot.i18n.t("fi", "You took the request: {thread}", thread="")
        return cls(won=won, lost=bot.i18n.t("fi", "Another volunteer already took this request."))


async def _round(bot: Kohtaamo, st: Stage, number: int, volunteers: list[int], verdicts: Verdicts,
                 into: Samples) -> str | None:
    """One race; None when exactly one volunteer won, else what went wrong."""
    assert bot.services is not None
    double, world = st.double, st.world
    card = await queue_card(st, f"asker{number}")
    take = button(card, "take")
    request_id = int(take.rsplit(":", 1)[1])
    before = len(double.calls)
    handles: list[InteractionHandle] = await asyncio.gather(*(
        double.click(int(card["channel_id"]), int(card["id"]), take, uid, guild_id=world.guild) for uid in volunteers
    ))
    answers = await asyncio.gather(*(answer(h) for h in handles), return_exceptions=True)
    winners = [h for h, a in zip(handles, answers, strict=True) if isinstance(a, str) and a.startswith(verdicts.won)]
    odd = [a for a in answers if not (isinstance(a, str) and (a.startswith(verdicts.won) or a == verdicts.lost))]
    threads = double.log.matching("POST", rf"/channels/{card['channel_id']}/threads", after=before)
    request = await bot.services.company.get(request_id)
    claimed_by = request.claimed_by if request is not None and request.status is Status.CLAIMED else None
    winner_ids = [_clicker(h) for h in winners]
    if len(winners) != 1 or len(threads) != 1 or claimed_by not in winner_ids or odd:
        return (f"round {number}: {len(winners)} winner answers, {len(threads)} threads opened, database says "
                f"claimed by {claimed_by}, winners {winner_ids[:3]}{'…' if len(winner_ids) > 3 else ''}, "
                f"{len(odd)} other answers {odd[:2]!r}")
    winner = winners[0]
    followups = double.log.matching("POST", rf"/webhooks/\d+/{re.escape(winner.token)}", after=before)
    if followups:  # the answer after the defer; without one there is nothing to time
        into.add(followups[-1].at - winner.sent_at)
    return None


def _clicker(h: InteractionHandle) -> int:
    return int(h.payload["member"]["user"]["id"])


async def run(smoke: bool) -> tuple[list[str], bool]:
    plan = SMOKE if smoke else FULL
    samples = Samples("kohtaamo")
    failures: list[str] = []
    async with stage() as st:
        # A new member every round: each may have one open request and three a day.
        st.add_people("asker", plan.rounds, "caregiver")
        volunteers = st.add_people("volunteer", plan.volunteers, "volunteer")
        async with kohtaamo(st) as bot:
            await enlist(bot, st, volunteers)
            verdicts = Verdicts.of(bot)
            for number in range(plan.rounds):
                problem = await _round(bot, st, number, volunteers, verdicts, samples)
                if problem is not None:
                    failures.append(problem)
    won = plan.rounds - len(failures)
    lines = [
        f"{NAME:<12} kohtaamo {plan.rounds} rounds × {plan.volunteers} clicks: exactly one winner in "
        f"{won}/{plan.rounds}; winner answer p50 {samples.p50:.2f} ms  p99 {samples.p99:.2f} ms",
    ]
    if failures:
        lines += [f"{'':<12} FAILED {line}" for line in failures]
    return lines, not failures
