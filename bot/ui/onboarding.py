"""Onboarding on Discord: the "Start here" button and every step's buttons (persistent, with the
choices so far in their custom ids), the texts of each step, /profile, and giving roles."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

import discord

from bot.errors import KohtaamoError
from bot.i18n import LANGUAGE_NAMES, LOCALES, N_, I18n
from bot.services.crisis import crisis_contacts
from bot.services.onboarding import RULES_MAX, AgeBand, Choices, CommunityRules, Who
from bot.services.setup import BotRole, GuildConfig
from bot.ui.kit import ROLE_NAMES, kit_of
from bot.ui.setup import PERMISSION_NAMES, unassignable

START = N_("Start here")
ACCEPT = N_("I accept the rules")
CHILD_HELPLINE = "mll_children"  # the key of MLL's phone for children and young people in bot/data/crisis
WHO_LABELS = {
    Who.CAREGIVER: N_("I care for someone close to me"),
    Who.YOUTH: N_("I am a young person"),
    Who.BOTH: N_("Both: I am a young carer"),
}
BAND_LABELS = {AgeBand.MINOR: N_("13–17"), AgeBand.ADULT: N_("18–29"), AgeBand.UNDER_13: N_("Under 13")}
_BAND_CODES = {AgeBand.MINOR: "m", AgeBand.ADULT: "a", AgeBand.UNDER_13: "u"}
_BANDS_BY_CODE = {code: band for band, code in _BAND_CODES.items()}


@dataclass(frozen=True)
class Draft:
    """The choices made so far, carried from step to step in the buttons' custom ids (``fiym``:
    Finnish, a young person, 13–17): nothing is kept on our side until Accept."""

    locale: str
    who: Who | None = None
    band: AgeBand | None = None

    @property
    def code(self) -> str:
        return self.locale + (self.who.value if self.who else "_") + (_BAND_CODES[self.band] if self.band else "_")

    @classmethod
    def parse(cls, code: str) -> Draft:
        locale, who, band = code[:2], code[2:3], code[3:4]
        if locale not in LOCALES:
            raise ValueError(code)
        return cls(locale, Who(who) if who and who != "_" else None, _BANDS_BY_CODE.get(band))


class Desk(Protocol):
    """What the buttons call; implemented by ``cogs.onboarding.OnboardingCog``."""

    async def on_step(self, interaction: discord.Interaction, guild_id: int, step: str, state: str,
                      version: int) -> None: ...


class OnboardingButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"k:v1:onb:(?P<guild>\d+):(?P<step>[a-z]+)(?::(?P<state>\w{0,4}))?(?::(?P<version>\d+))?",
):
    """``k:v1:onb:<guild>:<step>[:<choices>[:<rules version>]]``. The guild is in the id because
    the welcome DM's button is pressed where Discord names no guild."""

    def __init__(self, guild_id: int, step: str, state: str = "", version: int | None = None, *,
                 label: str, style: discord.ButtonStyle = discord.ButtonStyle.secondary) -> None:
        custom_id = f"k:v1:onb:{guild_id}:{step}" + (f":{state}" if state or version is not None else "")
        custom_id += f":{version}" if version is not None else ""
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id))
        self.guild_id, self.step, self.state, self.version = guild_id, step, state, version or 0

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> OnboardingButton:
        assert isinstance(item, discord.ui.Button)
        version = int(match["version"]) if match["version"] else None
        return cls(int(match["guild"]), match["step"], match["state"] or "", version, label=item.label or "",
                   style=item.style)

    async def callback(self, interaction: discord.Interaction) -> None:
        desk: Desk = interaction.client.onboarding  # type: ignore[attr-defined]
        try:
            await desk.on_step(interaction, self.guild_id, self.step, self.state, self.version)
        except Exception as error:
            await kit_of(interaction).explain(interaction, error)


def _view(*buttons: OnboardingButton) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(button)
    return view


def ordered(first: str) -> list[str]:
    return [first, *(loc for loc in LOCALES if loc != first)]


# ----- the panel and the welcome DM -----------------------------------------------------------

def start_view(i18n: I18n, locale: str, guild_id: int) -> discord.ui.View:
    """One button, labelled in all three languages (the server's first): nobody's language is known yet."""
    label = " · ".join(i18n.t(loc, START) for loc in ordered(locale))
    return _view(OnboardingButton(guild_id, "start", label=label, style=discord.ButtonStyle.primary))


def greeting(i18n: I18n, locale: str, server: str) -> str:
    """What the panel and the welcome DM say, in all three languages (the server's first)."""
    return "\n\n".join(i18n.t(
        loc, "Welcome to {server}! Press the button below to choose your language and your group and to read "
        "the community rules. Only you see your answers.", server=discord.utils.escape_markdown(server),
    ) for loc in ordered(locale))


def panel(i18n: I18n, locale: str, server: str) -> discord.Embed:
    return discord.Embed(title=i18n.t(locale, START), description=greeting(i18n, locale, server),
                         colour=discord.Colour.teal())


# ----- the steps -------------------------------------------------------------------------------

def language_step(i18n: I18n, locale: str, guild_id: int) -> tuple[str, discord.ui.View]:
    buttons = [OnboardingButton(guild_id, "lang", Draft(loc).code, label=LANGUAGE_NAMES[loc].capitalize())
               for loc in LOCALES]
    return i18n.t(locale, "Which language would you like Kohtaamo to use with you?"), _view(*buttons)


def who_step(i18n: I18n, draft: Draft, guild_id: int) -> tuple[str, discord.ui.View]:
    buttons = [OnboardingButton(guild_id, "who", replace(draft, who=who).code, label=i18n.t(draft.locale, label))
               for who, label in WHO_LABELS.items()]
    return i18n.t(draft.locale, "Who are you here? Young carers can choose both."), _view(*buttons)


def age_step(i18n: I18n, draft: Draft, guild_id: int) -> tuple[str, discord.ui.View]:
    buttons = [OnboardingButton(guild_id, "age", replace(draft, band=band).code, label=i18n.t(draft.locale, label))
               for band, label in BAND_LABELS.items()]
    text = i18n.t(draft.locale, "How old are you? We ask so that the rooms of 13–17-year-olds stay safe. "
                                "Later only a moderator can change your age group.")
    return text, _view(*buttons)


def rules_step(i18n: I18n, draft: Draft, guild_id: int, rules: CommunityRules) -> tuple[str, discord.Embed,
                                                                                         discord.ui.View]:
    accept = i18n.t(draft.locale, ACCEPT)
    text = i18n.t(draft.locale, "Please read the community rules. By pressing “{button}” you agree to follow them.",
                  button=accept)
    embed = discord.Embed(title=i18n.t(draft.locale, "Community rules"), description=rules.text,
                          colour=discord.Colour.teal())
    button = OnboardingButton(guild_id, "accept", draft.code, rules.version, label=accept,
                              style=discord.ButtonStyle.success)
    return text, embed, _view(button)


def under_13(i18n: I18n, locale: str) -> str:
    phone = next(c for c in crisis_contacts(locale).contacts if c.key == CHILD_HELPLINE)
    return i18n.t(
        locale, "Thank you for telling us honestly. Kohtaamo is for people aged 13 and over, so you cannot join "
        "here. Nothing you chose was saved. If you would like to talk to someone, you can call or chat here:",
    ) + f"\n• **{phone.name}**: {phone.detail} ({phone.note})"


def summary(i18n: I18n, locale: str, choices: Choices, *, when: str) -> str:
    band = i18n.t(locale, BAND_LABELS[choices.age_band]) if choices.age_band else i18n.t(locale, "not a young person")
    lines = [
        i18n.t(locale, "Language: {language}", language=LANGUAGE_NAMES[locale]),
        i18n.t(locale, "Caregiver: {answer}", answer=i18n.t(locale, "yes") if choices.caregiver else i18n.t(locale, "no")),
        i18n.t(locale, "Age group: {band}", band=band),
        i18n.t(locale, "Community rules accepted: version {version}, {when}", version=choices.rules_version, when=when),
    ]
    return "\n".join(lines)


def welcome(i18n: I18n, locale: str, roles: Iterable[discord.Role]) -> str:
    names = ", ".join(f"**{discord.utils.escape_markdown(r.name)}**" for r in roles)
    return i18n.t(locale, "Welcome! You now have: {roles}. You can change your language and whether you are a "
                          "caregiver at any time with /profile.", roles=names)


def already(i18n: I18n, locale: str, choices: Choices, when: str) -> str:
    return "\n".join([
        i18n.t(locale, "You have been through the introduction already. Your choices:"),
        summary(i18n, locale, choices, when=when),
        i18n.t(locale, "You can change them with /profile."),
    ])


# ----- /profile ---------------------------------------------------------------------------------

def profile(i18n: I18n, locale: str, guild_id: int, choices: Choices, when: str) -> tuple[discord.Embed,
                                                                                          discord.ui.View]:
    embed = discord.Embed(title=i18n.t(locale, "Your profile"), description=summary(i18n, locale, choices, when=when),
                          colour=discord.Colour.teal())
    embed.set_footer(text=i18n.t(locale, "Only you see this."))
    languages = [OnboardingButton(guild_id, "plang", Draft(loc).code, label=LANGUAGE_NAMES[loc].capitalize(),
                                  style=discord.ButtonStyle.primary if loc == locale else discord.ButtonStyle.secondary)
                 for loc in LOCALES]
    care = (N_("I am not a caregiver"), "n") if choices.caregiver else (N_("I am a caregiver too"), "y")
    return embed, _view(
        *languages,
        OnboardingButton(guild_id, "pcare", care[1], label=i18n.t(locale, care[0])),
        OnboardingButton(guild_id, "pband", label=i18n.t(locale, "Change my age group")),
    )


def band_by_moderator(i18n: I18n, locale: str) -> str:
    return i18n.t(
        locale, "Only a moderator can change your age group. This keeps the rooms of 13–17-year-olds safe: nobody "
        "can move into them, or out of them, by themselves. If your age group is wrong, ask a moderator.",
    )


# ----- roles -------------------------------------------------------------------------------------

def grantable(i18n: I18n, locale: str, guild: discord.Guild, config: GuildConfig,
              wanted: Iterable[BotRole]) -> list[discord.Role]:
    """The Discord roles mapped to ``wanted``; KohtaamoError (in ``locale``) naming what stops the bot."""
    found = []
    for key in wanted:
        role = guild.get_role(config.roles.get(key, 0))
        if role is None:
            raise KohtaamoError(
                "This server has no role for {group} yet, so nothing was saved. Please tell the server's staff: "
                "they set it with /setup.", group=i18n.t(locale, ROLE_NAMES[key]),
            )
        why = unassignable(guild.me, role)
        if why == "manage_roles":
            raise KohtaamoError("The bot cannot give roles here: it lacks the {permission} permission. Nothing "
                                "was saved; please tell the server's staff.",
                                permission=i18n.t(locale, PERMISSION_NAMES[why]))
        if why is not None:
            raise KohtaamoError("The bot cannot give the role {role}: it is above the bot's own role in Server "
                                "Settings → Roles. Nothing was saved; please tell the server's staff.", role=role.name)
        found.append(role)
    return found


def stamp(when: datetime) -> str:
    return discord.utils.format_dt(when, "d")


# ----- /onboarding rules ----------------------------------------------------------------------

# Answered from ``OnboardingCog.on_interaction`` by its custom id, so a form opened before a
# restart is still taken after it.
RULES_FORM = re.compile(r"k:v1:onb:(?P<guild>\d+):rulesform:(?P<locale>[a-z]{2})")


class RulesForm(discord.ui.Modal):
    def __init__(self, i18n: I18n, locale: str, guild_id: int, language: str, current: str) -> None:
        super().__init__(title=i18n.t(locale, "Community rules ({language})", language=LANGUAGE_NAMES[language]),
                         custom_id=f"k:v1:onb:{guild_id}:rulesform:{language}", timeout=1800)
        self.add_item(discord.ui.Label(
            text=i18n.t(locale, "Rules"),
            description=i18n.t(locale, "Members read these before they accept. Saving makes a new version."),
            component=discord.ui.TextInput(custom_id="rules", style=discord.TextStyle.paragraph, default=current,
                                           max_length=RULES_MAX),
        ))
