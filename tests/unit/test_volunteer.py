from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet

from bot.db.company import CompanyRepo
from bot.db.crypto import Sealer
from bot.db.volunteer import VolunteerRepo
from bot.errors import KohtaamoError
from bot.services.company import CompanyService, Kind
from bot.services.volunteer import Audience, Volunteer, VolunteerService

GUILD = 100
A = Audience


@pytest.fixture
def volunteers(db, clock, scheduler):
    service = VolunteerService(VolunteerRepo(db), scheduler, clock)
    scheduler.register(VolunteerService.KIND_OFF_DUTY, service.expire_duty)
    return service


async def add(volunteers, user_id, *, languages=("fi",), audiences=(A.CAREGIVER,), cleared=False, name=None):
    return await volunteers.add(
        GUILD, user_id, display_name=name or f"Vapaaehtoinen {user_id}", languages=set(languages),
        audiences=set(audiences), minors_cleared=cleared,
    )


async def test_add_then_add_again_updates(volunteers):
    first = await add(volunteers, 1)
    assert first == Volunteer(GUILD, 1, "Vapaaehtoinen 1", frozenset({"fi"}), frozenset({A.CAREGIVER}), False, None)
    await volunteers.on_duty(GUILD, 1)
    again = await add(volunteers, 1, languages=("fi", "sv"), audiences=(A.YOUTH_MINOR,), cleared=True, name="  Aino ")
    assert again.display_name == "Aino"
    assert again.languages == {"fi", "sv"} and again.audiences == {A.YOUTH_MINOR} and again.minors_cleared
    assert again.on_duty  # updating the record keeps the duty
    assert [v.user_id for v in await volunteers.list(GUILD)] == [1]


@pytest.mark.parametrize(
    ("kwargs", "msgid"),
    [
        ({"languages": ()}, "Choose at least one language: fi, sv or en."),
        ({"languages": ("fi", "de")}, "Choose at least one language: fi, sv or en."),
        ({"audiences": ()}, "Choose at least one group the volunteer serves."),
        ({"audiences": (A.UNKNOWN,)}, "Choose at least one group the volunteer serves."),
        ({"audiences": (A.YOUTH_MINOR,)}, "Only volunteers cleared for minors can serve young people aged 13–17."),
        ({"name": "x" * 33}, "A display name must be 1–{max} characters long."),
    ],
)
async def test_bad_volunteer_records_are_refused(volunteers, kwargs, msgid):
    with pytest.raises(KohtaamoError) as raised:
        await add(volunteers, 1, **kwargs)
    assert raised.value.msgid == msgid
    assert await volunteers.get(GUILD, 1) is None


async def test_remove_deletes_and_cancels_the_off_duty_job(volunteers, db, clock, scheduler):
    await add(volunteers, 1)
    await volunteers.on_duty(GUILD, 1, hours=2)
    removed = await volunteers.remove(GUILD, 1)
    assert removed.user_id == 1
    assert await volunteers.get(GUILD, 1) is None
    row = await db.fetchone("SELECT status FROM jobs WHERE kind = ?", (VolunteerService.KIND_OFF_DUTY,))
    assert row["status"] == "cancelled"
    with pytest.raises(KohtaamoError, match="not on the volunteer list"):
        await volunteers.remove(GUILD, 1)


async def test_on_duty_for_some_hours_ends_by_itself(volunteers, clock, scheduler):
    await add(volunteers, 1)
    on = await volunteers.on_duty(GUILD, 1, hours=2, display_name="Aino")
    assert on.display_name == "Aino" and on.on_duty_until == clock.now() + timedelta(hours=2)
    assert on.on_duty_at(clock.now())
    clock.advance(timedelta(hours=1, minutes=59))
    assert await scheduler.run_due() == 0
    assert (await volunteers.get(GUILD, 1)).on_duty_at(clock.now())
    clock.advance(timedelta(minutes=1))
    assert await scheduler.run_due() == 1
    after = await volunteers.get(GUILD, 1)
    assert not after.on_duty and after.on_duty_until is None and not after.on_duty_at(clock.now())


async def test_extending_duty_moves_the_end(volunteers, clock, scheduler):
    await add(volunteers, 1)
    await volunteers.on_duty(GUILD, 1, hours=1)
    clock.advance(timedelta(minutes=30))
    await volunteers.on_duty(GUILD, 1, hours=1)
    clock.advance(timedelta(minutes=45))
    await scheduler.run_due()
    assert (await volunteers.get(GUILD, 1)).on_duty_at(clock.now())
    clock.advance(timedelta(minutes=15))
    await scheduler.run_due()
    assert not (await volunteers.get(GUILD, 1)).on_duty


async def test_on_duty_without_hours_lasts_until_off(volunteers, clock, scheduler, db):
    await add(volunteers, 1)
    await volunteers.on_duty(GUILD, 1, hours=1)
    await volunteers.on_duty(GUILD, 1)  # now open-ended: the 1-hour end is dropped
    clock.advance(timedelta(days=3))
    await scheduler.run_due()
    assert (await volunteers.get(GUILD, 1)).on_duty_at(clock.now())
    off = await volunteers.off_duty(GUILD, 1)
    assert not off.on_duty and not off.on_duty_at(clock.now())


async def test_duty_needs_a_volunteer_and_sensible_hours(volunteers):
    with pytest.raises(KohtaamoError) as raised:
        await volunteers.on_duty(GUILD, 9)
    assert raised.value.msgid == "You are not on this server's volunteer list."
    with pytest.raises(KohtaamoError):
        await volunteers.off_duty(GUILD, 9)
    await add(volunteers, 1)
    for hours in (0, -1, 24.5):
        with pytest.raises(KohtaamoError) as raised:
            await volunteers.on_duty(GUILD, 1, hours=hours)
        assert raised.value.params == {"max": 24}
    assert (await volunteers.on_duty(GUILD, 1, hours=24)).on_duty


def test_who_can_take_what():
    def v(audiences, cleared, languages=("fi",)):
        return Volunteer(GUILD, 1, "V", frozenset(languages), frozenset(audiences), cleared, None)

    cleared_youth = v({A.YOUTH_MINOR, A.YOUTH_ADULT}, True)
    assert cleared_youth.can_take(A.YOUTH_MINOR, "fi") and cleared_youth.can_take(A.UNKNOWN, "fi")
    assert not cleared_youth.can_take(A.YOUTH_MINOR, "sv")
    assert not cleared_youth.can_take(A.CAREGIVER, "fi")
    adults_only = v({A.YOUTH_ADULT, A.CAREGIVER}, False)
    assert adults_only.can_take(A.CAREGIVER, "fi") and adults_only.can_take(A.YOUTH_ADULT, "fi")
    assert not adults_only.can_take(A.UNKNOWN, "fi")  # no audience role: possibly a minor
    cleared_caregivers = v({A.CAREGIVER}, True)
    assert not cleared_caregivers.can_take(A.UNKNOWN, "fi")  # cleared, but does not serve youth


async def test_list_shows_load_and_matching_finds_who_to_ping(db, clock, volunteers):
    sealer = Sealer(Fernet.generate_key())
    company = CompanyService(CompanyRepo(db, sealer), volunteers, volunteers.scheduler, clock)
    for kind in (company.KIND_ESCALATE, company.KIND_GIVE_UP):
        volunteers.scheduler.register(kind, company.due_give_up)
    await add(volunteers, 1, languages=("fi", "sv"), audiences=(A.YOUTH_MINOR, A.YOUTH_ADULT), cleared=True,
              name="Bertta")
    await add(volunteers, 2, languages=("fi",), audiences=(A.YOUTH_ADULT,), name="aatu")
    await add(volunteers, 3, languages=("sv",), audiences=(A.YOUTH_MINOR,), cleared=True, name="Cecilia")
    for uid in (1, 2, 3):
        await volunteers.on_duty(GUILD, uid, hours=4)
    await volunteers.off_duty(GUILD, 3)

    for member in (501, 502):
        request = await company.open(GUILD, member, audience=A.YOUTH_ADULT, language="fi", kind=Kind.LISTEN,
                                     topic=None, locale="fi")
        await company.claim(request.id, 1)
    ended = await company.open(GUILD, 503, audience=A.YOUTH_ADULT, language="fi", kind=Kind.LISTEN,
                               topic=None, locale="fi")
    await company.claim(ended.id, 2)
    await company.end(ended.id, "volunteer", 2)

    listed = await volunteers.list(GUILD)
    assert [(v.display_name, v.active_conversations) for v in listed] == [("aatu", 0), ("Bertta", 2), ("Cecilia", 0)]
    assert (await volunteers.get(GUILD, 1)).active_conversations == 2
    assert {v.user_id for v in await volunteers.on_duty_matching(GUILD, A.YOUTH_ADULT, "fi")} == {1, 2}
    assert {v.user_id for v in await volunteers.on_duty_matching(GUILD, A.YOUTH_MINOR, "fi")} == {1}
    assert {v.user_id for v in await volunteers.on_duty_matching(GUILD, A.UNKNOWN, "sv")} == {1}  # 3 is off
    assert await volunteers.on_duty_matching(GUILD, A.CAREGIVER, "fi") == []
    assert await volunteers.list(GUILD + 1) == []
