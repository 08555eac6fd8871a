"""The privacy registry: every feature has a section, export and erase are per guild, and a
member who leaves is erased after the grace period unless they come back (fake clock)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.app import Kohtaamo
from bot.db.company import CompanyRepo
from bot.db.crypto import Sealer
from bot.db.jobs import JobRepo
from bot.db.privacy import DepartureRepo
from bot.db.setup import SetupRepo
from bot.db.volunteer import VolunteerRepo
from bot.scheduling import Scheduler
from bot.services.company import CompanyService, Kind
from bot.services.privacy import SECTIONS, Privacy
from bot.services.setup import Retention, SetupService
from bot.services.volunteer import Audience, VolunteerService
from bot.settings import Settings

GUILD, OTHER, MEMBER = 100, 200, 4242


@pytest.fixture
async def env(db, clock):
    scheduler = Scheduler(JobRepo(db), clock, timers=False)
    setup = SetupService(SetupRepo(db), clock, "fi", "Europe/Helsinki")
    volunteers = VolunteerService(VolunteerRepo(db), scheduler, clock)
    company = CompanyService(CompanyRepo(db, Sealer(Fernet.generate_key())), volunteers, scheduler, clock)
    for kind in (VolunteerService.KIND_OFF_DUTY, CompanyService.KIND_ESCALATE, CompanyService.KIND_GIVE_UP):
        scheduler.register(kind, volunteers.expire_duty)
    privacy = Privacy({"language": setup, "company_requests": company, "volunteer": volunteers},
                      DepartureRepo(db), scheduler, setup, clock)
    erased: list[tuple[int, int]] = []

    async def on_leaver(job):
        departure = await privacy.due_departure(job)
        if departure is not None:
            erased.append((departure.guild_id, departure.user_id))
            await privacy.erase(departure.user_id, departure.guild_id)

    scheduler.register(Privacy.KIND_LEAVER, on_leaver)
    for guild in (GUILD, OTHER):
        await volunteers.add(guild, MEMBER, display_name="Aino", languages={"fi"}, audiences={Audience.CAREGIVER},
                             minors_cleared=False)
        await setup.set_member_locale(guild, MEMBER, "fi")
    await volunteers.on_duty(GUILD, MEMBER, hours=2)
    await company.open(GUILD, MEMBER, audience=Audience.CAREGIVER, language="fi", kind=Kind.LISTEN,
                       topic="ilta", locale="fi")
    return privacy, scheduler, erased


async def test_every_registered_feature_has_a_section_and_retention_names_a_setting(tmp_path: Path):
    bot = Kohtaamo(Settings.from_mapping({"DATABASE_PATH": str(tmp_path / "k.db")}), timers=False, jobs=False)
    await bot.setup_hook()
    assert bot.services is not None
    assert [e.name for e in bot.services.privacy.entries] == list(SECTIONS)
    await bot.close()
    for section in SECTIONS.values():
        assert (section.retention is None) == ("{days}" not in section.kept)
        assert section.days(Retention()) is None or section.retention in Retention.__dataclass_fields__


async def test_export_and_erase_reach_one_guild_only(env, db):
    privacy, _, _ = env
    exported = await privacy.export(MEMBER, GUILD)
    assert exported["company_requests"][0]["topic"] == "ilta"
    assert exported["volunteer"][0]["display_name"] == "Aino"
    json.dumps(exported)  # JSON-able as it is
    assert await privacy.erase(MEMBER, GUILD) == {"language": 1, "company_requests": 1, "volunteer": 1}
    assert not any((await privacy.export(MEMBER, GUILD)).values())
    pending = await db.fetchone("SELECT COUNT(*) FROM jobs WHERE status = 'pending'")
    assert pending[0] == 0
    other = await privacy.export(MEMBER, OTHER)
    assert other["language"] == [{"language": "fi"}] and other["volunteer"][0]["display_name"] == "Aino"


async def test_a_leaver_is_erased_after_the_grace_and_only_there(env, clock):
    privacy, scheduler, erased = env
    await privacy.member_left(GUILD, MEMBER)
    clock.advance(timedelta(days=30) - timedelta(minutes=1))
    await scheduler.run_due()
    assert erased == []
    clock.advance(timedelta(minutes=2))
    await scheduler.run_due()
    assert erased == [(GUILD, MEMBER)]
    assert not any((await privacy.export(MEMBER, GUILD)).values())
    assert (await privacy.export(MEMBER, OTHER))["volunteer"]


async def test_coming_back_in_time_cancels_the_erase(env, clock, db):
    privacy, scheduler, erased = env
    await privacy.member_left(GUILD, MEMBER)
    assert await privacy.member_returned(GUILD, MEMBER) is True
    assert await privacy.member_returned(GUILD, MEMBER) is False
    clock.advance(timedelta(days=31))
    await scheduler.run_due()
    assert erased == [] and (await privacy.export(MEMBER, GUILD))["company_requests"]
    assert await db.fetchone("SELECT * FROM member_departures") is None


async def test_someone_with_nothing_kept_leaves_no_trace(env, db):
    privacy, _, _ = env
    assert await privacy.holds(MEMBER, GUILD) and not await privacy.holds(MEMBER + 1, GUILD)
    await privacy.member_left(GUILD, MEMBER + 1)
    assert await db.fetchone("SELECT * FROM member_departures") is None
    assert await db.fetchone("SELECT * FROM jobs WHERE kind = ?", (Privacy.KIND_LEAVER,)) is None
