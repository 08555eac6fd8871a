"""What every cog needs: the member's language, localized replies, the role check and
the one error handler of the command tree."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, TypeVar

import discord
from discord import app_commands

from bot.errors import KohtaamoError
from bot.i18n import N_, I18n, pick_locale
from bot.services.setup import BotRole, GuildConfig, SetupService

log = logging.getLogger(__name__)
T = TypeVar("T")

ROLE_NAMES = {
    BotRole.CAREGIVER: N_("caregiver"),
    BotRole.YOUTH_MINOR: N_("youth 13–17"),
    BotRole.YOUTH_ADULT: N_("youth 18–29"),
    BotRole.VOLUNTEER: N_("volunteer"),
    BotRole.MODERATOR: N_("moderator"),
    BotRole.STAFF: N_("staff"),
}


class NotPermitted(app_commands.CheckFailure):
    def __init__(self, role: BotRole) -> None:
        super().__init__(role.value)
        self.role = role


class Kit:
    def __init__(self, i18n: I18n, setup: SetupService) -> None:
        self.i18n = i18n
        self.setup = setup
        # Private notes for the member, added to their next ephemeral answer (e.g. check-ins
        # paused because their DMs are closed): each returns a localized text or None.
        self.notices: list[Callable[[discord.Interaction], Awaitable[str | None]]] = []

    async def locale(self, interaction: discord.Interaction) -> str:
        """Member's saved choice → the Discord client's language → the server's default."""
        if interaction.guild_id is None:
            return pick_locale(str(interaction.locale), default=self.setup.default_locale)
        saved = await self.setup.member_locale(interaction.guild_id, interaction.user.id)
        config = await self.setup.get(interaction.guild_id)
        return pick_locale(saved, str(interaction.locale), default=config.locale)

    async def config(self, interaction: discord.Interaction) -> GuildConfig:
        assert interaction.guild_id is not None
        return await self.setup.get(interaction.guild_id)

    async def reply(
        self, interaction: discord.Interaction, text: str | None = None, *, ephemeral: bool = True, **kwargs: Any
    ) -> None:
        """Answer, or follow up when the interaction was already answered (deferred). An
        ephemeral answer carries any notice that is due for the member."""
        if ephemeral:
            for notice in self.notices:
                extra = await notice(interaction)
                if extra:
                    text = f"{text}\n\n{extra}" if text else extra
        if interaction.response.is_done():
            await interaction.followup.send(text or "", ephemeral=ephemeral, **kwargs)
        else:
            await interaction.response.send_message(text, ephemeral=ephemeral, **kwargs)

    async def permitted(self, interaction: discord.Interaction, role: BotRole) -> bool:
        """Server managers may do everything; others need the Discord role mapped to ``role``."""
        if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
            return False
        if interaction.permissions.manage_guild:
            return True
        config = await self.setup.get(interaction.guild_id)
        return config.has_role({r.id for r in interaction.user.roles}, role)

    async def explain(self, interaction: discord.Interaction, error: Exception) -> None:
        """The one error handler: the command tree's, and that of buttons and forms. A rule the
        member broke gets its localized message; a bug gets a calm apology and a log line."""
        locale = await self.locale(interaction)
        original = getattr(error, "original", error)
        if isinstance(original, KohtaamoError):
            text = self.i18n.t(locale, original.msgid, **original.params)
        elif isinstance(error, NotPermitted):
            role = self.i18n.t(locale, ROLE_NAMES[error.role])
            text = self.i18n.t(
                locale, "Only members with the {role} role can use this. Ask a moderator if you think you should.",
                role=role,
            )
        elif isinstance(error, app_commands.MissingPermissions):
            text = self.i18n.t(locale, "You need the Manage Server permission for this.")
        elif isinstance(error, app_commands.NoPrivateMessage):
            text = self.i18n.t(locale, "This works only on a server, not in direct messages.")
        else:
            log.error(
                "interaction %s (%s) failed", interaction.id,
                interaction.command.qualified_name if interaction.command else interaction.data and interaction.data.get("custom_id"),
                exc_info=original,
            )
            text = self.i18n.t(locale, "Something went wrong on our side. Please try again in a moment.")
        try:
            await self.reply(interaction, text)
        except discord.HTTPException:
            log.warning("could not tell interaction %s about its error", interaction.id)


def requires(role: BotRole) -> Callable[[T], T]:
    """An app-command check against the mapped role, evaluated at run time on every use."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        if not await kit_of(interaction).permitted(interaction, role):
            raise NotPermitted(role)
        return True

    return app_commands.check(predicate)


def kit_of(interaction: discord.Interaction) -> Kit:
    return interaction.client.kit  # type: ignore[attr-defined, no-any-return]


def form(interaction: discord.Interaction, pattern: re.Pattern[str]) -> re.Match[str] | None:
    """A submitted form whose custom id matches ``pattern`` (forms are matched by custom id in an
    ``on_interaction`` listener, so one opened before a restart is still taken after it)."""
    if interaction.type is not discord.InteractionType.modal_submit or not interaction.data:
        return None
    return pattern.fullmatch(str(interaction.data.get("custom_id", "")))


async def reach(
    client: discord.Client, user_id: int, content: str, view: discord.ui.View | None = None, nonce: str | None = None
) -> discord.Message | None:
    """A direct message; None when the member cannot get one (closed DMs, unknown user). Other
    failures (Discord 500 after discord.py's own retries) are raised, so a job can try again.
    A ``nonce`` makes Discord drop a repeat of the same send."""
    options: dict[str, Any] = {"view": view} if view is not None else {}
    if nonce is not None:
        options["nonce"] = nonce
    try:
        user = client.get_user(user_id) or await client.fetch_user(user_id)
        return await user.send(content, **options)
    except (discord.Forbidden, discord.NotFound):
        return None


class FeatureButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"k:v1:(?!)"):
    """A persistent button ``k:v1:<feature>:<action>:<ref>`` whose click goes to the cog the
    bot keeps as ``client.<desk>`` (its ``on_button(interaction, action, ref)``). Subclasses set
    ``feature``, ``desk`` and their own ``template``."""

    feature: ClassVar[str]
    desk: ClassVar[str]

    def __init__(self, action: str, ref: int, label: str, style: discord.ButtonStyle) -> None:
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"k:v1:{self.feature}:{action}:{ref}"))
        self.action = action
        self.ref = ref

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> FeatureButton:
        assert isinstance(item, discord.ui.Button)
        return cls(match["action"], int(match["ref"]), item.label or "", item.style)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await getattr(interaction.client, self.desk).on_button(interaction, self.action, self.ref)
        except Exception as error:
            await kit_of(interaction).explain(interaction, error)

    @classmethod
    def view_of(cls, i18n: I18n, locale: str, ref: int, labels: dict[str, tuple[str, discord.ButtonStyle]],
            *actions: str) -> discord.ui.View:
        """A view of these buttons for ``ref``; ``labels``: action → (message id, style)."""
        view = discord.ui.View(timeout=None)
        for action in actions:
            label, style = labels[action]
            view.add_item(cls(action, ref, i18n.t(locale, label), style))
        return view
