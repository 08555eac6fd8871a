"""When nobody takes a company request: moderators and the volunteers on duty are pinged again
after the nudge time, and the member is told honestly after the server's honest time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord
from discord.ext import commands

from bot.clock import Clock
from bot.scheduling import DueJob
from bot.services.company import CompanyService
from bot.services.setup import BotRole
from bot.services.volunteer import Audience, VolunteerService
from bot.ui import company as ui
from bot.ui.crisis import crisis_text
from bot.ui.kit import Kit


class CompanyWaitingCog(commands.Cog):
    """No commands: the scheduler calls ``on_escalate`` and ``on_give_up``."""

    def __init__(
        self, bot: commands.Bot, kit: Kit, company: CompanyService, volunteers: VolunteerService, clock: Clock,
        upcoming: Callable[[int, Audience, str], Awaitable[str | None]] | None = None,
    ) -> None:
        """``upcoming(guild, audience, locale)``: lines offering the events the member may join."""
        self.bot = bot
        self.upcoming = upcoming
        self.kit = kit
        self.i18n = kit.i18n
        self.company = company
        self.volunteers = volunteers
        self.clock = clock

    async def on_escalate(self, job: DueJob) -> None:
        request = await self.company.due_escalation(job)
        if request is None or request.card_channel_id is None:
            return
        config = await self.kit.setup.get(request.guild_id)
        queue = self.bot.get_channel(request.card_channel_id)
        if not isinstance(queue, discord.TextChannel):
            return
        volunteers = await self.volunteers.on_duty_matching(request.guild_id, request.audience, request.language)
        role_id = config.roles.get(BotRole.MODERATOR)
        mentions = [f"<@&{role_id}>"] if role_id else []
        mentions += [f"<@{v.user_id}>" for v in volunteers]
        text = self.i18n.t(
            config.locale, "{guest} has waited {minutes} minutes and nobody has taken the request yet.",
            guest=ui.pseudonym(self.i18n, config.locale, request),
            minutes=int(request.waiting(self.clock.now()).total_seconds() // 60),
        )
        card = queue.get_partial_message(request.card_message_id) if request.card_message_id else None
        await queue.send(
            " ".join([*mentions, text]) + (f"\n{card.jump_url}" if card else ""),
            allowed_mentions=discord.AllowedMentions(
                roles=[discord.Object(role_id)] if role_id else False, users=[discord.Object(v.user_id) for v in volunteers]
            ),
            nonce=f"ke{request.id}",
        )

    async def on_give_up(self, job: DueJob) -> None:
        request = await self.company.due_give_up(job)
        if request is None:
            return
        text = self.i18n.t(
            request.locale,
            "I am sorry: no volunteer has been free to take your request yet. You can keep waiting, or cancel. "
            "If things feel heavy right now, these services are there for you:",
        )
        events = await self.upcoming(request.guild_id, request.audience, request.locale) if self.upcoming else None
        await ui.dm_requester(
            self.bot, self.company, request, text + "\n" + crisis_text(self.i18n, request.locale)
            + (f"\n\n{events}" if events else ""),
            ui.buttons(self.i18n, request.locale, request.id, "wait", "cancel"), nonce=f"kg{job.id}",
        )
