"""A database holding sensitive values from every feature, written through the real services with
distinctive markers (tests/unit/test_rotation.py and test_sealed.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from bot.clock import FakeClock
from bot.db.cases import CaseRepo
from bot.db.checkin import CheckinRepo
from bot.db.company import CompanyRepo
from bot.db.connection import Database
from bot.db.crypto import Sealer
from bot.db.impact import ImpactRepo
from bot.db.jobs import JobRepo
from bot.db.migrate import migrate
from bot.db.moderation import LockRepo
from bot.db.reports import ReportRepo
from bot.db.safety import SafetyRepo
from bot.db.setup import SetupRepo
from bot.db.volunteer import VolunteerRepo
from bot.scheduling import Scheduler
from bot.services.checkin import Recurrence
from bot.services.checkin_personal import PersonalCheckins
from bot.services.checkin_room import RoomCheckins
from bot.services.company import CompanyService, Kind
from bot.services.company_moderation import CompanyModeration
from bot.services.moderation import Action, ModerationService
from bot.services.reports import Reason, ReportService
from bot.services.safety_response import SafetyResponse
from bot.services.setup import SetupService
from bot.services.volunteer import Audience, VolunteerService
from tests.unit.checkin_env import register_checkin_jobs

GUILD, MOD, VOLUNTEER = 100, 9, 1
MEMBER, OTHER, ERASED = 731_245_998_114_220_033, 731_245_998_114_220_077, 731_245_998_114_220_099
HKI = "Europe/Helsinki"
NINE = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
MOOD, LONELY, VOTE = 2, 1, 4

# Every sensitive text a feature stores, each findable in raw bytes only if it is stored in clear.
MARKS = {
    "topic": "Marker-topic-lonely-evenings-7731",
    "held": "Marker-held-while-waiting-7732",
    "ended_topic": "Marker-ended-topic-7733",
    "feedback": "Marker-feedback-thank-you-7734",
    "reveal": "Marker-reveal-reason-safety-7735",
    "block": "Marker-block-reason-abuse-7736",
    "first_reason": "Marker-case-first-reason-7737",
    "reason": "Marker-case-corrected-reason-7738",
    "erased_reason": "Marker-case-of-erased-member-7739",
    "reported": "Marker-reported-message-text-7740",
    "note": "Marker-reporter-note-7741",
    "crisis": "Marker-crisis-message-7742",
}
STORED = {mark for name, mark in MARKS.items() if name != "crisis"}  # a safety alert keeps no text at all
CLEAR = "Marker-name-7799"  # a name meant to be shown: proves the scan finds clear text


async def fill(path: Path, sealer: Sealer, clock: FakeClock) -> SimpleNamespace:
    """Open and migrate the database at ``path`` and fill it; the caller closes ``world.db``."""
    db = await Database.open(path)
    await migrate(db)
    scheduler = Scheduler(JobRepo(db), clock, timers=False)
    setup = SetupService(SetupRepo(db), clock, "fi", HKI)
    volunteers = VolunteerService(VolunteerRepo(db), scheduler, clock)
    company = CompanyService(CompanyRepo(db, sealer), volunteers, scheduler, clock)
    checkins = CheckinRepo(db, sealer)
    personal, rooms = PersonalCheckins(checkins, scheduler, clock), RoomCheckins(checkins, scheduler, clock)
    moderation = ModerationService(CaseRepo(db, sealer), LockRepo(db), setup, clock)
    sent = register_checkin_jobs(scheduler, personal, rooms)

    async def nothing(job):
        return None

    for kind in (CompanyService.KIND_ESCALATE, CompanyService.KIND_GIVE_UP, VolunteerService.KIND_OFF_DUTY):
        scheduler.register(kind, nothing)
    await scheduler.start()

    # check-ins: a mood, a loneliness answer, an anonymous room vote
    await personal.opt_in(MEMBER, GUILD, 9, Recurrence.parse("9", "daily", HKI), "fi", loneliness=True)
    await rooms.schedule(GUILD, 1, Recurrence.parse("9", "daily", HKI), "fi", None)
    clock.advance(NINE - clock.now())
    await scheduler.run_due()
    await personal.record_mood(MEMBER, sent[-1], MOOD)
    await personal.record_loneliness(MEMBER, sent[-1], LONELY)
    [room] = await checkins.rooms(GUILD)
    prompt = await checkins.newest_posted(room["id"])
    assert prompt is not None
    await rooms.vote(prompt, MEMBER, VOTE)

    # company: an ended conversation with feedback, a reveal and a block by its number; a live request
    await volunteers.add(GUILD, VOLUNTEER, display_name=CLEAR, languages={"fi"}, audiences={Audience.CAREGIVER},
                         minors_cleared=False)
    ask = {"audience": Audience.CAREGIVER, "language": "fi", "kind": Kind.CHAT_NOW, "locale": "fi"}
    ended = await company.open(GUILD, OTHER, topic=MARKS["ended_topic"], **ask)
    await company.claim(ended.id, VOLUNTEER)
    await company.end(ended.id, "member", OTHER)
    await company.feedback(ended.id, OTHER, 5, MARKS["feedback"])
    mod = CompanyModeration(company)
    await mod.reveal(ended.id, MOD, MARKS["reveal"])
    await mod.block(GUILD, MOD, MARKS["block"], request=ended)
    live = await company.open(GUILD, MEMBER, topic=MARKS["topic"], **ask)
    await company.hold(live.id, MARKS["held"])

    # moderation: a corrected case (both reasons kept), a case of a member since erased (pseudonymised)
    case = await moderation.record(GUILD, Action.WARN, MOD, MARKS["first_reason"], target_user_id=MEMBER)
    await moderation.correct(GUILD, case.number, MOD, MARKS["reason"])
    await moderation.record(GUILD, Action.NOTE, MOD, MARKS["erased_reason"], target_user_id=ERASED)
    await moderation.erase_member(ERASED, GUILD)

    # a report with the reported text and the reporter's own words; a safety alert
    await ReportService(ReportRepo(db, sealer), clock).file(GUILD, 1, 555, OTHER, MARKS["reported"], MEMBER,
                                                            Reason.HARASSMENT, MARKS["note"])
    assert await SafetyResponse(SafetyRepo(db), clock).read(GUILD, MEMBER, 1, 556, "haluan kuolla " + MARKS["crisis"])

    # today's activity tag of the impact report
    impact = ImpactRepo(db, sealer)
    await impact.see([(GUILD, "2026-12-02", impact.tag(GUILD, "2026-12-02", MEMBER), "caregiver")])
    return SimpleNamespace(db=db, sealer=sealer, clock=clock, prompt=prompt, live=live, ended=ended, case=case)
