"""``setup_show``: the round trip of ``/setup show`` by an admin (Manage Server), from the double
sending INTERACTION_CREATE to the double receiving the callback, with many interactions in flight.

Both ends are the double's own ``time.monotonic()`` stamps: ``InteractionHandle.sent_at`` (set once
the gateway frame is written) and ``callback_at`` (set when the callback request is handled)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bench.bare import BareSetupBot
from bench.stage import Stage, abba, bare, kohtaamo, pool, settle, split, stage
from bench.stats import Samples, compared
from tests.double.interactions import CHANNEL_MESSAGE
from tests.double.messages import EPHEMERAL

NAME = "setup_show"
TARGET_P99 = 1.3


@dataclass(frozen=True)
class Plan:
    count: int  # measured interactions per bot
    in_flight: int
    warmup: int  # per bot start, not measured
    blocks: int  # turns each bot takes (see stage.abba)


FULL = Plan(count=500, in_flight=50, warmup=20, blocks=4)
SMOKE = Plan(count=60, in_flight=10, warmup=5, blocks=2)


async def _burst(st: Stage, count: int, in_flight: int, into: Samples | None,
                 sample: list[dict[str, Any]] | None = None) -> None:
    """``count`` interactions; timed into ``into`` (None: warm-up, answers kept in ``sample``)."""
    double, world = st.double, st.world
    admin = world.people["admin"]
    lounge = world.channels["lounge"]

    async def one(_: int) -> None:
        h = await double.slash(world.guild, admin, "setup", sub="show", channel_id=lounge)
        try:
            body = await h.response()
        except AssertionError as exc:  # unanswered, or later than Discord's 3 s
            if into is not None:
                into.fail(str(exc))
            return
        data = body.get("data") or {}
        ok = body.get("type") == CHANNEL_MESSAGE and data.get("embeds") and int(data.get("flags") or 0) & EPHEMERAL
        if into is None:
            if ok and sample is not None:
                sample.append(data["embeds"][0])
            return
        if not ok:
            into.fail(f"unexpected answer {str(body)[:120]}")
        elif h.callback_at is not None:
            into.add(h.callback_at - h.sent_at)

    await pool(count, in_flight, one)


async def run(smoke: bool) -> tuple[list[str], bool]:
    plan = SMOKE if smoke else FULL
    results = {"bare": Samples("bare"), "kohtaamo": Samples("kohtaamo")}
    embeds: dict[str, list[dict[str, Any]]] = {"bare": [], "kohtaamo": []}
    async with stage() as st:
        async with kohtaamo(st):  # configure the server once: every later start reads it from the database
            pass
        shares = split(plan.count, plan.blocks)
        for block, who in abba(plan.blocks):
            if who == "bare":
                runner = bare(BareSetupBot(st.world.roles, st.world.channels), st)
            else:
                runner = kohtaamo(st, configured=False)
            async with runner:
                await _burst(st, plan.warmup, plan.in_flight, None, embeds[who])
                settle()
                await _burst(st, shares[block], plan.in_flight, results[who])
    ok = not (results["bare"].errors or results["kohtaamo"].errors)
    return compared(NAME, results["bare"], results["kohtaamo"], TARGET_P99) + _parity(embeds), ok


def _parity(embeds: dict[str, list[dict[str, Any]]]) -> list[str]:
    """A note when the bare bot's embed no longer matches Kohtaamo's (then update bench/bare.py)."""
    bare_embed, kohtaamo_embed = embeds["bare"][:1], embeds["kohtaamo"][:1]
    if not bare_embed or not kohtaamo_embed:
        return [f"{'':<12} note: no embed sampled to compare the two answers"]
    names = [[f["name"] for f in e[0].get("fields") or []] for e in (bare_embed, kohtaamo_embed)]
    sizes = [len(json.dumps(e[0], ensure_ascii=False)) for e in (bare_embed, kohtaamo_embed)]
    if names[0] != names[1] or abs(sizes[0] - sizes[1]) > sizes[1] // 10:
        return [f"{'':<12} note: the bare embed ({names[0]}, {sizes[0]} chars) no longer matches Kohtaamo's "
                f"({names[1]}, {sizes[1]} chars): update bench/bare.py"]
    return []
