"""Steps of onboarding as a newcomer takes them: buttons found by their label."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.double import DiscordDouble, InteractionHandle
from tests.e2e.conftest import World

START = {"fi": "Aloita tästä", "sv": "Börja här", "en": "Start here"}
LANGUAGE = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
WHO = {
    "caregiver": {"fi": "Hoidan läheistäni", "sv": "Jag tar hand om en närstående", "en": "I care for someone close to me"},
    "youth": {"fi": "Olen nuori", "sv": "Jag är ung", "en": "I am a young person"},
    "both": {"fi": "Molemmat: olen nuori omaishoitaja", "sv": "Båda: jag är en ung anhörigvårdare",
             "en": "Both: I am a young carer"},
}
BAND = {"13-17": {"fi": "13–17", "sv": "13–17", "en": "13–17"}, "18-29": {"fi": "18–29", "sv": "18–29", "en": "18–29"},
        "u13": {"fi": "Alle 13", "sv": "Under 13", "en": "Under 13"}}
ACCEPT = {"fi": "Hyväksyn säännöt", "sv": "Jag godkänner reglerna", "en": "I accept the rules"}


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    found = []

    def walk(components: list[dict[str, Any]]) -> None:
        for c in components:
            if c.get("type") == 2:
                found.append(c)
            walk(c.get("components") or [])

    walk(message.get("components") or [])
    return found


def labels(message: dict[str, Any]) -> list[str]:
    return [b.get("label", "") for b in buttons(message)]


def by_label(message: dict[str, Any], label: str) -> str:
    """The custom id of the button whose label is, or (the trilingual start button) contains, ``label``."""
    for b in buttons(message):
        if b.get("label") == label or label in (b.get("label") or "").split(" · "):
            return str(b["custom_id"])
    raise AssertionError(f"no button {label!r} in {labels(message)}")


async def press(double: DiscordDouble, message: dict[str, Any], label: str, user: int, *,
                guild: int | None = None, locale: str = "fi") -> InteractionHandle:
    """Press a button; ``guild=None`` on a DM message (Discord names no guild there)."""
    in_dm = double.world.channel(int(message["channel_id"])).get("guild_id") is None
    return await double.click(int(message["channel_id"]), int(message["id"]), by_label(message, label), user,
                              guild_id=None if in_dm else guild, locale=locale)


async def shown(h: InteractionHandle) -> dict[str, Any]:
    """The message the member sees after pressing: the updated step, or a new (ephemeral) one."""
    body = await h.response()
    if body["type"] in (5, 6):
        for _ in range(500):
            if h.followup_messages or h.edits:
                break
            await asyncio.sleep(0.01)
        if h.followup_messages:
            return h.followup_messages[-1]
    message = h.message
    assert message is not None, body
    return message


def text_of(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
    return "\n".join(parts)


def panel(double: DiscordDouble, world: World) -> dict[str, Any]:
    posted = [m for m in double.messages(world.channels["welcome"]) if buttons(m)]
    assert posted, "no panel in the welcome channel"
    return posted[-1]


async def welcome_dm(double: DiscordDouble, user: int, within: float = 5.0) -> dict[str, Any]:
    for _ in range(int(within / 0.01)):
        dms = [m for m in double.dm_messages(user) if buttons(m)]
        if dms:
            return dms[-1]
        await asyncio.sleep(0.01)
    raise AssertionError(f"no welcome DM reached {user}")


async def onboard(double: DiscordDouble, start: dict[str, Any], user: int, guild: int, *, language: str = "fi",
                  who: str = "caregiver", band: str | None = None, locale: str = "fi") -> dict[str, Any]:
    """The whole flow from a start button to what the member finally sees."""
    step = await shown(await press(double, start, START[locale], user, guild=guild, locale=locale))
    step = await shown(await press(double, step, LANGUAGE[language], user, guild=guild, locale=locale))
    step = await shown(await press(double, step, WHO[who][language], user, guild=guild, locale=locale))
    if band is not None:
        step = await shown(await press(double, step, BAND[band][language], user, guild=guild, locale=locale))
        if band == "u13":
            return step
    return await shown(await press(double, step, ACCEPT[language], user, guild=guild, locale=locale))


def field(modal: dict[str, Any], label: str) -> str:
    """The custom id of the form field labelled ``label``."""
    for component in modal.get("components") or []:
        if component.get("type") == 18 and component.get("label") == label:
            return str(component["component"]["custom_id"])
    raise AssertionError(f"no field {label!r} in the form")


async def stored_anywhere(db: Any, needle: int) -> list[str]:
    """Every table and column holding ``needle`` (a user id), as number or text."""
    hits = []
    for table in [r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")]:
        columns = [r[1] for r in await db.fetchall(f"PRAGMA table_info({table})")]
        for column in columns:
            found = await db.fetchone(
                f"SELECT COUNT(*) FROM {table} WHERE {column} = ? OR CAST({column} AS TEXT) LIKE ?",
                (needle, f"%{needle}%"),
            )
            if found[0]:
                hits.append(f"{table}.{column}")
    return hits
