"""The bot's own AutoMod rules for the 13–17 rooms, kept in step with the rooms on Discord.

The rooms feature calls :func:`sync_minor_rules` whenever a minors' room is created, edited,
archived or deleted. The bot finds its rules by creator (itself) and name, never touches the
server's own rules, and changes nothing when the rules are already as they should be."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection

import discord

from bot.i18n import LOCALES, N_, I18n
from bot.services.automod import (
    ChannelScope,
    ExistingRule,
    Rule,
    channel_scope,
    desired_rules,
    is_own_rule_name,
    minor_room_rules,
    plan_sync,
)
from bot.services.crisis import crisis_contacts

log = logging.getLogger(__name__)

# Channels that take messages; categories do not (and Discord documents channel ids only).
_MESSAGE_CHANNELS = (discord.TextChannel, discord.VoiceChannel, discord.StageChannel, discord.ForumChannel)


async def sync_minor_rules(
    guild: discord.Guild,
    *,
    minor_channel_ids: Collection[int],
    exempt_role_ids: Collection[int],
    alert_channel_id: int | None,
    i18n: I18n,
    locale: str,
) -> str | None:
    """Make the bot's AutoMod rules cover exactly ``minor_channel_ids`` (none: remove the rules),
    with ``exempt_role_ids`` (moderators) exempt, blocking with a message in ``locale`` and
    alerting ``alert_channel_id``. Returns None when all is in step, else a warning in ``locale``
    for the staff (it never raises for a missing permission). Calls for one guild take turns."""
    protect = bool(minor_channel_ids)
    if not guild.me.guild_permissions.manage_guild:
        return i18n.t(locale, _NO_PERMISSION) if protect else None
    scope = channel_scope(
        (c.id for c in guild.channels if isinstance(c, _MESSAGE_CHANNELS)), set(minor_channel_ids)
    )
    desired: tuple[Rule, ...] = ()
    if protect:
        helplines = [c.detail for loc in LOCALES for c in crisis_contacts(loc).contacts]
        desired = desired_rules(
            minor_room_rules(helplines),
            scope=scope,
            exempt_role_ids=exempt_role_ids,
            custom_message=i18n.t(locale, _BLOCKED),
            alert_channel_id=alert_channel_id if alert_channel_id and guild.get_channel(alert_channel_id) else None,
        )
    reason = i18n.t(locale, "Kohtaamo keeps its AutoMod rules for the 13–17 rooms in step with the rooms.")
    try:
        async with _locks.setdefault(guild.id, asyncio.Lock()):
            await _apply(guild, desired, reason)
    except discord.Forbidden:
        return i18n.t(locale, _NO_PERMISSION) if protect else None
    except discord.HTTPException as exc:
        log.warning("guild %s: AutoMod rules refused: %s %s", guild.id, exc.status, exc.code)
        return i18n.t(locale, "Discord did not accept the AutoMod rules for the 13–17 rooms. The bot needs "
                              "room for two keyword rules (Discord allows six per server).")
    return _over_limit_warning(i18n, locale, scope) if protect else None


_locks: dict[int, asyncio.Lock] = {}  # one sync at a time per guild, so two never both create
_NO_PERMISSION = N_("The bot needs the Manage Server permission to protect the 13–17 rooms with AutoMod. "
                  "Until then, phone numbers, e-mail addresses and other contact details are not blocked there.")
_BLOCKED = N_("Phone numbers, e-mail addresses and accounts on other apps can't be shared in this room. "
            "This keeps the room safe.")


def _over_limit_warning(i18n: I18n, locale: str, scope: ChannelScope) -> str | None:
    if not scope.over_limit:
        return None
    return i18n.tn(locale, "AutoMod can leave out at most 50 channels, so contact details are blocked in "
                           "{n} other channel as well.",
                   "AutoMod can leave out at most 50 channels, so contact details are blocked in "
                   "{n} other channels as well.", scope.over_limit)


async def _apply(guild: discord.Guild, desired: tuple[Rule, ...], reason: str) -> None:
    me = guild.me.id
    found = {r.id: r for r in await guild.fetch_automod_rules() if r.creator_id == me and is_own_rule_name(r.name)}
    plan = plan_sync([ExistingRule(r.id, _as_rule(r)) for r in found.values()], desired)
    for rule_id in plan.delete:
        await found[rule_id].delete(reason=reason)
    for rule_id, rule in plan.update:
        await found[rule_id].edit(
            trigger=_trigger(rule), actions=_actions(rule), enabled=rule.enabled,
            exempt_roles=_objects(rule.exempt_roles), exempt_channels=_objects(rule.exempt_channels), reason=reason,
        )
    for rule in plan.create:
        await guild.create_automod_rule(
            name=rule.name, event_type=discord.AutoModRuleEventType.message_send, trigger=_trigger(rule),
            actions=_actions(rule), enabled=rule.enabled, exempt_roles=_objects(rule.exempt_roles),
            exempt_channels=_objects(rule.exempt_channels), reason=reason,
        )
    if not plan.in_step:
        log.info("guild %s: AutoMod rules +%d ~%d -%d", guild.id, len(plan.create), len(plan.update), len(plan.delete))


def _as_rule(rule: discord.AutoModRule) -> Rule:
    message, alert = "", None
    for action in rule.actions:
        if action.type is discord.AutoModRuleActionType.block_message:
            message = action.custom_message or ""
        elif action.type is discord.AutoModRuleActionType.send_alert_message:
            alert = action.channel_id
    return Rule(
        name=rule.name,
        regex_patterns=tuple(rule.trigger.regex_patterns),
        allow_list=tuple(rule.trigger.allow_list),
        exempt_roles=frozenset(rule.exempt_role_ids),
        exempt_channels=frozenset(rule.exempt_channel_ids),
        custom_message=message,
        alert_channel_id=alert,
        enabled=rule.enabled,
    )


def _trigger(rule: Rule) -> discord.AutoModTrigger:
    return discord.AutoModTrigger(
        type=discord.AutoModRuleTriggerType.keyword,
        keyword_filter=[],
        regex_patterns=list(rule.regex_patterns),
        allow_list=list(rule.allow_list),
    )


def _actions(rule: Rule) -> list[discord.AutoModRuleAction]:
    actions = [discord.AutoModRuleAction(custom_message=rule.custom_message)]
    if rule.alert_channel_id is not None:
        actions.append(discord.AutoModRuleAction(channel_id=rule.alert_channel_id))
    return actions


def _objects(ids: Collection[int]) -> list[discord.Object]:
    return [discord.Object(i) for i in sorted(ids)]
