"""/event create, edit, cancel and list, the create/edit form, and the card's buttons.

Reminders, the weekly series and Discord's "Interested" live in ``cogs.event_reminders``."""

from __future__ import annotations

import io
import logging

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.clock import Clock
from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.services.event import NOT_FOR_YOU, Choice, Details, Event, EventService, Options, member_audiences
from bot.services.event_calendar import ics
from bot.services.room import Audience, RoomService
from bot.services.setup import BotRole, GuildConfig
from bot.ui import event as ui
from bot.ui.company import submitted
from bot.ui.event_publish import EventPublisher
from bot.ui.kit import Kit, form, requires
from bot.ui.room import AUDIENCE_NAMES

log = logging.getLogger(__name__)
AUDIENCES = [app_commands.Choice(name=_(name), value=a.value) for a, name in AUDIENCE_NAMES.items()]
ROOM_MISMATCH = N_("{channel} is a room for {room}, not for {audience}. Post the event in a room for {audience}.")


@app_commands.guild_only()
class EventCog(commands.GroupCog, group_name=_("event"), group_description=_("Events: see what is coming and sign up")):
    def __init__(
        self, bot: commands.Bot, kit: Kit, events: EventService, rooms: RoomService, publisher: EventPublisher,
        clock: Clock,
    ) -> None:
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.events = events
        self.rooms = rooms
        self.publisher = publisher
        self.clock = clock
        super().__init__()

    async def cog_unload(self) -> None:
        await self.publisher.cards.flush()  # the last answers reach the card before the bot stops

    async def audiences(self, interaction: discord.Interaction) -> frozenset[Audience] | None:
        """Who the member is for events (None: staff, moderators and server managers: all)."""
        if interaction.permissions.manage_guild or not isinstance(interaction.user, discord.Member):
            return None
        config = await self.kit.config(interaction)
        return member_audiences(config, {r.id for r in interaction.user.roles})

    # ----- /event create ------------------------------------------------------------------

    @app_commands.command(name=_("create"), description=_("Staff: make an event; a form asks for the details"))
    @app_commands.rename(channel=_("channel"), capacity=_("capacity"), audience=_("audience"), voice=_("voice_channel"),
                         weeks=_("weekly_times"))
    @app_commands.describe(
        channel=_("Where the event card is posted (default: here)"),
        capacity=_("How many can come; others go on a waiting list"),
        audience=_("Only this group may sign up; the card goes in one of its rooms"),
        voice=_("A voice channel where the event takes place"),
        weeks=_("Repeat weekly: how many times in all, the first included"),
    )
    @app_commands.choices(audience=AUDIENCES)
    @requires(BotRole.STAFF)
    async def create(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None,
        capacity: app_commands.Range[int, 1, 1000] | None = None, audience: app_commands.Choice[str] | None = None,
        voice: discord.VoiceChannel | None = None, weeks: app_commands.Range[int, 1, 52] | None = None,
    ) -> None:
        locale = await self.kit.locale(interaction)
        config = await self.kit.config(interaction)
        chosen = Audience(audience.value) if audience else None
        target, chosen = await self._where(interaction, config, locale, channel, chosen)
        custom_id = ui.new_form_id(target, capacity, chosen, voice.id if voice else None, weeks or 1)
        await interaction.response.send_modal(ui.EventForm(self.i18n, locale, custom_id))

    async def _where(
        self, interaction: discord.Interaction, config: GuildConfig, locale: str, channel: discord.TextChannel | None,
        audience: Audience | None,
    ) -> tuple[int, Audience | None]:
        """The card's channel and the event's audience: a room gives its audience to an event
        posted there; an event for one audience goes in a room for it."""
        if channel is None and audience is not None:
            rooms = [r for r in await self.rooms.in_guild(config.guild_id) if r.audience is audience and r.status == "live"]
            if rooms:
                return rooms[0].channel_id, audience
        target = channel.id if channel else interaction.channel_id
        assert target is not None
        room = await self.rooms.by_channel(target)
        if room is None or room.status != "live":
            return target, audience
        if audience is not None and audience is not room.audience:
            raise KohtaamoError(
                ROOM_MISMATCH, channel=f"<#{target}>", room=self.i18n.t(locale, AUDIENCE_NAMES[room.audience]),
                audience=self.i18n.t(locale, AUDIENCE_NAMES[audience]),
            )
        return target, room.audience

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """The create and edit forms, matched by custom id (see ``ui.FORM``)."""
        match = form(interaction, ui.FORM)
        if match is None:
            return
        answers = submitted(interaction.data)
        details = Details(str(answers.get("title") or ""), str(answers.get("description") or ""),
                          str(answers.get("start") or ""), str(answers.get("end") or ""), answers.get("place") or None)
        try:
            if not await self.kit.permitted(interaction, BotRole.STAFF):
                raise KohtaamoError("Only staff can make or change events.")
            if match["event"]:
                await self.submit_edit(interaction, int(match["event"]), int(match["sequence"]), details,
                                       int(match["cap"]) or None)
            else:
                options = Options(int(match["channel"]), int(match["capacity"]) or None,
                                  ui.AUDIENCE_CODES[match["audience"]], int(match["voice"]) or None, int(match["weeks"]))
                await self.submit_new(interaction, details, options)
        except Exception as error:
            await self.kit.explain(interaction, error)

    async def submit_new(self, interaction: discord.Interaction, details: Details, options: Options) -> None:
        locale = await self.kit.locale(interaction)
        config = await self.kit.config(interaction)
        channel = self.bot.get_channel(options.channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread | discord.VoiceChannel):
            raise KohtaamoError("The channel for the event card is gone. Choose another with the channel option.")
        self.events.validate(details, options, config.timezone)  # a typo costs nothing: nothing is made yet
        await interaction.response.defer(ephemeral=True, thinking=True)
        event = await self.events.create(config.guild_id, interaction.user.id, details, options,
                                         timezone=config.timezone, locale=config.locale)
        try:
            event = await self.publisher.post(event, channel)
        except discord.HTTPException:
            log.warning("could not post the card of event %s", event.id)
            await self.events.cancel(event.id, event.guild_id)
            await self.kit.reply(interaction, self.i18n.t(
                locale, "I could not post the event card in {channel}; nothing was made. Check my permissions there.",
                channel=channel.mention))
            return
        text = self.i18n.t(locale, "The event is posted: {link}", link=self.publisher.jump_url(event))
        if event.discord_event_id is None:
            text += "\n" + self.i18n.t(locale, "I could not add it to the server's events (I need Manage Events).")
        if options.weeks > 1:
            text += "\n" + self.i18n.t(locale, "It repeats weekly, {n} times in all; each one gets its own card.",
                                       n=options.weeks)
        await self.kit.reply(interaction, text)

    # ----- /event edit and cancel ---------------------------------------------------------

    @app_commands.command(name=_("edit"), description=_("Staff: change an event's details; members are told"))
    @app_commands.rename(event=_("event"), capacity=_("capacity"))
    @app_commands.describe(event=_("Which event"), capacity=_("A new number of places (nobody Going is dropped)"))
    @requires(BotRole.STAFF)
    async def edit(self, interaction: discord.Interaction, event: int,
                   capacity: app_commands.Range[int, 1, 1000] | None = None) -> None:
        locale = await self.kit.locale(interaction)
        found = await self.events.live(event, interaction.guild_id)
        custom_id = ui.edit_form_id(found, capacity or found.capacity)
        await interaction.response.send_modal(ui.EventForm(self.i18n, locale, custom_id, found))

    async def submit_edit(
        self, interaction: discord.Interaction, event_id: int, sequence: int, details: Details, capacity: int | None
    ) -> None:
        locale = await self.kit.locale(interaction)
        await self.events.live(event_id, interaction.guild_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        change = await self.events.edit(event_id, sequence, details, capacity)
        event = await self.publisher.sync_scheduled(change.event)
        await self.publisher.refresh(event.id)
        missed = 0
        if change.moved or change.relocated:
            missed = await self.publisher.tell(
                await self.events.attendees(event.id, "going"),
                N_("“{title}” has changed. It is now {when}, at {place}."),
                {"title": event.title, "when": ui.when(event), "place": ui.place(event) or "—"},
                once=f"edit:{event.id}:{event.sequence}",
            )
        await self.promoted(event, change.promoted)
        text = self.i18n.t(locale, "The event is changed.")
        if change.moved or change.relocated:
            text += " " + self.i18n.t(locale, "Those going were told.")
        if missed:
            text += " " + self.i18n.tn(locale, "{n} member could not be reached by direct message.",
                                       "{n} members could not be reached by direct message.", missed)
        await self.kit.reply(interaction, text)

    @app_commands.command(name=_("cancel"), description=_("Staff: cancel an event; those who signed up are told"))
    @app_commands.rename(event=_("event"))
    @app_commands.describe(event=_("Which event"))
    @requires(BotRole.STAFF)
    async def cancel(self, interaction: discord.Interaction, event: int) -> None:
        locale = await self.kit.locale(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        cancelled, members = await self.events.cancel(event, interaction.guild_id or 0)
        await self.publisher.refresh(cancelled.id)
        await self.publisher.sync_scheduled(cancelled)
        missed = await self.publisher.tell(
            members, N_("“{title}” ({when}) has been cancelled. I am sorry."),
            {"title": cancelled.title, "when": ui.when(cancelled)}, once=f"cancel:{cancelled.id}",
        )
        text = self.i18n.tn(locale, "The event is cancelled; {n} member who signed up was told.",
                            "The event is cancelled; {n} members who signed up were told.", len(members) - missed)
        await self.kit.reply(interaction, text)

    @edit.autocomplete("event")
    @cancel.autocomplete("event")
    async def pick_event(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
        locale = await self.kit.locale(interaction)
        upcoming = await self.events.upcoming(interaction.guild_id or 0, None)
        words = current.lower().strip()
        return [
            app_commands.Choice(name=self._label(locale, e)[:100], value=e.id)
            for e in upcoming if not words or words in e.title.lower()
        ][:25]

    def _label(self, locale: str, event: Event) -> str:
        return f"{event.title} – {self.i18n.when(locale, event.starts_at, event.timezone)}"

    # ----- /event list --------------------------------------------------------------------

    @app_commands.command(name=_("list"), description=_("Events coming up that you can join"))
    async def list_events(self, interaction: discord.Interaction) -> None:
        locale = await self.kit.locale(interaction)
        upcoming = await self.events.upcoming(interaction.guild_id or 0, await self.audiences(interaction), limit=15)
        if not upcoming:
            await self.kit.reply(interaction, self.i18n.t(locale, "No events are coming up for now."))
            return
        lines = [self.i18n.t(locale, "Coming up:")]
        for event in upcoming:
            link = self.publisher.jump_url(event)
            title = discord.utils.escape_markdown(event.title)
            lines.append(f"• **{title}** – {ui.when(event)}" + (f" {link}" if link else ""))
        await self.kit.reply(interaction, "\n".join(lines))

    # ----- the card's buttons -------------------------------------------------------------

    async def on_button(self, interaction: discord.Interaction, action: str, event_id: int) -> None:
        choices = {"going": Choice.GOING, "maybe": Choice.MAYBE, "no": Choice.NO, "giveup": Choice.NO}
        if action in choices:
            # Hundreds may press at once when an event opens: acknowledge first, answer once the
            # answer is in the database (the 3-second limit is then never at stake).
            await interaction.response.defer(ephemeral=True, thinking=True)
        locale = await self.kit.locale(interaction)
        if action == "ics":
            await self._calendar(interaction, event_id, locale)
            return
        if action not in choices:
            raise KohtaamoError("This button is no longer in use.")
        if action == "giveup" and (await self.events.status_of(event_id, interaction.user.id) or ("",))[0] != "going":
            await self.events.live(event_id)
            raise KohtaamoError("You do not have a place at this event.")
        # In a DM (the give-up button) the member is no Member: they held a place, they may give it up.
        rsvp = await self.events.answer(event_id, interaction.user.id, choices[action], locale,
                                        await self.audiences(interaction))
        self.publisher.cards.touch(event_id)
        await self.promoted(rsvp.event, rsvp.promoted)
        await self.kit.reply(interaction, self._answered(locale, rsvp.status, rsvp.place, rsvp.previous, action))

    def _answered(self, locale: str, status: str, place: int, previous: str | None, action: str) -> str:
        if action == "giveup":
            return self.i18n.t(locale, "You gave up your place. Thank you for letting someone else come.")
        if status == "waiting":
            return self.i18n.t(locale, "The event is full, so you are on the waiting list, number {place}. "
                               "If a place frees up, I will tell you by direct message.", place=place)
        if status == "going" and previous == "going":
            return self.i18n.t(locale, "You are already going. See you there!")
        texts = {
            "going": N_("You are going. I will remind you by direct message 24 hours and 1 hour before."),
            "maybe": N_("Marked as maybe."),
            "no": N_("Marked as can't come. Thank you for letting us know."),
        }
        return self.i18n.t(locale, texts[status])

    async def promoted(self, event: Event, members: list[tuple[int, str]]) -> None:
        """Members moved from the waiting list to Going hear it by DM, with a way to give up the place."""
        if not members:
            return
        self.publisher.cards.touch(event.id)
        await self.publisher.tell(
            members, N_("Good news: a place freed up at “{title}” ({when}), and it is yours. "
                        "If you cannot come after all, give the place up below so the next person can."),
            {"title": event.title, "when": ui.when(event)},
            view_for=lambda locale: ui.buttons(self.i18n, locale, event.id, "giveup"),
            once=f"promoted:{event.id}",
        )

    async def _calendar(self, interaction: discord.Interaction, event_id: int, locale: str) -> None:
        event = await self.events.get(event_id)
        if event is None:
            raise KohtaamoError("There is no such event.")
        if event.audience is not None and not event.open_to(await self.audiences(interaction)):
            raise KohtaamoError(NOT_FOR_YOU)
        voice = self.bot.get_channel(event.voice_channel_id) if event.voice_channel_id else None
        place = ", ".join(p for p in (event.place, getattr(voice, "name", None)) if p) or None
        data = ics(event, self.clock.now(), place=place, url=self.publisher.jump_url(event))
        text = self.i18n.t(locale, "Open the file to add “{title}” to your calendar.", title=event.title)
        if event.cancelled:
            text = self.i18n.t(locale, "This event has been cancelled. Opening the file removes it from your calendar.")
        await self.kit.reply(interaction, text, file=discord.File(io.BytesIO(data), filename=f"event-{event.id}.ics"))
