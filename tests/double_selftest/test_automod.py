"""Self-tests of the double's Auto Moderation: routes, limits, errors, events and enforcement."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest

from tests.double import DiscordDouble, permissions
from tests.double.harness import pointed_at, running
from tests.double.routes_automod import Blocked


class Client(discord.Client):
    def __init__(self, *, message_content: bool = False) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.events: list[tuple[str, Any]] = []

    async def on_automod_rule_create(self, rule: discord.AutoModRule) -> None:
        self.events.append(("create", rule))

    async def on_automod_rule_update(self, rule: discord.AutoModRule) -> None:
        self.events.append(("update", rule))

    async def on_automod_rule_delete(self, rule: discord.AutoModRule) -> None:
        self.events.append(("delete", rule))

    async def on_automod_action(self, execution: discord.AutoModAction) -> None:
        self.events.append(("action", execution))


@pytest.fixture
async def d() -> AsyncIterator[DiscordDouble]:
    async with DiscordDouble() as double:
        with pointed_at(double):
            yield double
        assert double.internal_errors == []


def manager_guild(d: DiscordDouble) -> int:
    return d.add_guild(bot_permissions=permissions.DEFAULT_BOT | permissions.MANAGE_GUILD)


async def rest(d: DiscordDouble, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.request(
        method, d.api_base + path, json=body, headers={"Authorization": f"Bot {d.token}"}
    ) as resp:
        return resp.status, (await resp.json() if resp.status != 204 else None)


def rule_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "phones", "event_type": 1, "trigger_type": 1, "enabled": True,
        "trigger_metadata": {"regex_patterns": [r"\b0\d{9}\b"], "keyword_filter": ["snap*"],
                             "allow_list": ["0925250111"]},
        "actions": [{"type": 1, "metadata": {"custom_message": "Ei numeroita."}}],
    }
    body.update(overrides)
    return body


async def wait_for(predicate: Any, within: float = 2.0) -> None:
    for _ in range(int(within / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


async def test_rules_round_trip_through_discord_py_with_gateway_events(d: DiscordDouble) -> None:
    g = manager_guild(d)
    log = d.add_channel(g, "modlog")
    exempt_role = d.add_role(g, "Moderaattori")
    async with running(Client(), d) as client:
        guild = client.get_guild(g)
        assert guild is not None
        rule = await guild.create_automod_rule(
            name="Kohtaamo", event_type=discord.AutoModRuleEventType.message_send,
            trigger=discord.AutoModTrigger(type=discord.AutoModRuleTriggerType.keyword, regex_patterns=[r"\d{10}"],
                                           allow_list=["0925250111"]),
            actions=[discord.AutoModRuleAction(custom_message="Ei numeroita."), discord.AutoModRuleAction(channel_id=log)],
            enabled=True, exempt_roles=[discord.Object(exempt_role)], exempt_channels=[discord.Object(log)],
        )
        assert rule.creator_id == client.user.id and rule.enabled
        assert rule.trigger.regex_patterns == [r"\d{10}"] and rule.trigger.allow_list == ["0925250111"]
        assert rule.exempt_role_ids == {exempt_role} and rule.exempt_channel_ids == {log}
        assert [a.custom_message for a in rule.actions][0] == "Ei numeroita." and rule.actions[1].channel_id == log
        assert [r.id for r in await guild.fetch_automod_rules()] == [rule.id]
        edited = await rule.edit(exempt_channels=[], enabled=False)
        assert edited.exempt_channel_ids == set() and not edited.enabled
        assert (await guild.fetch_automod_rule(rule.id)).enabled is False
        await edited.delete()
        assert await guild.fetch_automod_rules() == []
        await wait_for(lambda: len(client.events) == 3)
        assert [e[0] for e in client.events] == ["create", "update", "delete"]
    payload = d.calls_to("POST", rf"/guilds/{g}/auto-moderation/rules")[0].response
    assert set(payload) == {"id", "guild_id", "name", "creator_id", "event_type", "trigger_type", "trigger_metadata",
                            "actions", "enabled", "exempt_roles", "exempt_channels"}
    assert payload["trigger_metadata"] == {"keyword_filter": [], "regex_patterns": [r"\d{10}"],
                                           "allow_list": ["0925250111"]}


async def test_without_manage_server_every_route_answers_403_50013(d: DiscordDouble) -> None:
    g = d.add_guild()  # the default bot role has no Manage Server
    base = f"/guilds/{g}/auto-moderation/rules"
    for method, path, body in (("GET", base, None), ("POST", base, rule_body()), ("GET", f"{base}/1", None),
                               ("PATCH", f"{base}/1", {"enabled": False}), ("DELETE", f"{base}/1", None)):
        status, answer = await rest(d, method, path, body)
        assert (status, answer["code"]) == (403, 50013), (method, path)
    status, answer = await rest(d, "GET", f"/guilds/{manager_guild(d)}/auto-moderation/rules/1")
    assert (status, answer["code"]) == (404, 10066)


@pytest.mark.parametrize(("metadata", "actions", "extra", "path"), [
    ({"regex_patterns": [r"a"] * 11}, None, {}, ["trigger_metadata", "regex_patterns"]),
    ({"regex_patterns": ["a" * 261]}, None, {}, ["trigger_metadata", "regex_patterns", "0"]),
    ({"regex_patterns": ["(unclosed"]}, None, {}, ["trigger_metadata", "regex_patterns", "0"]),
    ({"regex_patterns": [r"\d+(?=kg)"]}, None, {}, ["trigger_metadata", "regex_patterns", "0"]),
    ({"regex_patterns": [r"(a)\1"]}, None, {}, ["trigger_metadata", "regex_patterns", "0"]),
    ({"keyword_filter": ["k"] * 1001}, None, {}, ["trigger_metadata", "keyword_filter"]),
    ({"keyword_filter": ["k" * 61]}, None, {}, ["trigger_metadata", "keyword_filter", "0"]),
    ({"allow_list": ["a"] * 101}, None, {}, ["trigger_metadata", "allow_list"]),
    (None, [{"type": 1, "metadata": {"custom_message": "x" * 151}}], {}, ["actions", "0", "metadata", "custom_message"]),
    (None, [{"type": 2, "metadata": {"channel_id": "1"}}], {}, ["actions", "0", "metadata", "channel_id"]),
    (None, [], {}, ["actions"]),
    (None, None, {"exempt_roles": list(range(1, 22))}, ["exempt_roles"]),
    (None, None, {"exempt_channels": list(range(1, 52))}, ["exempt_channels"]),
    (None, None, {"trigger_type": 2}, ["trigger_type"]),
])
async def test_discord_limits_answer_400_50035_with_the_field(d: DiscordDouble, metadata: Any, actions: Any,
                                                              extra: dict[str, Any], path: list[str]) -> None:
    g = manager_guild(d)
    body = rule_body(**extra)
    if metadata is not None:
        body["trigger_metadata"] = metadata
    if actions is not None:
        body["actions"] = actions
    status, answer = await rest(d, "POST", f"/guilds/{g}/auto-moderation/rules", body)
    assert (status, answer["code"]) == (400, 50035)
    node = answer["errors"]
    for key in path:
        node = node[key]
    assert node["_errors"][0]["code"]
    assert d.automod.rules(g) == []


async def test_six_keyword_rules_per_guild_and_a_refused_edit_changes_nothing(d: DiscordDouble) -> None:
    g = manager_guild(d)
    for n in range(6):
        status, _ = await rest(d, "POST", f"/guilds/{g}/auto-moderation/rules", rule_body(name=f"r{n}"))
        assert status == 200
    status, answer = await rest(d, "POST", f"/guilds/{g}/auto-moderation/rules", rule_body(name="r7"))
    assert status == 400 and answer["errors"]["trigger_type"]["_errors"][0]["code"] == \
        "AUTO_MODERATION_MAX_RULES_OF_TYPE_EXCEEDED"
    rule = d.automod.rules(g)[0]
    status, _ = await rest(d, "PATCH", f"/guilds/{g}/auto-moderation/rules/{rule['id']}",
                           {"name": "uusi", "trigger_metadata": {"regex_patterns": ["("]}})
    assert status == 400 and d.automod.rules(g)[0] == rule


async def make_rule(d: DiscordDouble, g: int, **overrides: Any) -> dict[str, Any]:
    status, rule = await rest(d, "POST", f"/guilds/{g}/auto-moderation/rules", rule_body(**overrides))
    assert status == 200, rule
    return rule


async def test_a_matching_message_is_blocked_alerted_and_reported(d: DiscordDouble) -> None:
    g = manager_guild(d)
    room, log, other = d.add_channel(g, "nuoret"), d.add_channel(g, "modlog"), d.add_channel(g, "aikuiset")
    mod_role = d.add_role(g, "Moderaattori")
    member, mod = d.add_member(g, username="eetu"), d.add_member(g, username="maija", roles=[mod_role])
    rule = await make_rule(d, g, exempt_roles=[str(mod_role)], exempt_channels=[str(other), str(log)], actions=[
        {"type": 1, "metadata": {"custom_message": "Ei numeroita."}}, {"type": 2, "metadata": {"channel_id": str(log)}}])
    async with running(Client(message_content=True), d) as client:
        with pytest.raises(Blocked) as blocked:
            await d.user_message(room, member, "soita 0401234567")
        assert blocked.value.custom_message == "Ei numeroita."
        assert blocked.value.matched_content == "0401234567" and blocked.value.rule_id == int(rule["id"])
        assert d.messages(room) == []
        alert = d.messages(log)[-1]
        assert alert["type"] == 24 and alert["author"]["id"] == str(member)
        embed = alert["embeds"][0]
        assert embed["type"] == "auto_moderation_message" and embed["description"] == "soita 0401234567"
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert fields["rule_name"] == "phones" and fields["channel_id"] == str(room)
        assert fields["keyword_matched_content"] == "0401234567"
        assert blocked.value.alerts == [int(alert["id"])]
        await wait_for(lambda: len([e for e in client.events if e[0] == "action"]) == 2)
        actions = [e[1] for e in client.events if e[0] == "action"]
        assert {a.action.type for a in actions} == {discord.AutoModRuleActionType.block_message,
                                                   discord.AutoModRuleActionType.send_alert_message}
        assert all(a.user_id == member and a.channel_id == room and a.matched_content == "0401234567" for a in actions)
        assert [e["action"]["type"] for e in d.automod.executions] == [1, 2]
        # Exempt role, exempt channel, the allow list, no match: all go through.
        assert (await d.user_message(room, mod, "soita 0401234567"))["content"] == "soita 0401234567"
        await d.user_message(other, member, "soita 0401234567")
        await d.user_message(room, member, "kriisipuhelin 0925250111")
        await d.user_message(room, member, "klo 16.30-21")
        assert [m["content"] for m in d.messages(room)] == ["soita 0401234567", "kriisipuhelin 0925250111",
                                                             "klo 16.30-21"]


async def test_every_match_counts_not_only_an_allowed_first_one(d: DiscordDouble) -> None:
    g = manager_guild(d)
    room, member = d.add_channel(g, "nuoret"), 0
    member = d.add_member(g)
    await make_rule(d, g)
    with pytest.raises(Blocked):
        await d.user_message(room, member, "0925250111 tai 0401234567")


async def test_keywords_use_discords_wildcards_case_insensitively(d: DiscordDouble) -> None:
    g = manager_guild(d)
    room, member = d.add_channel(g, "nuoret"), d.add_member(g)
    await make_rule(d, g, trigger_metadata={"keyword_filter": ["snap*", "*gram", "*kik*", "add me"]})
    for blocked in ("SNAPCHAT?", "my instagram", "kikkeli", "pls add me!", "Add Me now"):
        with pytest.raises(Blocked):
            await d.user_message(room, member, blocked)
    for fine in ("unsnapped", "grammar", "address me", "ladd mean"):
        await d.user_message(room, member, fine)


async def test_threads_follow_their_parent_and_managers_and_disabled_rules_are_not_affected(d: DiscordDouble) -> None:
    g = manager_guild(d)
    room, other = d.add_channel(g, "nuoret"), d.add_channel(g, "aikuiset")
    admin_role = d.add_role(g, "Ylläpito", permissions.MANAGE_GUILD)
    member, admin = d.add_member(g), d.add_member(g, username="admin", roles=[admin_role])
    await make_rule(d, g, exempt_channels=[str(other)])
    room_thread = d.world.create_thread(room, "ketju", 11, member)
    other_thread = d.world.create_thread(other, "ketju", 11, member)
    with pytest.raises(Blocked):
        await d.user_message(int(room_thread["id"]), member, "0401234567")
    await d.user_message(int(other_thread["id"]), member, "0401234567")
    await d.user_message(room, admin, "0401234567")
    rule = d.automod.rules(g)[0]
    status, _ = await rest(d, "PATCH", f"/guilds/{g}/auto-moderation/rules/{rule['id']}", {"enabled": False})
    assert status == 200
    await d.user_message(room, member, "0401234567")


async def test_without_message_content_an_execution_arrives_without_the_text(d: DiscordDouble) -> None:
    g = manager_guild(d)
    room, member = d.add_channel(g, "nuoret"), d.add_member(g)
    await make_rule(d, g)
    async with running(Client(), d) as client:  # default intents: no Message Content
        with pytest.raises(Blocked):
            await d.user_message(room, member, "0401234567")
        await wait_for(lambda: any(e[0] == "action" for e in client.events))
        execution = next(e[1] for e in client.events if e[0] == "action")
        assert execution.content == "" and execution.matched_content in ("", None)
        assert execution.matched_keyword == r"\b0\d{9}\b"
