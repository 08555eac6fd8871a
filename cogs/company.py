"""Anonymous "I need company" requests: asking, the queue card, taking, the relay, ending.

Anything volunteers can see is sent with a plain ``channel.send`` (an interaction response
would carry the asker in ``interaction_metadata``) and names the member only by pseudonym."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.services.company import CompanyService, Kind, Request, Status
from bot.services.company_moderation import Block, CompanyModeration
from bot.services.setup import BotChannel, BotRole, GuildConfig
from bot.services.volunteer import Audience, VolunteerService
from bot.ui import company as ui
from bot.ui.crisis import crisis_text
from bot.ui.kit import Kit, requires
from bot.ui.relay import neutralise

log = logging.getLogger(__name__)


def audience_of(config: GuildConfig, member: discord.Member) -> Audience:
    """The member's band from their mapped roles; a minor's role wins (safety first)."""
    held = {r.id for r in member.roles}
    for role, audience in ((BotRole.YOUTH_MINOR, Audience.YOUTH_MINOR), (BotRole.YOUTH_ADULT, Audience.YOUTH_ADULT),
                           (BotRole.CAREGIVER, Audience.CAREGIVER)):
        if config.roles.get(role) in held:
            return audience
    return Audience.UNKNOWN


# The member talks with the volunteer in their DMs with the bot, so /company end and cancel work
# there too; everything else needs a server (checked per command).
@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
@app_commands.allowed_installs(guilds=True, users=False)
class CompanyCog(commands.GroupCog, group_name=_("company"), group_description=_("Ask for company, anonymously")):
    def __init__(
        self, bot: commands.Bot, kit: Kit, company: CompanyService, moderation: CompanyModeration,
        volunteers: VolunteerService, opened: Callable[[Request], Awaitable[None]],
    ) -> None:
        """``opened`` is the relay's: it delivers what the member wrote before the thread opened."""
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.company = company
        self.moderation = moderation
        self.volunteers = volunteers
        self.opened = opened
        super().__init__()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """A request taken just before the bot stopped, whose thread never opened, is back in the queue."""
        for request in await self.company.release_stalled():
            await self._refresh_card(request, (await self.kit.setup.get(request.guild_id)).locale)

    # ----- asking -------------------------------------------------------------------------

    @app_commands.command(name=_("request"), description=_("Ask for a volunteer to keep you company"))
    async def request(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        locale = await self.kit.locale(interaction)
        await interaction.response.send_modal(ui.RequestForm(self.i18n, locale, interaction.guild_id))

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """The request and feedback forms, matched by custom id (see ``ui.FORM``)."""
        if interaction.type is not discord.InteractionType.modal_submit or not interaction.data:
            return
        match = ui.FORM.fullmatch(str(interaction.data.get("custom_id", "")))
        if match is None:
            return
        answers = ui.submitted(interaction.data)
        try:
            if match["form"] == "request":
                language = (answers.get("language") or [await self.kit.locale(interaction)])[0]
                await self.submit_request(interaction, int(match["ref"]), Kind(answers.get("kind") or Kind.CHAT_NOW),
                                          answers.get("topic") or None, language)
            else:
                await self.submit_feedback(interaction, int(match["ref"]), int(answers.get("rating") or 0),
                                           answers.get("text") or None)
        except Exception as error:
            await self.kit.explain(interaction, error)

    async def submit_request(
        self, interaction: discord.Interaction, guild_id: int, kind: Kind, topic: str | None, language: str
    ) -> None:
        locale = await self.kit.locale(interaction)
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(interaction.user.id) if guild else None
        if guild is None or member is None:
            await self.kit.reply(interaction, self.i18n.t(locale, "You are no longer a member of that server."))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        config = await self.kit.setup.get(guild_id)
        queue = guild.get_channel(config.channels.get(BotChannel.VOLUNTEER_QUEUE, 0))
        if not isinstance(queue, discord.TextChannel):
            await self.kit.reply(interaction, self._unavailable(locale))
            return
        request = await self.company.open(
            guild_id, member.id, audience=audience_of(config, member), language=language, kind=kind, topic=topic,
            locale=locale,
        )
        dm = await ui.send_dm(self.bot, member.id, self.i18n.t(
            locale,
            "Your request for company is in the volunteers' queue. When a volunteer takes it, I will tell you here, "
            "and you can then write to them in this chat. They will not see your name. "
            "We cannot promise how soon someone is free.",
        ), ui.buttons(self.i18n, locale, request.id, "cancel"))
        if dm is None:
            await self.company.withdraw(request.id)
            await self.kit.reply(interaction, self.i18n.t(
                locale,
                "I could not send you a direct message, and the conversation happens there. Please allow direct "
                "messages from server members (Server menu → Privacy Settings) and ask again. Nothing was sent.",
            ))
            return
        try:
            await self._post_card(queue, config, request)
        except discord.HTTPException:
            log.warning("could not post company request %s in the queue", request.id)
            await self.company.withdraw(request.id)
            with contextlib.suppress(discord.HTTPException):
                await dm.edit(content=self._unavailable(locale), view=None)
            await self.kit.reply(interaction, self._unavailable(locale))
            return
        await self.kit.reply(interaction, self.i18n.t(
            locale, "Thank you. Your request is waiting for a volunteer; I sent you a direct message about what happens next.",
        ))

    def _unavailable(self, locale: str) -> str:
        return self.i18n.t(locale, "Company requests cannot reach volunteers right now. Nothing was sent.") + "\n\n" + (
            crisis_text(self.i18n, locale)
        )

    async def _post_card(self, queue: discord.TextChannel, config: GuildConfig, request: Request) -> None:
        matching = await self.volunteers.on_duty_matching(request.guild_id, request.audience, request.language)
        pings = [discord.Object(v.user_id) for v in matching]
        content = " ".join(f"<@{v.user_id}>" for v in matching) or None
        message = await queue.send(
            content,
            embed=ui.card(self.i18n, config.locale, request),
            view=ui.buttons(self.i18n, config.locale, request.id, "take"),
            allowed_mentions=discord.AllowedMentions(users=pings),
            nonce=f"kc{request.id}",
        )
        await self.company.attach_card(request.id, queue.id, message.id)

    # ----- buttons ------------------------------------------------------------------------

    async def on_button(self, interaction: discord.Interaction, action: str, ref: int) -> None:
        handlers = {
            "ask": self._ask, "take": self._take, "end": self._end_button, "concern": self._concern,
            "cancel": self._cancel, "wait": self._keep_waiting, "feedback": self._feedback,
        }
        handler = handlers.get(action)
        if handler is None:
            raise KohtaamoError("This button is no longer in use.")
        await handler(interaction, ref, await self.kit.locale(interaction))

    async def _ask(self, interaction: discord.Interaction, guild_id: int, locale: str) -> None:
        await interaction.response.send_modal(ui.RequestForm(self.i18n, locale, guild_id))

    async def _take(self, interaction: discord.Interaction, request_id: int, locale: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        request = await self.company.claim(request_id, interaction.user.id)
        volunteer = await self.volunteers.get(request.guild_id, interaction.user.id)
        assert volunteer is not None and request.card_channel_id is not None
        queue = self.bot.get_channel(request.card_channel_id)
        config = await self.kit.setup.get(request.guild_id)
        thread = None
        try:  # the thread gets its intro before the volunteer joins; what the guest writes meanwhile is kept
            if not isinstance(queue, discord.TextChannel):
                raise discord.ClientException("the volunteer queue channel is gone")
            thread = await queue.create_thread(
                name=ui.pseudonym(self.i18n, config.locale, request), type=discord.ChannelType.private_thread,
                invitable=False, auto_archive_duration=1440,
            )
            await thread.send(
                ui.thread_intro(self.i18n, config.locale, request),
                embed=ui.card(self.i18n, config.locale, request),
                view=ui.buttons(self.i18n, config.locale, request.id, "end", "concern"),
            )
            await thread.add_user(interaction.user)
        except (discord.HTTPException, discord.ClientException):
            log.warning("could not open a thread for company request %s; released", request_id)
            if thread is not None:
                with contextlib.suppress(discord.HTTPException):
                    await thread.delete()
            await self.company.unclaim(request_id, interaction.user.id)
            await self.kit.reply(interaction, self.i18n.t(
                locale, "Discord did not let me open the conversation. The request is back in the queue; please try again.",
            ))
            return
        request = await self.company.set_thread(request_id, thread.id)
        await self.opened(request)
        await self._refresh_card(request, config.locale)
        reached = await ui.dm_requester(self.bot, self.company, request, self.i18n.t(
            request.locale,
            "A volunteer, {name}, is here now. Write your messages in this chat and I will pass them on. "
            "They will not see your name.",
            name=volunteer.display_name,
        ), ui.buttons(self.i18n, request.locale, request.id, "end"))
        if not reached:
            await thread.send(self.i18n.t(config.locale, "I could not reach the member by direct message."))
        await self.kit.reply(interaction, self.i18n.t(locale, "You took the request: {thread}", thread=thread.mention))

    async def _refresh_card(self, request: Request, locale: str) -> None:
        if request.card_channel_id is None or request.card_message_id is None:
            return
        channel = self.bot.get_channel(request.card_channel_id)
        if not isinstance(channel, discord.TextChannel):
            return
        view = ui.buttons(self.i18n, locale, request.id, "take") if request.status is Status.OPEN else None
        try:
            await channel.get_partial_message(request.card_message_id).edit(
                content=None, embed=ui.card(self.i18n, locale, request), view=view
            )
        except discord.HTTPException:
            log.info("queue card of request %s could not be updated", request.id)

    async def _end_button(self, interaction: discord.Interaction, request_id: int, locale: str) -> None:
        request = await self.company.get(request_id)
        if request is None:
            raise KohtaamoError("This request is no longer open.")
        side = "volunteer" if interaction.user.id == request.claimed_by else "member"
        await self._finish(interaction, request_id, side, locale)

    @app_commands.command(name=_("end"), description=_("End your company conversation"))
    async def end(self, interaction: discord.Interaction) -> None:
        locale = await self.kit.locale(interaction)
        request = None
        if isinstance(interaction.channel, discord.Thread):
            request = await self.company.by_thread(interaction.channel.id)
        side = "volunteer"
        if request is None:
            request, side = await self.company.active_for_member(interaction.user.id), "member"
        if request is None:
            raise KohtaamoError("You have no open company conversation.")
        await self._finish(interaction, request.id, side, locale)

    async def _finish(self, interaction: discord.Interaction, request_id: int, side: str, locale: str) -> None:
        request = await self.company.end(request_id, side, interaction.user.id)
        if request.status is Status.CANCELLED:  # nobody had taken it yet: that is a cancel
            await self._after_cancel(interaction, request)
            return
        await self.kit.reply(interaction, self.i18n.t(locale, "The conversation has ended. Thank you."))
        await self.close_conversation(request)

    async def end_for_erasure(self, guild_id: int, user_id: int) -> None:
        """Before the member's data in the guild is erased: their waiting request is withdrawn and
        their conversation ended (the volunteer is told; no feedback is asked of them), and the
        conversations they hold as a volunteer end as when a volunteer is removed."""
        request = await self.company.active_for_member(user_id)
        if request is not None and request.guild_id == guild_id:
            request = await self.company.cancel(request.id, user_id)
            if request.status is Status.ENDED:
                await self.close_conversation(request, offer_feedback=False)
            else:
                await self._refresh_card(request, (await self.kit.setup.get(guild_id)).locale)
        for held in await self.company.volunteer_removed(guild_id, user_id):
            await self.close_conversation(held)

    async def close_conversation(self, request: Request, *, offer_feedback: bool = True) -> None:
        """Tell both sides, lock the thread and offer the member anonymous feedback (not when the
        member is erasing their data: then they are told nothing here)."""
        config = await self.kit.setup.get(request.guild_id)
        by = {"member": N_("The guest ended the conversation."),
              "volunteer": N_("The volunteer ended the conversation."),
              "moderator": N_("A moderator ended the conversation."),
              "system": N_("The conversation ended because the volunteer is no longer available.")}
        reason = by.get(request.ended_by or "system", by["system"])
        thread = self.bot.get_channel(request.thread_id or 0)
        if isinstance(thread, discord.Thread):
            try:
                await thread.send(self.i18n.t(config.locale, reason))
                await thread.edit(archived=True, locked=True)
            except discord.HTTPException:
                log.info("thread of request %s could not be closed", request.id)
        await self._refresh_card(request, config.locale)
        if not offer_feedback:
            return
        await ui.dm_requester(
            self.bot, self.company, request,
            self.i18n.t(request.locale, reason) + " " + self.i18n.t(
                request.locale, "If you like, tell us anonymously how it went. You can ask for company again any time."
            ),
            ui.buttons(self.i18n, request.locale, request.id, "feedback"),
        )

    async def _concern(self, interaction: discord.Interaction, request_id: int, locale: str) -> None:
        request = await self.company.get(request_id)
        if request is None:
            raise KohtaamoError("This request is no longer open.")
        config = await self.kit.setup.get(request.guild_id)
        modlog = self.bot.get_channel(config.channels.get(BotChannel.MODLOG, 0))
        if not isinstance(modlog, discord.TextChannel):
            raise KohtaamoError("The moderation log is not set up; please contact a moderator directly.")
        request = await self.company.raise_concern(request_id, interaction.user.id)
        role_id = config.roles.get(BotRole.MODERATOR)
        thread = self.bot.get_channel(request.thread_id or 0)
        text = self.i18n.t(
            config.locale,
            "Safety concern: volunteer {volunteer} is worried about {guest} (request {number}). Conversation: {link}",
            volunteer=interaction.user.mention, guest=ui.pseudonym(self.i18n, config.locale, request), number=request.id,
            link=thread.jump_url if isinstance(thread, discord.Thread) else "—",
        )
        await modlog.send(
            f"<@&{role_id}> {text}" if role_id else text,
            allowed_mentions=discord.AllowedMentions(roles=[discord.Object(role_id)] if role_id else False),
        )
        await self.kit.reply(interaction, self.i18n.t(locale, "Moderators were alerted. Thank you for telling us."))

    async def _cancel(self, interaction: discord.Interaction, request_id: int, locale: str) -> None:
        request = await self.company.cancel(request_id, interaction.user.id)
        await self._after_cancel(interaction, request)

    @app_commands.command(name=_("cancel"), description=_("Cancel your waiting company request"))
    async def cancel(self, interaction: discord.Interaction) -> None:
        request = await self.company.active_for_member(interaction.user.id)
        if request is None:
            raise KohtaamoError("You have no open company request.")
        await self._after_cancel(interaction, await self.company.cancel(request.id, interaction.user.id))

    async def _after_cancel(self, interaction: discord.Interaction, request: Request) -> None:
        await self.kit.reply(interaction, self.i18n.t(request.locale, "Your request was cancelled. You can ask again any time."))
        if request.status is Status.ENDED:  # it had already been taken: cancelling ends the conversation
            await self.close_conversation(request)
        else:
            await self._refresh_card(request, (await self.kit.setup.get(request.guild_id)).locale)

    async def _keep_waiting(self, interaction: discord.Interaction, request_id: int, locale: str) -> None:
        request = await self.company.keep_waiting(request_id, interaction.user.id)
        await self.kit.reply(interaction, self.i18n.t(request.locale, "Alright, your request stays in the queue."))

    async def _feedback(self, interaction: discord.Interaction, request_id: int, locale: str) -> None:
        request = await self.company.get(request_id)
        if request is None or not await self.company.owned_by(request_id, interaction.user.id):
            raise KohtaamoError("This button is not for you.")
        await interaction.response.send_modal(ui.FeedbackForm(self.i18n, request.locale, request_id))

    async def submit_feedback(
        self, interaction: discord.Interaction, request_id: int, rating: int, text: str | None
    ) -> None:
        locale = await self.kit.locale(interaction)
        await self.company.feedback(request_id, interaction.user.id, rating, text)
        await self.kit.reply(interaction, self.i18n.t(locale, "Thank you for your feedback."))

    # ----- moderators ---------------------------------------------------------------------

    @app_commands.command(name=_("panel"), description=_("Post a pinned panel where members can ask for company"))
    @requires(BotRole.MODERATOR)
    async def panel(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None and isinstance(interaction.channel, discord.abc.Messageable)
        locale = await self.kit.locale(interaction)
        config = await self.kit.setup.get(interaction.guild_id)
        embed = discord.Embed(
            title=self.i18n.t(config.locale, "Would you like company?"),
            description=self.i18n.t(
                config.locale,
                "Press the button to ask for a volunteer to chat with you, talk later today, or just listen. "
                "The volunteer will not see your name.",
            ),
            colour=discord.Colour.teal(),
        )
        message = await interaction.channel.send(
            embed=embed, view=ui.buttons(self.i18n, config.locale, interaction.guild_id, "ask")
        )
        try:
            await message.pin()
        except discord.HTTPException:
            await self.kit.reply(interaction, self.i18n.t(locale, "The panel was posted but I could not pin it (Manage Messages)."))
            return
        await self.kit.reply(interaction, self.i18n.t(locale, "The panel was posted and pinned."))

    @app_commands.command(name=_("reveal"), description=_("Moderators: see who made a request, with a written reason"))
    @app_commands.rename(request_id=_("request"), reason=_("reason"))
    @app_commands.describe(request_id=_("The request number from the queue card"), reason=_("Why you need to know"))
    @requires(BotRole.MODERATOR)
    async def reveal(
        self, interaction: discord.Interaction, request_id: int, reason: app_commands.Range[str, 10, 500]
    ) -> None:
        assert interaction.guild_id is not None
        locale = await self.kit.locale(interaction)
        request = await self.company.get(request_id)
        if request is None or request.guild_id != interaction.guild_id:
            raise KohtaamoError("There is no request {number} on this server.", number=request_id)
        config = await self.kit.setup.get(interaction.guild_id)
        # Every look-up is logged first: without a moderation log there is no look-up.
        await self._modlog(config, self.i18n.t(
            config.locale, "{moderator} looked up who made request {number} ({guest}). Reason: {reason}",
            moderator=interaction.user.mention, number=request_id,
            guest=ui.pseudonym(self.i18n, config.locale, request), reason=neutralise(reason),
        ), required=True)
        user_id = await self.moderation.reveal(request_id, interaction.user.id, reason)
        await self.kit.reply(interaction, self.i18n.t(
            locale, "{guest} is {member} (id {id}). This look-up was logged.",
            guest=ui.pseudonym(self.i18n, locale, request), member=f"<@{user_id}>", id=user_id,
        ))

    @app_commands.command(name=_("block"), description=_("Moderators: stop a member from asking for company"))
    @app_commands.rename(member=_("member"), request=_("request"), reason=_("reason"))
    @app_commands.describe(
        reason=_("Why (kept in the case)"),
        member=_("The member, if you know who it is"),
        request=_("Or the request number or guest name from the card (12, Vieras 4821): who it is stays hidden"),
    )
    @requires(BotRole.MODERATOR)
    async def block(
        self, interaction: discord.Interaction, reason: app_commands.Range[str, 10, 500],
        member: discord.Member | None = None, request: app_commands.Range[str, 1, 50] | None = None,
    ) -> None:
        await self._block(interaction, reason, member, request, blocked=True)

    @app_commands.command(name=_("unblock"), description=_("Moderators: let a member ask for company again"))
    @app_commands.rename(member=_("member"), request=_("request"), reason=_("reason"))
    @app_commands.describe(
        reason=_("Why (kept in the case)"),
        member=_("The member, if you know who it is"),
        request=_("Or the request number or guest name from the card (12, Vieras 4821): who it is stays hidden"),
    )
    @requires(BotRole.MODERATOR)
    async def unblock(
        self, interaction: discord.Interaction, reason: app_commands.Range[str, 10, 500],
        member: discord.Member | None = None, request: app_commands.Range[str, 1, 50] | None = None,
    ) -> None:
        await self._block(interaction, reason, member, request, blocked=False)

    async def _block(
        self, interaction: discord.Interaction, reason: str, member: discord.Member | None, named: str | None,
        *, blocked: bool,
    ) -> None:
        assert interaction.guild_id is not None
        locale = await self.kit.locale(interaction)
        request = await self.moderation.find(interaction.guild_id, named) if named else None
        action = self.moderation.block if blocked else self.moderation.unblock
        done = await action(interaction.guild_id, interaction.user.id, reason,
                            member_id=member.id if member else None, request=request)
        config = await self.kit.setup.get(interaction.guild_id)
        for cancelled in done.cancelled:
            await self._refresh_card(cancelled, config.locale)
            await ui.dm_requester(self.bot, self.company, cancelled, self.i18n.t(
                cancelled.locale, "Your request for company was cancelled by the moderators. They can tell you more "
                "if you contact them.",
            ))
        await self._modlog(config, self._block_text(config.locale, done, interaction.user, member, reason, blocked))
        await self.kit.reply(interaction, self._block_text(locale, done, interaction.user, member, reason, blocked))

    def _block_text(
        self, locale: str, done: Block, moderator: discord.abc.User, member: discord.Member | None, reason: str,
        blocked: bool,
    ) -> str:
        """The case as the log and the moderator see it: by request it names the request, never the member."""
        if done.request is not None:
            template = (N_("Case {case}: {moderator} blocked the member behind request {number} ({guest}) from company "
                           "requests, without revealing who it is. Reason: {reason}") if blocked
                        else N_("Case {case}: {moderator} let the member behind request {number} ({guest}) ask for "
                                "company again. Reason: {reason}"))
            return self.i18n.t(locale, template, case=done.case, moderator=moderator.mention, number=done.request.id,
                               guest=ui.pseudonym(self.i18n, locale, done.request), reason=neutralise(reason))
        assert member is not None
        template = (N_("Case {case}: {moderator} blocked {member} from company requests. Reason: {reason}") if blocked
                    else N_("Case {case}: {moderator} let {member} ask for company again. Reason: {reason}"))
        return self.i18n.t(locale, template, case=done.case, moderator=moderator.mention, member=member.mention,
                           reason=neutralise(reason))

    async def _modlog(self, config: GuildConfig, text: str, *, required: bool = False) -> None:
        """Write to the moderation log; when ``required``, failing to is an error for the moderator."""
        channel = self.bot.get_channel(config.channels.get(BotChannel.MODLOG, 0))
        try:
            if not isinstance(channel, discord.TextChannel):
                raise discord.ClientException("no moderation log")
            await channel.send(text)
        except (discord.HTTPException, discord.ClientException):
            log.warning("could not write to the moderation log of guild %s", config.guild_id)
            if required:
                raise KohtaamoError("The moderation log is not available, so this cannot be done. Check /setup.") from None
