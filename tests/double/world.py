"""The double's in-memory world: users, guilds, roles, members, channels, messages.

Everything is stored the way Discord serialises it (snowflakes as strings inside payloads),
keyed by ``int`` ids. Methods here only change state and build payloads; sending the matching
gateway events is the caller's job (see ``DiscordDouble`` and the route modules).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import permissions as P
from .util import Snowflakes, invalid_form, iso, nest_error, not_found, parse_iso, sid

TEXT, DM, VOICE, CATEGORY, NEWS = 0, 1, 2, 4, 5
NEWS_THREAD, PUBLIC_THREAD, PRIVATE_THREAD = 10, 11, 12
FORUM, MEDIA = 15, 16
THREAD_TYPES = (NEWS_THREAD, PUBLIC_THREAD, PRIVATE_THREAD)
MESSAGEABLE_TYPES = (TEXT, DM, VOICE, NEWS, *THREAD_TYPES)


@dataclass
class GuildState:
    id: int
    name: str
    owner_id: int
    preferred_locale: str
    joined_at: str
    bot_role_id: int = 0
    system_channel_id: int | None = None
    roles: dict[int, dict[str, Any]] = field(default_factory=dict)
    members: dict[int, dict[str, Any]] = field(default_factory=dict)
    features: list[str] = field(default_factory=list)
    description: str | None = None


class World:
    def __init__(self, ids: Snowflakes) -> None:
        self.ids = ids
        self.users: dict[int, dict[str, Any]] = {}
        self.guilds: dict[int, GuildState] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.deleted_channels: set[int] = set()
        self.messages: dict[int, dict[int, dict[str, Any]]] = {}  # channel -> id -> message
        self.ephemeral: dict[int, dict[str, Any]] = {}  # message id -> ephemeral message
        self.thread_members: dict[int, dict[int, dict[str, Any]]] = {}
        self.dm_by_user: dict[int, int] = {}
        self.dms_closed: set[int] = set()
        self.attachments: dict[int, tuple[bytes, str]] = {}
        self.scheduled_events: dict[int, dict[str, Any]] = {}

    # ------------------------------------------------------------------ users
    def create_user(
        self,
        user_id: int | None = None,
        username: str = "user",
        global_name: str | None = None,
        *,
        bot: bool = False,
    ) -> dict[str, Any]:
        uid = user_id or self.ids.next()
        user = {
            "id": str(uid),
            "username": username,
            "discriminator": "0",
            "global_name": global_name,
            "avatar": None,
            "avatar_decoration_data": None,
            "banner": None,
            "accent_color": None,
            "public_flags": 0,
            "flags": 0,
            "bot": bot,
            "system": False,
            "primary_guild": None,
        }
        self.users[uid] = user
        return user

    def user(self, user_id: int) -> dict[str, Any]:
        try:
            return copy.deepcopy(self.users[int(user_id)])
        except KeyError:
            raise not_found(10013, "User") from None

    # ----------------------------------------------------------------- guilds
    def guild(self, guild_id: int) -> GuildState:
        try:
            return self.guilds[int(guild_id)]
        except KeyError:
            raise not_found(10004, "Guild") from None

    def create_guild(self, name: str, owner_id: int, preferred_locale: str, everyone_permissions: int) -> GuildState:
        gid = self.ids.next()
        guild = GuildState(gid, name, owner_id, preferred_locale, iso())
        self.guilds[gid] = guild
        guild.roles[gid] = self._role_payload(gid, "@everyone", everyone_permissions, 0)
        return guild

    def _role_payload(self, role_id: int, name: str, permissions: int, position: int, **extra: Any) -> dict[str, Any]:
        role = {
            "id": str(role_id),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        role.update(extra)
        return role

    def create_role(
        self, guild_id: int, name: str, permissions: int = 0, *, position: int | None = None, **extra: Any
    ) -> dict[str, Any]:
        """Create a role at ``position`` (shifting those at or above it up); default: just below the bot."""
        guild = self.guild(guild_id)
        if position is None:
            bot_role = guild.roles.get(guild.bot_role_id)
            position = int(bot_role["position"]) if bot_role else len(guild.roles)
        position = max(1, position)
        for role in guild.roles.values():
            if role["id"] != str(guild.id) and role["position"] >= position:
                role["position"] += 1
        role = self._role_payload(self.ids.next(), name, permissions, position, **extra)
        guild.roles[int(role["id"])] = role
        return role

    def role_positions(self, guild_id: int) -> dict[int, int]:
        return {rid: int(r["position"]) for rid, r in self.guild(guild_id).roles.items()}

    def role(self, guild_id: int, role_id: int) -> dict[str, Any]:
        try:
            return self.guild(guild_id).roles[int(role_id)]
        except KeyError:
            raise not_found(10011, "Role") from None

    def add_member(self, guild_id: int, user_id: int, roles: tuple[int, ...] = (), nick: str | None = None) -> None:
        guild = self.guild(guild_id)
        guild.members[user_id] = {
            "user_id": user_id,
            "nick": nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in roles],
            "joined_at": iso(),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }

    def member_record(self, guild_id: int, user_id: int) -> dict[str, Any]:
        try:
            return self.guild(guild_id).members[int(user_id)]
        except KeyError:
            raise not_found(10007, "Member") from None

    def member_payload(self, guild_id: int, user_id: int, *, with_user: bool = True) -> dict[str, Any]:
        record = copy.deepcopy(self.member_record(guild_id, user_id))
        uid = record.pop("user_id")
        if with_user:
            record["user"] = self.user(uid)
        return record

    def guild_payload(self, guild_id: int) -> dict[str, Any]:
        g = self.guild(guild_id)
        return {
            "id": str(g.id),
            "name": g.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": g.description,
            "owner_id": str(g.owner_id),
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "roles": [copy.deepcopy(r) for r in sorted(g.roles.values(), key=lambda r: r["position"])],
            "emojis": [],
            "stickers": [],
            "features": list(g.features),
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": sid(g.system_channel_id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_members": 500000,
            "max_presences": None,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": g.preferred_locale,
            "nsfw_level": 0,
            "nsfw": False,
            "widget_enabled": False,
            "widget_channel_id": None,
            "incidents_data": None,
        }

    def guild_create_payload(self, guild_id: int, *, bot_user_id: int, all_members: bool) -> dict[str, Any]:
        g = self.guild(guild_id)
        data = self.guild_payload(guild_id)
        member_ids = list(g.members) if all_members else [bot_user_id]
        channels, threads = [], []
        for ch in self.channels.values():
            if ch.get("guild_id") != str(g.id):
                continue
            if ch["type"] in THREAD_TYPES:
                if not ch["thread_metadata"]["archived"]:
                    threads.append(self.thread_payload(int(ch["id"]), bot_user_id))
            else:
                channels.append(copy.deepcopy(ch))
        data.update(
            {
                "joined_at": g.members[bot_user_id]["joined_at"],
                "large": False,
                "unavailable": False,
                "member_count": len(g.members),
                "voice_states": [],
                "members": [self.member_payload(g.id, uid) for uid in member_ids],
                "channels": channels,
                "threads": threads,
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [
                    copy.deepcopy(e) for e in self.scheduled_events.values() if e["guild_id"] == str(g.id)
                ],
                "soundboard_sounds": [],
                "embedded_activities": [],
            }
        )
        return data

    # ------------------------------------------------------------ permissions
    def base_permissions(self, guild_id: int, user_id: int) -> int:
        g = self.guild(guild_id)
        member = g.members.get(int(user_id))
        role_ids = [int(r) for r in member["roles"]] if member else []
        perms = [int(g.roles[g.id]["permissions"])]
        perms += [int(g.roles[r]["permissions"]) for r in role_ids if r in g.roles]
        value = P.base_permissions(is_owner=g.owner_id == int(user_id), role_permissions=perms)
        until = member.get("communication_disabled_until") if member else None
        if until and value != P.ALL and parse_iso(until) > datetime.now(UTC):
            value &= P.TIMEOUT_KEEP
        return value

    def channel_permissions(self, channel_id: int, user_id: int) -> int:
        ch = self.channel(channel_id)
        if ch["type"] == DM:
            return P.DM_PERMISSIONS
        guild_id = int(ch["guild_id"])
        source = self.channels.get(int(ch["parent_id"])) if ch["type"] in THREAD_TYPES else ch
        overwrites = (source or ch).get("permission_overwrites", [])
        member = self.guild(guild_id).members.get(int(user_id))
        if member is None:
            return 0
        role_ids = [int(r) for r in member["roles"]]
        base = self.base_permissions(guild_id, user_id)
        return P.apply_overwrites(base, overwrites, guild_id=guild_id, role_ids=role_ids, member_id=int(user_id))

    def top_role_position(self, guild_id: int, user_id: int) -> int:
        g = self.guild(guild_id)
        member = g.members.get(int(user_id))
        if not member:
            return 0
        return max([0] + [g.roles[int(r)]["position"] for r in member["roles"] if int(r) in g.roles])

    # --------------------------------------------------------------- channels
    def channel(self, channel_id: int) -> dict[str, Any]:
        try:
            return self.channels[int(channel_id)]
        except KeyError:
            raise not_found(10003, "Channel") from None

    def create_channel(
        self,
        guild_id: int,
        name: str,
        type: int = TEXT,
        overwrites: list[dict[str, Any]] | tuple[dict[str, Any], ...] = (),
        parent_id: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        self.guild(guild_id)
        if parent_id is not None and self.channel(parent_id)["type"] != CATEGORY:
            raise invalid_form(nest_error(["parent_id"], "CHANNEL_PARENT_INVALID_TYPE", "Not a category"))
        cid = self.ids.next()
        siblings = [c for c in self.channels.values()
                    if c.get("guild_id") == str(guild_id) and c["type"] not in THREAD_TYPES]
        ch: dict[str, Any] = {
            "id": str(cid),
            "type": type,
            "guild_id": str(guild_id),
            "name": name,
            "position": len(siblings),
            "permission_overwrites": [normalize_overwrite(o) for o in overwrites],
            "parent_id": sid(parent_id),
            "nsfw": False,
            "flags": 0,
        }
        if type in (TEXT, NEWS, FORUM, MEDIA, VOICE):
            ch.update({"topic": None, "rate_limit_per_user": 0, "last_message_id": None})
        if type in (TEXT, NEWS, FORUM, MEDIA):
            ch["default_auto_archive_duration"] = 4320
            ch["default_thread_rate_limit_per_user"] = 0
        if type in (FORUM, MEDIA):
            ch.update({"available_tags": [], "default_reaction_emoji": None, "default_sort_order": None,
                       "default_forum_layout": 0})
        if type == VOICE:
            ch.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None, "video_quality_mode": 1})
        ch.update(extra)
        self.channels[cid] = ch
        self.messages[cid] = {}
        return ch

    def create_thread(
        self, parent_id: int, name: str, type: int, owner_id: int, *, thread_id: int | None = None,
        auto_archive_duration: int = 4320, invitable: bool = True, rate_limit_per_user: int = 0,
        applied_tags: list[str] | None = None,
    ) -> dict[str, Any]:
        parent = self.channel(parent_id)
        tid = thread_id or self.ids.next()
        now = iso()
        metadata: dict[str, Any] = {
            "archived": False,
            "auto_archive_duration": auto_archive_duration,
            "archive_timestamp": now,
            "locked": False,
            "create_timestamp": now,
        }
        if type == PRIVATE_THREAD:
            metadata["invitable"] = invitable
        thread = {
            "id": str(tid),
            "type": type,
            "guild_id": parent["guild_id"],
            "parent_id": parent["id"],
            "owner_id": str(owner_id),
            "name": name,
            "last_message_id": None,
            "message_count": 0,
            "member_count": 0,
            "total_message_sent": 0,
            "rate_limit_per_user": rate_limit_per_user,
            "flags": 0,
            "thread_metadata": metadata,
        }
        if applied_tags is not None:
            thread["applied_tags"] = list(applied_tags)
        self.channels[tid] = thread
        self.messages[tid] = {}
        self.thread_members[tid] = {}
        return thread

    def join_thread(self, thread_id: int, user_id: int) -> dict[str, Any] | None:
        """Add a thread member; returns the new thread member, or None if already in."""
        members = self.thread_members.setdefault(int(thread_id), {})
        if int(user_id) in members:
            return None
        tm = {"id": str(thread_id), "user_id": str(user_id), "join_timestamp": iso(), "flags": 0}
        members[int(user_id)] = tm
        self.channels[int(thread_id)]["member_count"] = min(50, len(members))
        return tm

    def leave_thread(self, thread_id: int, user_id: int) -> bool:
        members = self.thread_members.setdefault(int(thread_id), {})
        if members.pop(int(user_id), None) is None:
            return False
        self.channels[int(thread_id)]["member_count"] = min(50, len(members))
        return True

    def thread_payload(self, thread_id: int, user_id: int | None = None) -> dict[str, Any]:
        data = copy.deepcopy(self.channel(thread_id))
        if user_id is not None:
            tm = self.thread_members.get(int(thread_id), {}).get(int(user_id))
            if tm is not None:
                data["member"] = copy.deepcopy(tm)
        return data

    def open_dm(self, user_id: int) -> dict[str, Any]:
        uid = int(user_id)
        existing = self.dm_by_user.get(uid)
        if existing is not None:
            return self.channels[existing]
        user = self.user(uid)
        cid = self.ids.next()
        ch = {"id": str(cid), "type": DM, "last_message_id": None, "flags": 0, "recipients": [user]}
        self.channels[cid] = ch
        self.messages[cid] = {}
        self.dm_by_user[uid] = cid
        return ch

    def delete_channel(self, channel_id: int) -> dict[str, Any]:
        ch = self.channels.pop(int(channel_id))
        self.deleted_channels.add(int(channel_id))
        self.messages.pop(int(channel_id), None)
        self.thread_members.pop(int(channel_id), None)
        return ch

    # --------------------------------------------------------------- messages
    def find_message(self, message_id: int, channel_id: int | None = None) -> dict[str, Any]:
        mid = int(message_id)
        if channel_id is not None:
            found = self.messages.get(int(channel_id), {}).get(mid) or self.ephemeral.get(mid)
            if found is not None and found["channel_id"] == str(channel_id):
                return found
            raise not_found(10008, "Message")
        for per_channel in self.messages.values():
            if mid in per_channel:
                return per_channel[mid]
        if mid in self.ephemeral:
            return self.ephemeral[mid]
        raise not_found(10008, "Message")

    def store_message(self, message: dict[str, Any], *, ephemeral: bool = False) -> None:
        mid, cid = int(message["id"]), int(message["channel_id"])
        if ephemeral:
            self.ephemeral[mid] = message
            return
        self.messages.setdefault(cid, {})[mid] = message
        ch = self.channels.get(cid)
        if ch is not None:
            ch["last_message_id"] = message["id"]
            if ch["type"] in THREAD_TYPES:
                ch["message_count"] += 1
                ch["total_message_sent"] += 1
                message["position"] = ch["total_message_sent"] - 1
            parent = self.channels.get(int(ch["parent_id"])) if ch.get("parent_id") else None
            if parent is not None and parent["type"] in (FORUM, MEDIA) and ch["type"] in THREAD_TYPES:
                parent["last_message_id"] = ch["id"]

    def remove_message(self, channel_id: int, message_id: int) -> None:
        removed = self.messages.get(int(channel_id), {}).pop(int(message_id), None)
        self.ephemeral.pop(int(message_id), None)
        ch = self.channels.get(int(channel_id))
        if removed is not None and ch is not None and ch["type"] in THREAD_TYPES:
            ch["message_count"] = max(0, ch["message_count"] - 1)


def normalize_overwrite(ow: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(ow["id"]),
        "type": int(ow.get("type", 0)),
        "allow": str(int(ow.get("allow", 0))),
        "deny": str(int(ow.get("deny", 0))),
    }
