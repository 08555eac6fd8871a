"""The company service on a real database, with the scheduler's fake clock: ``env`` and the
helpers its tests share (tests/unit/test_company*.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet

from bot.db.company import CompanyRepo
from bot.db.crypto import Sealer
from bot.db.jobs import JobRepo
from bot.db.volunteer import VolunteerRepo
from bot.errors import KohtaamoError
from bot.scheduling import Scheduler
from bot.services.company import CompanyService, Kind
from bot.services.company_moderation import CompanyModeration
from bot.services.volunteer import Audience, VolunteerService

GUILD, OTHER_GUILD = 100, 200
MEMBER = 731_245_998_114_220_033  # a realistic snowflake, so a scan of the file means something
MOD = 9
A = Audience


@pytest.fixture
async def env(db, clock):
    scheduler = Scheduler(JobRepo(db), clock, timers=False)
    volunteers = VolunteerService(VolunteerRepo(db), scheduler, clock)
    sealer = Sealer(Fernet.generate_key())
    company = CompanyService(CompanyRepo(db, sealer), volunteers, scheduler, clock)
    fired: list[tuple[str, int | None]] = []

    async def escalate(job):
        request = await company.due_escalation(job)
        fired.append(("escalate", None if request is None else request.id))

    async def give_up(job):
        request = await company.due_give_up(job)
        fired.append(("give_up", None if request is None else request.id))

    scheduler.register(company.KIND_ESCALATE, escalate)
    scheduler.register(company.KIND_GIVE_UP, give_up)
    scheduler.register(volunteers.KIND_OFF_DUTY, volunteers.expire_duty)
    await scheduler.start()
    for uid, audiences, cleared, languages in (
        (1, {A.CAREGIVER, A.YOUTH_ADULT}, False, {"fi"}),
        (2, {A.YOUTH_MINOR, A.YOUTH_ADULT}, True, {"fi", "sv"}),
        (3, {A.CAREGIVER}, False, {"sv"}),
    ):
        await volunteers.add(GUILD, uid, display_name=f"V{uid}", languages=languages, audiences=audiences,
                             minors_cleared=cleared)
    return SimpleNamespace(db=db, clock=clock, sealer=sealer, scheduler=scheduler, volunteers=volunteers, company=company,
                           moderation=CompanyModeration(company), fired=fired)


async def ask(env, user_id=MEMBER, *, guild=GUILD, audience=A.CAREGIVER, language="fi", topic=None):
    return await env.company.open(guild, user_id, audience=audience, language=language, kind=Kind.CHAT_NOW,
                                  topic=topic, locale="fi")


async def refused(coro) -> KohtaamoError:
    with pytest.raises(KohtaamoError) as raised:
        await coro
    return raised.value


async def job_status(env, kind, ref_id):
    row = await env.db.fetchone("SELECT status FROM jobs WHERE kind = ? AND ref_id = ? ORDER BY id DESC",
                                (kind, ref_id))
    return None if row is None else row["status"]
