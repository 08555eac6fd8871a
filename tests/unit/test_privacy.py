"""Every feature that keeps personal data is reachable from the privacy registry."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet

from bot.db.company import CompanyRepo
from bot.db.crypto import Sealer
from bot.db.jobs import JobRepo
from bot.db.volunteer import VolunteerRepo
from bot.scheduling import Scheduler
from bot.services.company import CompanyService, Kind
from bot.services.privacy import Privacy
from bot.services.volunteer import Audience, VolunteerService

GUILD, MEMBER = 100, 4242


@pytest.fixture
async def privacy(db, clock):
    scheduler = Scheduler(JobRepo(db), clock, timers=False)
    volunteers = VolunteerService(VolunteerRepo(db), scheduler, clock)
    company = CompanyService(CompanyRepo(db, Sealer(Fernet.generate_key())), volunteers, scheduler, clock)
    for kind in (VolunteerService.KIND_OFF_DUTY, CompanyService.KIND_ESCALATE, CompanyService.KIND_GIVE_UP):
        scheduler.register(kind, volunteers.expire_duty)
    await volunteers.add(GUILD, MEMBER, display_name="Aino", languages={"fi"}, audiences={Audience.CAREGIVER},
                         minors_cleared=False)
    await volunteers.on_duty(GUILD, MEMBER, hours=2)
    await company.open(GUILD, MEMBER, audience=Audience.CAREGIVER, language="fi", kind=Kind.LISTEN,
                       topic="ilta", locale="fi")
    return Privacy({"company_requests": company, "volunteer": volunteers})


async def test_export_gathers_every_feature_as_json(privacy):
    exported = await privacy.export(MEMBER)
    assert exported["company_requests"][0]["topic"] == "ilta"
    assert exported["volunteer"][0]["display_name"] == "Aino"
    json.dumps(exported)  # JSON-able as it is


async def test_erase_leaves_nothing_to_export_and_no_timers(privacy, db):
    assert await privacy.erase(MEMBER) == {"company_requests": 1, "volunteer": 1}
    assert await privacy.export(MEMBER) == {"company_requests": [], "volunteer": []}
    pending = await db.fetchone("SELECT COUNT(*) FROM jobs WHERE status = 'pending'")
    assert pending[0] == 0
