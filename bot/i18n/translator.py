"""Command names, descriptions and options in Finnish and Swedish in the Discord client."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import I18n

_OURS = {discord.Locale.finnish: "fi", discord.Locale.swedish: "sv"}
_NAMES = {
    app_commands.TranslationContextLocation.command_name,
    app_commands.TranslationContextLocation.group_name,
    app_commands.TranslationContextLocation.parameter_name,
}


class Translator(app_commands.Translator):
    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        ours = _OURS.get(locale)
        if ours is None:
            return None
        if context.location in _NAMES:
            return self.i18n.command(ours, string.message)
        return self.i18n.translate_or_none(ours, string.message)
