"""The bot: built once, services wired in ``setup_hook``, cogs get what they need."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import discord
import yarl
from discord.ext import commands

from bot.clock import Clock, SystemClock
from bot.db.announce import AnnounceRepo
from bot.db.cases import CaseRepo
from bot.db.checkin import CheckinRepo
from bot.db.company import CompanyRepo
from bot.db.connection import Database
from bot.db.event import EventRepo
from bot.db.impact import ImpactRepo
from bot.db.jobs import JobRepo
from bot.db.migrate import migrate
from bot.db.moderation import LockRepo
from bot.db.onboarding import OnboardingRepo
from bot.db.privacy import DepartureRepo
from bot.db.reports import ReportRepo
from bot.db.retention import RetentionRepo
from bot.db.room import RoomRepo
from bot.db.safety import SafetyRepo
from bot.db.sealed import sealer_for
from bot.db.setup import SetupRepo
from bot.db.volunteer import VolunteerRepo
from bot.i18n import I18n
from bot.i18n.translator import Translator
from bot.scheduling import Scheduler
from bot.services.announce import AnnounceService
from bot.services.checkin_personal import PersonalCheckins
from bot.services.checkin_room import RoomCheckins
from bot.services.company import CompanyService, limits_from
from bot.services.company_moderation import CompanyModeration
from bot.services.event import EventService
from bot.services.impact import ImpactService
from bot.services.impact_counts import ImpactCounts
from bot.services.moderation import ModerationService
from bot.services.onboarding import DEFAULT_RULES, OnboardingService, RulesService
from bot.services.privacy import Privacy
from bot.services.reports import ReportService
from bot.services.retention import RetentionService
from bot.services.room import RoomService
from bot.services.safety_response import SafetyResponse
from bot.services.setup import SetupService
from bot.services.volunteer import VolunteerService
from bot.settings import Settings
from bot.ui.announce import AnnounceButton
from bot.ui.checkin import CheckinButton
from bot.ui.company import CompanyButton
from bot.ui.event import EventButton
from bot.ui.event_publish import EventPublisher
from bot.ui.kit import Kit
from bot.ui.mod import DeskButton
from bot.ui.mod_channel import ChannelDesk
from bot.ui.mod_desk import Desk
from bot.ui.onboarding import OnboardingButton
from bot.ui.privacy import PrivacyButton
from cogs.announce import AnnounceCog
from cogs.checkin import CheckinCog
from cogs.checkin_prompts import CheckinPromptsCog
from cogs.company import CompanyCog
from cogs.company_relay import CompanyRelayCog
from cogs.company_waiting import CompanyWaitingCog
from cogs.event import EventCog
from cogs.event_reminders import EventRemindersCog
from cogs.impact import ImpactCog
from cogs.mod import ModCog
from cogs.onboarding import OnboardingCog
from cogs.privacy import PrivacyCog
from cogs.report import ReportCog
from cogs.room import RoomCog
from cogs.room_hours import RoomHoursCog
from cogs.safety import SafetyCog
from cogs.setup import SetupCog
from cogs.volunteer import VolunteerCog

log = logging.getLogger(__name__)


def point_at(settings: Settings) -> None:
    """Send REST and the gateway to a proxy (or the tests' double) when configured."""
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def intents() -> discord.Intents:
    chosen = discord.Intents.default()
    chosen.members = True  # privileged: Server Members
    chosen.message_content = True  # privileged: Message Content (relays, safety)
    chosen.presences = False
    return chosen


@dataclass
class Services:
    db: Database
    scheduler: Scheduler
    setup: SetupService
    volunteers: VolunteerService
    company: CompanyService
    rules: RulesService  # the community rules per language: onboarding shows them, rooms pin them
    onboarding: OnboardingService
    rooms: RoomService
    checkins: PersonalCheckins
    room_checkins: RoomCheckins  # anonymous counts only: no personal data
    privacy: Privacy  # the privacy issue's /mydata export and delete go through this
    events: EventService
    announcements: AnnounceService
    moderation: ModerationService
    reports: ReportService
    safety: SafetyResponse
    retention: RetentionService
    impact: ImpactService  # daily aggregates and counts only: no personal data
    impact_counts: ImpactCounts


class Kohtaamo(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        timers: bool = True,
        jobs: bool = True,
        **options: Any,
    ) -> None:
        """``timers=False``: no APScheduler timers (tests drive a fake clock and call
        ``run_due``); ``jobs=False``: do not touch scheduled jobs at all (``kohtaamo sync``)."""
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **options,
        )
        self.settings = settings
        self.clock = clock or SystemClock()
        self.timers = timers
        self.jobs = jobs
        self.i18n = I18n()
        self.services: Services | None = None
        self.kit: Kit | None = None
        self.company: CompanyCog | None = None  # the persistent buttons of bot/ui/company.py call it
        self.events: EventCog | None = None  # and those of bot/ui/event.py this one
        self.announce: AnnounceCog | None = None  # and those of bot/ui/announce.py this one
        self.onboarding: OnboardingCog | None = None  # and those of bot/ui/onboarding.py this one
        self.moderation: Desk | None = None  # bot/ui/mod.py's DeskButton calls these three
        self.reports: ReportCog | None = None
        self.safety: SafetyCog | None = None
        self.checkin: CheckinCog | None = None  # and those of bot/ui/checkin.py this one
        self.privacy: PrivacyCog | None = None  # and those of bot/ui/privacy.py this one

    async def login(self, token: str) -> None:
        """Open and migrate the database before talking to Discord: a bad path fails fast."""
        if self.services is None:
            self.services = await self._open_services()
        await super().login(token)

    async def _open_services(self) -> Services:
        settings = self.settings
        db = await Database.open(settings.database_path)
        await migrate(db)
        sealer = await sealer_for(db, settings.data_key, settings.database_path)
        scheduler = Scheduler(JobRepo(db), self.clock, timers=self.timers)
        setup = SetupService(SetupRepo(db), self.clock, settings.default_locale, settings.timezone)
        volunteers = VolunteerService(VolunteerRepo(db), scheduler, self.clock)
        company = CompanyService(CompanyRepo(db, sealer), volunteers, scheduler, self.clock, limits_from(setup))
        rules = RulesService(OnboardingRepo(db), self.clock, lambda locale: self.i18n.t(locale, DEFAULT_RULES))
        onboarding = OnboardingService(OnboardingRepo(db), rules, setup, CaseRepo(db, sealer), self.clock)
        events = EventService(EventRepo(db), scheduler, self.clock)
        announcements = AnnounceService(AnnounceRepo(db), scheduler, self.clock)
        checkins = PersonalCheckins(CheckinRepo(db, sealer), scheduler, self.clock)
        room_checkins = RoomCheckins(CheckinRepo(db, sealer), scheduler, self.clock)
        moderation = ModerationService(CaseRepo(db, sealer), LockRepo(db), setup, self.clock)
        reports = ReportService(ReportRepo(db, sealer), self.clock)
        safety = SafetyResponse(SafetyRepo(db), self.clock)
        rooms = RoomService(RoomRepo(db), scheduler, setup, self.clock)  # rooms hold no personal data
        impact_counts = ImpactCounts(ImpactRepo(db, sealer), setup, rooms, scheduler, self.clock, time.monotonic)
        volunteers.duty_watchers.append(impact_counts.duty_changed)  # the impact report's hours on duty
        privacy = Privacy(
            {"language": setup, "onboarding": onboarding, "company_requests": company, "volunteer": volunteers,
             "checkins": checkins, "events": events, "announcements": announcements, "reports": reports,
             "cases": moderation, "safety_alerts": safety, "activity": impact_counts},
            DepartureRepo(db), scheduler, setup, self.clock,
        )
        return Services(
            db, scheduler, setup, volunteers, company, rules, onboarding, rooms, checkins, room_checkins, privacy, events, announcements,
            moderation=moderation, reports=reports, safety=safety,
            retention=RetentionService(RetentionRepo(db, sealer), scheduler, self.clock, settings.timezone),
            impact=ImpactService(ImpactRepo(db, sealer), impact_counts, checkins, setup, self.clock),
            impact_counts=impact_counts,
        )

    async def setup_hook(self) -> None:
        if self.services is None:
            self.services = await self._open_services()
        scheduler, setup = self.services.scheduler, self.services.setup
        volunteers, company = self.services.volunteers, self.services.company
        self.kit = kit = Kit(self.i18n, setup)
        self.tree.on_error = kit.explain  # type: ignore[method-assign]
        await self.tree.set_translator(Translator(self.i18n))
        relay = CompanyRelayCog(self, kit, company, volunteers)
        events = self.services.events
        publisher = EventPublisher(self, self.i18n, events, setup)
        reminders = EventRemindersCog(self, kit, events, publisher, scheduler.max_attempts)
        self.events = EventCog(self, kit, events, self.services.rooms, publisher, self.clock)
        self.announce = AnnounceCog(self, kit, self.services.announcements, scheduler.max_attempts)
        waiting = CompanyWaitingCog(self, kit, company, volunteers, self.clock, reminders.upcoming_for)
        self.company = company_cog = CompanyCog(
            self, kit, company, CompanyModeration(company), volunteers, relay.conversation_opened
        )
        room_hours = RoomHoursCog(self, kit, self.services.rooms, self.services.moderation)
        self.moderation = desk = Desk(self, kit, self.services.moderation, self.clock, room_hours.unlocked)
        self.reports = ReportCog(self, kit, self.services.reports, ChannelDesk(desk))
        self.safety = SafetyCog(self, kit, self.services.safety, self.is_room)
        self.onboarding = onboarding = OnboardingCog(self, kit, self.services.onboarding, self.services.rules)
        checkins, room_checkins = self.services.checkins, self.services.room_checkins
        prompts = CheckinPromptsCog(self, kit, checkins, room_checkins)
        self.checkin = checkin = CheckinCog(self, kit, checkins, room_checkins, prompts.counts_changed)
        kit.notices.append(checkin.closed_dm_notice)
        self.privacy = privacy = PrivacyCog(self, kit, self.services.privacy, company_cog.end_for_erasure, self.clock)
        for cog in (
            SetupCog(kit, onboarding.post_panel, room_hours.roles_changed),
            onboarding,
            ModCog(self, kit, self.services.onboarding, desk, self.services.safety),
            self.reports,
            self.safety,
            company_cog,
            relay,
            waiting,
            VolunteerCog(kit, volunteers, company, self.clock, company_cog.close_conversation),
            room_hours,
            RoomCog(self, kit, self.services.rooms, self.services.rules, room_hours),
            checkin,
            prompts,
            self.events,
            reminders,
            self.announce,
            ImpactCog(kit, self.services.impact, self.services.impact_counts),
            privacy,
        ):
            await self.add_cog(cog)
        self.add_dynamic_items(
            CompanyButton, OnboardingButton, EventButton, AnnounceButton, CheckinButton, DeskButton, PrivacyButton
        )
        scheduler.register(VolunteerService.KIND_OFF_DUTY, volunteers.expire_duty)
        scheduler.register(CompanyService.KIND_ESCALATE, waiting.on_escalate)
        scheduler.register(CompanyService.KIND_GIVE_UP, waiting.on_give_up)
        scheduler.register(RoomService.KIND_HOURS, room_hours.on_hours)
        for kind in EventService.REMINDER_KINDS.values():
            scheduler.register(kind, reminders.on_reminder)
        scheduler.register(EventService.KIND_NEXT, reminders.on_next)
        scheduler.register(AnnounceService.KIND_SEND, self.announce.on_due)
        scheduler.register(PersonalCheckins.KIND, prompts.on_personal)
        scheduler.register(RoomCheckins.KIND, prompts.on_room)
        scheduler.register(Privacy.KIND_LEAVER, privacy.on_leaver)
        scheduler.register(RetentionService.KIND, self.services.retention.on_due)
        scheduler.register(ImpactCounts.KIND_ROLLUP, self.services.impact_counts.on_rollup)
        if self.jobs:
            await scheduler.start()
            await checkins.resume()
            await room_checkins.resume()
            await self.services.retention.start()
            await self.services.impact_counts.resume()

    async def is_room(self, channel_id: int) -> bool:
        """A live room: the safety scan reads its messages and its threads'."""
        assert self.services is not None
        room = await self.services.rooms.by_channel(channel_id)
        return room is not None and room.status.value == "live"

    async def close(self) -> None:
        if self.services is not None:
            self.services.scheduler.shutdown()
        await super().close()
        if self.services is not None:
            await self.services.db.close()
            self.services = None

    async def sync_commands(self) -> int:
        """Register the slash commands globally, or on DEV_GUILD_ID for quick testing."""
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        return len(await self.tree.sync(guild=guild))
