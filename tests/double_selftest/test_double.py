"""Self-tests of the Discord double, driven by a bare discord.py ``commands.Bot``.

Run: python -m pytest -p no:cacheprovider -o asyncio_mode=auto tests/double_selftest
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.double import DiscordDouble, permissions
from tests.double.harness import pointed_at, running

# --------------------------------------------------------------------------- the bot
PANEL_OK = "k:v1:panel:ok"
PANEL_PICK = "k:v1:panel:pick"


class Panel(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="OK", custom_id=PANEL_OK)
    async def ok(self, interaction: discord.Interaction, button: discord.ui.Button[Panel]) -> None:
        await interaction.response.edit_message(content=f"clicked by {interaction.user.name}", view=None)

    @discord.ui.select(custom_id=PANEL_PICK, options=[discord.SelectOption(label=x, value=x) for x in "abc"])
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[Panel]) -> None:
        await interaction.response.send_message(f"picked {','.join(select.values)}", ephemeral=True)


class Form(discord.ui.Modal, title="Lomake"):
    topic: discord.ui.Label[Form] = discord.ui.Label(
        text="Aihe", component=discord.ui.TextInput(custom_id="topic", max_length=50)
    )
    mood: discord.ui.Label[Form] = discord.ui.Label(
        text="Mieliala",
        component=discord.ui.Select(custom_id="mood", options=[discord.SelectOption(label=m, value=m)
                                                               for m in ("hyvä", "huono")]),
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.topic.component, discord.ui.TextInput)
        assert isinstance(self.mood.component, discord.ui.Select)
        await interaction.response.send_message(f"{self.topic.component.value}/{self.mood.component.values[0]}")


class Bot(commands.Bot):
    def __init__(self, *, privileged: bool = True, **options: Any) -> None:
        intents = discord.Intents.default()
        intents.members = privileged
        intents.message_content = privileged
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05, **options)
        self.slow_delay = 0.0
        self.seen: list[discord.Message] = []
        self.errors: list[BaseException] = []
        self.member_updates: list[tuple[discord.Member, discord.Member]] = []

    async def setup_hook(self) -> None:
        self.add_view(Panel())
        build_tree(self)
        await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every re-IDENTIFY; not against a local double."""

    async def on_message(self, message: discord.Message) -> None:
        self.seen.append(message)

    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        self.member_updates.append((before, after))


def build_tree(bot: Bot) -> None:
    tree = bot.tree

    @tree.command(description="Pong")
    async def ping(interaction: discord.Interaction, who: discord.Member, role: discord.Role | None = None,
                   where: discord.TextChannel | None = None, count: int = 1) -> None:
        await interaction.response.send_message(
            f"pong {who.name} {role.name if role else '-'} {where.name if where else '-'} {count}"
        )

    setup = app_commands.Group(name="setup", description="Asetukset")

    @setup.command(description="Näytä")
    async def show(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("settings", ephemeral=True)

    @setup.command(description="Kanava")
    @app_commands.choices(mode=[app_commands.Choice(name="Auki", value="open"),
                                app_commands.Choice(name="Kiinni", value="closed")])
    async def channel(interaction: discord.Interaction, target: discord.TextChannel, mode: str) -> None:
        await interaction.response.send_message(f"{target.id} {mode}")

    tree.add_command(setup)

    @tree.command(description="Hidas")
    async def slow(interaction: discord.Interaction) -> None:
        await asyncio.sleep(bot.slow_delay)
        try:
            await interaction.response.send_message("late")
        except discord.NotFound as exc:
            bot.errors.append(exc)

    @tree.command(description="Paneeli")
    async def panel(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("panel", view=Panel())

    @tree.command(description="Lomake")
    async def form(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Form())

    @tree.command(description="Viive")
    async def later(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("follow-up", ephemeral=True)
        await interaction.edit_original_response(content="done")

    @tree.command(description="Etsi")
    async def find(interaction: discord.Interaction, query: str) -> None:
        await interaction.response.send_message(f"found {query}")

    @find.autocomplete("query")
    async def find_query(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"{current}-{i}", value=f"{current}-{i}") for i in range(2)]

    @tree.context_menu(name="Profiili")
    async def profile(interaction: discord.Interaction, member: discord.Member) -> None:
        await interaction.response.send_message(f"user {member.name}")

    @tree.context_menu(name="Raportoi")
    async def report(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"msg {message.content}", ephemeral=True)


# --------------------------------------------------------------------------- fixtures
@pytest.fixture
async def double() -> AsyncIterator[DiscordDouble]:
    d = DiscordDouble()
    await d.start()
    with pointed_at(d):
        yield d
    await d.stop()
    assert d.internal_errors == []


@pytest.fixture
def world(double: DiscordDouble) -> dict[str, int]:
    g = double.add_guild("Jyväskylä", preferred_locale="fi")
    mods = double.add_role(g, "mods", permissions.MANAGE_MESSAGES)
    aino = double.add_member(g, username="aino", global_name="Aino")
    return {"guild": g, "mods": mods, "aino": aino, "general": double.system_channel_id(g) or 0}


@pytest.fixture
async def bot(double: DiscordDouble, world: dict[str, int]) -> AsyncIterator[Bot]:
    async with running(Bot(), double) as client:
        yield client


# --------------------------------------------------------------------------- tests
async def test_login_ready_and_guild_cache(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    assert [c.path for c in double.calls[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    assert bot.user is not None and bot.user.id == double.bot_user_id
    assert bot.application_id == double.application_id
    guild = bot.get_guild(world["guild"])
    assert guild is not None and guild.name == "Jyväskylä" and str(guild.preferred_locale) == "fi"
    assert {r.name for r in guild.roles} >= {"@everyone", "mods", "Kohtaamo"}
    assert guild.me is not None and guild.me.guild_permissions.manage_roles
    assert guild.get_member(world["aino"]) is not None and guild.chunked
    assert [c.name for c in guild.text_channels] == ["general"]
    synced = await double.wait_for_call("PUT", rf"/applications/{double.application_id}/commands")
    assert {c["name"] for c in synced.json} >= {"ping", "setup", "Profiili"}


async def test_slash_command_with_typed_options(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    h = await double.slash(world["guild"], world["aino"], "ping",
                           {"who": world["aino"], "role": world["mods"], "where": world["general"], "count": 3})
    body = await h.response()
    assert body == {"type": 4, "data": {"content": "pong aino mods general 3", "tts": False}}
    assert double.messages(world["general"])[-1]["content"] == "pong aino mods general 3"
    assert h.message is not None and h.message["interaction_metadata"]["user"]["id"] == str(world["aino"])
    with pytest.raises(ValueError, match="required"):
        await double.slash(world["guild"], world["aino"], "ping", {"count": 1})
    with pytest.raises(ValueError, match="choices"):
        await double.slash(world["guild"], world["aino"], "setup channel", {"target": world["general"], "mode": "x"})


async def test_subcommands_and_raw_options(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    h = await double.slash(world["guild"], world["aino"], "setup", sub="show", locale="sv-SE")
    assert (await h.response())["data"]["content"] == "settings" and h.ephemeral
    raw = [{"name": "target", "type": 7, "value": str(world["general"])}, {"name": "mode", "type": 3, "value": "open"}]
    h = await double.slash(world["guild"], world["aino"], "setup channel", raw)
    assert (await h.response())["data"]["content"] == f"{world['general']} open"
    with pytest.raises(LookupError, match="not registered"):
        await double.slash(world["guild"], world["aino"], "nope", {"x": 1})


async def test_late_answer_fails(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    double.interaction_deadline = 0.2
    bot.slow_delay = 0.4
    h = await double.slash(world["guild"], world["aino"], "slow")
    with pytest.raises(AssertionError, match=r"not answered within 0.2 s"):
        await h.response()
    await double.wait_for_call("POST", r"/interactions/\d+/.+/callback")
    await asyncio.sleep(0.05)
    assert [e.code for e in bot.errors] == [10062]  # type: ignore[attr-defined]


async def test_button_and_select_round_trip(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    h = await double.slash(world["guild"], world["aino"], "panel")
    await h.response()
    message_id = int(h.message["id"])  # type: ignore[index]
    pick = await double.click(world["general"], message_id, PANEL_PICK, world["aino"], values=["b"])
    assert (await pick.response())["data"]["content"] == "picked b" and pick.ephemeral
    click = await double.click(world["general"], message_id, PANEL_OK, world["aino"])
    assert (await click.response())["type"] == 7
    assert double.message(message_id)["content"] == "clicked by aino"
    assert double.message(message_id)["components"] == []
    with pytest.raises(LookupError):
        await double.click(world["general"], message_id, PANEL_OK, world["aino"])


async def test_modal_round_trip(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    h = await double.slash(world["guild"], world["aino"], "form")
    await h.response()
    assert h.modal is not None and h.modal["custom_id"] and h.modal["components"][0]["type"] == 18
    submit = await double.submit_modal(world["aino"], h.modal["custom_id"], {"topic": "Kahvi", "mood": "hyvä"})
    assert (await submit.response())["data"]["content"] == "Kahvi/hyvä"
    with pytest.raises(ValueError, match="required"):
        await double.submit_modal(world["aino"], h.modal["custom_id"], {"mood": "hyvä"})


async def test_defer_followup_and_edit(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    h = await double.slash(world["guild"], world["aino"], "later")
    assert (await h.response())["type"] == 5 and h.ephemeral
    assert (await h.wait_followup())["content"] == "follow-up"
    assert (await h.wait_edit())["content"] == "done"
    assert h.message is not None and h.message["content"] == "done"
    assert double.messages(world["general"]) == []  # ephemeral messages are not in the channel


async def test_context_menus(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    h = await double.user_context(world["guild"], world["aino"], "Profiili", world["aino"])
    assert (await h.response())["data"]["content"] == "user aino"
    posted = await double.user_message(world["general"], world["aino"], "hei kaikki")
    h = await double.message_context(world["guild"], world["aino"], "Raportoi", int(posted["id"]))
    assert (await h.response())["data"]["content"] == "msg hei kaikki"


async def test_multipart_attachment_recorded(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    channel = bot.get_channel(world["general"])
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("liite", file=discord.File(io.BytesIO(b"\x00hello"), filename="a.bin"))
    call = double.calls_to("POST", rf"/channels/{world['general']}/messages")[-1]
    assert call.files == [("a.bin", b"\x00hello", "application/octet-stream")]
    assert call.json["content"] == "liite"
    assert await sent.attachments[0].read() == b"\x00hello"


async def test_dm_to_closed_user_is_forbidden(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    double.set_dms_closed(world["aino"])
    member = bot.get_guild(world["guild"]).get_member(world["aino"])  # type: ignore[union-attr]
    with pytest.raises(discord.Forbidden) as info:
        await member.send("hei")  # type: ignore[union-attr]
    assert info.value.code == 50007
    assert double.dm_channel_id(world["aino"]) is not None


async def test_missing_permissions(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    hidden = double.add_channel(world["guild"], "hidden", overwrites=[
        {"id": world["guild"], "type": 0, "deny": permissions.VIEW_CHANNEL}])
    muted = double.add_channel(world["guild"], "muted", overwrites=[
        {"id": world["guild"], "type": 0, "deny": permissions.SEND_MESSAGES}])
    for channel_id, code in ((hidden, 50001), (muted, 50013)):
        with pytest.raises(discord.Forbidden) as info:
            await bot.http.send_message(channel_id, params=discord.http.handle_message_parameters(content="x"))
        assert info.value.code == code


async def test_rate_limit_burst_is_retried(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    double.fail_next("POST", r"/channels/\d+/messages", status=429, count=3, retry_after=0.05)
    channel = bot.get_channel(world["general"])
    sent = await channel.send("sinnikäs")  # type: ignore[union-attr]
    statuses = [c.status for c in double.calls_to("POST", r"/channels/\d+/messages")]
    assert statuses == [429, 429, 429, 200] and sent.content == "sinnikäs"


async def test_server_errors(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    channel = bot.get_channel(world["general"])
    double.fail_next("POST", r"/channels/\d+/messages", status=500)
    await channel.send("retried")  # type: ignore[union-attr]  # discord.py sleeps 1 s, then retries
    double.fail_next("POST", r"/channels/\d+/messages", status=503)
    with pytest.raises(discord.DiscordServerError):
        await channel.send("surfaces")  # type: ignore[union-attr]
    assert [c.status for c in double.calls_to("POST", r"/channels/\d+/messages")] == [500, 200, 503]


async def test_gateway_drop_resumes_then_reidentifies(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    await double.drop_gateway(resume=True)
    await double.user_message(world["general"], world["aino"], "while away")  # kept for the replay
    await double.wait_resumed()
    assert (double.identify_count, double.resume_count) == (1, 1)
    assert double.gateway.connect_paths[-1] == "/resume-gateway"
    await double.user_message(world["general"], world["aino"], "after resume")
    await double.drop_gateway(resume=False)
    await double.gateway.wait(lambda: double.identify_count == 2 and double.gateway.is_ready(), 5, "re-identify")
    await double.user_message(world["general"], world["aino"], "new session")
    await asyncio.sleep(0.05)
    assert [m.content for m in bot.seen] == ["while away", "after resume", "new session"]


async def test_nonce_dedupe(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    channel = bot.get_channel(world["general"])
    first = await channel.send("kerran", nonce="k:reminder:42")  # type: ignore[union-attr]
    second = await channel.send("kerran", nonce="k:reminder:42")  # type: ignore[union-attr]
    assert first.id == second.id and len(double.messages(world["general"])) == 1


async def test_user_messages_dms_and_member_updates(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    await double.user_dm(world["aino"], "yksityinen", attachments=[("kuva.png", b"png", "image/png")])
    await double.user_message(world["general"], world["aino"], "julkinen")
    await asyncio.sleep(0.05)
    assert [(m.content, m.guild is None) for m in bot.seen] == [("yksityinen", True), ("julkinen", False)]
    assert await bot.seen[0].attachments[0].read() == b"png"
    guild = bot.get_guild(world["guild"])
    member = guild.get_member(world["aino"])  # type: ignore[union-attr]
    await member.add_roles(discord.Object(world["mods"]))  # type: ignore[union-attr]
    assert double.role_ids(world["guild"], world["aino"]) == [world["mods"]]
    await asyncio.sleep(0.05)
    assert [r.name for r in guild.get_member(world["aino"]).roles][1:] == ["mods"]  # type: ignore[union-attr]


async def test_threads_pins_and_deleted_channel(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    channel = bot.get_channel(world["general"])
    assert isinstance(channel, discord.TextChannel)
    root = await channel.send("juuri")
    thread = await root.create_thread(name="keskustelu")
    assert thread.id == root.id
    await thread.add_user(discord.Object(world["aino"]))
    await thread.edit(archived=True, locked=True)
    assert double.channel(thread.id)["thread_metadata"]["locked"] is True
    await root.pin()
    assert double.message(root.id)["pinned"] is True
    assert [m["type"] for m in double.messages(world["general"])] == [0, 6]
    double.delete_channel(world["general"])
    with pytest.raises(discord.NotFound) as info:
        await channel.send("gone")
    assert info.value.code == 10003


async def test_unknown_route_bad_token_and_intents(double: DiscordDouble, world: dict[str, int]) -> None:
    async with running(Bot(), double) as client:
        with pytest.raises(discord.NotFound):
            await client.http.request(discord.http.Route("GET", "/nothing/here"))
        assert double.calls[-1].status == 404
    stranger = discord.Client(intents=discord.Intents.default())
    with pytest.raises(discord.LoginFailure):
        await stranger.login("wrong-token")
    await stranger.close()
    double.require_intents = True
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with running(Bot(), double):
            pass


async def test_restart_on_same_double(double: DiscordDouble, world: dict[str, int]) -> None:
    async with running(Bot(), double) as first:
        h = await double.slash(world["guild"], world["aino"], "panel")
        await h.response()
        channel = first.get_channel(world["general"])
        thread = await channel.create_thread(name="jatkuu", type=discord.ChannelType.public_thread)  # type: ignore[union-attr]
    async with running(Bot(), double) as second:
        assert double.identify_count == 2
        assert second.get_guild(world["guild"]).get_thread(thread.id) is not None  # type: ignore[union-attr]
        await double.user_message(world["general"], world["aino"], "toinen")
        click = await double.click(world["general"], int(h.message["id"]), PANEL_OK, world["aino"])  # type: ignore[index]
        assert (await click.response())["type"] == 7  # the persistent view answers after the restart
        assert [m.content for m in second.seen] == ["toinen"]


async def test_dm_command_and_autocomplete(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    h = await double.slash(None, world["aino"], "setup", sub="show")
    assert (await h.response())["data"]["content"] == "settings"
    assert h.payload["context"] == 1 and "user" in h.payload and "guild_id" not in h.payload
    h = await double.autocomplete(world["guild"], world["aino"], "find", {"query": "kah"}, focused="query")
    assert (await h.response()) == {"type": 8, "data": {"choices": [
        {"name": "kah-0", "value": "kah-0"}, {"name": "kah-1", "value": "kah-1"}]}}


async def test_intents_shape_what_the_bot_gets(double: DiscordDouble, world: dict[str, int]) -> None:
    async with running(Bot(privileged=False), double) as client:
        guild = client.get_guild(world["guild"])
        assert guild is not None and [m.id for m in guild.members] == [double.bot_user_id]
        await double.user_message(world["general"], world["aino"], "salaisuus")
        await double.user_message(world["general"], world["aino"], f"<@{double.bot_user_id}> hei")
        await double.user_dm(world["aino"], "yksityinen")
        await asyncio.sleep(0.05)
        assert [m.content for m in client.seen] == ["", f"<@{double.bot_user_id}> hei", "yksityinen"]


async def test_world_changes_reach_a_connected_bot(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    second = double.add_guild("Tampere", general_channel=None)
    room = double.add_channel(second, "huone")
    member = double.add_member(second, username="eero")
    double.update_member(world["guild"], world["aino"], roles=[world["mods"]], nick="Aino K")
    await double.user_message(room, member, "moi")
    await asyncio.sleep(0.05)
    guild = bot.get_guild(second)
    assert guild is not None and guild.get_channel(room) is not None and guild.get_member(member) is not None
    aino = bot.get_guild(world["guild"]).get_member(world["aino"])  # type: ignore[union-attr]
    assert aino is not None and aino.nick == "Aino K" and [r.id for r in aino.roles][1:] == [world["mods"]]
    double.delete_channel(room)
    double.remove_member(second, member)
    await asyncio.sleep(0.05)
    assert guild.get_channel(room) is None and guild.get_member(member) is None
    assert bot.seen[-1].channel.id == room
