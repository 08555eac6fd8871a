"""Steps of the company flow as a member, a volunteer and a moderator take them."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from tests.double import DiscordDouble, InteractionHandle
from tests.e2e.conftest import World

TAKE = re.compile(r"k:v1:company:take:(\d+)")


async def answer(h: InteractionHandle) -> str:
    """The text the member finally sees: the response, or the follow-up after a defer."""
    body = await h.response()
    if body["type"] == 5:
        body = await h.wait_followup()
        return str(body.get("content") or "")
    return str((body.get("data") or {}).get("content") or "")


def custom_ids(message: dict[str, Any]) -> list[str]:
    found = []

    def walk(components: list[dict[str, Any]]) -> None:
        for c in components:
            if c.get("custom_id"):
                found.append(c["custom_id"])
            walk(c.get("components") or [])

    walk(message.get("components") or [])
    return found


def button(message: dict[str, Any], action: str) -> str:
    return next(cid for cid in custom_ids(message) if cid.startswith(f"k:v1:company:{action}:"))


async def add_volunteer(double: DiscordDouble, world: World, who: str, **options: Any) -> str:
    h = await double.slash(world.guild, world.people["moderator"], "volunteer",
                           {"member": world.people[who], **options}, sub="add")
    return await answer(h)


async def on_duty(double: DiscordDouble, world: World, who: str, **options: Any) -> str:
    return await answer(await double.slash(world.guild, world.people[who], "volunteer", options or None, sub="on"))


async def ask(double: DiscordDouble, world: World, who: str = "caregiver", *, topic: str = "",
              kind: str = "chat_now", language: str = "fi", locale: str = "fi") -> str:
    h = await double.slash(world.guild, world.people[who], "company", sub="request", locale=locale)
    modal = (await h.response())["data"]
    values: dict[str, Any] = {"kind": kind, "language": [language]}
    if topic:
        values["topic"] = topic
    submitted = await double.submit_modal(world.people[who], modal["custom_id"], values, locale=locale)
    return await answer(submitted)


def card(double: DiscordDouble, world: World) -> dict[str, Any]:
    """The newest queue card."""
    cards = [m for m in double.messages(world.channels["volunteer_queue"]) if m.get("embeds")]
    return cards[-1]


async def click(double: DiscordDouble, world: World, message: dict[str, Any], action: str, who: str,
                *, in_dm: bool = False) -> InteractionHandle:
    return await double.click(int(message["channel_id"]), int(message["id"]), button(message, action),
                              world.people[who], guild_id=None if in_dm else world.guild)


async def take(double: DiscordDouble, world: World, who: str = "volunteer") -> str:
    return await answer(await click(double, world, card(double, world), "take", who))


def last_dm(double: DiscordDouble, user_id: int) -> dict[str, Any]:
    return double.dm_messages(user_id)[-1]


async def dm_with(double: DiscordDouble, user_id: int, action: str, within: float = 5.0) -> dict[str, Any]:
    """The newest DM to ``user_id`` carrying the ``action`` button, waiting for it to arrive."""
    prefix = f"k:v1:company:{action}:"
    for _ in range(int(within / 0.01)):
        for message in reversed(double.dm_messages(user_id)):
            if any(cid.startswith(prefix) for cid in custom_ids(message)):
                return message
        await asyncio.sleep(0.01)
    raise AssertionError(f"no DM with a {action!r} button reached {user_id}")


def thread_of(double: DiscordDouble, world: World) -> int:
    created = double.calls_to("POST", rf"/channels/{world.channels['volunteer_queue']}/threads$")
    return int(created[-1].response["id"])


def visible_to_volunteers(double: DiscordDouble, world: World, member: int) -> list[Any]:
    """Every write the bot made, except to the member's own DM and answers to the member's own
    (ephemeral) interactions."""
    dm = double.dm_channel_id(member)
    own_tokens = {h.token for h in double.interactions.values() if invoker(h) == member}
    calls = []
    for call in double.calls:
        if call.method == "GET":
            continue
        if dm is not None and f"/channels/{dm}/" in call.path + "/":
            continue
        if call.path == "/users/@me/channels":  # opening the member's DM: seen by nobody
            continue
        if any(token in call.path for token in own_tokens):
            continue
        calls.append(call)
    return calls


def invoker(h: InteractionHandle) -> int:
    who = h.payload.get("member", {}).get("user") or h.payload.get("user") or {}
    return int(who.get("id", 0))


def identity_of(double: DiscordDouble, world: World, member: int) -> set[str]:
    """What would name the member: their id, user name, display name and server nickname."""
    user = double.world.users[member]
    return {str(member), user["username"], user["global_name"], double.member(world.guild, member)["nick"]}


def assert_no_trace(calls: list[Any], needles: set[str]) -> None:
    """None of ``needles`` in any path, JSON body or file the bot sent in ``calls``."""
    for call in calls:
        blob = call.path + json.dumps(call.json, ensure_ascii=False) + "".join(
            name + data.decode("utf-8", "replace") for name, data, _ in call.files)
        for needle in needles:
            assert needle.lower() not in blob.lower(), f"{needle!r} leaked in {call.method} {call.path}"
