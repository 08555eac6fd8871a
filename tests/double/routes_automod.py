"""REST: Auto Moderation rules, and their enforcement when a member posts.

Routes (all need MANAGE_GUILD, else 403 50013): ``GET/POST /guilds/{g}/auto-moderation/rules``,
``GET/PATCH/DELETE /guilds/{g}/auto-moderation/rules/{r}``, with Discord's limits and its 400
50035 errors: per guild 6 KEYWORD rules and 1 of each other trigger type; ``keyword_filter`` ≤ 1000
of ≤ 60 characters, ``regex_patterns`` ≤ 10 of ≤ 260 that must compile in Rust's dialect (Python's
``re``, minus what Rust lacks: look-around, back-references), ``allow_list`` ≤ 100 (KEYWORD) or
1000 (KEYWORD_PRESET) of ≤ 60; ``exempt_roles`` ≤ 20, ``exempt_channels`` ≤ 50; actions
BLOCK_MESSAGE (``custom_message`` ≤ 150), SEND_ALERT_MESSAGE (an existing channel), TIMEOUT
(≤ 4 weeks, MODERATE_MEMBERS). Changes send AUTO_MODERATION_RULE_CREATE/UPDATE/DELETE.

Enforcement (``DiscordDouble.user_message``): every enabled MESSAGE_SEND KEYWORD rule whose
channel (or a thread's parent) and the author's roles are not exempt; members with Administrator
or Manage Server are never affected, as on Discord. A keyword matches with Discord's wildcard
strategies (``cat*`` prefix, ``*cat`` suffix, ``*cat*`` anywhere, ``cat`` whole word; case
insensitive), a regex as written; a match that an ``allow_list`` entry covers (same wildcard
strategies, applied to the matched text) does not count. Then: an alert (type 24 message with an
``auto_moderation_message`` embed) in each alert channel, the timeout, one
AUTO_MODERATION_ACTION_EXECUTION per action, and for BLOCK_MESSAGE no message at all:
``user_message`` raises :class:`Blocked`, carrying what the member would see.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from . import permissions as P
from .routes_guilds import guild_for, require_guild
from .server import Ctx, Router
from .util import ApiError, invalid_form, iso, nest_error, not_found
from .world import THREAD_TYPES

if TYPE_CHECKING:
    from .double import DiscordDouble

KEYWORD, SPAM, KEYWORD_PRESET, MENTION_SPAM, MEMBER_PROFILE = 1, 3, 4, 5, 6
MAX_PER_GUILD = {KEYWORD: 6, SPAM: 1, KEYWORD_PRESET: 1, MENTION_SPAM: 1, MEMBER_PROFILE: 1}
MESSAGE_SEND, MEMBER_UPDATE = 1, 2
BLOCK_MESSAGE, SEND_ALERT_MESSAGE, TIMEOUT, BLOCK_MEMBER_INTERACTION = 1, 2, 3, 4
AUTO_MODERATION_ACTION = 24  # message type of an alert
MAX_TIMEOUT_SECONDS = 2419200
_RUST_LACKS = re.compile(r"\(\?<?[=!]|\\[1-9]|\(\?>")  # look-around, back-references, atomic groups


@dataclass
class Blocked(Exception):
    """A member's message that AutoMod kept from being posted."""

    rule_id: int
    rule_name: str
    custom_message: str | None  # None: Discord shows its own default text
    keyword: str  # the keyword or regex that matched
    matched_content: str
    alerts: list[int] = field(default_factory=list)  # ids of the alert messages posted

    def __str__(self) -> str:
        return f"blocked by AutoMod rule {self.rule_name!r}: {self.matched_content!r}"


def _error(path: list[str | int], code: str, message: str) -> ApiError:
    return invalid_form(nest_error(path, code, message))


def _max_length(path: list[str | int], limit: int) -> ApiError:
    return _error(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _strings(value: Any, path: list[str | int], count: int, length: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise _error(path, "BASE_TYPE_LIST", "Must be a list of strings.")
    if len(value) > count:
        raise _max_length(path, count)
    for i, s in enumerate(value):
        if len(s) > length:
            raise _max_length([*path, i], length)
    return list(value)


def _snowflakes(value: Any, path: list[str | int], count: int) -> list[str]:
    ids = [str(int(v)) for v in value or []]
    if len(ids) > count:
        raise _max_length(path, count)
    return list(dict.fromkeys(ids))


def _regexes(patterns: list[str]) -> list[str]:
    for i, pattern in enumerate(patterns):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _error(["trigger_metadata", "regex_patterns", i], "AUTO_MODERATION_INVALID_REGEX",
                         f"Invalid regex: {exc}") from None
        if _RUST_LACKS.search(pattern):
            raise _error(["trigger_metadata", "regex_patterns", i], "AUTO_MODERATION_INVALID_REGEX",
                         "Invalid regex: look-around, back-references and atomic groups are not supported")
    return patterns


def _metadata(trigger_type: int, raw: Any) -> dict[str, Any]:
    raw = raw or {}
    path: list[str | int] = ["trigger_metadata"]
    if trigger_type in (KEYWORD, MEMBER_PROFILE):
        return {
            "keyword_filter": _strings(raw.get("keyword_filter"), [*path, "keyword_filter"], 1000, 60),
            "regex_patterns": _regexes(_strings(raw.get("regex_patterns"), [*path, "regex_patterns"], 10, 260)),
            "allow_list": _strings(raw.get("allow_list"), [*path, "allow_list"], 100, 60),
        }
    if trigger_type == KEYWORD_PRESET:
        presets = [int(p) for p in raw.get("presets") or []]
        if any(p not in (1, 2, 3) for p in presets):
            raise _error([*path, "presets"], "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3).")
        return {"presets": presets, "allow_list": _strings(raw.get("allow_list"), [*path, "allow_list"], 1000, 60)}
    if trigger_type == MENTION_SPAM:
        limit = int(raw.get("mention_total_limit") or 0)
        if not 0 <= limit <= 50:
            raise _error([*path, "mention_total_limit"], "NUMBER_TYPE_MAX", "int value should be less than or equal to 50.")
        return {"mention_total_limit": limit,
                "mention_raid_protection_enabled": bool(raw.get("mention_raid_protection_enabled", False))}
    return {}


def _actions(ctx: Ctx, trigger_type: int, raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise _error(["actions"], "BASE_TYPE_REQUIRED", "This field is required")
    world = ctx.double.world
    guild_id = ctx.id("guild_id")
    out = []
    for i, action in enumerate(raw):
        kind = int(action.get("type", 0))
        meta = action.get("metadata") or {}
        if kind == BLOCK_MESSAGE:
            message = meta.get("custom_message")
            if message is not None and len(message) > 150:
                raise _max_length(["actions", i, "metadata", "custom_message"], 150)
            out.append({"type": kind, "metadata": {"custom_message": message} if message is not None else {}})
        elif kind == SEND_ALERT_MESSAGE:
            channel = world.channels.get(int(meta.get("channel_id") or 0))
            if channel is None or channel.get("guild_id") != str(guild_id):
                raise _error(["actions", i, "metadata", "channel_id"], "CHANNEL_TYPE_INVALID", "Unknown channel")
            out.append({"type": kind, "metadata": {"channel_id": channel["id"]}})
        elif kind == TIMEOUT:
            seconds = int(meta.get("duration_seconds") or 0)
            if trigger_type not in (KEYWORD, MENTION_SPAM) or not 0 < seconds <= MAX_TIMEOUT_SECONDS:
                raise _error(["actions", i, "metadata", "duration_seconds"], "AUTO_MODERATION_ACTION_INVALID",
                             "Invalid timeout action")
            require_guild(ctx, world.guild(guild_id), P.MODERATE_MEMBERS)
            out.append({"type": kind, "metadata": {"duration_seconds": seconds}})
        elif kind == BLOCK_MEMBER_INTERACTION:
            out.append({"type": kind, "metadata": {}})
        else:
            raise _error(["actions", i, "type"], "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4).")
    return out


class AutoModRules:
    """The rules of every guild: guild id -> rule id -> rule payload (as Discord returns it)."""

    def __init__(self, double: DiscordDouble) -> None:
        self.double = double
        self.by_guild: dict[int, dict[int, dict[str, Any]]] = {}
        self.executions: list[dict[str, Any]] = []  # every AUTO_MODERATION_ACTION_EXECUTION sent

    def rules(self, guild_id: int) -> list[dict[str, Any]]:
        return [copy.deepcopy(r) for _, r in sorted(self.by_guild.get(guild_id, {}).items())]

    def _emit(self, event: str, guild_id: int, data: dict[str, Any]) -> None:
        """Discord sends AutoMod events only to a bot that can manage the guild."""
        if P.has(self.double.world.base_permissions(guild_id, self.double.bot_user_id), P.MANAGE_GUILD):
            self.double.gateway.dispatch(event, copy.deepcopy(data))

    # -------------------------------------------------------------- routes
    def _rule(self, ctx: Ctx) -> dict[str, Any]:
        guild = guild_for(ctx)
        require_guild(ctx, guild, P.MANAGE_GUILD)
        rule = self.by_guild.get(guild.id, {}).get(ctx.id("rule_id"))
        if rule is None:
            raise not_found(10066, "Auto Moderation Rule")
        return rule

    async def list(self, ctx: Ctx) -> Any:
        guild = guild_for(ctx)
        require_guild(ctx, guild, P.MANAGE_GUILD)
        return self.rules(guild.id)

    async def get(self, ctx: Ctx) -> Any:
        return copy.deepcopy(self._rule(ctx))

    async def create(self, ctx: Ctx) -> Any:
        guild = guild_for(ctx)
        require_guild(ctx, guild, P.MANAGE_GUILD)
        body = ctx.body
        trigger_type = int(body.get("trigger_type") or 0)
        if trigger_type not in MAX_PER_GUILD:
            raise _error(["trigger_type"], "BASE_TYPE_CHOICES", "Value must be one of (1, 3, 4, 5, 6).")
        same = [r for r in self.by_guild.get(guild.id, {}).values() if r["trigger_type"] == trigger_type]
        if len(same) >= MAX_PER_GUILD[trigger_type]:
            raise _error(["trigger_type"], "AUTO_MODERATION_MAX_RULES_OF_TYPE_EXCEEDED",
                         f"Maximum number of rules of this trigger type reached ({MAX_PER_GUILD[trigger_type]})")
        rule = {"id": str(self.double.ids.next()), "guild_id": str(guild.id), "creator_id": str(self.double.bot_user_id),
                "trigger_type": trigger_type}
        self._apply(ctx, rule, body, creating=True)
        self.by_guild.setdefault(guild.id, {})[int(rule["id"])] = rule
        self._emit("AUTO_MODERATION_RULE_CREATE", guild.id, rule)
        return copy.deepcopy(rule)

    async def edit(self, ctx: Ctx) -> Any:
        rule = self._rule(ctx)
        if "trigger_type" in ctx.body and int(ctx.body["trigger_type"]) != rule["trigger_type"]:
            raise _error(["trigger_type"], "AUTO_MODERATION_RULE_TRIGGER_TYPE_IMMUTABLE", "Trigger type cannot be changed")
        updated = copy.deepcopy(rule)
        self._apply(ctx, updated, ctx.body, creating=False)
        rule.clear()
        rule.update(updated)
        self._emit("AUTO_MODERATION_RULE_UPDATE", ctx.id("guild_id"), rule)
        return copy.deepcopy(rule)

    async def delete(self, ctx: Ctx) -> Any:
        rule = self._rule(ctx)
        del self.by_guild[ctx.id("guild_id")][int(rule["id"])]
        self._emit("AUTO_MODERATION_RULE_DELETE", ctx.id("guild_id"), rule)
        return None

    def _apply(self, ctx: Ctx, rule: dict[str, Any], body: dict[str, Any], *, creating: bool) -> None:
        """Validate everything first, then change ``rule`` (a refused edit changes nothing)."""
        def wanted(key: str) -> bool:
            return creating or key in body

        changes: dict[str, Any] = {}
        if wanted("name"):
            name = body.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= 100:
                raise _error(["name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            changes["name"] = name
        if wanted("event_type"):
            event_type = int(body.get("event_type") or 0)
            if event_type not in (MESSAGE_SEND, MEMBER_UPDATE):
                raise _error(["event_type"], "BASE_TYPE_CHOICES", "Value must be one of (1, 2).")
            changes["event_type"] = event_type
        if wanted("trigger_metadata"):
            changes["trigger_metadata"] = _metadata(rule["trigger_type"], body.get("trigger_metadata"))
        if wanted("actions"):
            changes["actions"] = _actions(ctx, rule["trigger_type"], body.get("actions"))
        if wanted("enabled"):
            changes["enabled"] = bool(body.get("enabled", False))
        if wanted("exempt_roles"):
            changes["exempt_roles"] = _snowflakes(body.get("exempt_roles"), ["exempt_roles"], 20)
        if wanted("exempt_channels"):
            changes["exempt_channels"] = _snowflakes(body.get("exempt_channels"), ["exempt_channels"], 50)
        rule.update(changes)

    # ---------------------------------------------------------- enforcement
    async def enforce(self, channel_id: int, user_id: int, content: str) -> None:
        """Apply the guild's rules to a member's new message; raises :class:`Blocked` for BLOCK_MESSAGE."""
        d = self.double
        ch = d.world.channel(channel_id)
        guild_id = int(ch["guild_id"])
        if not self.by_guild.get(guild_id):
            return
        if P.has(d.world.base_permissions(guild_id, user_id), P.MANAGE_GUILD):
            return  # Administrator or Manage Server: AutoMod never applies
        scope = {ch["id"], ch.get("parent_id")} if ch["type"] in THREAD_TYPES else {ch["id"]}
        roles = set(d.world.member_record(guild_id, user_id)["roles"])
        blocked: Blocked | None = None
        for rule in self.rules(guild_id):
            if not (rule["enabled"] and rule["event_type"] == MESSAGE_SEND and rule["trigger_type"] == KEYWORD):
                continue
            if scope & set(rule["exempt_channels"]) or roles & set(rule["exempt_roles"]):
                continue
            hit = first_match(rule["trigger_metadata"], content)
            if hit is None:
                continue
            outcome = await self._execute(rule, channel_id, user_id, content, *hit)
            blocked = blocked or outcome
        if blocked is not None:
            raise blocked

    async def _execute(self, rule: dict[str, Any], channel_id: int, user_id: int, content: str,
                       keyword: str, matched: str) -> Blocked | None:
        d = self.double
        guild_id = int(rule["guild_id"])
        blocked: Blocked | None = None
        alerts: list[int] = []
        for action in rule["actions"]:
            event: dict[str, Any] = {
                "guild_id": rule["guild_id"], "action": copy.deepcopy(action), "rule_id": rule["id"],
                "rule_trigger_type": rule["trigger_type"], "user_id": str(user_id), "channel_id": str(channel_id),
                "content": content, "matched_keyword": keyword, "matched_content": matched,
            }
            if action["type"] == BLOCK_MESSAGE:
                blocked = Blocked(int(rule["id"]), rule["name"], action["metadata"].get("custom_message"),
                                  keyword, matched, alerts)
            elif action["type"] == SEND_ALERT_MESSAGE:
                alert = self._alert(rule, int(action["metadata"]["channel_id"]), channel_id, user_id, content,
                                    keyword, matched)
                alerts.append(int(alert["id"]))
                event["alert_system_message_id"] = alert["id"]
                sent = d.emit_message("MESSAGE_CREATE", alert)
                if sent is not None:
                    await sent
            elif action["type"] == TIMEOUT:
                until = d.now() + timedelta(seconds=action["metadata"]["duration_seconds"])
                d.world.member_record(guild_id, user_id)["communication_disabled_until"] = iso(until)
                d.emit_member_update(guild_id, user_id)
            self.executions.append(event)
            self._emit("AUTO_MODERATION_ACTION_EXECUTION", guild_id, event)
        return blocked

    def _alert(self, rule: dict[str, Any], alert_channel: int, channel_id: int, user_id: int, content: str,
               keyword: str, matched: str) -> dict[str, Any]:
        """Discord's alert: the member as author, the content in an ``auto_moderation_message`` embed."""
        d = self.double
        fields = [("rule_name", rule["name"]), ("channel_id", str(channel_id)),
                  ("decision_id", str(d.ids.next())), ("keyword", keyword), ("keyword_matched_content", matched)]
        embed = {"type": "auto_moderation_message", "description": content,
                 "fields": [{"name": k, "value": v, "inline": False} for k, v in fields]}
        msg = d.factory.build(alert_channel, d.world.user(user_id), {"embeds": [embed]}, {},
                              type=AUTO_MODERATION_ACTION)
        d.world.store_message(msg)
        return msg


# ------------------------------------------------------------------ matching
def wildcard(entry: str) -> re.Pattern[str]:
    """Discord's keyword matching strategies as a Python regex (whole word unless ``*`` says otherwise)."""
    core = re.escape(entry.strip("*"))
    before = "" if entry.startswith("*") else r"(?<!\w)"
    after = "" if entry.endswith("*") else r"(?!\w)"
    return re.compile(before + core + after, re.IGNORECASE)


def _covers(entry: str, text: str) -> bool:
    """An allow-list entry covers a matched text: ``x`` equal to it, ``x*`` starting with x,
    ``*x`` ending with x, ``*x*`` containing x (case insensitive)."""
    core, low = entry.strip("*").lower(), text.lower()
    if entry.startswith("*") and entry.endswith("*"):
        return core in low
    if entry.endswith("*"):
        return low.startswith(core)
    if entry.startswith("*"):
        return low.endswith(core)
    return low == core


def _allowed(text: str, allow_list: list[str]) -> bool:
    return any(_covers(entry, text) for entry in allow_list)


def first_match(metadata: dict[str, Any], content: str) -> tuple[str, str] | None:
    """(keyword or regex, matched text) of the first match no allow-list entry covers, or None."""
    allow = metadata.get("allow_list") or []
    for keyword in metadata.get("keyword_filter") or []:
        for m in wildcard(keyword).finditer(content):
            if not _allowed(m.group(0), allow):
                return keyword, m.group(0)
    for pattern in metadata.get("regex_patterns") or []:
        for m in re.finditer(pattern, content):
            if m.group(0) and not _allowed(m.group(0), allow):
                return pattern, m.group(0)
    return None


def _store(ctx: Ctx) -> AutoModRules:
    return ctx.double.automod


async def list_rules(ctx: Ctx) -> Any:
    return await _store(ctx).list(ctx)


async def get_rule(ctx: Ctx) -> Any:
    return await _store(ctx).get(ctx)


async def create_rule(ctx: Ctx) -> Any:
    return await _store(ctx).create(ctx)


async def edit_rule(ctx: Ctx) -> Any:
    return await _store(ctx).edit(ctx)


async def delete_rule(ctx: Ctx) -> Any:
    return await _store(ctx).delete(ctx)


def register(r: Router) -> None:
    base = "/guilds/{guild_id}/auto-moderation/rules"
    r.add("GET", base, list_rules)
    r.add("POST", base, create_rule)
    r.add("GET", f"{base}/{{rule_id}}", get_rule)
    r.add("PATCH", f"{base}/{{rule_id}}", edit_rule)
    r.add("DELETE", f"{base}/{{rule_id}}", delete_rule)
