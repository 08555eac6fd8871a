"""The baselines: plain discord.py bots doing the same visible job with none of Kohtaamo's layers
(no database, no i18n, no services). Built with the same intents and mention policy."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bench.stage import bare_options

# What Kohtaamo's /setup show says in Finnish (the guild's language), held in memory.
TITLE = "Kohtaamon asetukset tällä palvelimella"
ROLE_LABELS = {"caregiver": "omaishoitaja", "youth_minor": "nuoret 13–17", "youth_adult": "nuoret 18–29",
               "volunteer": "vapaaehtoinen", "moderator": "moderaattori", "staff": "henkilökunta"}
CHANNEL_LABELS = {"modlog": "moderointiloki", "volunteer_queue": "vapaaehtoisten jono",
                  "announcements": "tiedotteet", "welcome": "tervetuloa"}
COMPANY_LIMITS = (
    "Moderaattoreita muistutetaan 10 minuutin jälkeen; jäsenelle kerrotaan rehellisesti 60 minuutin jälkeen, jos "
    "kukaan ei ole ottanut pyyntöä; enintään 3 pyyntöä päivässä jäsentä kohden."
)
MODERATION = "Varoitukset ovat voimassa 90 päivää."
PRIVACY = (
    "Yhteystieto: ei asetettu\nSäilytys: seurapyynnöt 30 päivää päättymisen jälkeen; mielialat 365 päivää; käsitellyt "
    "ilmoitukset, hälytykset ja tapaukset 730 päivää; valmiit tehtävät 30 päivää. Palvelimelta lähteneen jäsenen "
    "tiedot poistetaan 30 päivän kuluttua."
)


class BareSetupBot(commands.Bot):
    """``/setup show``: an ephemeral embed with the same title and fields as Kohtaamo's, built from a
    fixed mapping of role and channel ids instead of the database."""

    def __init__(self, roles: dict[str, int], channels: dict[str, int]) -> None:
        super().__init__(**bare_options())  # type: ignore[arg-type]
        self.mapped_roles = {k: roles[k] for k in ROLE_LABELS}
        self.mapped_channels = {k: channels[k] for k in CHANNEL_LABELS}

    async def setup_hook(self) -> None:
        group = app_commands.Group(name="setup", description="Set up the bot on this server", guild_only=True,
                                   default_permissions=discord.Permissions(manage_guild=True))

        @group.command(name="show", description="Show how the bot is set up")
        @app_commands.checks.has_permissions(manage_guild=True)
        async def show(interaction: discord.Interaction) -> None:
            assert interaction.guild is not None
            await interaction.response.send_message(embed=self.render(interaction.guild), ephemeral=True)

        self.tree.add_command(group)

    def render(self, guild: discord.Guild) -> discord.Embed:
        embed = discord.Embed(title=TITLE, colour=discord.Colour.teal())
        roles = []
        for key, label in ROLE_LABELS.items():
            role = guild.get_role(self.mapped_roles[key])
            roles.append(f"{label}: {role.mention if role else 'ei asetettu'}")
        embed.add_field(name="Roolit", value="\n".join(roles), inline=False)
        channels = []
        for key, label in CHANNEL_LABELS.items():
            channel = guild.get_channel(self.mapped_channels[key])
            channels.append(f"{label}: {channel.mention if channel else 'ei asetettu'}")
        embed.add_field(name="Kanavat", value="\n".join(channels), inline=False)
        embed.add_field(name="Kieli", value="suomi")
        embed.add_field(name="Aikavyöhyke", value="Europe/Helsinki")
        embed.add_field(name="Seurapyynnöt", value=COMPANY_LIMITS, inline=False)
        embed.add_field(name="Moderointi", value=MODERATION, inline=False)
        embed.add_field(name="Tietosuoja", value=PRIVACY, inline=False)
        return embed


class BareRelayBot(commands.Bot):
    """A member's DM goes to a fixed channel with one ``channel.send``.

    The channel is fixed per member (``targets``: member id → channel id), and the benchmark points
    it at the very threads Kohtaamo relays into: both bots then write to the same REST routes and
    discord.py rate-limit buckets, and the only difference left is what each does in between. The
    relay is a listener, as Kohtaamo's is, so ``commands.Bot.on_message`` (prefix-command parsing)
    still runs for every message in both bots."""

    def __init__(self, targets: dict[int, int]) -> None:
        super().__init__(**bare_options())  # type: ignore[arg-type]
        self.targets = targets
        self.add_listener(self.relay, "on_message")

    async def relay(self, message: discord.Message) -> None:
        if message.guild is not None or message.author.bot:
            return
        target = self.targets.get(message.author.id)
        if target is not None:
            await self.get_partial_messageable(target).send(message.content)
