"""Where a member's personal data lives, and what the member is told about it.

Each feature that keeps personal data registers here with a ``Section``: what it stores and why,
who can see it, how long it is kept (which retention setting governs it) and what stays after
erasure. ``/privacy`` is written from these sections and the guild's retention settings, and the
export and erasure go through the same entries, so the notice cannot drift from what the code does.

Everything is per guild: a member who leaves one server keeps what is held for another. A member
who leaves is erased there after the guild's grace period, unless they come back before it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.clock import Clock
from bot.db.privacy import DepartureRepo
from bot.i18n import N_
from bot.scheduling import DueJob, Scheduler
from bot.services.setup import Retention, SetupService

LEAVER_GRACE = timedelta(days=3)  # a leaver's erase that was due while the bot was down still runs


class PersonalData(Protocol):
    async def export_member(self, user_id: int, guild_id: int) -> list[dict[str, object]]: ...

    async def erase_member(self, user_id: int, guild_id: int) -> int: ...


@dataclass(frozen=True)
class Section:
    """What the member is told about one feature's data (message ids)."""

    title: str
    stored: str  # what is stored, and why
    seen_by: str  # who can see it
    kept: str  # how long; ``{days}`` is the retention setting's days
    retention: str | None = None  # the field of ``Retention`` that governs it; None: until deleted
    after_erase: str | None = None  # what stays after /mydata delete, and why

    def days(self, retention: Retention) -> int | None:
        return None if self.retention is None else int(getattr(retention, self.retention))


UNTIL_DELETED = N_("Until you delete it, or leave the server.")

SECTIONS: dict[str, Section] = {
    "language": Section(
        N_("Your language"), N_("The language you chose for the bot's messages, so it can answer you in it."),
        N_("Only the bot uses it."), UNTIL_DELETED,
    ),
    "onboarding": Section(
        N_("Your start choices"),
        N_("What you chose when you accepted the rules (caregiver, age band) and which rules you accepted: "
           "they decide which rooms you see."),
        N_("Moderators, through the roles it gives you."), UNTIL_DELETED,
    ),
    "company_requests": Section(
        N_("Company requests"),
        N_("Your requests for company: kind, language, the topic you gave, what you wrote while waiting, and your "
           "feedback. Who asked is stored only encrypted. If you volunteer: which conversations you took."),
        N_("Volunteers see a request under a pseudonym, never your name. A moderator can see who asked only with a "
           "written reason, which is logged."),
        N_("{days} days after the request ends."), "company_days",
        N_("If the moderators have stopped you from asking for company here, that stays while it is in force, so "
           "that it still holds."),
    ),
    "volunteer": Section(
        N_("Volunteering"),
        N_("If you volunteer: your display name, languages, audiences, clearance for minors and time on duty, so "
           "each request reaches a volunteer who can take it."),
        N_("Moderators and volunteers; a member you talk with sees your display name."),
        N_("Until you or a moderator take you off the list, or you leave the server."),
    ),
    "checkins": Section(
        N_("Check-ins"),
        N_("If you turned on personal check-ins: your schedule, your moods and your answers to the monthly "
           "loneliness question, encrypted. They serve you, and anonymous counts; never profiling."),
        N_("Only you. Staff see only anonymous counts, and no count under 5."),
        N_("{days} days."), "mood_days",
        N_("Your answers to room check-ins stay in the anonymous counts, no longer linked to you."),
    ),
    "events": Section(
        N_("Events"),
        N_("Your answers to events (Going, Maybe, Can't come, waiting list) and which reminders you were sent. "
           "If you are staff: the events you organised."),
        N_("Staff and the event's organiser; the event card shows only counts."),
        N_("As long as the event is kept, or until you delete it."),
        after_erase=N_("Events you organised stay on the calendar with you as their organiser: the server's record "
                       "of its own work."),
    ),
    "announcements": Section(
        N_("Announcements"), N_("If you are staff: the announcements you wrote, with you as their author."),
        N_("Staff."), UNTIL_DELETED,
        after_erase=N_("Announcements you wrote stay on the server, without your name."),
    ),
    "reports": Section(
        N_("Reports"),
        N_("Reports you made (the reason and your words) and reports about your messages (the reported text, "
           "encrypted)."),
        N_("Moderators only. Nobody is told who reported."),
        N_("{days} days after the report is resolved."), "case_days",
        N_("Reports about your messages stay for the moderators, without the text and under a pseudonym instead of "
           "you. Reports you made are withdrawn."),
    ),
    "cases": Section(
        N_("Moderation cases"),
        N_("Moderation cases about you: warnings, timeouts and notes, with their reasons (encrypted)."),
        N_("Moderators only."), N_("{days} days."), "case_days",
        N_("Moderation cases stay for their set time under a pseudonym instead of you, so the moderators can keep "
           "the community safe."),
    ),
    "safety_alerts": Section(
        N_("Safety alerts"),
        N_("If a message of yours in a room sounded like a crisis: an alert to the moderators (the room, when, and "
           "whether our message reached you), so someone could check on you. Not your message's text."),
        N_("Moderators only."), N_("{days} days."), "case_days",
    ),
    "activity": Section(
        N_("Activity today"),
        N_("That you wrote on the server today, as a code that changes every day, so that the anonymous statistics "
           "count each member once a day. At night the codes become one count and are deleted."),
        N_("Nobody. Staff see only counts, and no count under 5."), N_("Until the night, at most a day."),
    ),
}


@dataclass(frozen=True)
class Entry:
    name: str
    section: Section
    source: PersonalData


@dataclass(frozen=True)
class Departure:
    id: int
    guild_id: int
    user_id: int


class Privacy:
    KIND_LEAVER = "privacy_leaver"  # ref_id: member_departures.id

    def __init__(
        self, sources: Mapping[str, PersonalData], departures: DepartureRepo, scheduler: Scheduler, setup: SetupService,
        clock: Clock,
    ) -> None:
        """Every source needs a section in ``SECTIONS`` (a KeyError at start otherwise)."""
        self.entries = [Entry(name, SECTIONS[name], source) for name, source in sources.items()]
        self.departures = departures
        self.scheduler = scheduler
        self.setup = setup
        self.clock = clock

    async def export(self, user_id: int, guild_id: int) -> dict[str, list[dict[str, object]]]:
        """Everything kept about the member in the guild, by feature (in ``entries`` order), as
        JSON-able values."""
        return {entry.name: await entry.source.export_member(user_id, guild_id) for entry in self.entries}

    async def holds(self, user_id: int, guild_id: int) -> bool:
        """Whether anything is kept about the member in the guild: stops at the first feature that
        keeps something (most members have a language or start choices), not a whole export."""
        for entry in self.entries:
            if await entry.source.export_member(user_id, guild_id):
                return True
        return False

    async def erase(self, user_id: int, guild_id: int) -> dict[str, int]:
        """Erase the member in the guild, in every feature; how many records each removed or
        pseudonymised. A pending leaver's erase there goes too. Open company conversations are
        ended before this, by the company cog, so the volunteer is told."""
        erased = {entry.name: await entry.source.erase_member(user_id, guild_id) for entry in self.entries}
        await self.member_returned(guild_id, user_id)
        await self.departures.scrub()
        return erased

    def kept_after_erase(self) -> list[Section]:
        return [entry.section for entry in self.entries if entry.section.after_erase]

    # --- a member who leaves --------------------------------------------------------------

    async def member_left(self, guild_id: int, user_id: int) -> None:
        """Erase them there after the guild's grace period, unless they come back. Someone with
        nothing kept there leaves no trace at all."""
        if not await self.holds(user_id, guild_id):
            return
        now = self.clock.now()
        departure_id = await self.departures.record(guild_id, user_id, now)
        grace = (await self.setup.get(guild_id)).retention.leaver_grace_days
        await self.scheduler.schedule(self.KIND_LEAVER, departure_id, now + timedelta(days=grace),
                                      guild_id=guild_id, grace=LEAVER_GRACE)

    async def member_returned(self, guild_id: int, user_id: int) -> bool:
        """Back before the grace ran out: nothing is erased. True when an erase was pending."""
        departure_id = await self.departures.forget(guild_id, user_id)
        if departure_id is None:
            return False
        await self.scheduler.cancel(self.KIND_LEAVER, departure_id)
        return True

    async def due_departure(self, job: DueJob) -> Departure | None:
        """For the ``KIND_LEAVER`` handler: who to erase where, if they have not come back."""
        found = await self.departures.get(job.ref_id)
        return None if found is None else Departure(job.ref_id, *found)
