"""Steps of the check-in flows as members and staff take them (tests/e2e/test_checkin*.py)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from bot.app import Kohtaamo
from bot.clock import FakeClock
from tests.double import DiscordDouble, InteractionHandle
from tests.e2e.company_helpers import answer, custom_ids
from tests.e2e.conftest import World


def checkin_button(message: dict[str, Any], action: str, b: int | None = None) -> str:
    """The ``k:v1:checkin:<action>:…`` custom id on ``message`` (with second number ``b`` if given)."""
    for cid in custom_ids(message):
        parts = cid.split(":")
        if cid.startswith(f"k:v1:checkin:{action}:") and (b is None or int(parts[-1]) == b):
            return cid
    raise AssertionError(f"no {action!r} button on {custom_ids(message)}")


def labels(message: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(components: list[dict[str, Any]]) -> None:
        for c in components:
            if c.get("label"):
                found.append(c["label"])
            walk(c.get("components") or [])

    walk(message.get("components") or [])
    return found


async def press(double: DiscordDouble, world: World, message: dict[str, Any], custom_id: str, who: str, *,
                in_dm: bool = False, locale: str = "fi") -> InteractionHandle:
    return await double.click(int(message["channel_id"]), int(message["id"]), custom_id, world.people[who],
                              guild_id=None if in_dm else world.guild, locale=locale)


async def consent(double: DiscordDouble, world: World, who: str, time: str, weekdays: str, *,
                  monthly: bool = False, locale: str = "fi") -> InteractionHandle:
    options: dict[str, Any] = {"time": time, "weekdays": weekdays}
    if monthly:
        options["monthly_question"] = True
    return await double.slash(world.guild, world.people[who], "checkin", options, sub="me", locale=locale)


async def opt_in(double: DiscordDouble, world: World, who: str = "caregiver", time: str = "9.00",
                 weekdays: str = "daily", *, monthly: bool = False, locale: str = "fi") -> str:
    """``/checkin me``, then Accept on the consent message; the member's final answer."""
    h = await consent(double, world, who, time, weekdays, monthly=monthly, locale=locale)
    await h.response()
    message = h.message
    assert message is not None and h.ephemeral
    return await answer(await press(double, world, message, checkin_button(message, "ok"), who, locale=locale))


def checkin_dms(double: DiscordDouble, user_id: int) -> list[dict[str, Any]]:
    """The check-in DMs (with mood buttons) the member got, oldest first."""
    return [m for m in double.dm_messages(user_id)
            if any(cid.startswith("k:v1:checkin:me:") for cid in custom_ids(m))]


async def run_at(bot: Kohtaamo, clock: FakeClock, when: datetime) -> int:
    """Move the fake clock to ``when`` and run what is due; let the sends land."""
    assert bot.services is not None
    clock.advance(when - clock.now())
    ran = await bot.services.scheduler.run_due()
    await asyncio.sleep(0.01)
    return ran


async def mood(double: DiscordDouble, world: World, dm: dict[str, Any], value: int, who: str = "caregiver") -> str:
    return await answer(await press(double, world, dm, checkin_button(dm, "me", value), who, in_dm=True))
