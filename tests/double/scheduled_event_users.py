"""Members pressing "Interested" on a guild scheduled event: GUILD_SCHEDULED_EVENT_USER_ADD and
GUILD_SCHEDULED_EVENT_USER_REMOVE (intent GUILD_SCHEDULED_EVENTS), and the event's user_count."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from .gateway import EVENT_INTENTS, GUILD_SCHEDULED_EVENTS

if TYPE_CHECKING:
    from .double import DiscordDouble

USER_ADD, USER_REMOVE = "GUILD_SCHEDULED_EVENT_USER_ADD", "GUILD_SCHEDULED_EVENT_USER_REMOVE"
EVENT_INTENTS.update(dict.fromkeys([USER_ADD, USER_REMOVE], GUILD_SCHEDULED_EVENTS))
_subscribers: weakref.WeakKeyDictionary[DiscordDouble, dict[int, set[int]]] = weakref.WeakKeyDictionary()


def subscribers(double: DiscordDouble, event_id: int) -> set[int]:
    return set(_subscribers.get(double, {}).get(event_id, set()))


async def press_interested(double: DiscordDouble, event_id: int, user_id: int, interested: bool = True) -> None:
    """``user_id`` marks (or unmarks) themselves Interested, as in the Discord client. Pressing
    it twice changes nothing and sends nothing, as on Discord."""
    event = double.world.scheduled_events.get(event_id)
    if event is None:
        raise LookupError(f"no scheduled event {event_id}")
    if user_id not in double.world.guild(int(event["guild_id"])).members:
        raise LookupError(f"user {user_id} is not a member of the event's guild")
    users = _subscribers.setdefault(double, {}).setdefault(event_id, set())
    if interested == (user_id in users):
        return
    (users.add if interested else users.discard)(user_id)
    event["user_count"] = len(users)
    sent = double.gateway.dispatch(USER_ADD if interested else USER_REMOVE, {
        "guild_scheduled_event_id": str(event_id), "user_id": str(user_id), "guild_id": event["guild_id"],
    })
    if sent is not None:
        await sent
