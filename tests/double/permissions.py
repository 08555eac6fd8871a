"""Discord permission bits and the channel permission algorithm.

Discord's order: base = @everyone | every role of the member (owner and ADMINISTRATOR get
everything); then in a channel: @everyone overwrite, the union of the member's role overwrites
(deny first, then allow), then the member overwrite. Threads use their parent's overwrites.
Without VIEW_CHANNEL in a channel, no other channel permission applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
STREAM = 1 << 9
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
USE_VOICE_ACTIVATION = 1 << 25
CHANGE_NICKNAME = 1 << 26
MANAGE_NICKNAMES = 1 << 27
MANAGE_ROLES = 1 << 28
MANAGE_WEBHOOKS = 1 << 29
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_EVENTS = 1 << 33
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
USE_EXTERNAL_STICKERS = 1 << 37
SEND_MESSAGES_IN_THREADS = 1 << 38
MODERATE_MEMBERS = 1 << 40
CREATE_EVENTS = 1 << 44
SEND_VOICE_MESSAGES = 1 << 46
SEND_POLLS = 1 << 49
USE_EXTERNAL_APPS = 1 << 50
PIN_MESSAGES = 1 << 51

ALL = (1 << 52) - 1

# What a fresh Discord server gives @everyone.
DEFAULT_EVERYONE = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | STREAM
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | USE_VOICE_ACTIVATION
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | USE_EXTERNAL_STICKERS
    | SEND_MESSAGES_IN_THREADS
    | SEND_VOICE_MESSAGES
    | SEND_POLLS
    | USE_EXTERNAL_APPS
)

# A useful, non-administrator set for the bot's managed role.
DEFAULT_BOT = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | MANAGE_CHANNELS
    | MANAGE_ROLES
    | MANAGE_THREADS
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | SEND_MESSAGES_IN_THREADS
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | MODERATE_MEMBERS
    | MANAGE_MESSAGES
    | PIN_MESSAGES
    | MANAGE_EVENTS
    | CREATE_EVENTS
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
    | MANAGE_NICKNAMES
)

# Permissions a member keeps while timed out.
TIMEOUT_KEEP = VIEW_CHANNEL | READ_MESSAGE_HISTORY

# What a user may do in a DM with the bot (as discord.py assumes).
DM_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
    | PIN_MESSAGES
)


def base_permissions(*, is_owner: bool, role_permissions: Iterable[int]) -> int:
    if is_owner:
        return ALL
    value = 0
    for perms in role_permissions:
        value |= perms
    if value & ADMINISTRATOR:
        return ALL
    return value


def apply_overwrites(
    base: int,
    overwrites: Iterable[dict[str, Any]],
    *,
    guild_id: int,
    role_ids: Iterable[int],
    member_id: int,
) -> int:
    """Apply a channel's ``permission_overwrites`` to ``base`` for one member."""
    if base & ADMINISTRATOR or base == ALL:
        return ALL
    by_id = {int(o["id"]): o for o in overwrites}
    perms = base
    everyone = by_id.get(guild_id)
    if everyone is not None:
        perms &= ~int(everyone.get("deny", 0))
        perms |= int(everyone.get("allow", 0))
    allow = deny = 0
    for role_id in role_ids:
        ow = by_id.get(int(role_id))
        if ow is not None and int(ow.get("type", 0)) == 0:
            allow |= int(ow.get("allow", 0))
            deny |= int(ow.get("deny", 0))
    perms &= ~deny
    perms |= allow
    member = by_id.get(member_id)
    if member is not None and int(member.get("type", 1)) == 1:
        perms &= ~int(member.get("deny", 0))
        perms |= int(member.get("allow", 0))
    if not perms & VIEW_CHANNEL:
        return 0
    return perms


def has(perms: int, *flags: int) -> bool:
    return all(perms & flag == flag for flag in flags)
